"""medialake ETL jobs: raw movie and song files -> Delta bronze/silver/gold."""
