-- Every release year the chat can pick songs from (songs with the audio features its ranking needs), to tell an era
-- the catalogue has from one it lacks.
SELECT DISTINCT year
FROM gold.songs_catalog
WHERE year IS NOT NULL AND energy IS NOT NULL AND valence IS NOT NULL AND danceability IS NOT NULL AND acousticness IS NOT NULL
  AND instrumentalness IS NOT NULL AND tempo IS NOT NULL AND duration_s IS NOT NULL AND title IS NOT NULL AND artist IS NOT NULL
ORDER BY year
