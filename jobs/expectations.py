"""Data-quality expectations with DLT semantics: warn keeps the row, drop quarantines it, fail stops the run."""

import json
from dataclasses import dataclass

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from jobs import delta_io
from jobs.keys import extra_rows_per_key, key_counts

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


def _failed_rules(expectations: list[Expectation], action: str):
    """Array column naming the rules of one action that this row fails."""
    checks = [F.when(~F.coalesce(F.expr(e.constraint), F.lit(False)), F.lit(e.name)) for e in expectations if e.action == action]
    if not checks:
        return F.array().cast("array<string>")
    return F.filter(F.array(*checks), lambda name: name.isNotNull())


def check(spark: SparkSession, df: DataFrame, table: str, rules: list[Expectation], staging: str) -> Checked:
    """Evaluate every rule once per row (materialised in a staging table), then split and count."""
    annotated = df.withColumn("_warned_rules", _failed_rules(rules, "warn"))
    annotated = annotated.withColumn("_failed_rules", F.concat(_failed_rules(rules, "fail"), _failed_rules(rules, "drop")))
    delta_io.overwrite(annotated, staging)
    staged = delta_io.read_table(spark, staging)
    results, rows, quarantined = _count(staged, table, rules)
    _raise_on_fail(staged, table, rules, results)
    valid = staged.where(F.size("_failed_rules") == 0).drop("_failed_rules", "_warned_rules")
    quarantine = staged.where(F.size("_failed_rules") > 0).drop("_warned_rules")
    return Checked(valid, quarantine, results, rows, quarantined)


def _count(staged: DataFrame, table: str, rules: list[Expectation]) -> tuple[list[dict], int, int]:
    """Passed and failed rows per rule, rows and rows to quarantine, in one aggregate (each further count is a scan)."""
    total = F.count(F.lit(1)).alias("_total")
    quarantined = F.sum((F.size("_failed_rules") > 0).cast("int")).alias("_quarantined")
    fails = [
        F.sum(F.array_contains(F.col("_warned_rules" if r.action == "warn" else "_failed_rules"), r.name).cast("int")).alias(r.name)
        for r in rules
    ]
    row = staged.agg(total, quarantined, *fails).collect()[0]
    results = [
        {
            "table": table,
            "rule": r.name,
            "action": r.action,
            "passed": row["_total"] - (row[r.name] or 0),
            "failed": row[r.name] or 0,
        }
        for r in rules
    ]
    return results, row["_total"], row["_quarantined"] or 0


def _raise_on_fail(staged: DataFrame, table: str, rules: list[Expectation], results: list[dict]) -> None:
    """Stop the run, with sample offending rows, when any fail rule has failures."""
    for rule, result in zip(rules, results, strict=False):
        if rule.action == "fail" and result["failed"]:
            sample = staged.where(F.array_contains("_failed_rules", rule.name)).drop("_failed_rules", "_warned_rules").limit(5)
            rows = [json.dumps(r.asDict(), default=str)[:400] for r in sample.collect()]
            raise ExpectationFailed(
                f"{table}: expectation '{rule.name}' ({rule.constraint}) failed for {result['failed']} rows; samples:\n" + "\n".join(rows)
            )


def table_checks(df: DataFrame, table: str, keys: list[str], min_rows: int) -> list[dict]:
    """Table-level checks: row count floor, no null keys, unique keys, from one aggregate over the key hashes (the
    duplicates counted exactly on the key columns only when some hash repeats)."""
    counts = key_counts(df, keys)
    rows = counts["rows"] or 0
    duplicates = extra_rows_per_key(df, keys) if counts["repeated"] else 0
    checks = [
        ("row_count_floor", f"count >= {min_rows}", 0 if rows >= min_rows else 1, 1),
        ("no_null_keys", f"{keys} not null", counts["null_keys"] or 0, rows),
        ("unique_keys", f"{keys} unique", duplicates, rows),
    ]
    return [
        {"table": table, "rule": name, "action": "fail", "passed": total - failed, "failed": failed, "constraint": what}
        for name, what, failed, total in checks
    ]
