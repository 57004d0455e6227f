"""What the tables have, as the chat checks a request against it: genres, artists and years, from the warehouse's
reference lists (service/warehouse/lookups.py); and what the world has that they may lack (genre names in several
languages), so that a request for something missing is answered "not in the tables" with the nearest thing that is.
"""

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from service.chat.anchors import FEATURES

# Names a listener uses for a genre the tables have under another name (the real files' playlist subgenres among them).
SONG_SYNONYMS = {
    "hip hop": "rap", "hip-hop": "rap", "hiphop": "rap", "trap": "rap", "gangster rap": "rap",
    "rnb": "r&b", "r and b": "r&b", "rhythm and blues": "r&b", "soul": "r&b", "neo soul": "r&b", "new jack swing": "r&b",
    "electronic": "edm", "electronica": "edm", "dance music": "edm", "house": "edm", "house music": "edm",
    "electro house": "edm", "big room": "edm", "electrónica": "edm", "électro": "edm", "elektro": "edm",
    "reggaeton": "latin", "reguetón": "latin", "latin pop": "latin", "tropical": "latin", "latino": "latin", "latina": "latin",
    "hard rock": "rock", "classic rock": "rock", "album rock": "rock",
    "dance pop": "pop", "electropop": "pop", "indie pop": "pop",
}  # fmt: skip
MOVIE_SYNONYMS = {
    "sci-fi": "Science Fiction", "scifi": "Science Fiction", "science-fiction": "Science Fiction", "ciencia ficción": "Science Fiction",
    "romcom": "Romance", "rom-com": "Romance", "romantic comedy": "Romance",
    "cartoon": "Animation", "cartoons": "Animation", "animated": "Animation", "anime": "Animation", "animación": "Animation",
    "noir": "Film-Noir", "film noir": "Film-Noir", "film-noir": "Film-Noir",
    "musical": "Music", "musicals": "Music", "documentaries": "Documentary", "documental": "Documentary",
    "documentaire": "Documentary", "dokumentarfilm": "Documentary", "horreur": "Horror", "terror": "Horror",
    "comedia": "Comedy", "comédie": "Comedy", "komödie": "Comedy", "commedia": "Comedy", "comédia": "Comedy",
    "westerns": "Western", "war film": "War", "thrillers": "Thriller", "fantasy film": "Fantasy",
}  # fmt: skip

