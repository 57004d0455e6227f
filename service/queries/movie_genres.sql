-- Every movie genre (for validation and pickers).
SELECT DISTINCT genre FROM gold.genre_counts_by_year ORDER BY genre
