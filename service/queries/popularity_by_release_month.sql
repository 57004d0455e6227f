-- Mean track popularity by release month (tracks with a month-precise release date).
SELECT month, track_count, ROUND(mean_popularity, 4) AS mean_popularity
FROM gold.popularity_by_release_month
ORDER BY month
