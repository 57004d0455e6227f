"""What a chat message asks for, besides the mood: the domain, an era, a genre, an artist (each checked against the
tables: service/chat/catalogue.py); and the words left for the mood, as a sentence (the encoder reads whole sentences)."""

import re
from dataclasses import dataclass, field

from service.chat.catalogue import ArtistMatch, Catalogue, GenreMention, fold

# Domain words in the languages the chat understands (English, Spanish, French, German, Portuguese, Italian, Dutch).
MOVIE_WORDS = re.compile(
    r"(?<!\w)(movies?|films?|filme?s?|\w+filme?|flicks?|cinema|cine|cinéma|kino|series|pel[ií]culas?|pelis?|watch(ing)?|ver|voir|"
    r"sehen|assistir|guardare)(?!\w)",
    re.I,
)
SONG_WORDS = re.compile(
    r"(?<!\w)(songs?|music|tracks?|playlists?|listen(ing)?|tunes?|albums?|canci[oó]n(es)?|m[uú]sicas?|musique|chansons?|"
    r"musik|lieder?|canzoni|canzone|muziek|liedjes?|escuchar|écouter|hören|ouvir|ascoltare)(?!\w)",
    re.I,
)
FILLER = re.compile(
    r"(?<![\w'])(recommend(ation)?s?|suggest(ion)?s?|give|show|find|me|us|some|something|a|an|the|please|can|could|you|i|i'm|im|i've|"
    r"i'd|can't|cannot|don't|want|would|like|need|for|to|of|from|in|with|any|one|ones|3|three|what|how|is|are)(?![\w'])",
    re.I,
)
DECADE = re.compile(r"(?:\b(?:from|of|in)\s+)?(?:\bthe\s+)?\b(?:(1[89]|20)?(\d)0)'?s\b", re.I)
YEAR_RANGE = re.compile(r"(?:\breleased\s+)?\b(before|after|since|from|in)\s+((?:1[89]|20)\d{2})\b", re.I)
# "by <artist>", or "de/von/di/da <Artist>" with a capital (Spanish, French, Portuguese, German, Italian)
BY = re.compile(r"\bby\s+|(?<!\w)(?:de|von|di|da)\s+(?=[A-ZÀ-Ý])")
NAME_END = re.compile(
    r"[,.;!?()]|\s(?:for|to|from|in|while|when|that|please|at|on|tonight|today|now|during|so|because|but|or|"
    r"para|pour|für|zum|zur|per|com|con|avec|mit)(?!\w)",
    re.I,
)
NOT_NAMES = {"i", "me", "myself", "us", "you", "them", "mood", "genre", "the way", "far", "night", "day"}
THIS_VIEW = re.compile(r"\b(this|these|that|those)\s+(chart|view|table|genres?|list|ones?|artists?)\b", re.I)
# A bare word that names a genre only when it is not part of another phrase ("across the country", "my soul").
AMBIGUOUS = {"country", "soul", "trap", "tropical", "dub", "folk", "sport", "sports", "worship"}
OWNERS = re.compile(r"(?:\b(?:the|my|this|your|our|across|whole|his|her|their|in)\s+)$", re.I)


@dataclass
class Intent:
    """The parsed request: domain, filters, what the tables lack, and the remaining mood text."""

    domain: str
    mood_text: str
    year_from: int | None = None
    year_to: int | None = None
    genre: str | None = None
    artist: str | None = None
    refers_to_view: bool = False
    notes: list[str] = field(default_factory=list)
    genre_mention: GenreMention | None = None
    artist_match: ArtistMatch | None = None
    artists: list[str] = field(default_factory=list)  # the tables' spellings of the artist asked for
    era_said: tuple[int | None, int | None] | None = None  # the era asked for when the tables have none of it

    def filters(self) -> dict:
        """The filters as the answer reports them."""
        return {
            k: v for k, v in {"year_from": self.year_from, "year_to": self.year_to, "genre": self.genre, "artist": self.artist}.items() if v
        }

    def names_something(self) -> bool:
        """Whether the message names a genre, an artist or an era: a request for songs or movies whatever else it says."""
        return bool(self.genre_mention or self.artist_match or self.year_from or self.year_to or self.era_said)

    def missing(self) -> dict:
        """What was asked for that the tables do not have, and what is offered instead."""
        out = {}
        if self.genre_mention and self.genre_mention.missing:
            out["genre"] = {"asked": self.genre_mention.said.lower(), "instead": self.genre}
            if self.genre_mention.sound:
                out["genre"]["sound"] = self.genre_mention.sound
        if self.artist_match and not self.artist_match.names:
            out["artist"] = {"asked": self.artist_match.said, "similar": self.artist_match.similar, "instead": self.artist}
        if self.era_said:
            out["era"] = {"asked": list(self.era_said), "instead": [self.year_from, self.year_to]}
        return out


