"""Key helpers shared by the dedup and the unique-key check: most keys occur once, so a 64-bit hash of the key finds
the few that may repeat in one cheap aggregate, and only their rows are compared on the real key columns."""

from functools import reduce

from pyspark.sql import Column, DataFrame, Row
from pyspark.sql import functions as F

KEY_HASH = "_key_hash"
LOCAL_HASHES = 2_000_000  # repeated key hashes up to this many (16 MB) are computed once and sent back as data
LOCAL_FIRSTS = 250_000  # rows kept of repeated keys up to this many are ranked once and sent back as data (full-scale ratings: 173k, 15 MB)
# Sail's joins (DataFusion's) collect a build side of under 128Ki rows and 1 MiB whole, each task probing it as it reads;
# a larger one makes both sides re-partitioned by the key, every column of every row of the big side included. So the
# rows without repeated hashes are found by one anti-join per chunk of this many (the 173k of the full-scale ratings:
# 2 chunks; the silver write 3.3 s against 3.8 s), up to MAX_CHUNKS chunks; more hashes are one join.
JOIN_CHUNK = 100_000
MAX_CHUNKS = 4


def any_null(columns: list[str]) -> Column:
    """True when any of the columns is NULL."""
    return F.greatest(*[F.col(c).isNull() for c in columns]) if len(columns) > 1 else F.col(columns[0]).isNull()


def with_key_hash(df: DataFrame, keys: list[str]) -> DataFrame:
    """The rows with a 64-bit hash of their key (equal keys, equal hashes; a collision only makes a key look repeated)."""
    return df.withColumn(KEY_HASH, F.xxhash64(*keys))


def repeated_hashes(hashed: DataFrame) -> DataFrame:
    """The key hashes held by more than one row: an aggregate on one long column (on Sail 0.7.2 far cheaper, in time
    and memory, than grouping or sorting by the key columns themselves)."""
    return hashed.groupBy(KEY_HASH).agg(F.count(F.lit(1)).alias("_rows")).where("_rows > 1").select(KEY_HASH)


def split_by_repetition(df: DataFrame, keys: list[str]) -> tuple[DataFrame, DataFrame] | None:
    """The rows whose key surely occurs once, and the rows whose key may repeat (both with the key hash column);
    None when no key repeats."""
    hashed = with_key_hash(df, keys)
    repeated = repeated_in(hashed)
    if repeated is None:
        return None
    return without_hashes(hashed, repeated), with_hashes(hashed, repeated)


def without_hashes(rows: DataFrame, repeated: list[DataFrame]) -> DataFrame:
    """The rows whose key hash is in none of the chunks of repeated hashes (an anti-join per chunk)."""
    for chunk in repeated:
        rows = rows.join(chunk, KEY_HASH, "left_anti")
    return rows


def with_hashes(rows: DataFrame, repeated: list[DataFrame]) -> DataFrame:
    """The rows whose key hash is in one of the chunks of repeated hashes (one semi-join)."""
    hashes = repeated[0] if len(repeated) == 1 else reduce(DataFrame.unionByName, repeated)
    return rows.join(hashes, KEY_HASH, "left_semi").select(*rows.columns)


def row_number_by(keys: list[str], order_by: str) -> Column:
    """Each row's place among the rows of its key, by a SQL ORDER BY."""
    by_key = ", ".join(f"`{key}`" for key in keys)
    return F.expr(f"row_number() OVER (PARTITION BY {by_key} ORDER BY {order_by})")


def first_rows(several: DataFrame, keys: list[str], order_by: str) -> DataFrame:
    """The first of each key's rows by the SQL `order_by`, and every row with a NULL key (its rules quarantine it)."""
    ranked = several.withColumn("_rank", row_number_by(keys, order_by))
    return ranked.where((F.col("_rank") == 1) | any_null(keys)).drop("_rank")


def repeated_in(hashed: DataFrame) -> list[DataFrame] | None:
    """The key hashes held by more than one of the rows (which carry KEY_HASH), None when none: computed once and
    sent back as data in chunks of JOIN_CHUNK when at most LOCAL_HASHES (so that each later join does not aggregate
    again), else one aggregate left in the engine."""
    found = repeated_hashes(hashed).limit(LOCAL_HASHES + 1).toArrow()
    if found.num_rows == 0:
        return None
    if found.num_rows > LOCAL_HASHES:
        return [repeated_hashes(hashed)]
    size = JOIN_CHUNK if found.num_rows <= JOIN_CHUNK * MAX_CHUNKS else found.num_rows
    return [hashed.sparkSession.createDataFrame(found.slice(i, size), f"{KEY_HASH} long") for i in range(0, found.num_rows, size)]


def first_of_repeated(staged: DataFrame, keys: list[str], order_by: str, repeated: list[DataFrame]) -> DataFrame:
    """Of the staged rows whose key hash repeats, the first per key by the SQL `order_by`, and every row with a NULL
    key (its rules quarantine it); one window over these few rows, sent back as data when at most LOCAL_FIRSTS."""
    first = first_rows(with_hashes(staged, repeated), keys, order_by)
    found = first.limit(LOCAL_FIRSTS + 1).toArrow()
    return staged.sparkSession.createDataFrame(found, staged.schema) if found.num_rows <= LOCAL_FIRSTS else first


def extra_rows_among(rows: DataFrame, keys: list[str]) -> int:
    """How many of these rows share their key with another of them, counted on the key columns (NULLs group together)."""
    per_key = rows.groupBy(*keys).count().where("count > 1")
    return per_key.agg(F.sum(F.col("count") - 1).alias("extra")).collect()[0]["extra"] or 0


def key_counts(df: DataFrame, keys: list[str]) -> Row:
    """In one pass: rows, rows with a NULL key, and how many key hashes repeat (0: every key is unique)."""
    per_hash = with_key_hash(df.select(*keys), keys).groupBy(KEY_HASH)
    per_hash = per_hash.agg(F.count(F.lit(1)).alias("n"), F.sum(any_null(keys).cast("long")).alias("nulls"))
    repeated = F.sum((F.col("n") > 1).cast("long")).alias("repeated")
    return per_hash.agg(F.sum("n").alias("rows"), F.sum("nulls").alias("null_keys"), repeated).collect()[0]


def extra_rows_per_key(df: DataFrame, keys: list[str]) -> int:
    """How many rows share their key with an earlier row, counted on the key columns of the rows whose hash repeats."""
    split = split_by_repetition(df.select(*keys), keys)
    return 0 if split is None else extra_rows_among(split[1], keys)
