-- The 5 most popular movies (TMDB popularity) released in a year and the 5 least popular of the others (rank 1 least
-- popular): ties go to the lower movie_id, so a year of under ten movies has a shorter bottom list.
SELECT kind, rank, movie_id, title, popularity
FROM gold.movie_popularity_by_year
WHERE year = :year
ORDER BY kind DESC, rank
