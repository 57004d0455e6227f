"""Synthetic raw files in the exact real schemas, with the real files' messiness, deterministic by seed.

python -m tools.datagen --scale tiny|small|demo|full --out data/raw [--seed 42] [--msd-variant py2|py3-bytes]
"""

import argparse
import json
import os
import random
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from jobs.sources import MDB_METADATA_COLUMNS, SPOTIFY_COLUMNS, TMDB_MOVIES_COLUMNS
from medialake.log import get_logger, log_event


@dataclass(frozen=True)
class Scale:
    """How much data to generate."""

    movies: int
    ratings: int
    songs: int
    msd_songs: int


SCALES = {
    "tiny": Scale(movies=120, ratings=3_000, songs=400, msd_songs=150),
    "small": Scale(movies=2_000, ratings=100_000, songs=5_000, msd_songs=2_000),
    "demo": Scale(movies=6_000, ratings=500_000, songs=20_000, msd_songs=10_000),
    "full": Scale(movies=45_000, ratings=26_000_000, songs=100_000, msd_songs=10_000),
}
GENRES = [
    (28, "Action"),
    (12, "Adventure"),
    (16, "Animation"),
    (35, "Comedy"),
    (80, "Crime"),
    (99, "Documentary"),
    (18, "Drama"),
    (10751, "Family"),
    (14, "Fantasy"),
    (36, "History"),
    (27, "Horror"),
    (10402, "Music"),
    (9648, "Mystery"),
    (10749, "Romance"),
    (878, "Science Fiction"),
    (53, "Thriller"),
    (10752, "War"),
    (37, "Western"),
]
WORDS = "night city love last dark star river home king summer war blue secret girl man road dream fire ghost heart".split()
KEYWORDS = [
    "heist",
    "time travel",
    "friendship",
    "revenge",
    "road trip",
    "coming of age",
    "space",
    "robot",
    "small town",
    "wedding",
]
COMPANIES = ["Paramount", "Warner Bros.", "Universal Pictures", "Children's Television Workshop", "Pixar", "A24"]
SONG_GENRES = {
    "edm": ["electro house", "big room"],
    "pop": ["dance pop", "post-teen pop"],
    "rap": ["hip hop", "trap"],
    "rock": ["hard rock", "classic rock"],
    "latin": ["reggaeton", "tropical"],
    "r&b": ["neo soul", "new jack swing"],
}
log = get_logger("medialake.datagen")


@dataclass
class Movie:
    """One synthetic movie shared by every movie file."""

    tmdb_id: int
    movielens_id: int
    imdb_id: str
    title: str
    year: int
    date: str
    genres: list
    popularity: float
    vote_average: float
    vote_count: int
    budget: int
    revenue: int
    runtime: int
    keywords: list


def make_movies(rng: random.Random, n: int) -> list[Movie]:
    """The master movie list: tmdb ids, MovieLens ids and attributes."""
    movies = []
    for i in range(n):
        year = rng.randint(1930, 2017)
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        title = " ".join(rng.choice(WORDS).title() for _ in range(rng.randint(1, 3)))
        if i % 37 == 0:
            title += "'s Return"  # apostrophes, as in real titles
        budget = rng.choice([0, 0, rng.randint(1, 200) * 1_000_000])
        revenue = 0 if budget == 0 and rng.random() < 0.6 else int(max(budget, 1_000_000) * rng.uniform(0.2, 5))
        movies.append(
            Movie(
                tmdb_id=10 + i * 3,
                movielens_id=1 + i,
                imdb_id=f"{100000 + i:07d}",
                title=title,
                year=year,
                date=date,
                genres=rng.sample(GENRES, rng.randint(0 if i % 50 == 0 else 1, 3)),
                popularity=round(rng.expovariate(0.2), 6),
                vote_average=round(rng.uniform(2, 9), 1),
                vote_count=int(rng.expovariate(1 / 300)),
                budget=budget,
                revenue=revenue,
                runtime=rng.choice([0, rng.randint(70, 180)]),
                keywords=rng.sample(KEYWORDS, rng.randint(0, 3)),
            )
        )
    return movies