# Genres the tables may not have: each name (with its other spellings and translations) and a few words on what it
# sounds like, which is what the nearest genre the tables do have is found by.
SONG_GENRES = {
    "reggae": ("reggae jamaican music, ska, dub, dancehall, caribbean rhythms", ("reggae", "ska", "dub", "dancehall")),
    "jazz": ("jazz, swing, saxophone and piano, improvisation, soul and blues roots", ("jazz", "swing music", "bebop", "smooth jazz")),
    "blues": ("blues, soulful guitar and voice, rhythm and blues roots", ("blues",)),
    "classical": ("classical music, orchestra, piano, symphony, instrumental", ("classical", "clásica", "clasica", "classique",
                  "klassik", "klassische musik", "clássica", "classica", "orchestral", "symphony", "baroque")),
    "opera": ("opera, arias, classical singing, dramatic vocals", ("opera", "ópera", "opéra", "oper")),
    "country": ("country music, americana, guitar ballads, southern rock", ("country", "americana", "bluegrass")),
    "folk": ("folk, acoustic songwriters, traditional songs, guitar", ("folk", "folklore", "singer-songwriter")),
    "metal": ("heavy metal, loud guitars, hard rock", ("metal", "heavy metal", "death metal", "black metal", "metalcore")),
    "punk": ("punk rock, fast loud guitars, rebellion", ("punk", "punk rock", "pop punk", "hardcore punk")),
    "grunge": ("grunge, alternative rock, distorted guitars", ("grunge",)),
    "k-pop": ("k-pop, korean pop music, idol groups, dance pop", ("k-pop", "kpop", "korean pop")),
    "j-pop": ("j-pop, japanese pop music, anime songs", ("j-pop", "jpop", "japanese pop")),
    "gospel": ("gospel, church choir, spiritual soul singing", ("gospel", "christian music", "worship")),
    "funk": ("funk, groove, bass, soul and disco", ("funk", "funky")),
    "disco": ("disco, seventies dance music, groove, dance pop", ("disco",)),
    "techno": ("techno, electronic dance music, club beats", ("techno", "trance", "dubstep", "drum and bass", "dnb", "hardstyle")),
    "ambient": ("ambient, atmospheric electronic, calm instrumental soundscapes", ("ambient", "new age", "chillout")),
    "salsa": ("salsa, latin dance music, caribbean, tropical", ("salsa", "bachata", "merengue", "cumbia", "mambo")),
    "tango": ("tango, argentinian dance, latin", ("tango",)),
    "flamenco": ("flamenco, spanish guitar, latin", ("flamenco",)),
    "bossa nova": ("bossa nova, brazilian music, samba, latin", ("bossa nova", "samba", "mpb", "forró", "sertanejo")),
    "fado": ("fado, portuguese traditional song", ("fado",)),
    "afrobeats": ("afrobeats, african pop, dance, rap", ("afrobeat", "afrobeats", "amapiano")),
    "chanson": ("chanson, french songs, singer-songwriter pop", ("chanson française", "variété française")),
    "schlager": ("schlager, german pop songs", ("schlager", "volksmusik")),
    "indie": ("indie, alternative rock and pop", ("indie", "alternative rock", "alternative music")),
    "soundtrack": ("film soundtrack, score, orchestral instrumental", ("soundtrack", "soundtracks", "film score")),
}  # fmt: skip
MOVIE_GENRES = {
    "bollywood": ("bollywood, indian films, musical romance and drama", ("bollywood",)),
    "sports": ("sports films, athletes, competition, drama", ("sports", "sport", "football movie", "boxing movie")),
    "biopic": ("biographical films, real lives, history and drama", ("biopic", "biopics", "biography", "biographical")),
    "k-drama": ("korean drama series, romance", ("k-drama", "kdrama", "korean drama")),
    "telenovela": ("telenovela, soap opera, romance and drama", ("telenovela", "soap opera")),
}  # fmt: skip
# How a genre with no close genre in the tables sounds (energy, valence, danceability, acousticness,
# instrumentalness, tempo): the answer then offers the songs nearest that sound, whatever their genre.
SOUNDS = {
    "classical": (0.20, 0.35, 0.30, 0.90, 0.85, 95), "opera": (0.35, 0.30, 0.25, 0.85, 0.10, 100),
    "soundtrack": (0.40, 0.25, 0.30, 0.60, 0.85, 100), "ambient": (0.20, 0.25, 0.35, 0.70, 0.85, 90),
    "fado": (0.35, 0.30, 0.45, 0.80, 0.02, 95), "jazz": (0.40, 0.50, 0.55, 0.70, 0.40, 110),
    "folk": (0.35, 0.45, 0.50, 0.80, 0.05, 105), "country": (0.60, 0.60, 0.60, 0.35, 0.01, 120),
    "gospel": (0.50, 0.55, 0.50, 0.55, 0.01, 100), "blues": (0.50, 0.45, 0.50, 0.55, 0.10, 105),
}  # fmt: skip
CLOSE = 0.45  # cosine between descriptions from which a genre of the tables counts as close to a missing one
# What the tables' own genres cover, in the same words (a genre of the tables without one is described by its name).
DESCRIBED = {
    "pop": "pop music, dance pop, electropop, chart hits, idol groups", "rock": "rock music, guitars, hard rock, classic rock",
    "rap": "rap and hip hop, trap, beats and rhymes", "r&b": "r&b, rhythm and blues, soul, neo soul, funk",
    "latin": "latin music, reggaeton, latin pop, tropical, caribbean dance", "edm": "edm, electronic dance music, house, club beats",
    "Action": "action films, fights, chases, martial arts", "Adventure": "adventure films, quests, heroes, journeys",
    "Drama": "drama films, real lives, emotions", "History": "history films, real events, biography",
    "Music": "music films, musicals, singers and bands", "Romance": "romance films, love stories",
    "Documentary": "documentaries, real people and events", "Family": "family films for children and parents",
}  # fmt: skip


