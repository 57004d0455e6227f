-- Songs nearest a target mood profile (among the :pool nearest) (Euclidean over the audio features, tempo scaled by 1/100), filtered, at most
-- :per_artist songs per artist (or the most popular when :popular = 1); ties broken by popularity then id so the same request always gives the same picks.
WITH scored AS (
  SELECT source, song_id, title, artist, genre, year, duration_s, tempo, energy, valence, danceability, acousticness,
         instrumentalness, popularity,
         ROUND(SQRT(POWER(energy - :energy, 2) + POWER(valence - :valence, 2) + POWER(danceability - :danceability, 2)
                    + POWER(acousticness - :acousticness, 2) + POWER(instrumentalness - :instrumentalness, 2)
                    + POWER((tempo - :tempo) / 100.0, 2)), 6) AS distance
  FROM gold.songs_catalog
  WHERE energy IS NOT NULL AND valence IS NOT NULL AND danceability IS NOT NULL AND acousticness IS NOT NULL
    AND instrumentalness IS NOT NULL AND tempo IS NOT NULL AND duration_s IS NOT NULL AND title IS NOT NULL AND artist IS NOT NULL
    AND (:genres IS NULL OR INSTR(:genres, CONCAT('|', genre, '|')) > 0)
    AND (:artists IS NULL OR INSTR(:artists, CONCAT('|', LOWER(artist), '|')) > 0)
    AND (:year_from IS NULL OR year >= :year_from)
    AND (:year_to IS NULL OR year <= :year_to)
),
nearest AS (  -- a top-N of the whole catalogue first, so the per-artist window sorts hundreds of rows, not all of them
  SELECT * FROM scored ORDER BY CASE WHEN :popular = 1 THEN 0 ELSE distance END, popularity DESC, song_id LIMIT :pool
),
ranked AS (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY LOWER(artist) ORDER BY CASE WHEN :popular = 1 THEN 0 ELSE distance END, popularity DESC, song_id) AS artist_rank
  FROM nearest
)
SELECT source, song_id, title, artist, genre, year, ROUND(duration_s, 1) AS duration_s, ROUND(tempo, 1) AS tempo,
       ROUND(energy, 2) AS energy, ROUND(valence, 2) AS valence, ROUND(danceability, 2) AS danceability,
       ROUND(acousticness, 2) AS acousticness, ROUND(instrumentalness, 2) AS instrumentalness, popularity, distance
FROM ranked
WHERE artist_rank <= :per_artist
ORDER BY CASE WHEN :popular = 1 THEN 0 ELSE distance END, popularity DESC, song_id
LIMIT :limit
