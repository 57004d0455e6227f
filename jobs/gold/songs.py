"""Gold song aggregates, each one Spark SQL query over silver views."""

POPULARITY_BIN_WIDTH = 5

GOLD_SONGS = {
    "top_tracks": (
        ("tracks",),
        """
        SELECT track_id, track_name, artist, genre, popularity, release_year AS year, energy, danceability, valence, tempo
        FROM tracks WHERE popularity IS NOT NULL AND track_name IS NOT NULL""",
    ),
    "song_genre_popularity": (
        ("tracks",),
        """
        SELECT genre, COUNT(*) AS track_count, AVG(popularity) AS mean_popularity
        FROM tracks WHERE genre IS NOT NULL GROUP BY genre""",
    ),
    "popularity_by_release_month": (
        ("tracks",),
        """
        SELECT month(release_date) AS month, COUNT(*) AS track_count, AVG(popularity) AS mean_popularity
        FROM tracks WHERE release_date_precision IN ('month', 'day') GROUP BY month(release_date)""",
    ),
    "popularity_histogram": (
        ("tracks",),
        f"""
        SELECT bin_start, bin_start + {POPULARITY_BIN_WIDTH} AS bin_end, COUNT(*) AS track_count
        FROM (SELECT CAST(FLOOR(LEAST(popularity, 99) / {POPULARITY_BIN_WIDTH}) * {POPULARITY_BIN_WIDTH} AS INT) AS bin_start
              FROM tracks WHERE popularity IS NOT NULL) b
        GROUP BY bin_start""",
    ),
    "song_trends_by_year": (
        ("songs",),
        """
        SELECT source, year, COUNT(*) AS song_count, AVG(duration_s) AS mean_duration_s, AVG(tempo) AS mean_tempo
        FROM songs WHERE year IS NOT NULL GROUP BY source, year""",
    ),
    "artist_profiles": (
        ("songs",),
        """
        SELECT artist, COUNT(*) AS song_count, AVG(duration_s) AS mean_duration_s, AVG(tempo) AS mean_tempo,
               AVG(time_signature) AS mean_time_signature, AVG(energy) AS mean_energy, AVG(valence) AS mean_valence,
               AVG(danceability) AS mean_danceability, AVG(popularity) AS mean_popularity
        FROM songs WHERE artist IS NOT NULL GROUP BY artist""",
    ),
    "songs_catalog": (
        ("songs",),
        """
        SELECT source, song_id, title, artist, release, duration_s, tempo, time_signature, year, genre, popularity,
               energy, valence, danceability, acousticness, instrumentalness
        FROM songs""",
    ),
}
