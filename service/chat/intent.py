"""What a chat message asks for, besides the mood: the domain, an era, a genre, an artist; and the words left for the mood."""

import re
from dataclasses import dataclass, field

MOVIE_WORDS = re.compile(r"\b(movies?|films?|cinema|watch(ing)?|flicks?|series)\b", re.I)
SONG_WORDS = re.compile(r"\b(songs?|music|tracks?|playlists?|listen(ing)?|tunes?|album)\b", re.I)
FILLER = re.compile(
    r"(?<![\w'])(recommend(ation)?s?|suggest(ion)?s?|give|show|find|me|us|some|something|a|an|the|please|can|could|you|i|i'm|im|i've|"
    r"i'd|can't|cannot|don't|want|would|like|need|for|to|of|from|in|with|any|one|ones|3|three|what|how|is|are)(?![\w'])",
    re.I,
)
DECADE = re.compile(r"\b(?:(19|20)?(\d)0)'?s\b", re.I)
YEAR_RANGE = re.compile(r"\b(before|after|since|from|in)\s+((?:19|20)\d{2})\b", re.I)
ARTIST = re.compile(r"\bby\s+([A-Za-z0-9][\w .&'/!+-]{1,60}?)\s*(?:$|[,.;!?]|\bfrom\b|\bin\b)", re.I)
THIS_VIEW = re.compile(r"\b(this|these|that|those)\s+(chart|view|table|genres?|list|ones?|artists?)\b", re.I)
SONG_GENRE_SYNONYMS = {"hip hop": "rap", "hip-hop": "rap", "rnb": "r&b", "electronic": "edm", "dance music": "edm"}
MOVIE_GENRE_SYNONYMS = {"sci-fi": "Science Fiction", "scifi": "Science Fiction", "romcom": "Romance", "cartoon": "Animation"}


@dataclass
class Intent:
    """The parsed request: domain, filters and the remaining mood words."""

    domain: str
    mood_text: str
    year_from: int | None = None
    year_to: int | None = None
    genre: str | None = None
    artist: str | None = None
    refers_to_view: bool = False
    notes: list[str] = field(default_factory=list)

    def filters(self) -> dict:
        """The filters as the answer reports them."""
        return {
            k: v for k, v in {"year_from": self.year_from, "year_to": self.year_to, "genre": self.genre, "artist": self.artist}.items() if v
        }


def domain_of(text: str, requested: str) -> str:
    """songs or movies: as requested, else by the words used (songs when unsure)."""
    if requested in ("songs", "movies"):
        return requested
    return "movies" if MOVIE_WORDS.search(text) and not SONG_WORDS.search(text) else "songs"


def era(text: str) -> tuple[int | None, int | None, str]:
    """A decade ("90s", "1980s") or a bound ("before 2000", "in 1995"); the text without it."""
    match = DECADE.search(text)
    if match:
        century = match.group(1) or ("20" if int(match.group(2)) <= 2 else "19")
        start = int(century + match.group(2) + "0")
        return start, start + 9, text.replace(match.group(0), " ")
    match = YEAR_RANGE.search(text)
    if match:
        word, year = match.group(1).lower(), int(match.group(2))
        bounds = {"before": (None, year - 1), "after": (year + 1, None), "since": (year, None), "from": (year, year), "in": (year, year)}[
            word
        ]
        return *bounds, text.replace(match.group(0), " ")
    return None, None, text


def genre_in(text: str, genres: set[str], synonyms: dict[str, str]) -> tuple[str | None, str]:
    """A known genre named in the text (longest first), through synonyms; the text without it."""
    lowered = text.lower()
    for word, genre in synonyms.items():
        if re.search(rf"\b{re.escape(word)}\b", lowered) and genre in genres:
            return genre, re.sub(rf"\b{re.escape(word)}\b", " ", text, flags=re.I)
    for genre in sorted(genres, key=len, reverse=True):
        if re.search(rf"(?<![\w&]){re.escape(genre.lower())}(?![\w&])", lowered):
            return genre, re.sub(rf"(?<![\w&]){re.escape(genre)}(?![\w&])", " ", text, flags=re.I)
    return None, text


def parse(text: str, requested_domain: str, song_genres: set[str], movie_genres: set[str]) -> Intent:
    """Domain, era, genre and artist from the message; what remains is the mood."""
    domain = domain_of(text, requested_domain)
    year_from, year_to, rest = era(text)
    artist = None
    match = ARTIST.search(rest) if domain == "songs" else None
    if match:
        artist, rest = match.group(1).strip(), rest.replace(match.group(0), " ")
    genres, synonyms = (song_genres, SONG_GENRE_SYNONYMS) if domain == "songs" else (movie_genres, MOVIE_GENRE_SYNONYMS)
    genre, rest = genre_in(rest, genres, synonyms)
    refers = bool(THIS_VIEW.search(rest))
    rest = THIS_VIEW.sub(" ", rest)
    mood = FILLER.sub(" ", SONG_WORDS.sub(" ", MOVIE_WORDS.sub(" ", rest)))
    return Intent(domain, " ".join(re.sub(r"[^\w' .,;!?-]", " ", mood).split()), year_from, year_to, genre, artist, refers)
