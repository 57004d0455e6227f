"""Gold movie tables: one declaration each, with the Spark SQL that builds it from the silver views it needs."""

from functools import partial

from medialake.gold.declare import gold

movie = partial(gold, domain="movies")

GOLD_MOVIES = (
    movie(
        "genre_counts_by_year",
        keys="year genre",
        columns="year genre movie_count",
        description="movies per genre per release year",
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
        description="top and bottom 5 movies by TMDB popularity per year",
        needs="movies",
        sql="""
        WITH ranked AS (
          SELECT release_year AS year, movie_id, title, popularity,
                 ROW_NUMBER() OVER (PARTITION BY release_year ORDER BY popularity DESC, movie_id) AS top_rank,
                 ROW_NUMBER() OVER (PARTITION BY release_year ORDER BY popularity ASC, movie_id) AS bottom_rank
          FROM movies WHERE release_year IS NOT NULL AND popularity IS NOT NULL)
        SELECT year, 'top' AS kind, top_rank AS rank, movie_id, title, popularity FROM ranked WHERE top_rank <= 5
        UNION ALL
        SELECT year, 'bottom' AS kind, bottom_rank AS rank, movie_id, title, popularity FROM ranked WHERE bottom_rank <= 5""",
    ),
    movie(
        "movie_ratings",
        keys="movie_id",
        columns="movie_id title year rating_count mean_rating vote_count vote_average",
        description="per movie: ratings count and mean (MovieLens ratings via links) and TMDB votes",
        needs="movies ratings",
        sql="""
        WITH r AS (SELECT tmdb_id, COUNT(*) AS rating_count, AVG(rating) AS mean_rating
                   FROM ratings WHERE tmdb_id IS NOT NULL GROUP BY tmdb_id)
        SELECT m.movie_id, m.title, m.release_year AS year, r.rating_count, r.mean_rating, m.vote_count, m.vote_average
        FROM movies m LEFT JOIN r ON m.movie_id = r.tmdb_id
        WHERE r.rating_count IS NOT NULL OR m.vote_count > 0""",
    ),
    movie(
        "genre_popularity",
        keys="genre",
        columns="genre rating_count mean_rating",
        description="genres by number of ratings and mean rating",
        needs="movie_genres ratings",
        sql="""
        SELECT g.genre, COUNT(*) AS rating_count, AVG(r.rating) AS mean_rating
        FROM ratings r JOIN movie_genres g ON r.tmdb_id = g.movie_id
        GROUP BY g.genre""",
    ),
    movie(
        "box_office_by_month",
        keys="year month",
        columns="year month quarter movie_count total_revenue mean_revenue",
        description="revenue by release month and quarter",
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
        columns="year genre movie_count revenue revenue_constant budget_constant price_base_month",
        description="genre revenue in constant dollars of the latest CPI month",
        needs="movies movie_genres cpi",
        sql="""
        WITH base AS (SELECT cpi AS base_cpi, month AS base_month FROM cpi ORDER BY month DESC LIMIT 1),
        priced AS (
          SELECT m.release_year AS year, g.genre, m.revenue, m.budget, c.cpi
          FROM movies m JOIN movie_genres g ON m.movie_id = g.movie_id
          JOIN cpi c ON c.month = make_date(year(m.release_date), month(m.release_date), 1)
          WHERE m.revenue IS NOT NULL)
        SELECT p.year, p.genre, COUNT(*) AS movie_count, SUM(p.revenue) AS revenue,
               SUM(p.revenue * b.base_cpi / p.cpi) AS revenue_constant,
               SUM(p.budget * b.base_cpi / p.cpi) AS budget_constant, MAX(b.base_month) AS price_base_month
        FROM priced p CROSS JOIN base b
        GROUP BY p.year, p.genre""",
    ),
    movie(
        "movies_catalog",
        keys="movie_id",
        columns="movie_id title year genres keywords overview vote_average vote_count popularity runtime",
        description="movies the chat picks from: genres as |A|B|, keywords lower-cased, overview cut to 400 characters",
        needs="movies",
        sql="""
        SELECT movie_id, title, release_year AS year, concat('|', concat_ws('|', genres), '|') AS genres,
               lower(concat_ws(' | ', keywords)) AS keywords, substring(overview, 1, 400) AS overview,
               vote_average, vote_count, popularity, runtime
        FROM movies WHERE title IS NOT NULL""",
    ),
)
