-- Movie genres by number of ratings and mean rating.
SELECT genre, rating_count, ROUND(mean_rating, 4) AS mean_rating
FROM gold.genre_popularity
ORDER BY rating_count DESC, genre
