"""The deterministic recommender: mood and filters in, candidates from the warehouse out, each with a reason citing its values."""

from service.chat.anchors import BY_NAME, FEATURES
from service.chat.intent import Intent, parse
from service.chat.mood import Mood, MoodMatcher

PICKS = 3
CANDIDATES = 8
MIN_MOVIE_VOTES = 10
POOL = 400  # nearest songs considered before one-per-artist; 8 distinct artists among 400 is all but certain


class Recommender:
    """Songs or movies for a message, through the warehouse connector; the same message always gives the same picks."""

    def __init__(self, warehouse, matcher: MoodMatcher, genres):
        self.warehouse, self.matcher, self.genres = warehouse, matcher, genres

    def recommend(self, message: str, domain: str = "auto", context: dict | None = None) -> dict:
        """The offline answer: picks, candidates for a model to choose from, and the explanation text."""
        intent = parse(message, domain, self.genres("songs"), self.genres("movies"))
        mood = self.matcher.match(intent.mood_text)
        view = view_filters(context, self.genres(intent.domain)) if intent.refers_to_view else {}
        rows = self.songs(intent, mood, view, CANDIDATES) if intent.domain == "songs" else self.movies(intent, mood, view, CANDIDATES)
        candidates = [song_item(r, mood) if intent.domain == "songs" else movie_item(r, mood) for r in rows]
        return {
            "domain": intent.domain,
            "understood": mood.understood,
            "mood": {"anchors": mood.anchors, "profile": mood.profile, "encoder": self.matcher.kind},
            "filters": intent.filters() | ({"view": view} if view else {}),
            "picks": candidates[:PICKS],
            "candidates": candidates,
            "text": explanation(intent, mood, view, candidates[:PICKS]),
        }

    def songs(self, intent: Intent, mood: Mood, view: dict, limit: int, per_artist: int = 1, profile: dict | None = None) -> list[dict]:
        """Songs nearest the mood's profile (or the most popular when not understood), one per artist unless an artist was named."""
        target = profile or mood.profile or {f: 0.5 for f in FEATURES} | {"tempo": 115}
        params = dict(target) | {
            "genres": bars([intent.genre] if intent.genre else view.get("genres")),
            "artists": bars([intent.artist.lower()] if intent.artist else [a.lower() for a in view.get("artists", [])] or None),
            "year_from": intent.year_from,
            "year_to": intent.year_to,
            "per_artist": limit if intent.artist else per_artist,
            "popular": 0 if (profile or mood.understood) else 1,
            "pool": max(POOL, limit * 10),
            "limit": limit,
        }
        return self.warehouse.execute("chat_song_candidates", params).records()

    def movies(self, intent: Intent, mood: Mood, view: dict, limit: int) -> list[dict]:
        """Movies matching the mood's genres and keywords (or the best rated when not understood), filtered by era and genre."""
        anchor = BY_NAME[mood.top] if mood.understood else None
        genres = view.get("genres") or (anchor.genres if anchor else ())
        keywords = anchor.keywords if anchor else ()
        params = {f"genre_{i + 1}": f"|{g}|" if g else None for i, g in enumerate((list(genres) + [None] * 3)[:3])}
        params |= {f"keyword_{i + 1}": k for i, k in enumerate((list(keywords) + [None] * 3)[:3])}
        params |= {
            "genre": intent.genre,
            "year_from": intent.year_from,
            "year_to": intent.year_to,
            "any_match": 0 if anchor else 1,
            "popular": 0 if anchor else 1,
            "limit": limit,
        }
        for min_votes, any_match in ((MIN_MOVIE_VOTES, 0), (0, 0), (0, 1)):  # widen until there are enough to pick from
            rows = self.warehouse.execute(
                "chat_movie_candidates", params | {"min_votes": min_votes, "any_match": max(any_match, params["any_match"])}
            ).records()
            if len(rows) >= PICKS:
                break
        return rows


