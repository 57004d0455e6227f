"""Data-quality expectations with DLT semantics: warn keeps the row, drop quarantines it, fail stops the run."""

import json
from dataclasses import dataclass, field

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from jobs import delta_io
from jobs.keys import (
    KEY_HASH,
    any_null,
    extra_rows_among,
    extra_rows_per_key,
    first_of_repeated,
    key_counts,
    repeated_in,
    with_hashes,
    with_key_hash,
    without_hashes,
)

ACTIONS = ("warn", "drop", "fail")


@dataclass(frozen=True)
class Expectation:
    """A named SQL constraint a row must satisfy; a NULL result counts as a failure."""

    name: str
    constraint: str
    action: str = "warn"

    def __post_init__(self):
        if self.action not in ACTIONS:
            raise ValueError(f"expectation {self.name}: action must be one of {ACTIONS}, got {self.action!r}")


class ExpectationFailed(RuntimeError):
    """A fail-action expectation was breached; nothing of the run is published."""


@dataclass
class Checked:
    """The outcome of checking a DataFrame: valid rows, quarantined rows, per-rule counts."""

    valid: DataFrame
    quarantine: DataFrame
    results: list[dict]
    rows: int = 0  # rows checked
    quarantined: int = 0  # rows failing a drop or fail rule
    table_results: list[dict] = field(default_factory=list)  # the key checks of the valid rows, when keys were given


# A row's failed rules are kept in staging as two bitmasks (bit i: the table's rule i), not arrays of names: on 27.8M
# ratings the staging write took 1-1.8 s less and the counts 0.2 s instead of 1.3 s (docs/performance.md).
MAX_RULES = 63


def _mask(rules: list[Expectation], actions: tuple[str, ...]) -> Column:
    """A long whose bit i is set when this row fails rule i (of one of these actions); a NULL result is a failure."""
    bits = [F.when(~F.coalesce(F.expr(r.constraint), F.lit(False)), F.lit(1 << i)).otherwise(F.lit(0))
            for i, r in enumerate(rules) if r.action in actions]  # fmt: skip
    return sum(bits, F.lit(0)).cast("long")


def _has(mask: str, index: int) -> Column:
    """Whether bit `index` of a mask column is set."""
    return F.col(mask).bitwiseAND(F.lit(1 << index)) != 0


def _failed_rules(rules: list[Expectation]) -> Column:
    """The names of the fail, then drop rules a staged row fails, each action in declaration order."""
    order = [i for i, r in enumerate(rules) if r.action == "fail"] + [i for i, r in enumerate(rules) if r.action == "drop"]
    if not order:
        return F.array().cast("array<string>")
    return F.filter(F.array(*[F.when(_has("_failed_mask", i), F.lit(rules[i].name)) for i in order]), lambda name: name.isNotNull())


def check(spark: SparkSession, df: DataFrame, table: str, rules: list[Expectation], staging: str, keys: tuple[str, ...] = (),
          keep_first_by: str = "", min_rows: int = 1) -> Checked:  # fmt: skip
    """Evaluate every rule once per row (materialised in a staging table with each row's key hash), keep the first row
    per key by the SQL `keep_first_by` when given, then split and count; with keys, also the table's key checks."""
    if len(rules) > MAX_RULES:
        raise ValueError(f"{table}: {len(rules)} expectations; at most {MAX_RULES} per table")
    keys = list(keys)
    staged = _stage(spark, df, rules, keys, staging)
    kept, repeats = _first_per_key(staged, keys, keep_first_by)
    results, rows, quarantined, null_keys = _count(kept, table, rules, keys)
    _raise_on_fail(kept, table, rules, results)
    table_results = []
    if keys:  # valid rows are a subset of the staged ones: only those whose key hash repeats there can share a key
        duplicates = 0 if repeats is None else extra_rows_among(repeats.where(F.col("_failed_mask") == 0), keys)
        table_results = key_results(table, keys, min_rows, rows - quarantined, null_keys, duplicates)
    valid = _unmarked(kept.where(F.col("_failed_mask") == 0))
    quarantine = kept.where(F.col("_failed_mask") != 0).withColumn("_failed_rules", _failed_rules(rules))
    return Checked(valid, _unmarked(quarantine), results, rows, quarantined, table_results)


