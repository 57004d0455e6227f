"""The deterministic recommender: mood and filters in, candidates from the warehouse out, each with a reason citing its values.

A message that is not a request for songs or movies is refused (no picks). Something asked for that the tables lack
(a genre, an artist, an era) is said so, and the nearest thing they have is offered instead; nothing is named that is
not in the tables.
"""

from service.chat.anchors import BY_NAME, FEATURES
from service.chat.intent import Intent
from service.chat.mood import Mood, MoodMatcher
from service.chat.understanding import understand

PICKS = 3
CANDIDATES = 8
MIN_MOVIE_VOTES = 10
POOL = 400  # nearest songs considered before one-per-artist; 8 distinct artists among 400 is all but certain
OFF_TOPIC_TEXT = (
    "That doesn't look like a request for songs or movies, so I have nothing to pick for it: I suggest music and films "
    "from the catalogue for a mood, an activity, a genre or an artist. Try “something calm for reading”, “songs for the "
    "gym” or “a funny movie from the 90s”."
)


class Recommender:
    """Songs or movies for a message, through the warehouse connector; the same message always gives the same picks.

    catalogue: a callable giving the tables' Catalogue (genres, artists, years) as it is now.
    """

    def __init__(self, warehouse, matcher: MoodMatcher, catalogue):
        self.warehouse, self.matcher, self.catalogue = warehouse, matcher, catalogue

    def recommend(self, message: str, domain: str = "auto", context: dict | None = None) -> dict:
        """The offline answer: picks, candidates for a model to choose from, and the explanation text."""
        catalogue = self.catalogue()
        understood = understand(message, domain, catalogue, self.matcher)
        intent, mood = understood.intent, understood.mood
        answer = {
            "domain": intent.domain,
            "understood": mood.understood,
            "off_topic": mood.off_topic,
            "mood": {"anchors": mood.anchors, "profile": mood.profile, "encoder": self.matcher.kind},
        }
        if mood.off_topic:
            return answer | {"filters": {}, "missing": {}, "picks": [], "candidates": [], "text": OFF_TOPIC_TEXT}
        view = view_filters(context, catalogue.genres[intent.domain]) if intent.refers_to_view else {}
        rows = self.songs(intent, mood, view, CANDIDATES) if intent.domain == "songs" else self.movies(intent, mood, view, CANDIDATES)
        candidates = [song_item(r, mood) if intent.domain == "songs" else movie_item(r, mood) for r in rows]
        # notes: what the tables lack, said before the model's words in LLM mode (not a public field)
        return answer | {
            "filters": intent.filters() | ({"view": view} if view else {}),
            "missing": intent.missing(),
            "picks": candidates[:PICKS],
            "candidates": candidates,
            "notes": missing_notes(intent, what_of(intent), []),
            "text": explanation(intent, mood, view, candidates[:PICKS]),
        }

    def songs(self, intent: Intent, mood: Mood, view: dict, limit: int, per_artist: int = 1, profile: dict | None = None) -> list[dict]:
        """Songs nearest the mood's profile (or the most popular when not understood), one per artist unless an artist was named.
        A missing genre that no genre of the tables is close to adds its sound to the target (or is the target)."""
        sound = profile is None and intent.genre_mention and intent.genre_mention.sound
        if sound:
            profile = {f: round((mood.profile[f] + sound[f]) / 2, 3) for f in FEATURES} if mood.understood else dict(sound)
        target = profile or mood.profile or {f: 0.5 for f in FEATURES} | {"tempo": 115}
        params = dict(target) | {
            "genres": bars([intent.genre] if intent.genre else view.get("genres")),
            "artists": bars([a.lower() for a in (intent.artists or view.get("artists", []))] or None),
            "year_from": intent.year_from,
            "year_to": intent.year_to,
            "per_artist": limit if intent.artists else per_artist,
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
    """One or two sentences on how the picks were chosen, after a sentence on each thing asked for that the tables lack."""
    what = "songs" if intent.domain == "songs" else "movies"
    notes = missing_notes(intent, what, picks)
    if not picks:
        return " ".join(notes + [f"I found no {what} matching {describe_filters(intent) or 'that'}; try fewer filters."])
    scope = f" {describe_filters(intent)}" if intent.filters() else ""
    if view:
        scope += f" among the {', '.join(view.get('genres') or view.get('artists'))} in “{view['title']}”"
    sound = intent.genre_mention.sound if intent.genre_mention and intent.domain == "songs" else None
    if not mood.understood and sound:
        main = f"Here are the {what}{scope} closest to its sound."
    elif not mood.understood:
        main = f"I couldn't tell the mood from that, so here are popular {what}{scope}. Try words like upbeat, calm, sad or date night."
    elif intent.domain == "movies" and not picks[0]["values"]["match_score"]:
        main = f"You're {mood.describe()}, but no movie{scope} fits that mood, so here are the best rated{scope}."
    else:
        how = "close to its energy, valence and tempo" if intent.domain == "songs" else "whose genres and story fit it"
        main = f"You're {mood.describe()}: here are {what}{scope} {how}."
    return " ".join(notes + [main])


def what_of(intent: Intent) -> str:
    """songs or movies, as the answer says it."""
    return "songs" if intent.domain == "songs" else "movies"


def missing_notes(intent: Intent, what: str, picks: list[dict]) -> list[str]:
    """A plain sentence for each thing asked for that the tables lack, naming only what they have instead."""
    missing, notes = intent.missing(), []
    if "genre" in missing:
        asked, instead = missing["genre"]["asked"], missing["genre"]["instead"]
        if instead:
            notes.append(f"The catalogue has no {asked}; the nearest genre it has is {instead}.")
        elif missing["genre"].get("sound"):
            notes.append(f"The catalogue has no {asked} and no genre close to it, so the picks are the songs nearest its sound.")
        else:
            notes.append(f"The catalogue has no {asked} and no genre close to it.")
    if "artist" in missing:
        asked, similar, instead = missing["artist"]["asked"], missing["artist"]["similar"], missing["artist"]["instead"]
        if instead:
            notes.append(f"There is no artist named “{asked}” in the catalogue; the closest name it has is {instead}.")
        else:
            others = list(dict.fromkeys(p["artist"] for p in picks if p.get("artist")))
            notes.append(f"{asked} is not in the catalogue" + (f" (similar names it has: {', '.join(similar)})" if similar else "") + ".")
            if others:
                notes.append(f"Artists it has instead: {', '.join(others)}.")
    if "era" in missing:
        (asked_from, asked_to), (year_from, year_to) = missing["era"]["asked"], missing["era"]["instead"]
        notes.append(f"The catalogue has no {what} {span(asked_from, asked_to)}; the closest it has are {span(year_from, year_to)}.")
    return notes


def span(year_from: int | None, year_to: int | None) -> str:
    """A range of years in words."""
    if year_from is not None and year_to is not None:
        return f"from {year_from}" if year_from == year_to else f"from {year_from} to {year_to}"
    return f"from {year_from} on" if year_from is not None else f"up to {year_to}"


def describe_filters(intent: Intent) -> str:
    """The filters in words."""
    parts = [f"in {intent.genre}"] if intent.genre else []
    parts += [f"by {intent.artist}"] if intent.artist else []
    if intent.year_from or intent.year_to:
        parts.append(f"from {intent.year_from or '…'} to {intent.year_to or '…'}")
    return " ".join(parts)
