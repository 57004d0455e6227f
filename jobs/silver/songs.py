"""Silver song tables: tracks, track_playlists, artists, msd_songs and the unified songs table."""

from functools import partial

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from jobs.silver.bytes_repr import decode_fields
from jobs.silver.clean import LINEAGE, any_date, date_precision, number, positive, text, union_all

AUDIO_FEATURES = (
    "danceability",
    "energy",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
    "loudness",
    "tempo",
)


def spotify_typed(b: DataFrame) -> DataFrame:
    """Every Spotify row typed (one row per track and playlist)."""
    return b.select(
        text("track_id").alias("track_id"),
        text("track_name").alias("track_name"),
        text("track_artist").alias("artist"),
        number("track_popularity", "int").alias("popularity"),
        text("track_album_id").alias("album_id"),
        text("track_album_name").alias("album_name"),
        any_date("track_album_release_date").alias("release_date"),
        date_precision("track_album_release_date").alias("release_date_precision"),
        text("playlist_name").alias("playlist_name"),
        text("playlist_id").alias("playlist_id"),
        text("playlist_genre").alias("playlist_genre"),
        text("playlist_subgenre").alias("playlist_subgenre"),
        *[number(c).alias(c) for c in AUDIO_FEATURES],
        number("key", "int").alias("key"),
        number("mode", "int").alias("mode"),
        number("duration_ms", "bigint").alias("duration_ms"),
        F.col("_malformed"),
        *LINEAGE,
    )


def tracks(typed: DataFrame) -> DataFrame:
    """Track rows (attributes are identical across playlists; the table's rule keeps the first record per track_id);
    genre is the genre of its playlist."""
    cols = [c for c in typed.columns if c not in ("playlist_name", "playlist_id", "playlist_subgenre")]
    return typed.select(*cols).withColumnRenamed("playlist_genre", "genre").withColumn("release_year", F.year("release_date"))


def track_playlists(typed: DataFrame) -> DataFrame:
    """Which playlists list a track (the membership a track-level dedup would lose)."""
    return typed.select("track_id", "playlist_id", "playlist_name", "playlist_genre", "playlist_subgenre", "_malformed", *LINEAGE)


def track_genres(typed: DataFrame) -> DataFrame:
    """One row per track and genre of a record listing it: a track is in every genre, not just its first playlist's.
    From the records, not track_playlists: a few playlists are listed under two genres (5 in the real file)."""
    return typed.select("track_id", F.col("playlist_genre").alias("genre"), "_malformed", *LINEAGE).where("genre IS NOT NULL")


def msd_songs(b: DataFrame, flattened: bool) -> DataFrame:
    """MSD songs from the summary fields or the SongCSV flattening: year 0 and nan as NULL."""
    name = {
        "artist": "ArtistName",
        "duration": "Duration",
        "release": "AlbumName",
        "tempo": "Tempo",
        "time_signature": "TimeSignature",
        "title": "Title",
        "year": "Year",
    }
    if not flattened:
        name = {
            "artist": "artist_name",
            "duration": "duration",
            "release": "release",
            "tempo": "tempo",
            "time_signature": "time_signature",
            "title": "title",
            "year": "year",
        }
    b = b.withColumn("_song_id", F.get_json_object("_extra_json", "$.SongID" if flattened else "$.song_id"))
    b = decode_bytes_reprs(b, ["_song_id", name["title"], name["artist"], name["release"]])
    df = b.select(
        F.coalesce(
            text_expr(F.col("_song_id")),
            F.sha2(F.concat_ws("\u001f", F.col(name["artist"]), F.col(name["title"]), F.col(name["release"])), 256).substr(1, 18),
        ).alias("song_id"),
        text(name["title"]).alias("title"),
        text(name["artist"]).alias("artist"),
        text(name["release"]).alias("release"),
        positive(name["duration"]).alias("duration_s"),
        positive(name["tempo"]).alias("tempo"),
        positive(name["time_signature"], "int").alias("time_signature"),
        positive(name["year"], "int").alias("year"),
        F.col("_malformed"),
        *LINEAGE,
    )
    return df


def text_expr(c):
    """A trimmed id, with empty, nan and NA as NULL (bytes reprs are decoded before, by decode_bytes_reprs)."""
    c = F.trim(c)
    return F.when(c.isin("", "nan", "NA"), None).otherwise(c)


DECODED = "struct<values:array<string>,error:string>"


def decode_bytes_reprs(b: DataFrame, columns: list[str]) -> DataFrame:
    """The columns with every Python bytes repr (b'Rapha\\xc3\\xabl') decoded to its text by a real literal parser; a
    value that does not decode stays as it was and its reason joins `_malformed`, so the row's rules quarantine it."""
    decode = F.udf(partial(decode_fields, [c.lstrip("_") for c in columns]), DECODED, useArrow=False)
    decoded = b.withColumn("_decoded", decode(F.array(*[F.col(c) for c in columns])))
    for i, c in enumerate(columns):
        decoded = decoded.withColumn(c, F.col("_decoded.values")[i])
    reason = F.col("_decoded.error")
    malformed = F.when(F.col("_malformed").isNull(), reason).when(reason.isNull(), F.col("_malformed"))
    malformed = malformed.otherwise(F.concat_ws("; ", F.col("_malformed"), reason))
    return decoded.withColumn("_malformed", malformed).drop("_decoded")


def songs(track_table: DataFrame | None, msd: DataFrame | None) -> DataFrame | None:
    """Both song sources in one queryable shape, keyed by (source, song_id)."""
    parts = []
    if track_table is not None:
        parts.append(
            track_table.select(
                F.lit("spotify").alias("source"),
                F.col("track_id").alias("song_id"),
                F.col("track_name").alias("title"),
                "artist",
                F.col("album_name").alias("release"),
                (F.col("duration_ms") / 1000.0).alias("duration_s"),
                "tempo",
                F.lit(None).cast("int").alias("time_signature"),
                F.col("release_year").alias("year"),
                "genre",
                "popularity",
                "energy",
                "valence",
                "danceability",
                "acousticness",
                "instrumentalness",
            )
        )
    if msd is not None:
        parts.append(
            msd.select(
                F.lit("msd").alias("source"),
                "song_id",
                "title",
                "artist",
                "release",
                "duration_s",
                "tempo",
                "time_signature",
                "year",
                F.lit(None).cast("string").alias("genre"),
                F.lit(None).cast("int").alias("popularity"),
                *[F.lit(None).cast("double").alias(c) for c in ("energy", "valence", "danceability", "acousticness", "instrumentalness")],
            )
        )
    return union_all(parts)


def artists(song_table: DataFrame) -> DataFrame:
    """Artist dimension over both song sources."""
    return (
        song_table.where("artist IS NOT NULL")
        .groupBy("artist")
        .agg(F.count(F.lit(1)).alias("song_count"), F.collect_set("source").alias("sources"))
        .withColumn("sources", F.array_sort("sources"))
    )