def py_literal(items: list[tuple[int, str]]) -> str:
    """A list of dicts as the Movies Dataset writes it: Python repr, names with ' in double quotes."""
    return repr([{"id": i, "name": name} for i, name in items])


def tmdb_json(items: list[tuple[int, str]]) -> str:
    """A list of dicts as TMDB 5000 writes it: real JSON."""
    return json.dumps([{"id": i, "name": name} for i, name in items])


def overview(rng: random.Random, m: Movie, newline: str) -> str:
    """A plot summary, sometimes spanning lines."""
    text = f"A story of {rng.choice(WORDS)} and {rng.choice(WORDS)}."
    return text + newline + "Then everything changes." if m.tmdb_id % 7 == 0 else text


def csv_field(value) -> str:
    """Quote a field only when it holds a comma, a quote or a line break (bare CR included, which csv.writer misses)."""
    text = str(value)
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_csv(path: str, header: list[str], rows) -> int:
    """Write rows with the csv module (quotes only where needed, LF line ends); returns the row count."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        handle.write(",".join(header) + "\n")
        for row in rows:
            handle.write(",".join(csv_field(v) for v in row) + "\n")
            count += 1
    log_event(log, "raw file written", path=path, rows=count)
    return count


def movies_metadata_rows(rng: random.Random, movies: list[Movie]):
    """movies_metadata.csv rows, with repeated ids and a few shifted rows whose id is a date."""
    companies = [(i + 1, c) for i, c in enumerate(COMPANIES)]
    for m in movies:
        row = {
            "adult": "False",
            "belongs_to_collection": "",
            "budget": str(m.budget),
            "genres": py_literal(m.genres),
            "homepage": "",
            "id": str(m.tmdb_id),
            "imdb_id": f"tt{m.imdb_id}",
            "original_language": "en",
            "original_title": m.title,
            "overview": overview(rng, m, "\n"),
            "popularity": str(m.popularity),
            "poster_path": "/p.jpg",
            "production_companies": py_literal(rng.sample(companies, 2)),
            "production_countries": "[]",
            "release_date": m.date,
            "revenue": f"{float(m.revenue)}",
            "runtime": f"{float(m.runtime)}",
            "spoken_languages": "[]",
            "status": "Released",
            "tagline": "",
            "title": m.title,
            "video": "False",
            "vote_average": str(m.vote_average),
            "vote_count": f"{float(m.vote_count)}",
        }
        yield [row[c] for c in MDB_METADATA_COLUMNS]
        if m.tmdb_id % 97 == 1:
            yield [row[c] for c in MDB_METADATA_COLUMNS]  # repeated id, as in the real file
        if m.movielens_id % 40 == 7:
            yield ["- Written by Ørnås", "/shifted.jpg", m.date, *[""] * 21]  # a shifted row: id is a date


def tmdb_rows(rng: random.Random, movies: list[Movie]):
    """tmdb_5000_movies.csv rows: JSON lists, bare carriage returns inside some overviews."""
    for m in movies:
        row = {
            "budget": str(m.budget),
            "genres": tmdb_json(m.genres),
            "homepage": "",
            "id": str(m.tmdb_id),
            "keywords": tmdb_json([(i, k) for i, k in enumerate(m.keywords)]),
            "original_language": "en",
            "original_title": m.title,
            "overview": overview(rng, m, "\r"),
            "popularity": str(m.popularity),
            "production_companies": tmdb_json([(1, rng.choice(COMPANIES))]),
            "production_countries": "[]",
            "release_date": "" if m.tmdb_id % 401 == 0 else m.date,
            "revenue": str(m.revenue),
            "runtime": f"{float(m.runtime)}",
            "spoken_languages": "[]",
            "status": "Released",
            "tagline": "",
            "title": m.title,
            "vote_average": str(m.vote_average),
            "vote_count": str(m.vote_count),
        }
        yield [row[c] for c in TMDB_MOVIES_COLUMNS]


def movielens_rows(movies: list[Movie]):
    """movies.csv rows: year in the title, pipe-separated genres, a few titles without a year."""
    for m in movies:
        names = "|".join(g[1].replace("Science Fiction", "Sci-Fi") for g in m.genres) or "(no genres listed)"
        title = m.title if m.movielens_id % 300 == 0 else f"{m.title} ({m.year})"
        yield [m.movielens_id, title + (" " if m.movielens_id % 500 == 0 else ""), names]


def write_ratings(path: str, movies: list[Movie], n: int, seed: int, users: int) -> None:
    """ratings.csv (userId,movieId,rating,timestamp) with numpy and Arrow's CSV writer, fast at 26M rows."""
    rng = np.random.default_rng(seed)
    weights = np.array([m.popularity + 0.1 for m in movies])
    movie_ids = np.array([m.movielens_id for m in movies])[rng.choice(len(movies), n, p=weights / weights.sum())]
    table = pa.table(
        {
            "userId": rng.integers(1, users + 1, n),
            "movieId": movie_ids,
            "rating": rng.integers(1, 11, n) / 2.0,
            "timestamp": rng.integers(828124615, 1537799250, n),
        }
    )
    os.makedirs(os.path.dirname(path), exist_ok=True)
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="none"))
    log_event(log, "raw file written", path=path, rows=n)


