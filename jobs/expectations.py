"""Data-quality expectations with DLT semantics: warn keeps the row, drop quarantines it, fail stops the run."""

import json
from dataclasses import dataclass, field

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
    table_results: list[dict] = field(default_factory=list)  # the table checks of the valid rows, when keys were given


def _failed_rules(expectations: list[Expectation], action: str):
    """Array column naming the rules of one action that this row fails."""
    checks = [F.when(~F.coalesce(F.expr(e.constraint), F.lit(False)), F.lit(e.name)) for e in expectations if e.action == action]
    if not checks:
        return F.array().cast("array<string>")
    return F.filter(F.array(*checks), lambda name: name.isNotNull())


def check(spark: SparkSession, df: DataFrame, table: str, rules: list[Expectation], staging: str, keys: tuple[str, ...] = (),
          min_rows: int = 0) -> Checked:  # fmt: skip
    """Evaluate every rule once per row (materialised in a staging table), then split and count; with keys, the table
    checks of the valid rows come from the same aggregate."""
    annotated = df.withColumn("_warned_rules", _failed_rules(rules, "warn"))
    annotated = annotated.withColumn("_failed_rules", F.concat(_failed_rules(rules, "fail"), _failed_rules(rules, "drop")))
    delta_io.overwrite(annotated, staging)
    staged = delta_io.read_table(spark, staging)
    counts = _count(staged, rules, list(keys))
    results = _rule_results(counts, table, rules)
    _raise_on_fail(staged, table, rules, results)
    valid = staged.where(F.size("_failed_rules") == 0).drop("_failed_rules", "_warned_rules")
    quarantine = staged.where(F.size("_failed_rules") > 0).drop("_warned_rules")
    checks = _table_results(valid, table, list(keys), min_rows, counts) if keys else []
    return Checked(valid, quarantine, results, counts["_total"] or 0, counts["_quarantined"] or 0, checks)


def _count(staged: DataFrame, rules: list[Expectation], keys: list[str]) -> dict:
    """Rows, rows to quarantine and failed rows per rule (by position), plus the valid rows' key counts when keys are
    given, in one aggregate (each further count is a scan)."""
    flags = {"_total": F.lit(True), "_quarantined": F.size("_failed_rules") > 0}
    flags |= {f"_rule{i}": F.array_contains(F.col("_warned_rules" if r.action == "warn" else "_failed_rules"), r.name)
              for i, r in enumerate(rules)}  # fmt: skip
    if keys:
        return key_counts(staged, keys, F.size("_failed_rules") == 0, flags).asDict()
    return staged.agg(*[F.sum(flag.cast("long")).alias(name) for name, flag in flags.items()]).collect()[0].asDict()


def _rule_results(counts: dict, table: str, rules: list[Expectation]) -> list[dict]:
    """Passed and failed rows per rule."""
    total = counts["_total"] or 0
    failed = [counts[f"_rule{i}"] or 0 for i in range(len(rules))]
    return [{"table": table, "rule": r.name, "action": r.action, "passed": total - f, "failed": f} for r, f in zip(rules, failed, strict=True)]


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
    """Table-level checks: row count floor, no null keys, unique keys, from one aggregate over the key hashes."""
    return _table_results(df, table, keys, min_rows, key_counts(df, keys).asDict())


def _table_results(df: DataFrame, table: str, keys: list[str], min_rows: int, counts: dict) -> list[dict]:
    """The table checks from the key counts of df's rows; duplicates are counted exactly on the key columns only when
    some key hash repeats."""
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
