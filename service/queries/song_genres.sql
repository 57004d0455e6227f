-- Every song genre (for validation and pickers).
SELECT genre FROM gold.song_genre_popularity ORDER BY genre
