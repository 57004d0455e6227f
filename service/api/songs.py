"""Song statistics endpoints; their SQL is in service/queries/."""

from service.api.registry import endpoint, known, lookup
from service.params import BadRequest, Param, limit, ordered, year

GENRE = Param("genre", "string", None, help="a Spotify playlist genre, e.g. pop")


def genre_known(params: dict, warehouse) -> None:
    """A genre filter must name a known genre."""
    if params.get("genre") is not None:
        known(params["genre"], lookup(warehouse, "song_genres", "genre"), "genre", "genre")


@endpoint("/songs/top-tracks", "Most popular Spotify tracks, optionally of one genre", (GENRE, limit(10)), genre_known)
def top_tracks(p):
    """Tracks by popularity."""
    return {"data": ("top_tracks", p)}


@endpoint("/songs/genre-popularity", "Spotify genres by mean popularity")
def genre_popularity(p):
    """Genres by popularity."""
    return {"data": ("song_genre_popularity", p)}


@endpoint("/songs/popularity-by-month", "Mean popularity by release month")
def popularity_by_month(p):
    """Twelve months."""
    return {"data": ("popularity_by_release_month", p)}


@endpoint("/songs/popularity-histogram", "Distribution of track popularity (bins of 5)")
def popularity_histogram(p):
    """Histogram bins."""
    return {"data": ("popularity_histogram", p)}


SEARCH = (
    Param("tempo_min", "number", 0.0, 0, 300, help="BPM"),
    Param("tempo_max", "number", 300.0, 0, 300, help="BPM"),
    Param("duration_min", "number", 0.0, 0, 7200, help="seconds"),
    Param("duration_max", "number", 7200.0, 0, 7200, help="seconds"),
    Param("time_signature", "int", None, 0, 12, help="beats per bar"),
    GENRE,
    year("year", None, "release year"),
    Param("page", "int", 1, 1, 10_000, help="1-based page"),
    limit(20),
)


def search_checks(params: dict, warehouse) -> None:
    """Ranges in order and a known genre."""
    ordered(params, "tempo_min", "tempo_max")
    ordered(params, "duration_min", "duration_max")
    genre_known(params, warehouse)


@endpoint("/songs/search", "Songs filtered by tempo, duration, time signature, genre and year (paged)", SEARCH, search_checks)
def search(p):
    """One page of matching songs."""
    query_params = {k: v for k, v in p.items() if k != "page"} | {"offset": (p["page"] - 1) * p["limit"]}
    return {"data": ("songs_search", query_params)}


@endpoint("/songs/trends", "Mean song duration and tempo by year", (year("year_from", 1950), year("year_to", 2020)),
          lambda p, w: ordered(p, "year_from", "year_to"))  # fmt: skip
def trends(p):
    """Yearly means over both song sources."""
    return {"data": ("song_trends_by_year", p)}


ARTISTS = (Param("artist", "list", None, help="2 to 6 artist names, one per parameter: artist=A&artist=B (commas belong to the name)"),)


def artist_checks(params: dict, warehouse) -> None:
    """Between two and six distinct artists."""
    artists = params["artist"] or []
    if not 2 <= len(artists) <= 6 or len(set(artists)) != len(artists):
        comma = len(artists) == 1 and "," in artists[0]  # one name with a comma: probably a list written the old way
        hint = "; repeat the parameter for each name (artist=A&artist=B), a comma is part of a name" if comma else ""
        raise BadRequest("artist", f"artist needs 2 to 6 distinct names, got {len(artists)}{hint}")


def all_artists_found(params: dict, data: list[dict]) -> None:
    """Every requested artist must exist."""
    missing = sorted(set(params["artist"]) - {row["artist"] for row in data})
    if missing:
        raise BadRequest("artist", f"unknown artist {missing[0]!r}")


ARTISTS_SUMMARY = "Profiles of 2-6 artists side by side (radar data); a feature an artist has no data for is null and named in no_data"


@endpoint("/songs/artists", ARTISTS_SUMMARY, ARTISTS, artist_checks, after=all_artists_found)
def artists(p):
    """Profiles of the named artists; an unknown artist is refused after the lookup."""
    names = p["artist"] + [None] * (6 - len(p["artist"]))
    return {"data": ("artist_profiles", {f"artist_{i + 1}": name for i, name in enumerate(names)})}


def text_given(params: dict, warehouse) -> None:
    """q is required."""
    if not params["q"] or not params["q"].strip():
        raise BadRequest("q", "q is required: the text to look for in artist names")


SEARCH_TEXT = Param("q", "string", None, help="text to find (at most 100 characters)", max_length=100)


@endpoint("/songs/artist-search", "Artists whose name contains a text", (SEARCH_TEXT, limit(10)), text_given)
def artist_search(p):
    """Matching artists, most songs first."""
    return {"data": ("artist_search", p)}


@endpoint("/songs/genres", "Every song genre", tag="reference")
def song_genres(p):
    """The genre list."""
    return {"data": ("song_genres", p)}
