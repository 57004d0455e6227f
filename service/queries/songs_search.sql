-- Songs filtered by tempo, duration, time signature, genre and year, one page at a time.
SELECT source, song_id, title, artist, genre, year, ROUND(duration_s, 2) AS duration_s, ROUND(tempo, 2) AS tempo, time_signature, popularity
FROM gold.songs_catalog
WHERE tempo BETWEEN :tempo_min AND :tempo_max
  AND duration_s BETWEEN :duration_min AND :duration_max
  AND (:time_signature IS NULL OR time_signature = :time_signature)
  AND (:genre IS NULL OR genre = :genre)
  AND (:year IS NULL OR year = :year)
ORDER BY popularity DESC NULLS LAST, source, song_id
LIMIT :limit OFFSET :offset
