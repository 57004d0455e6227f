-- Highest rated movies by TMDB vote average among those with at least :min_votes votes.
SELECT movie_id, title, year, vote_average, vote_count, mean_rating, rating_count
FROM gold.movie_ratings
WHERE vote_count >= :min_votes AND vote_average IS NOT NULL
ORDER BY vote_average DESC, vote_count DESC, movie_id
LIMIT :limit
