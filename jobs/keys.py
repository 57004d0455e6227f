"""Key helpers shared by the dedup and the unique-key check: most keys occur once, so a 64-bit hash of the key finds
the few that may repeat in one cheap aggregate, and only their rows are compared on the real key columns."""

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

KEY_HASH = "_key_hash"


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


def split_by_repetition(df: DataFrame, keys: list[str]) -> tuple[DataFrame, DataFrame]:
    """The rows whose key surely occurs once, and the rows whose key may repeat (both with the key hash column)."""
    hashed = with_key_hash(df, keys)
    repeated = repeated_hashes(hashed)
    return hashed.join(repeated, KEY_HASH, "left_anti"), hashed.join(repeated, KEY_HASH, "left_semi")
