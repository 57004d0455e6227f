-- Highest rated movies by MovieLens mean rating among those with at least :min_votes ratings.
SELECT movie_id, title, year, mean_rating, rating_count, vote_average, vote_count
FROM gold.movie_ratings
WHERE rating_count >= :min_votes
ORDER BY mean_rating DESC, rating_count DESC, movie_id
LIMIT :limit