def _first_per_key(staged: DataFrame, keys: list[str], keep_first_by: str) -> tuple[DataFrame, DataFrame | None]:
    """The staged rows to keep (the first per key by keep_first_by, when given) and those of them whose key hash
    repeats among the staged rows (None when no hash repeats). A hash held once is surely a unique key, so only the
    few repeated ones are ranked: on 27.8M ratings 13 s for the whole silver step against 15-17 s when ranked before
    staging (three scans of the typed bronze, then a recount of the keys; docs/performance.md)."""
    repeated = repeated_in(staged) if keys else None
    if repeated is None:
        return staged, None
    if not keep_first_by:
        return staged, with_hashes(staged, repeated)
    firsts = first_of_repeated(staged, keys, keep_first_by, repeated)
    return without_hashes(staged, repeated).select(*staged.columns).unionByName(firsts), firsts


def _unmarked(rows: DataFrame) -> DataFrame:
    """The rows without the staging's rule masks and key hash."""
    return rows.drop(*[c for c in ("_failed_mask", "_warned_mask", KEY_HASH) if c in rows.columns])


def _stage(spark: SparkSession, df: DataFrame, rules: list[Expectation], keys: list[str], staging: str) -> DataFrame:
    """Write the rows with their rule bitmasks (and key hash, with keys) to the staging table; read it back."""
    annotated = with_key_hash(df, keys) if keys else df
    annotated = annotated.withColumn("_warned_mask", _mask(rules, ("warn",))).withColumn("_failed_mask", _mask(rules, ("fail", "drop")))
    delta_io.overwrite(annotated, staging)
    return delta_io.read_table(spark, staging)


def _count(staged: DataFrame, table: str, rules: list[Expectation], keys: list[str]) -> tuple[list[dict], int, int, int]:
    """Passed and failed rows per rule, rows, rows to quarantine and valid rows with a NULL key, in one aggregate (each
    further count is a scan)."""
    total = F.count(F.lit(1)).alias("_total")
    quarantined = F.sum((F.col("_failed_mask") != 0).cast("long")).alias("_quarantined")
    null_keys = F.sum((any_null(keys) & (F.col("_failed_mask") == 0)).cast("long")) if keys else F.lit(0)
    fails = [F.sum(_has("_warned_mask" if r.action == "warn" else "_failed_mask", i).cast("long")).alias(f"_rule{i}")
             for i, r in enumerate(rules)]  # fmt: skip
    row = staged.agg(total, quarantined, null_keys.alias("_null_keys"), *fails).collect()[0]
    failed = [row[f"_rule{i}"] or 0 for i in range(len(rules))]
    results = [
        {"table": table, "rule": r.name, "action": r.action, "passed": row["_total"] - f, "failed": f}
        for r, f in zip(rules, failed, strict=True)
    ]
    return results, row["_total"], row["_quarantined"] or 0, row["_null_keys"] or 0


def _raise_on_fail(staged: DataFrame, table: str, rules: list[Expectation], results: list[dict]) -> None:
    """Stop the run, with sample offending rows, when any fail rule has failures."""
    for i, (rule, result) in enumerate(zip(rules, results, strict=True)):
        if rule.action == "fail" and result["failed"]:
            sample = _unmarked(staged.where(_has("_failed_mask", i))).limit(5)
            rows = [json.dumps(r.asDict(), default=str)[:400] for r in sample.collect()]
            raise ExpectationFailed(
                f"{table}: expectation '{rule.name}' ({rule.constraint}) failed for {result['failed']} rows; samples:\n" + "\n".join(rows)
            )


def table_checks(df: DataFrame, table: str, keys: list[str], min_rows: int) -> list[dict]:
    """Table-level checks: row count floor, no null keys, unique keys, from one aggregate over the key hashes (the
    duplicates counted exactly on the key columns only when some hash repeats)."""
    counts = key_counts(df, keys)
    duplicates = extra_rows_per_key(df, keys) if counts["repeated"] else 0
    return key_results(table, keys, min_rows, counts["rows"] or 0, counts["null_keys"] or 0, duplicates)


def key_results(table: str, keys: list[str], min_rows: int, rows: int, null_keys: int, duplicates: int) -> list[dict]:
    """The table-level checks as results: row count floor, no NULL keys, unique keys (all fail rules)."""
    checks = [
        ("row_count_floor", f"count >= {min_rows}", 0 if rows >= min_rows else 1, 1),
        ("no_null_keys", f"{keys} not null", null_keys, rows),
        ("unique_keys", f"{keys} unique", duplicates, rows),
    ]
    return [
        {"table": table, "rule": name, "action": "fail", "passed": total - failed, "failed": failed, "constraint": what}
        for name, what, failed, total in checks
    ]
