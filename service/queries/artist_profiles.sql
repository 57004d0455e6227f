-- Side-by-side profiles of 2 to 6 artists (radar data); unused slots are NULL. A feature no song of the artist has is
-- NULL, not zero, and no_data names those features.
SELECT artist, song_count, ROUND(mean_duration_s, 3) AS mean_duration_s, ROUND(mean_tempo, 3) AS mean_tempo,
       ROUND(mean_time_signature, 3) AS mean_time_signature, ROUND(mean_energy, 4) AS mean_energy,
       ROUND(mean_valence, 4) AS mean_valence, ROUND(mean_danceability, 4) AS mean_danceability,
       FILTER(ARRAY(CASE WHEN mean_duration_s IS NULL THEN 'mean_duration_s' END,
                    CASE WHEN mean_tempo IS NULL THEN 'mean_tempo' END,
                    CASE WHEN mean_time_signature IS NULL THEN 'mean_time_signature' END,
                    CASE WHEN mean_energy IS NULL THEN 'mean_energy' END,
                    CASE WHEN mean_valence IS NULL THEN 'mean_valence' END,
                    CASE WHEN mean_danceability IS NULL THEN 'mean_danceability' END), name -> name IS NOT NULL) AS no_data
FROM gold.artist_profiles
WHERE artist IN (:artist_1, :artist_2, :artist_3, :artist_4, :artist_5, :artist_6)
ORDER BY artist
