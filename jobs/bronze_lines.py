"""Bronze for the formats whose records are single lines (ratings, links, tags, MovieLens movies, the CPI series), on
engines whose CSV parser reads quoted fields (JVM Spark, Databricks): the engine reads the file in splits with its text
reader, parses each line with Spark's CSV parser (`from_csv`) and numbers the lines from each split's count. Nothing
passes through one process, so a file of any size is read by every core of the cluster.

A file with any line that is not plainly one record of the header's width (a blank line, too few or too many RFC 4180
fields, a quote left open to the next line, a bad byte replaced, a NUL), where a line reader and the client parser
could differ, is parsed whole instead, as before; so both ways land the same records (tests compare them with the
client parser on every real and generated file).
"""

import weakref

from pyspark.errors import PySparkException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from jobs.raw_parse import bronze_columns
from jobs.sources import SourceFormat, canonical_names

SINGLE_LINE = frozenset({"ratings", "links", "tags", "movielens_movies", "cpi"})
# One RFC 4180 field that every parser reads alike: quoted (a quote inside doubled), or bare without quotes or line ends.
# U+FFFD is what the text reader makes of bad UTF-8 (Python replaces it differently), a NUL what Python's csv refuses.
FIELD = r'(?:"(?:[^"\x00\uFFFD]|"")*"|[^,"\r\n\x00\uFFFD]*)'
CSV_OPTIONS = {"escape": '"'}  # a doubled quote inside quotes is one quote; a backslash is a character, as in the client

# Apache Spark reads a whole file into one value of one task: within an executor's memory (a 678 MB file failed the
# local cluster's 2 GiB executors with "Java heap space") and never over 2 GiB. Larger files are read in splits only:
# listed without their bytes and fingerprinted line by line (fingerprint_by_lines).
WHOLE_FILE_BYTES = 256 << 20

# by session object: a Databricks cluster's classic session has no session_id
_parses_quotes: "weakref.WeakKeyDictionary[SparkSession, bool]" = weakref.WeakKeyDictionary()


def records(spark: SparkSession, path: str, fmt: SourceFormat, header: tuple[str, ...], key: str) -> DataFrame | None:
    """The file's bronze records read line by line by the engine, or None when the file must be parsed whole."""
    if fmt.name not in SINGLE_LINE or len(header) != len(fmt.required) or not parses_quoted_csv(spark):
        return None
    if not spark.read.text(path).where(~F.col("value").rlike(line_pattern(len(header)))).isEmpty():
        return None  # stops at the first such line
    return parsed(numbered_lines(spark, path).where(F.col("_record_number") > 0), fmt, header, key)


def parses_quoted_csv(spark: SparkSession) -> bool:
    """Whether the engine's from_csv reads a quoted comma as data (JVM Spark does; Sail 0.7.2 fails on it)."""
    if spark not in _parses_quotes:
        try:
            row = spark.range(1).select(F.from_csv(F.lit('"a,b",c'), "x string, y string", CSV_OPTIONS).alias("r")).first()
            _parses_quotes[spark] = (row.r.x, row.r.y) == ("a,b", "c")
        except PySparkException:
            _parses_quotes[spark] = False
    return _parses_quotes[spark]


def whole_file_limit(spark: SparkSession) -> int | None:
    """The size above which the engine reads a file in splits only; None on engines that read every file whole (Sail,
    in whose one-partition server a file of 678 MB lands in 2.5 GiB)."""
    return WHOLE_FILE_BYTES if parses_quoted_csv(spark) else None


def fingerprint_by_lines(spark: SparkSession, path: str) -> tuple[str, str]:
    """A file's fingerprint and first line, in one pass over its splits: its line count and two sums of 64-bit hashes
    of (number, line), so a line changed, moved or added changes it (line ends are not part of it)."""
    lines = numbered_lines(spark, path)
    number, line = F.col("_record_number"), F.col("line")
    wide = "decimal(38,0)"  # 26M hashes of 64 bits sum past a long
    row = lines.agg(
        F.count(F.lit(1)).alias("lines"), F.sum(F.xxhash64(number, line).cast(wide)).alias("a"),
        F.sum(F.xxhash64(line, number).cast(wide)).alias("b"), F.max(F.when(number == 0, line)).alias("first"),
    ).first()  # fmt: skip
    return f"lines:{row.lines}:{row.a}:{row.b}", row.first or ""


def line_pattern(width: int) -> str:
    """A line of exactly `width` fields (a BOM may open the header)."""
    return rf"^\uFEFF?{FIELD}(?:,{FIELD}){{{width - 1}}}$"


def numbered_lines(spark: SparkSession, path: str) -> DataFrame:
    """The file's lines with their number from 0 (the header): a line's place in its split plus the lines of the splits
    before it, counted in the same query (the splits of one file are numbered in offset order)."""
    split = F.spark_partition_id()
    at = F.monotonically_increasing_id() - F.shiftleft(split.cast("long"), 33)  # the id is the split's index << 33 + place
    lines = spark.read.text(path).select(F.col("value").alias("line"), split.alias("split"), at.alias("at"))
    sizes = lines.groupBy("split").agg(F.count(F.lit(1)).alias("lines"))
    before = sizes.select(F.col("split").alias("earlier"), F.col("lines").alias("earlier_lines"))
    # a join, not a running-sum window, which has no partition to run in and warns on the user's terminal
    starts = sizes.join(before, F.col("earlier") < F.col("split"), "left").groupBy("split")
    starts = starts.agg(F.coalesce(F.sum("earlier_lines"), F.lit(0)).alias("start"))
    return lines.join(F.broadcast(starts), "split").select("line", (F.col("start") + F.col("at")).alias("_record_number"))


def parsed(lines: DataFrame, fmt: SourceFormat, header: tuple[str, ...], key: str) -> DataFrame:
    """Lines of the header's width as bronze records: each field a string (empty, never null), no extras, none malformed."""
    record = F.from_csv("line", ", ".join(f"c{i} string" for i in range(len(header))), CSV_OPTIONS)
    position = {name: i for i, name in enumerate(canonical_names(fmt, list(header)))}
    values = [F.coalesce(F.col("r").getField(f"c{position[name]}"), F.lit("")).alias(name) for name in bronze_columns(fmt.name)]
    nothing = F.lit(None).cast("string")
    return lines.select(record.alias("r"), "_record_number").select(
        *values, "_record_number", nothing.alias("_extra_json"), nothing.alias("_malformed"), F.lit(key).alias("_source_file")
    )
