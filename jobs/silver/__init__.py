"""Silver: typed, cleaned, validated, deduplicated tables; one module per subject."""
