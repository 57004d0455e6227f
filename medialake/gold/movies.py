"""Gold movie tables: one declaration each, with the Spark SQL that builds it from the silver views it needs."""

from functools import partial

from medialake.gold.declare import gold

movie = partial(gold, domain="movies")

# The statistics read one rating set, the largest one landed (most ratings; ties to the first name): every rating file
# (ratings.csv, ratings_small.csv, MovieLens' ratings.csv) samples the same MovieLens users under its own user ids,
# so adding two of them up would count the same person's rating twice.
STATISTICS_RATINGS = """stats_ratings AS (
          SELECT r.* FROM ratings r
          JOIN (SELECT rating_set, COUNT(*) AS ratings FROM ratings GROUP BY rating_set ORDER BY ratings DESC, rating_set LIMIT 1) s
            ON r.rating_set = s.rating_set)"""

GOLD_MOVIES = (
    movie(
        "genre_counts_by_year",
        keys="year genre",
        columns="year genre movie_count",
        description="one row per release year and genre: how many movies of the genre came out that year; "
        "movies without a release date or genre are left out",
        needs="movies movie_genres",
        sql="""
        SELECT m.release_year AS year, g.genre, COUNT(*) AS movie_count
        FROM movies m JOIN movie_genres g ON m.movie_id = g.movie_id
        WHERE m.release_year IS NOT NULL
        GROUP BY m.release_year, g.genre""",
    ),
    movie(
        "movie_popularity_by_year",
        keys="year kind rank",
        columns="year kind rank movie_id title popularity",
        description="one row per release year, list (top, bottom) and rank: the year's 5 most popular movies by TMDB "
        "popularity (ties to the lower movie_id) and the 5 least popular of the rest (rank 1 least popular; fewer when the "
        "year has under ten); movies without a release year or popularity are left out",
        needs="movies",
        sql="""
        WITH ranked AS (
          SELECT release_year AS year, movie_id, title, popularity,
                 ROW_NUMBER() OVER (PARTITION BY release_year ORDER BY popularity DESC, movie_id) AS position,
                 COUNT(*) OVER (PARTITION BY release_year) AS movies
          FROM movies WHERE release_year IS NOT NULL AND popularity IS NOT NULL)
        SELECT year, 'top' AS kind, position AS rank, movie_id, title, popularity FROM ranked WHERE position <= 5
        UNION ALL
        SELECT year, 'bottom' AS kind, CAST(movies - position + 1 AS INT) AS rank, movie_id, title, popularity
        FROM ranked WHERE position > 5 AND movies - position < 5""",
    ),
    movie(
        "movie_ratings",
        keys="movie_id",
        columns="movie_id title year rating_count mean_rating vote_count vote_average",
        description="one row per movie with ratings or TMDB votes: count and mean of its MovieLens ratings (via links) in "
        "the statistics rating set (the largest rating file landed; samples of the same users are never added up) and its "
        "TMDB votes; movies with neither, and ratings of other sets or of movies without a TMDB id, are left out",
        needs="movies ratings",
        sql=f"""
        WITH {STATISTICS_RATINGS},
        r AS (SELECT tmdb_id, COUNT(*) AS rating_count, AVG(rating) AS mean_rating
              FROM stats_ratings WHERE tmdb_id IS NOT NULL GROUP BY tmdb_id)
        SELECT m.movie_id, m.title, m.release_year AS year, r.rating_count, r.mean_rating, m.vote_count, m.vote_average
        FROM movies m LEFT JOIN r ON m.movie_id = r.tmdb_id
        WHERE r.rating_count IS NOT NULL OR m.vote_count > 0""",
    ),
    movie(
        "genre_popularity",
        keys="genre",
        columns="genre rating_count mean_rating",
        description="one row per genre: number and mean of the ratings of its movies in the statistics rating set (see "
        "movie_ratings); ratings of other sets and of movies without a TMDB id or genre are left out",
        needs="movie_genres ratings",
        # per movie first, then per genre: the join then meets one row a movie, not one a rating (a genre's mean is
        # its ratings' sum over their count either way; full-scale ratings: 1.0 s -> 0.37 s, the same rows)
        sql=f"""
        WITH {STATISTICS_RATINGS},
        per_movie AS (SELECT tmdb_id, COUNT(*) AS ratings, COUNT(rating) AS rated, SUM(rating) AS rating_sum
                      FROM stats_ratings GROUP BY tmdb_id)
        SELECT g.genre, SUM(r.ratings) AS rating_count, SUM(r.rating_sum) / SUM(r.rated) AS mean_rating
        FROM per_movie r JOIN movie_genres g ON r.tmdb_id = g.movie_id
        GROUP BY g.genre""",
    ),
    movie(
        "box_office_by_month",
        keys="year month",
        columns="year month quarter movie_count total_revenue mean_revenue",
        description="one row per release year and month: movies with a revenue, their total and mean revenue in nominal "
        "dollars; movies without a revenue or release date are left out",
        needs="movies",
        sql="""
        SELECT release_year AS year, month(release_date) AS month, quarter(release_date) AS quarter,
               COUNT(*) AS movie_count, SUM(revenue) AS total_revenue, AVG(revenue) AS mean_revenue
        FROM movies WHERE revenue IS NOT NULL AND release_date IS NOT NULL
        GROUP BY release_year, month(release_date), quarter(release_date)""",
    ),
    movie(
        "genre_revenue_cpi",
        keys="year genre",
        columns="year genre movie_count revenue priced_count revenue_constant budget_constant price_base_month prices_from prices_to",
        description="one row per release year and genre: every movie with a revenue (movie_count, nominal revenue), and in "
        "dollars of price_base_month (the latest CPI month) the priced_count of them released in a month the CPI covers "
        "(prices_from to prices_to); movies without a revenue, release date or genre are left out",
        needs="movies movie_genres cpi",
        # A left join: a movie released outside the CPI months keeps its nominal figures and is not priced.
        sql="""
        WITH prices AS (SELECT max_by(cpi, month) AS base_cpi, MAX(month) AS base_month, MIN(month) AS first_month FROM cpi),
        earning AS (
          SELECT m.release_year AS year, g.genre, m.revenue, m.budget, c.cpi
          FROM movies m JOIN movie_genres g ON m.movie_id = g.movie_id
          LEFT JOIN cpi c ON c.month = make_date(year(m.release_date), month(m.release_date), 1)
          WHERE m.revenue IS NOT NULL AND m.release_year IS NOT NULL)
        SELECT e.year, e.genre, COUNT(*) AS movie_count, SUM(e.revenue) AS revenue, COUNT(e.cpi) AS priced_count,
               SUM(e.revenue * p.base_cpi / e.cpi) AS revenue_constant, SUM(e.budget * p.base_cpi / e.cpi) AS budget_constant,
               MAX(p.base_month) AS price_base_month, MAX(p.first_month) AS prices_from, MAX(p.base_month) AS prices_to
        FROM earning e CROSS JOIN prices p
        GROUP BY e.year, e.genre""",
    ),
    movie(
        "movies_catalog",
        keys="movie_id",
        columns="movie_id title year genres keywords overview vote_average vote_count popularity runtime",
        description="one row per movie with a title, the movies the chat picks from: genres in one string, each between "
        "pipes, keywords lower-cased, overview cut to 400 characters; movies without a title are left out",
        needs="movies",
        sql="""
        SELECT movie_id, title, release_year AS year, concat('|', concat_ws('|', genres), '|') AS genres,
               lower(concat_ws(' | ', keywords)) AS keywords, substring(overview, 1, 400) AS overview,
               vote_average, vote_count, popularity, runtime
        FROM movies WHERE title IS NOT NULL""",
    ),
)
