-- Movies for a mood: genre matches count twice, keyword or overview matches once, then vote average (or popularity
-- when :popular = 1, for a mood not understood) and popularity;
-- a floor on vote count keeps unknown films out; ties broken by id so the same request always gives the same picks.
WITH scored AS (
  SELECT movie_id, title, year, genres, vote_average, vote_count, ROUND(popularity, 2) AS popularity,
         (CASE WHEN INSTR(genres, :genre_1) > 0 THEN 2 ELSE 0 END + CASE WHEN INSTR(genres, :genre_2) > 0 THEN 2 ELSE 0 END
          + CASE WHEN INSTR(genres, :genre_3) > 0 THEN 2 ELSE 0 END
          + CASE WHEN INSTR(keywords, :keyword_1) > 0 OR INSTR(LOWER(overview), :keyword_1) > 0 THEN 1 ELSE 0 END
          + CASE WHEN INSTR(keywords, :keyword_2) > 0 OR INSTR(LOWER(overview), :keyword_2) > 0 THEN 1 ELSE 0 END
          + CASE WHEN INSTR(keywords, :keyword_3) > 0 OR INSTR(LOWER(overview), :keyword_3) > 0 THEN 1 ELSE 0 END) AS match_score
  FROM gold.movies_catalog
  WHERE COALESCE(vote_count, 0) >= :min_votes
    AND (:genre IS NULL OR INSTR(genres, CONCAT('|', :genre, '|')) > 0)
    AND (:year_from IS NULL OR year >= :year_from)
    AND (:year_to IS NULL OR year <= :year_to)
)
SELECT movie_id, title, year, SUBSTRING(genres, 2, LENGTH(genres) - 2) AS genres, ROUND(vote_average, 1) AS vote_average,
       vote_count, popularity, match_score
FROM scored
WHERE match_score > 0 OR :any_match = 1
ORDER BY match_score DESC, CASE WHEN :popular = 1 THEN popularity ELSE vote_average END DESC NULLS LAST,
         popularity DESC NULLS LAST, movie_id
LIMIT :limit