def links_rows(movies: list[Movie]):
    """links.csv rows: imdb ids with leading zeros, a few missing tmdb ids."""
    for m in movies:
        yield [m.movielens_id, m.imdb_id, "" if m.movielens_id % 211 == 0 else m.tmdb_id]


def spotify_rows(rng: random.Random, n: int):
    """spotify_songs.csv rows: tracks repeated across playlists, mixed date precision, NA strings."""
    playlists = [(f"pl{i:03d}", g, rng.choice(subs), f"{g.upper()} mix {i}") for i, (g, subs) in enumerate(list(SONG_GENRES.items()) * 5)]
    artists = [f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()}" for _ in range(max(10, n // 8))]
    for t in range(n):
        year = rng.randint(1960, 2020)
        date = rng.choice(
            [f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"] * 16 + [str(year), f"{year}-{rng.randint(1, 12):02d}"]
        )
        name = "NA" if t % 997 == 5 else f"{rng.choice(WORDS).title()} {rng.choice(WORDS)}"
        track = [f"trk{t:019d}", name, rng.choice(artists), str(rng.randint(0, 100)), f"alb{t // 3:06d}", f"Album {t // 3}", date]
        features = [
            round(rng.random(), 3),
            round(rng.random(), 3),
            str(rng.randint(0, 11)),
            round(rng.uniform(-30, -1), 3),
            str(rng.randint(0, 1)),
            round(rng.random() * 0.3, 4),
            round(rng.random(), 4),
            f"{rng.random() * 1e-4:.2e}",
            round(rng.random() * 0.5, 3),
            round(rng.random(), 3),
            round(rng.uniform(60, 200), 3),
            str(rng.randint(90_000, 400_000)),
        ]
        for pid, genre, sub, pname in rng.sample(playlists, 1 if t % 9 else 3):
            yield track + [pname, pid, genre, sub] + [str(f) for f in features]


def msd_csv_rows(rng: random.Random, n: int):
    """SongCSV.csv rows (msdHDF5toCSV flattening): b'' reprs, year 0, nan, HTML entities, U+FFFD."""
    for i in range(n):
        artist = rng.choice(["Los Angeles &amp; New York", "D\ufffdorf Band", "Ray Charles", "Messico_ Oliviero", "The Seeds"])
        yield [
            i + 1,
            f"b'SO{i:016X}'",
            f"b'AR{i:05d}'",
            f"b'Album {i % 50}'",
            f"b'AR{i % 300:05d}'",
            "",
            "",
            "",
            f"b'{artist}'",
            "0.0",
            f"{rng.uniform(60, 600):.5f}",
            "0.0",
            str(rng.randint(0, 11)),
            "0.5",
            f"{rng.uniform(-30, -2):.3f}",
            "nan" if i % 3 == 0 else f"{rng.random():.6f}",
            "0.0" if i % 400 == 0 else f"{rng.uniform(60, 200):.3f}",
            str(rng.choice([0, 1, 3, 4, 4, 4])),
            "0.5",
            f"b'qu&#039;un {rng.choice(WORDS)}'",
            str(rng.choice([0, 0, rng.randint(1960, 2010)])),
        ]


MSD_CSV_HEADER = (
    "SongNumber,SongID,AlbumID,AlbumName,ArtistID,ArtistLatitude,ArtistLocation,ArtistLongitude,ArtistName,Danceability,"
    "Duration,Energy,KeySignature,KeySignatureConfidence,Loudness,Hotness,Tempo,TimeSignature,TimeSignatureConfidence,Title,Year"
).split(",")


MSD_VARIANTS = ("py2", "py3-bytes")
# Titles as the MSD HDF5 files hold them (UTF-8 bytes): accents, apostrophes (Python 3 reprs them in double quotes),
# double quotes (left unescaped inside the converter's quotes), both kinds, a backslash.
PY3_TITLES = [
    "Martha Served", "Harry Flowers", "Gonna Take a Miracle", "Raphaël", "Café Müller", "L'horizon Chimérique",
    "Don't Worry Lady", "Rock 'n' Roll Niño", "Beauty Queen (12\" Spoon Club Mix)", 'Say "Don\'t"', "東京の夜",
    "Ελλάδα", "AC\\DC Tribute", "Return Of The \"G\"", "Zürich 'Live'",
]  # fmt: skip
PY3_ARTISTS = ["William Orbit", "Sigur Rós", "Beyoncé", "Guns N' Roses", 'Clarence "Gatemouth" Brown', "Mötley Crüe", "The Elders"]
PY3_ALBUMS = ["Strange Cargo III", "Si J'étais Elle", "Ágætis byrjun", "Racing the Tide", 'Hairspray ("Live")']
# Bytes that are not UTF-8 (Latin-1 left in the source): a Python 3 repr shows them as escapes that decode to nothing.
PY3_UNDECODABLE = [b"D\xfcsseldorf Nights", b"\xff", b"Mot\xf6rhead"]


@dataclass(frozen=True)
class MsdSong:
    """One MSD song as its HDF5 file holds it: strings as bytes (UTF-8, or not, as in the source)."""

    song_id: bytes
    album_id: int
    album: bytes
    artist_id: bytes
    location: bytes
    artist: bytes
    title: bytes
    duration: float
    tempo: float
    time_signature: int
    year: int


def plain_or_special(rng: random.Random, specials: list[str], share: float) -> str:
    """One of the special names `share` of the time, else plain ASCII words (most real names are)."""
    return rng.choice(specials) if rng.random() < share else f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()}"


