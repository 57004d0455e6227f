"""The chart pages: one template, one entry per view (its form fields and the endpoint its chart reads)."""

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, render_template, request
from werkzeug.exceptions import MethodNotAllowed, NotFound

from service.api.registry import ENDPOINTS
from service.cache import Remembered, body_etag, remember_and_respond


@dataclass(frozen=True)
class Page:
    """A view: where it lives, what it shows, its form and its data."""

    slug: str
    title: str
    caption: str
    endpoint: str
    chart: str
    fields: tuple[tuple[str, str], ...] = ()  # (name, label); each value shown is the endpoint's default

    def declared(self) -> dict:
        """The endpoint's parameters by name."""
        return {p.name: p for p in next(e for e in ENDPOINTS if f"/api{e.path}" == self.endpoint).params}

    def form(self) -> list[tuple[str, str, str]]:
        """(name, label, value shown) per field, the value being the endpoint's declared default."""
        declared = self.declared()
        return [(name, label, shown(declared[name].default)) for name, label in self.fields]

    def several(self) -> set[str]:
        """The fields that take several values (one per line, sent as the parameter repeated)."""
        declared = self.declared()
        return {name for name, _ in self.fields if declared[name].kind == "list"}


def shown(default) -> str:
    """A default as a form field shows it: empty for none, 300 rather than 300.0."""
    if default is None:
        return ""
    return str(int(default)) if isinstance(default, float) and default.is_integer() else str(default)


YEARS = (("year_from", "From year"), ("year_to", "To year"))
PAGES = (
    Page("movies/genres", "Genres per year", "Movies released per genre and year.", "/api/movies/genres-by-year", "stacked", YEARS),
    Page("movies/popularity", "Top and bottom movies", "The 5 most (green) and least (red) popular movies of a year.",
         "/api/movies/popularity", "extremes", (("year", "Year"),)),
    Page("movies/top-rated", "Highest rated movies", "Best vote average among movies with enough votes.", "/api/movies/top-rated",
         "rated", (("min_votes", "Minimum votes"), ("by", "Ranking (tmdb or movielens)"))),
    Page("movies/genre-popularity", "Most popular genres", "Ratings per genre and their mean.", "/api/movies/genre-popularity", "genrepop"),
    Page("movies/box-office", "Box office by month", "Total revenue by release month and quarter.", "/api/movies/box-office",
         "boxoffice", YEARS),
    Page("movies/genre-revenue", "Genre revenue in constant dollars", "Revenue per genre, nominal and CPI-adjusted.",
         "/api/movies/genre-revenue", "revenue", YEARS),
    Page("songs/popularity", "Popularity distribution", "How many tracks fall in each popularity bin.",
         "/api/songs/popularity-histogram", "histogram"),
    Page("songs/genres", "Genre popularity", "Mean Spotify popularity per genre.", "/api/songs/genre-popularity", "songgenres"),
    Page("songs/release-months", "Popularity by release month", "Mean popularity of tracks by the month they came out.",
         "/api/songs/popularity-by-month", "months"),
    Page("songs/trends", "Duration and tempo by year", "Mean song duration and tempo per year.", "/api/songs/trends", "trends",
         YEARS),
    Page("songs/top-tracks", "Top tracks", "The most popular tracks, optionally of one genre.", "/api/songs/top-tracks", "toptracks",
         (("genre", "Genre (empty for all)"), ("limit", "How many"))),
    Page("songs/search", "Find songs", "Songs by tempo, duration, time signature, genre and year.", "/api/songs/search", "search",
         (("tempo_min", "Tempo from"), ("tempo_max", "Tempo to"), ("duration_min", "Duration from (s)"),
          ("duration_max", "Duration to (s)"), ("genre", "Genre"), ("year", "Year"))),
    Page("songs/artists", "Compare artists", "Profiles of 2-6 artists side by side, scaled 0-1 per axis.", "/api/songs/artists", "radar",
         (("artist", "Artists (one per line)"),)),
)  # fmt: skip
BY_SLUG = {p.slug: p for p in PAGES}
blueprint = Blueprint("pages", __name__)


def cached_page(template: str, **context):
    """A rendered page (it depends on no data), handed to the fast path so the next request skips Flask."""
    body = render_template(template, **context).encode()
    return remember_and_respond(Remembered(request.url_rule.rule, (), {}, body_etag(body), body, "text/html; charset=utf-8"))


@blueprint.get("/")
def home():
    """The index of views."""
    return cached_page("home.html", pages=PAGES, title="medialake")


@blueprint.get("/<path:slug>")
def view(slug: str):
    """One chart page; unknown paths fall through to the JSON 404."""
    page = BY_SLUG.get(slug.rstrip("/"))
    if page is None:
        refuse_other_methods(f"/{slug}")
        abort(404, description=f"no page or endpoint at /{slug}")
    return cached_page("chart.html", page=page, fields=page.form(), several=page.several(), title=page.title)


def refuse_other_methods(path: str) -> None:
    """A 405 (not this page's 404) when the path is a POST endpoint such as /api/chat."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        endpoint, _ = adapter.match(path, method="POST")
    except (NotFound, MethodNotAllowed):
        return
    if endpoint != "pages.view":
        raise MethodNotAllowed(valid_methods=["POST"], description=f"{path} takes POST")
