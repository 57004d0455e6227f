-- Spotify genres by mean track popularity.
SELECT genre, track_count, ROUND(mean_popularity, 4) AS mean_popularity
FROM gold.song_genre_popularity
ORDER BY mean_popularity DESC, genre