def msd_py3_songs(rng: random.Random, n: int) -> list[MsdSong]:
    """The songs of the Python 3 SongCSV variant; about one in thirty has a value that is not UTF-8."""
    songs = []
    for i in range(n):
        title = plain_or_special(rng, PY3_TITLES, 0.3).encode()
        artist = plain_or_special(rng, PY3_ARTISTS, 0.3).encode()
        if i % 61 == 5:
            title = PY3_UNDECODABLE[i % len(PY3_UNDECODABLE)]
        elif i % 67 == 9:
            artist = PY3_UNDECODABLE[i % len(PY3_UNDECODABLE)]
        songs.append(
            MsdSong(
                song_id=f"SOPY{i:014X}".encode(),
                album_id=100_000 + i,
                album=f"{plain_or_special(rng, PY3_ALBUMS, 0.3)} {i % 40}".encode(),
                artist_id=f"ARPY{i % 300:014X}".encode(),
                location=rng.choice([b"", b"D\xc3\xbcsseldorf Germany", b"New York NY"]),
                artist=artist,
                title=title,
                duration=round(rng.uniform(60, 600), 5),
                tempo=0.0 if i % 400 == 0 else round(rng.uniform(60, 200), 3),
                time_signature=rng.choice([0, 1, 3, 4, 4, 4]),
                year=rng.choice([0, 0, rng.randint(1960, 2010)]),
            )
        )
    return songs


