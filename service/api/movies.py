"""Movie statistics endpoints; their SQL is in service/queries/."""

from service.api.registry import endpoint
from service.params import Param, limit, ordered, year

YEAR_RANGE = (year("year_from", 1990, "first release year"), year("year_to", 2017, "last release year"))


def year_range(params: dict, warehouse) -> None:
    """year_from <= year_to."""
    ordered(params, "year_from", "year_to")


@endpoint("/movies/genres-by-year", "Movies per genre per year (stacked bar data)", YEAR_RANGE, year_range)
def genres_by_year(p):
    """Counts per year and genre."""
    return {"data": ("genre_counts_by_year", p)}


@endpoint("/movies/popularity", "Top 5 and bottom 5 movies by TMDB popularity in a year", (year("year", 2000, "release year"),))
def popularity(p):
    """Both ends of the popularity ranking."""
    return {"data": ("movie_popularity_extremes", p)}


TOP_RATED = (
    Param("min_votes", "int", 100, 1, 1_000_000, help="minimum number of votes (TMDB) or ratings (MovieLens)"),
    Param("by", "string", "tmdb", choices=("tmdb", "movielens"), help="tmdb: vote_average; movielens: mean rating"),
    limit(10),
)


@endpoint("/movies/top-rated", "Highest rated movies with a minimum vote count", TOP_RATED)
def top_rated(p):
    """By TMDB vote average or by MovieLens mean rating."""
    query = "top_rated_movies" if p["by"] == "tmdb" else "top_rated_movies_by_ratings"
    return {"data": (query, p)}


@endpoint("/movies/genre-popularity", "Most popular genres by number of ratings and mean rating")
def genre_popularity(p):
    """Genres with their ratings."""
    return {"data": ("genre_popularity", p)}


@endpoint("/movies/box-office", "Box office by release month and by quarter over a year range", YEAR_RANGE, year_range)
def box_office(p):
    """Two views of the same table."""
    return {"by_month": ("box_office_by_month", p), "by_quarter": ("box_office_by_quarter", p)}


GENRE_REVENUE = "Revenue per genre over a year range: nominal for every movie, in constant dollars (CPI) where priced"


@endpoint("/movies/genre-revenue", GENRE_REVENUE, YEAR_RANGE, year_range)
def genre_revenue(p):
    """Nominal and constant-dollar revenue per genre."""
    return {"data": ("genre_revenue_constant", p)}


@endpoint("/movies/genres", "Every movie genre", tag="reference")
def movie_genres(p):
    """The genre list."""
    return {"data": ("movie_genres", p)}
