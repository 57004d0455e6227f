-- Mean song duration and tempo by year, both song sources together.
SELECT year, SUM(song_count) AS song_count,
       ROUND(SUM(mean_duration_s * song_count) / SUM(song_count), 3) AS mean_duration_s,
       ROUND(SUM(mean_tempo * song_count) / SUM(song_count), 3) AS mean_tempo
FROM gold.song_trends_by_year
WHERE year BETWEEN :year_from AND :year_to
GROUP BY year
ORDER BY year