def fold(text: str) -> str:
    """Lowercase, accents removed, spaces squeezed: how names are compared ("Beyonce" is "Beyoncé")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def phrase_pattern(words: list[str]) -> re.Pattern:
    """One regex matching any of the phrases as whole words, longest first."""
    alternatives = "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))
    return re.compile(rf"(?<![\w&-])({alternatives})(?![\w&-])", re.I)


@dataclass
class GenreMention:
    """A genre named in the text: the tables' name when they have it, else the missing genre and the nearest they have."""

    said: str
    span: tuple[int, int]
    genre: str | None = None
    missing: str | None = None
    nearest: str | None = None  # the tables' genre close to the missing one, if any is
    sound: dict | None = None  # when none is close: how the missing genre sounds, to pick songs near it


CONNECTOR = re.compile(r"\s*(?:&|\band\b|\bfeat\.?|\bft\.?|\bfeaturing\b|,|/|\bx\b|\bwith\b|\by\b|\bet\b|\bund\b)\s*", re.I)


@dataclass
class ArtistMatch:
    """An artist asked for: the tables' names for it, or the closest names when it is missing."""

    said: str
    names: list[str] = field(default_factory=list)  # the tables' spellings (exact up to case and accents)
    similar: list[str] = field(default_factory=list)  # when missing: names close to it (typo, part of a duo)
    close: bool = False  # the first similar name is surely what was meant (a typo or a featuring credit)


