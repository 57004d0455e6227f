-- Most popular Spotify tracks, optionally of one genre.
SELECT track_id, track_name, artist, genre, popularity, year
FROM gold.top_tracks
WHERE :genre IS NULL OR genre = :genre
ORDER BY popularity DESC, track_id
LIMIT :limit
