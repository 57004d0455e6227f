"""The visitor mix of the load tests: what real visitors ask for and how often, with the check each answer must pass.

Shared by the Locust user (tools/load/locustfile.py) and the constant-rate runs (tools/load/sweep.py), so both load
the service the same way.
"""

import json
import random
from dataclasses import dataclass
from urllib.parse import urlencode

from service.pages import PAGES

YEAR_RANGES = [(1990, 2000), (1980, 2017), (2000, 2010), (1950, 1980), (2010, 2017), (1970, 1990)]
YEARS = [1985, 1995, 2000, 2005, 2010, 2015]
SONG_GENRES = ["pop", "rock", "rap", "r&b", "latin", "edm"]
CHAT_MESSAGES = ["I'm feeling upbeat", "something calm for reading", "a funny movie from the 90s", "date night", "rock songs for the gym"]
STATIC = ["/static/style.css", "/static/app.js", "/static/vendor/chart.umd.min.js", "/static/chat.js"]
CACHED = ["/api/movies/genres-by-year?year_from=1990&year_to=2000", "/api/songs/genre-popularity", "/api/movies/top-rated",
          "/api/songs/top-tracks?genre=pop&limit=10"]  # fmt: skip


@dataclass(frozen=True)
class Call:
    """One request of the mix and what its answer must contain."""

    method: str
    path: str
    body: dict | None
    expect: str  # json (a {"data": ...} envelope), picks (3 chat picks), html or bytes

    def line(self) -> str:
        """The request as a line of pace's paths file."""
        return f"POST {self.path} {json.dumps(self.body)}" if self.method == "POST" else self.path


def statistics(rng: random.Random, artists: list[str]) -> Call:
    """A statistics endpoint with the kind of parameters people choose."""
    low, high = rng.choice(YEAR_RANGES)
    genre = rng.choice(SONG_GENRES)
    options = [
        ("/api/movies/genres-by-year", {"year_from": low, "year_to": high}), ("/api/movies/popularity", {"year": rng.choice(YEARS)}),
        ("/api/movies/top-rated", {"min_votes": rng.choice([50, 100, 500]), "by": rng.choice(["tmdb", "movielens"])}),
        ("/api/movies/genre-popularity", {}), ("/api/movies/box-office", {"year_from": low, "year_to": high}),
        ("/api/movies/genre-revenue", {"year_from": low, "year_to": high}), ("/api/songs/top-tracks", {"genre": genre, "limit": 10}),
        ("/api/songs/genre-popularity", {}), ("/api/songs/popularity-by-month", {}), ("/api/songs/popularity-histogram", {}),
        ("/api/songs/search", {"tempo_min": rng.choice([90, 100, 120]), "tempo_max": 140, "genre": genre}),
        ("/api/songs/trends", {"year_from": low, "year_to": high}), ("/api/songs/genres", {}), ("/api/movies/genres", {}),
        ("/api/songs/artist-search", {"q": rng.choice(["heart", "star", "night", "king"])}),
    ]  # fmt: skip
    if len(artists) >= 3:
        options.append(("/api/songs/artists", {"artist": rng.sample(artists[:12], 3)}))  # repeated: names may hold commas
    path, params = rng.choice(options)
    return Call("GET", path + ("?" + urlencode(params, doseq=True) if params else ""), None, "json")


def page(rng: random.Random) -> Call:
    """A chart page, the home page or the chat page."""
    return Call("GET", rng.choice(["/", "/chat"] + [f"/{p.slug}" for p in PAGES]), None, "html")


def asset(rng: random.Random) -> Call:
    """A static file the pages load."""
    return Call("GET", rng.choice(STATIC), None, "bytes")


def chat(rng: random.Random) -> Call:
    """A chat message (low weight: one in a couple of hundred requests)."""
    return Call("POST", "/api/chat", {"message": rng.choice(CHAT_MESSAGES)}, "picks")


# kind: (weight, maker). Statistics dominate: the pages themselves fetch them, and developers call them directly.
WEIGHTS = {"statistics": (62, statistics), "page": (20, page), "asset": (17.5, asset), "chat": (0.5, chat)}


def draw(rng: random.Random, artists: list[str]) -> Call:
    """One request of the mix."""
    kind = rng.choices(list(WEIGHTS), weights=[w for w, _ in WEIGHTS.values()])[0]
    maker = WEIGHTS[kind][1]
    return maker(rng, artists) if kind == "statistics" else maker(rng)


def sequence(count: int, artists: list[str], seed: int = 7) -> list[Call]:
    """A fixed sequence of the mix (pace replays it in order)."""
    rng = random.Random(seed)
    return [draw(rng, artists) for _ in range(count)]


def acceptable(call: Call, status: int, body: bytes) -> str | None:
    """Why an answer is wrong, or None when it is right."""
    if status != 200:
        return f"HTTP {status}"
    if call.expect == "json" and not body.startswith(b'{"data":'):
        return "no data envelope"
    if call.expect == "picks" and len(json.loads(body)["data"].get("picks", [])) != 3:
        return "not three picks"
    if call.expect == "html" and b"<main>" not in body:
        return "not a page"
    if call.expect == "bytes" and not body:
        return "empty file"
    return None
