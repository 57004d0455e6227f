"""Bronze for the formats whose records are single lines (ratings, links, tags, MovieLens movies, the CPI series), on
engines whose CSV parser reads quoted fields (JVM Spark, Databricks): the engine reads the file in splits with its text
reader, parses each line with Spark's CSV parser (`from_csv`) and numbers the lines from each split's count. Nothing
passes through one process, so a file of any size is read by every core of the cluster.

A file with any line that is not plainly one record of the header's width (a blank line, too few or too many RFC 4180
fields, a quote left open to the next line, a bad byte replaced, a NUL), where a line reader and the client parser
could differ, is parsed whole instead, as before; so both ways land the same records (tests compare them with the
client parser on every real and generated file).
"""

from pyspark.errors import PySparkException
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from jobs.raw_parse import bronze_columns
from jobs.sources import SourceFormat, canonical_names

SINGLE_LINE = frozenset({"ratings", "links", "tags", "movielens_movies", "cpi"})
# One RFC 4180 field that every parser reads alike: quoted (a quote inside doubled), or bare without quotes or line ends.
# U+FFFD is what the text reader makes of bad UTF-8 (Python replaces it differently), a NUL what Python's csv refuses.
FIELD = r'(?:"(?:[^"\x00\uFFFD]|"")*"|[^,"\r\n\x00\uFFFD]*)'
CSV_OPTIONS = {"escape": '"'}  # a doubled quote inside quotes is one quote; a backslash is a character, as in the client

_parses_quotes: dict[str, bool] = {}


def records(spark: SparkSession, path: str, fmt: SourceFormat, header: tuple[str, ...], key: str) -> DataFrame | None:
    """The file's bronze records read line by line by the engine, or None when the file must be parsed whole."""
    if fmt.name not in SINGLE_LINE or len(header) != len(fmt.required) or not parses_quoted_csv(spark):
        return None
    if not spark.read.text(path).where(~F.col("value").rlike(line_pattern(len(header)))).isEmpty():
        return None  # stops at the first such line
    return parsed(numbered_lines(spark, path).where(F.col("_record_number") > 0), fmt, header, key)


def parses_quoted_csv(spark: SparkSession) -> bool:
    """Whether the engine's from_csv reads a quoted comma as data (JVM Spark does; Sail 0.7.2 fails on it)."""
    if spark.session_id not in _parses_quotes:
        try:
            row = spark.range(1).select(F.from_csv(F.lit('"a,b",c'), "x string, y string", CSV_OPTIONS).alias("r")).first()
            _parses_quotes[spark.session_id] = (row.r.x, row.r.y) == ("a,b", "c")
        except PySparkException:
            _parses_quotes[spark.session_id] = False
    return _parses_quotes[spark.session_id]


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
    starts = sizes.select("split", (F.sum("lines").over(Window.orderBy("split")) - F.col("lines")).alias("start"))
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
