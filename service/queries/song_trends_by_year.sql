-- Mean song duration and tempo by year, both song sources together: each mean weighted by the songs that have the value.
SELECT year, SUM(song_count) AS song_count,
       ROUND(SUM(mean_duration_s * duration_count) / NULLIF(SUM(duration_count), 0), 3) AS mean_duration_s,
       SUM(tempo_count) AS tempo_count,
       ROUND(SUM(mean_tempo * tempo_count) / NULLIF(SUM(tempo_count), 0), 3) AS mean_tempo
FROM gold.song_trends_by_year
WHERE year BETWEEN :year_from AND :year_to
GROUP BY year
ORDER BY year
