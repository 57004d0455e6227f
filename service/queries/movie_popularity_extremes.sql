-- The 5 most and 5 least popular movies (TMDB popularity) released in a year.
SELECT kind, rank, movie_id, title, popularity
FROM gold.movie_popularity_by_year
WHERE year = :year
ORDER BY kind DESC, rank
