-- Side-by-side profiles of 2 to 6 artists (radar data); unused slots are NULL.
SELECT artist, song_count, ROUND(mean_duration_s, 3) AS mean_duration_s, ROUND(mean_tempo, 3) AS mean_tempo,
       ROUND(mean_time_signature, 3) AS mean_time_signature, ROUND(mean_energy, 4) AS mean_energy,
       ROUND(mean_valence, 4) AS mean_valence, ROUND(mean_danceability, 4) AS mean_danceability
FROM gold.artist_profiles
WHERE artist IN (:artist_1, :artist_2, :artist_3, :artist_4, :artist_5, :artist_6)
ORDER BY artist
