"""Gold song tables: one declaration each, with the Spark SQL that builds it from the silver views it needs."""

from functools import partial

from medialake.gold.declare import gold

POPULARITY_BIN_WIDTH = 5
song = partial(gold, domain="songs")

GOLD_SONGS = (
    song(
        "top_tracks",
        keys="track_id",
        columns="track_id track_name artist genre popularity year energy danceability valence tempo",
        description="one row per Spotify track with a name and popularity (genre: its first playlist's, see "
        "song_genre_popularity for every genre); tracks without a name or popularity are left out",
        needs="tracks",
        sql="""
        SELECT track_id, track_name, artist, genre, popularity, release_year AS year, energy, danceability, valence, tempo
        FROM tracks WHERE popularity IS NOT NULL AND track_name IS NOT NULL""",
    ),
    song(
        "song_genre_popularity",
        keys="genre",
        columns="genre track_count mean_popularity",
        description="one row per Spotify playlist genre: its tracks and their mean popularity, a track in playlists "
        "of several genres counting in each (silver.track_genres); tracks in no playlist with a genre are left out",
        needs="tracks track_genres",
        sql="""
        SELECT g.genre, COUNT(*) AS track_count, AVG(t.popularity) AS mean_popularity
        FROM track_genres g JOIN tracks t ON t.track_id = g.track_id GROUP BY g.genre""",
    ),
    song(
        "popularity_by_release_month",
        keys="month",
        columns="month track_count mean_popularity",
        description="one row per calendar month: Spotify tracks released in it (any year) and their mean popularity; "
        "tracks whose release date gives only the year are left out",
        needs="tracks",
        sql="""
        SELECT month(release_date) AS month, COUNT(*) AS track_count, AVG(popularity) AS mean_popularity
        FROM tracks WHERE release_date_precision IN ('month', 'day') GROUP BY month(release_date)""",
    ),
    song(
        "popularity_histogram",
        keys="bin_start",
        columns="bin_start bin_end track_count",
        description="one row per 5-point popularity bin (the last, 95-100, holds 100): how many Spotify tracks fall "
        "in it; tracks without a popularity are left out",
        needs="tracks",
        sql=f"""
        SELECT bin_start, bin_start + {POPULARITY_BIN_WIDTH} AS bin_end, COUNT(*) AS track_count
        FROM (SELECT CAST(FLOOR(LEAST(popularity, 99) / {POPULARITY_BIN_WIDTH}) * {POPULARITY_BIN_WIDTH} AS INT) AS bin_start
              FROM tracks WHERE popularity IS NOT NULL) b
        GROUP BY bin_start""",
    ),
    song(
        "song_trends_by_year",
        keys="source year",
        columns="source year song_count duration_count mean_duration_s tempo_count mean_tempo",
        description="one row per song source and release year: its songs, and the mean duration and tempo over the "
        "songs that have one (duration_count, tempo_count: weights for combining rows); songs without a year are left out",
        needs="songs",
        sql="""
        SELECT source, year, COUNT(*) AS song_count, COUNT(duration_s) AS duration_count, AVG(duration_s) AS mean_duration_s,
               COUNT(tempo) AS tempo_count, AVG(tempo) AS mean_tempo
        FROM songs WHERE year IS NOT NULL GROUP BY source, year""",
    ),
    song(
        "artist_profiles",
        keys="artist",
        columns="artist song_count mean_duration_s mean_tempo mean_time_signature mean_energy mean_valence mean_danceability "
        "mean_popularity",
        description="one row per artist over both song sources: songs, and each feature's mean over the songs that "
        "have it, NULL when none has (Spotify gives no time signature, the MSD no energy, valence, danceability or "
        "popularity); songs without an artist are left out",
        needs="songs",
        sql="""
        SELECT artist, COUNT(*) AS song_count, AVG(duration_s) AS mean_duration_s, AVG(tempo) AS mean_tempo,
               AVG(time_signature) AS mean_time_signature, AVG(energy) AS mean_energy, AVG(valence) AS mean_valence,
               AVG(danceability) AS mean_danceability, AVG(popularity) AS mean_popularity
        FROM songs WHERE artist IS NOT NULL GROUP BY artist""",
    ),
    song(
        "songs_catalog",
        keys="source song_id",
        columns="source song_id title artist release duration_s tempo time_signature year genre "
        "popularity energy valence danceability acousticness instrumentalness",
        description="one row per song of either source, the songs the service filters and the chat picks from (genre: "
        "the first playlist's for Spotify, none for the MSD); no song is left out",
        needs="songs",
        sql="""
        SELECT source, song_id, title, artist, release, duration_s, tempo, time_signature, year, genre, popularity,
               energy, valence, danceability, acousticness, instrumentalness
        FROM songs""",
    ),
)