def py3_quoted(value: bytes) -> str:
    """What msdHDF5toCSV.py writes for a string under Python 3: str() of the bytes (their repr) in double quotes,
    nothing escaped."""
    return '"' + str(value) + '"'


def msd_py3_line(number: int, s: MsdSong) -> str:
    """One SongCSV.csv record exactly as the converter builds it under Python 3 (commas dropped from album and location)."""
    fields = [
        str(number), py3_quoted(s.song_id), str(s.album_id), '"' + str(s.album).replace(",", "") + '"', py3_quoted(s.artist_id), "",
        '"' + str(s.location).replace(",", "") + '"', "", py3_quoted(s.artist), "0.0", str(s.duration), "0.0", "5", "0.5", "-9.5",
        "nan", str(s.tempo), str(s.time_signature), "0.5", py3_quoted(s.title), str(s.year),
    ]  # fmt: skip
    return ",".join(fields)


def write_msd_py3(path: str, n: int, seed: int = 42) -> int:
    """SongCSV.csv as the converter writes it under Python 3: b'...' reprs, UTF-8 as \\x escapes, b"..." titles
    with their double quotes unescaped."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    songs = msd_py3_songs(random.Random(seed), n)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        handle.write(",".join(MSD_CSV_HEADER) + "\n")
        for number, song in enumerate(songs, start=1):
            handle.write(msd_py3_line(number, song) + "\n")
    log_event(log, "raw file written", path=path, rows=n, variant="py3-bytes")
    return n


ACTORS = ["Tom Hanks", "Meryl Streep", "Denzel Washington", "Lupita Nyong'o", "Saoirse Ronan", "Bill O'Reilly", "Zhang Ziyi"]


def credits_rows(rng: random.Random, movies: list[Movie], as_json: bool):
    """credits.csv (Python literals, `cast,crew,id`) or tmdb_5000_credits.csv (JSON, `movie_id,title,cast,crew`)."""
    for m in movies:
        cast = [{"cast_id": i, "character": "Self", "name": name, "order": i} for i, name in enumerate(rng.sample(ACTORS, 3))]
        crew = [
            {"department": "Directing", "job": "Director", "name": rng.choice(ACTORS)},
            {"department": "Sound", "job": "Original Music Composer", "name": rng.choice(ACTORS)},
        ]
        if as_json:
            yield [m.tmdb_id, m.title, json.dumps(cast), json.dumps(crew)]
        else:
            yield [repr(cast), repr(crew), m.tmdb_id]


def tags_rows(rng: random.Random, movies: list[Movie], n: int):
    """tags.csv rows: free text, one quoted tag."""
    for i in range(n):
        yield [rng.randint(1, 50), rng.choice(movies).movielens_id, '"artsy"' if i == 3 else rng.choice(KEYWORDS), 1137179352 + i]


def msd_summary_rows(rng: random.Random, n: int):
    """The lowercase MSD summary fields plus extra columns (song_id, artist_familiarity)."""
    for i in range(n):
        yield [
            f"SOSUM{i:013d}",
            rng.choice(["Ray Charles", "The Seeds", "Sonora Santanera"]),
            f"{rng.uniform(60, 600):.5f}",
            f"Release {i % 20}",
            "nan" if i % 5 == 0 else f"{rng.uniform(60, 200):.3f}",
            str(rng.choice([1, 3, 4, 4])),
            f"Song {i}",
            str(rng.choice([0, rng.randint(1960, 2010)])),
            f"{rng.random():.4f}",
        ]


def cpi_rows():
    """Monthly CPI 1999-01 .. 2022-04 under the newer observation_date header."""
    value = 102.7
    for year in range(1999, 2023):
        for month in range(1, 13):
            if (year, month) > (2022, 4):
                return
            yield [f"{year}-{month:02d}-01", f"{value:.3f}"]
            value *= 1.0025


def generate(out: str, scale: Scale, seed: int = 42, msd_variant: str = "py2") -> None:
    """Write every raw file under out/ in its dataset's folder (SongCSV.csv as the Python 2 or the Python 3 converter writes it)."""
    rng = random.Random(seed)
    movies = make_movies(rng, scale.movies)
    ml = movies[: max(10, len(movies) // 2)]
    write_csv(f"{out}/movies_dataset/movies_metadata.csv", MDB_METADATA_COLUMNS, movies_metadata_rows(rng, movies))
    write_csv(
        f"{out}/movies_dataset/keywords.csv",
        ["id", "keywords"],
        ([m.tmdb_id, py_literal(list(enumerate(m.keywords)))] for m in movies),
    )
    write_csv(f"{out}/movies_dataset/links.csv", ["movieId", "imdbId", "tmdbId"], links_rows(movies))
    write_ratings(f"{out}/movies_dataset/ratings.csv", movies, scale.ratings, seed, users=max(50, scale.ratings // 100))
    write_csv(f"{out}/movies_dataset/credits.csv", ["cast", "crew", "id"], credits_rows(rng, movies, as_json=False))
    small = movies[: max(10, len(movies) // 10)]
    write_csv(f"{out}/movies_dataset/links_small.csv", ["movieId", "imdbId", "tmdbId"], links_rows(small))
    write_ratings(f"{out}/movies_dataset/ratings_small.csv", small, max(100, scale.ratings // 50), seed + 2, users=50)
    write_csv(
        f"{out}/tmdb_5000/tmdb_5000_credits.csv",
        ["movie_id", "title", "cast", "crew"],
        credits_rows(rng, movies[: min(4803, len(movies))], as_json=True),
    )
    write_csv(f"{out}/tmdb_5000/tmdb_5000_movies.csv", TMDB_MOVIES_COLUMNS, tmdb_rows(rng, movies[: min(4803, len(movies))]))
    write_csv(f"{out}/movielens/movies.csv", ["movieId", "title", "genres"], movielens_rows(ml))
    write_csv(f"{out}/movielens/links.csv", ["movieId", "imdbId", "tmdbId"], links_rows(ml))
    write_ratings(f"{out}/movielens/ratings.csv", ml, max(100, scale.ratings // 20), seed + 1, users=max(20, scale.ratings // 2000))
    write_csv(f"{out}/movielens/tags.csv", ["userId", "movieId", "tag", "timestamp"], tags_rows(rng, ml, max(20, len(ml) // 3)))
    write_csv(f"{out}/fred/CUSR0000SS62031.csv", ["observation_date", "CUSR0000SS62031"], cpi_rows())
    write_csv(f"{out}/spotify/spotify_songs.csv", SPOTIFY_COLUMNS, spotify_rows(rng, scale.songs))
    if msd_variant == "py3-bytes":
        write_msd_py3(f"{out}/msd/SongCSV.csv", scale.msd_songs, seed)
    else:
        write_csv(f"{out}/msd/SongCSV.csv", MSD_CSV_HEADER, msd_csv_rows(rng, scale.msd_songs))
    summary_header = ["song_id", "artist_name", "duration", "release", "tempo", "time_signature", "title", "year", "artist_familiarity"]
    write_csv(f"{out}/msd/msd_summary.csv", summary_header, msd_summary_rows(rng, max(20, scale.msd_songs // 5)))


def main(argv=None) -> None:
    """Command line entry point."""
    from medialake.settings import load_settings

    settings = load_settings()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default=settings.datagen_scale, choices=sorted(SCALES))
    parser.add_argument("--out", default=settings.raw_dir)
    parser.add_argument("--seed", type=int, default=settings.datagen_seed)
    parser.add_argument(
        "--msd-variant", default="py2", choices=MSD_VARIANTS, help="SongCSV.csv as written by the converter under py2 or py3"
    )
    args = parser.parse_args(argv)
    generate(args.out, SCALES[args.scale], args.seed, args.msd_variant)


if __name__ == "__main__":
    main()
