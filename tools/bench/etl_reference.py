"""The DuckDB reference for the ETL benchmark: the dominant part of the pipeline's work (the ratings path), hand-written.

Land the rating CSVs as text (bronze), type them with TRY_CAST, keep the latest rating per rating set, user and movie
and map MovieLens ids to TMDB ids through the links (silver), aggregate per movie (gold); Parquet between the steps,
2 threads and a 3 GB memory limit, as the machine would give a real job.
python -m tools.bench.etl_reference --raw bench-data/raw-full [--json figures.json]
"""

import argparse
import glob
import json
import os
import shutil
import tempfile
import time

import duckdb

LAND = """
COPY (SELECT *, regexp_replace(replace(filename, '{raw}/', ''), '\\.csv$', '') AS rating_set
      FROM read_csv({files}, all_varchar = true, header = true, filename = true))
TO '{out}/bronze_ratings.parquet' (FORMAT parquet)
"""
SILVER = """
COPY (
  WITH typed AS (
    SELECT rating_set, TRY_CAST(userId AS BIGINT) AS user_id, TRY_CAST(movieId AS BIGINT) AS movielens_id,
           TRY_CAST(rating AS DOUBLE) AS rating, TRY_CAST("timestamp" AS BIGINT) AS rated_at
    FROM '{out}/bronze_ratings.parquet'),
  latest AS (
    SELECT rating_set, user_id, movielens_id, arg_max(rating, rated_at) AS rating, max(rated_at) AS rated_at
    FROM typed WHERE user_id IS NOT NULL AND movielens_id IS NOT NULL GROUP BY ALL),
  links AS (
    SELECT TRY_CAST(movieId AS BIGINT) AS movielens_id, any_value(TRY_CAST(tmdbId AS BIGINT)) AS tmdb_id
    FROM read_csv({links}, all_varchar = true, header = true) GROUP BY 1)
  SELECT latest.*, links.tmdb_id FROM latest LEFT JOIN links USING (movielens_id))
TO '{out}/silver_ratings.parquet' (FORMAT parquet)
"""
GOLD = """
COPY (SELECT tmdb_id, count(*) AS ratings, avg(rating) AS mean_rating
      FROM '{out}/silver_ratings.parquet' WHERE tmdb_id IS NOT NULL GROUP BY tmdb_id)
TO '{out}/gold_movie_ratings.parquet' (FORMAT parquet)
"""


def csv_files(raw: str, pattern: str) -> list[str]:
    """The raw CSV files whose name matches, at any depth."""
    return sorted(glob.glob(os.path.join(raw, "**", pattern), recursive=True))


def run(raw: str) -> dict[str, float]:
    """The three steps once, in a fresh folder and connection: seconds per step and the rows landed."""
    raw = os.path.abspath(raw)
    ratings, links = csv_files(raw, "ratings*.csv"), csv_files(raw, "links*.csv")
    out = tempfile.mkdtemp(prefix="etl-reference-")
    try:
        con = duckdb.connect()
        con.execute("SET threads = 2; SET memory_limit = '3GB'; SET preserve_insertion_order = false")
        values = {"raw": raw, "out": out, "files": ratings, "links": links}
        seconds = {}
        for layer, sql in (("bronze", LAND), ("silver", SILVER), ("gold", GOLD)):
            started = time.perf_counter()
            con.execute(sql.format(**values))
            seconds[layer] = time.perf_counter() - started
        seconds["rows"] = con.execute(f"SELECT count(*) FROM '{out}/bronze_ratings.parquet'").fetchone()[0]
        seconds["bytes"] = sum(os.path.getsize(f) for f in ratings)
        return seconds
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main(argv=None) -> None:
    """Run the reference and print seconds per step."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--raw", default="bench-data/raw-full")
    parser.add_argument("--json", default="", help="also write the figures to this file")
    args = parser.parse_args(argv)
    result = run(args.raw)
    layers = ("bronze", "silver", "gold")
    total = sum(result[layer] for layer in layers)
    print("reference " + " ".join(f"{layer} {result[layer]:.1f} s" for layer in layers) + f" total {total:.1f} s", flush=True)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(result, handle)


if __name__ == "__main__":
    main()