def bars(values) -> str | None:
    """Values as |a|b| for an INSTR membership test in SQL (NULL: no filter)."""
    return "|" + "|".join(values) + "|" if values else None


def view_filters(context: dict | None, known_genres: set) -> dict:
    """Genres and artists of the statistics view the user just looked at."""
    rows = (context or {}).get("rows") or []
    genres = [r["genre"] for r in rows if isinstance(r, dict) and r.get("genre") in known_genres]
    artists = [r["artist"] for r in rows if isinstance(r, dict) and isinstance(r.get("artist"), str)]
    view = {"title": str((context or {}).get("title", "the chart"))[:80]}
    view |= {"genres": list(dict.fromkeys(genres))[:10]} if genres else {}
    view |= {"artists": list(dict.fromkeys(artists))[:10]} if artists else {}
    return view if len(view) > 1 else {}


TYPICAL = {"energy": 0.6, "valence": 0.5, "danceability": 0.6, "acousticness": 0.25, "instrumentalness": 0.1}  # Spotify means, rounded


def telling_features(mood: Mood) -> list[str]:
    """The two features that most set this mood apart from a typical song, for the reasons."""
    if not mood.understood:
        return ["energy", "valence"]
    spread = {f: abs(mood.profile[f] - TYPICAL[f]) for f in TYPICAL}
    return sorted(spread, key=lambda f: (-spread[f], f))[:2]


def song_item(row: dict, mood: Mood) -> dict:
    """A song with the values its reason cites."""
    cited = ", ".join(f"{f} {row[f]:.2f}" for f in telling_features(mood))
    reason = f"{cited}, tempo {row['tempo']:.0f} BPM, {row['genre']}" + (f", {row['year']}" if row.get("year") else "")
    keys = ("energy", "valence", "danceability", "acousticness", "instrumentalness", "tempo", "duration_s", "popularity", "genre", "year")
    return {"id": row["song_id"], "title": row["title"], "artist": row["artist"], "reason": reason, "values": {k: row[k] for k in keys}}


def movie_item(row: dict, mood: Mood) -> dict:
    """A movie with the values its reason cites."""
    rated = f"rated {row['vote_average']:.1f}/10 by {row['vote_count']} voters" if row.get("vote_count") else "not yet rated"
    reason = f"{row['genres'].replace('|', ', ') or 'no genre'}, {row['year'] or 'year unknown'}, {rated}"
    values = {k: row[k] for k in ("year", "genres", "vote_average", "vote_count", "popularity", "match_score")}
    return {"id": str(row["movie_id"]), "title": row["title"], "year": row["year"], "reason": reason, "values": values}


def explanation(intent: Intent, mood: Mood, view: dict, picks: list[dict]) -> str:
    """One or two sentences on how the picks were chosen."""
    what = "songs" if intent.domain == "songs" else "movies"
    if not picks:
        return f"I found no {what} matching {describe_filters(intent) or 'that'}; try fewer filters."
    scope = f" {describe_filters(intent)}" if intent.filters() else ""
    if view:
        scope += f" among the {', '.join(view.get('genres') or view.get('artists'))} in “{view['title']}”"
    if not mood.understood:
        return f"I couldn't tell the mood from that, so here are popular {what}{scope}. Try words like upbeat, calm, sad or date night."
    if intent.domain == "movies" and not picks[0]["values"]["match_score"]:
        return f"You're {mood.describe()}, but no movie{scope} fits that mood, so here are the best rated{scope}."
    how = "close to its energy, valence and tempo" if intent.domain == "songs" else "whose genres and story fit it"
    return f"You're {mood.describe()}: here are {what}{scope} {how}."


def describe_filters(intent: Intent) -> str:
    """The filters in words."""
    parts = [f"in {intent.genre}"] if intent.genre else []
    parts += [f"by {intent.artist}"] if intent.artist else []
    if intent.year_from or intent.year_to:
        parts.append(f"from {intent.year_from or '…'} to {intent.year_to or '…'}")
    return " ".join(parts)