def says_nothing(text: str) -> bool:
    """Only domain and filler words ("songs please", "recommend a movie"): a request with no mood in it."""
    return not FILLER.sub(" ", MOVIE_WORDS.sub(" ", SONG_WORDS.sub(" ", text))).strip(" .,;!?¿¡'-")


def neutral(text: str) -> str:
    """The text without its domain words (songs, movie, película, Musik...): what the classifier reads, so that
    "a funny movie" is as funny as "a funny song" (the text as it is when nothing else is left)."""
    return " ".join(MOVIE_WORDS.sub(" ", SONG_WORDS.sub(" ", text)).split()) or text


def domain_of(text: str, requested: str, catalogue: Catalogue | None = None) -> str:
    """songs or movies: as requested, else by the words used, else by a genre only movies have (songs when unsure)."""
    if requested in ("songs", "movies"):
        return requested
    movie, song = MOVIE_WORDS.search(text), SONG_WORDS.search(text)
    if movie and not song:
        return "movies"
    if not movie and not song and catalogue and catalogue.names_genre(text, "movies") and not catalogue.names_genre(text, "songs"):
        return "movies"
    return "songs"


def era(text: str) -> tuple[int | None, int | None, str]:
    """A decade ("90s", "1980s") or a bound ("before 2000", "in 1995"); the text without it."""
    match = DECADE.search(text)
    if match:
        century = match.group(1) or ("20" if int(match.group(2)) <= 2 else "19")  # the words before it ("from the") go too
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


def artist_in(text: str, catalogue: Catalogue) -> tuple[ArtistMatch | None, str]:
    """The artist after "by" (or de/von/di/da): the longest run of words that is an artist of the tables, else the words
    up to the next preposition when they look like a name (a capital); the text without it."""
    for match in BY.finditer(text):
        rest = text[match.end() :]
        words = list(re.finditer(r"\S+", rest[:80]))
        for n in range(len(words), 0, -1):
            said = rest[: words[n - 1].end()].strip(" ,.;!?")
            if fold(said) in catalogue.artists:
                return catalogue.artist(said), text[: match.start()] + " " + rest[words[n - 1].end() :]
        end = NAME_END.search(rest)
        said = rest[: end.start() if end else len(rest)].strip(" ,.;!?")
        if said and said.lower() not in NOT_NAMES and (said[0].isupper() or said[0].isdigit()) and len(said) <= 60:
            return catalogue.artist(said), text[: match.start()] + " " + rest[len(said) :]
    return None, text


def genre_in(text: str, domain: str, catalogue: Catalogue) -> tuple[GenreMention | None, str]:
    """The genre named in the text (the tables' or a missing one), unless the word is used otherwise. The text keeps a
    genre of the tables ("terror", "comedy" say something of the mood too), not a missing one (which would pull the
    mood towards whatever the encoder associates with an unknown name: "opera" reads as adventure)."""
    offset = 0
    while True:
        mention = catalogue.genre_in(text[offset:], domain)
        if mention is None:
            return None, text
        start, end = mention.span[0] + offset, mention.span[1] + offset
        if mention.said.lower() in AMBIGUOUS and OWNERS.search(text[:start]):
            offset = end
            continue
        mention.span = (start, end)
        return mention, text if mention.genre else text[:start] + " " + text[end:]


def parse(text: str, requested_domain: str, catalogue: Catalogue) -> Intent:
    """Domain, era, artist and genre from the message, each checked against the tables; what remains is the mood."""
    domain = domain_of(text, requested_domain, catalogue)
    year_from, year_to, rest = era(text)
    intent = Intent(domain, "", year_from, year_to)
    if domain == "songs":
        intent.artist_match, rest = artist_in(rest, catalogue)
    intent.genre_mention, rest = genre_in(rest, domain, catalogue)
    if intent.genre_mention:
        intent.genre = intent.genre_mention.genre or intent.genre_mention.nearest
    if intent.artist_match:
        match = intent.artist_match
        intent.artists = match.names or (match.similar[:1] if match.close else [])
        intent.artist = intent.artists[0] if intent.artists else None
    moved = catalogue.era(domain, year_from, year_to)
    if moved:
        intent.era_said, (intent.year_from, intent.year_to) = (year_from, year_to), moved
    intent.refers_to_view = bool(THIS_VIEW.search(rest))
    rest = THIS_VIEW.sub(" ", rest)
    intent.mood_text = " ".join(re.sub(r"[^\w' .,;!?¿¡-]", " ", rest).split())
    return intent