class Catalogue:
    """The genres, artists and years of the tables, indexed for the chat. Built once per version of the lists."""

    def __init__(self, song_genres, movie_genres, artists, song_years, movie_years, encoder=None):
        self.genres = {"songs": set(song_genres), "movies": set(movie_genres)}
        self.years = {"songs": sorted(song_years), "movies": sorted(movie_years)}
        self.artists: dict[str, list[str]] = {}
        for name in sorted(artists):
            self.artists.setdefault(fold(name), []).append(name)
        self.by_length: dict[tuple[str, int], list[str]] = {}
        for key in self.artists:
            self.by_length.setdefault((key[:1], len(key)), []).append(key)
        self.encoder, self.nearest_cache = encoder, {}
        self.patterns = {d: self.genre_pattern(d) for d in ("songs", "movies")}

    @classmethod
    def from_lists(cls, lists: dict, encoder=None) -> "Catalogue":
        """From plain lists (the labelled set's catalogue): years as [first, last]."""
        span = lambda pair: range(pair[0], pair[1] + 1)  # noqa: E731
        return cls(lists["song_genres"], lists["movie_genres"], lists["artists"], span(lists["song_years"]),
                   span(lists["movie_years"]), encoder)  # fmt: skip

    def vocabulary(self, domain: str) -> dict[str, tuple[str | None, str | None]]:
        """Every genre word of a domain: (the tables' genre, None) or (None, the missing genre)."""
        synonyms, world = (SONG_SYNONYMS, SONG_GENRES) if domain == "songs" else (MOVIE_SYNONYMS, MOVIE_GENRES)
        words: dict[str, tuple[str | None, str | None]] = {}
        for name, (_, aliases) in world.items():
            for alias in (name, *aliases):
                words[alias.lower()] = (name, None) if name in self.genres[domain] else (None, name)
        for word, genre in synonyms.items():
            if genre in self.genres[domain]:
                words[word.lower()] = (genre, None)
        for genre in self.genres[domain]:
            words[genre.lower()] = (genre, None)
        return words

    def genre_pattern(self, domain: str):
        """The vocabulary of a domain and its regex."""
        words = self.vocabulary(domain)
        return words, phrase_pattern(list(words))

    def genre_in(self, text: str, domain: str) -> GenreMention | None:
        """The first genre named in the text, of the tables or missing from them (with the nearest they have)."""
        words, pattern = self.patterns[domain]
        match = pattern.search(text)
        if not match:
            return None
        genre, missing = words[match.group(1).lower()]
        mention = GenreMention(match.group(1), match.span(), genre, missing)
        if missing:
            mention.nearest = self.nearest_genre(missing, domain)
            if mention.nearest is None and missing in SOUNDS:
                mention.sound = dict(zip(FEATURES, SOUNDS[missing], strict=True))
        return mention

    def names_genre(self, text: str, domain: str) -> bool:
        """Whether the text names a genre of this domain (the tables' or another)."""
        return bool(self.patterns[domain][1].search(text))

    def nearest_genre(self, missing: str, domain: str) -> str | None:
        """The tables' genre closest to a missing one: by its name first ("reggae" in "reggaeton" is latin), then by what
        they sound like, embedded (descriptions at least CLOSE in cosine); None when no genre of the tables is close."""
        key = (missing, domain)
        if key not in self.nearest_cache:
            self.nearest_cache[key] = self.find_nearest(missing, domain)
        return self.nearest_cache[key]

    def find_nearest(self, missing: str, domain: str) -> str | None:
        """See nearest_genre."""
        genres = sorted(self.genres[domain])
        if not genres:
            return None
        synonyms = SONG_SYNONYMS if domain == "songs" else MOVIE_SYNONYMS
        for word, genre in sorted(synonyms.items()):
            if genre in self.genres[domain] and (word.startswith(missing) or missing.startswith(word)):
                return genre
        world = SONG_GENRES if domain == "songs" else MOVIE_GENRES
        if self.encoder is None:
            return None
        vectors = self.encoder.encode([world[missing][0]] + [DESCRIBED.get(g, g) for g in genres])
        scores = vectors[1:] @ vectors[0]
        return genres[int(scores.argmax())] if scores.max() >= CLOSE else None

    def artist(self, said: str) -> ArtistMatch:
        """The tables' names for an artist, or the closest names when there is none."""
        key = fold(said)
        if key in self.artists:
            return ArtistMatch(said, list(self.artists[key]))
        match = ArtistMatch(said)
        credits = sorted(
            (k for k in self.artists if k.startswith(key) and CONNECTOR.match(k, len(key)) and len(k) > len(key)),
            key=lambda k: (len(k), k),
        )
        typos = difflib.get_close_matches(key, self.length_neighbours(key), n=3, cutoff=0.85)
        close = list(dict.fromkeys(typos + credits))
        words = set(key.split())
        loose = sorted((k for k in self.artists if words and words <= set(k.split()) and k not in close), key=lambda k: (len(k), k))
        match.similar = [self.artists[k][0] for k in (close + loose)[:3]]
        match.close = bool(close)
        return match

    def length_neighbours(self, key: str) -> list[str]:
        """Artist keys with the same first letter and a length within 2 of this one (where a typo's target is)."""
        return [k for n in range(len(key) - 2, len(key) + 3) for k in self.by_length.get((key[:1], n), [])]

    def era(self, domain: str, year_from: int | None, year_to: int | None) -> tuple[int | None, int | None] | None:
        """None when the tables have years in the range; else the nearest range of the same width that they have."""
        years = self.years[domain]
        if not years or (year_from is None and year_to is None):
            return None
        low, high = year_from if year_from is not None else -(10**9), year_to if year_to is not None else 10**9
        if any(low <= y <= high for y in years):
            return None
        width = (year_to - year_from) if year_from is not None and year_to is not None else 9
        nearest = min(years, key=lambda y: (min(abs(y - low), abs(y - high)), y))
        start = nearest if nearest > high else nearest - width
        start = max(years[0], min(start, years[-1] - width))
        return start, start + width
