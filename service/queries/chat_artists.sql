-- Every artist the chat can pick songs of (a song with all the audio features its ranking needs), to tell an artist
-- the catalogue has from one it lacks.
SELECT DISTINCT artist
FROM gold.songs_catalog
WHERE energy IS NOT NULL AND valence IS NOT NULL AND danceability IS NOT NULL AND acousticness IS NOT NULL
  AND instrumentalness IS NOT NULL AND tempo IS NOT NULL AND duration_s IS NOT NULL AND title IS NOT NULL AND artist IS NOT NULL
ORDER BY artist
