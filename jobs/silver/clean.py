"""Column cleaners shared by the silver tables (plain Spark functions, no UDFs)."""

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from jobs.keys import KEY_HASH, first_rows, split_by_repetition

MISSING = ("", "NA", "nan", "NaN", "None", "null", "NULL")


def text(col: str) -> Column:
    """Trimmed text with NA/nan/None as NULL, HTML entities decoded, b'...' reprs unwrapped, U+FFFD dropped."""
    c = F.trim(F.col(col))
    c = F.regexp_replace(c, r"^b'(.*)'$", "$1")
    c = F.regexp_replace(c, r'^b"(.*)"$', "$1")
    for entity, char in (("&amp;", "&"), ("&#039;", "'"), ("&#39;", "'"), ("&quot;", '"'), ("&lt;", "<"), ("&gt;", ">")):
        c = F.replace(c, F.lit(entity), F.lit(char))
    c = F.regexp_replace(c, "\ufffd", "")
    return F.when(c.isin(*MISSING), None).otherwise(c)


def number(col: str, kind: str = "double") -> Column:
    """try_cast of a string column; NaN becomes NULL so range rules never see it."""
    c = F.expr(f"try_cast(`{col}` AS {kind})")
    return F.when(F.isnan(c), None).otherwise(c) if kind in ("double", "float") else c


def positive(col: str, kind: str = "double") -> Column:
    """A number where 0 (or less) means unknown, as in budgets, revenues, runtimes and MSD years."""
    c = number(col, kind)
    return F.when(c > 0, c)


def any_date(col: str) -> Column:
    """A date from YYYY, YYYY-MM or YYYY-MM-DD (missing parts become 1)."""
    c = F.trim(F.col(col))
    full = F.when(F.length(c) == 4, F.concat(c, F.lit("-01-01"))).when(F.length(c) == 7, F.concat(c, F.lit("-01"))).otherwise(c)
    return F.when(c.rlike(r"^\d{4}(-\d{2}(-\d{2})?)?$"), full).try_cast("date")


def date_precision(col: str) -> Column:
    """year, month or day: how much of a date the source gave."""
    c = F.trim(F.col(col))
    return F.when(c.rlike(r"^\d{4}-\d{2}-\d{2}$"), "day").when(c.rlike(r"^\d{4}-\d{2}$"), "month").when(c.rlike(r"^\d{4}$"), "year")


def json_names(col: str) -> Column:
    """Names from a real JSON list of {"id", "name"} objects (TMDB 5000)."""
    parsed = F.from_json(F.col(col), "array<struct<id:bigint,name:string>>")
    return F.coalesce(F.transform(parsed, lambda x: x["name"]), F.array().cast("array<string>"))


def literal_names(col: str) -> Column:
    """Names from a Python-literal list ([{'id': 16, 'name': 'Animation'}]; names with ' are in double quotes)."""
    names = F.regexp_extract_all(F.col(col), F.lit(r"""'name': ["'](.*?)["'](?:,|\})"""), 1)
    return F.coalesce(names, F.array().cast("array<string>"))


def first_per_key(df: DataFrame, keys: list[str], order_by: str) -> DataFrame:
    """Keep one row per key: the first by the SQL `order_by`. Rows with a NULL key are all kept, so that their rules
    send each of them to quarantine. Only the rows whose key may repeat go through the window (a sort); on Sail 0.7.2
    with 27.8M ratings: 12.5 s and 3.1 GiB against 48.5 s for the window over every row (docs/performance.md). A
    table's own rule is its keep_first_by, applied by the pipeline after staging (jobs/expectations.check)."""
    split = split_by_repetition(df, keys)
    if split is None:
        return df
    single, several = split
    return single.unionByName(first_rows(several, keys, order_by)).drop(KEY_HASH)


LINEAGE = ["_source_file", "_record_number"]
FIRST_RECORD = "_source_file, _record_number"  # a keep_first_by: the first record of the first file by path


def union_all(parts: list[DataFrame]) -> DataFrame | None:
    """The parts stacked by column name; None when there are none."""
    if not parts:
        return None
    union = parts[0]
    for part in parts[1:]:
        union = union.unionByName(part)
    return union
