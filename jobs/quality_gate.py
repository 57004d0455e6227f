"""The data-quality gate between silver and gold: table checks on what silver holds now, and the drop ratios of the last run."""

from pyspark.sql import SparkSession

from jobs import delta_io, expectations
from jobs.silver.tables import tables_of
from medialake.settings import Settings


class QualityGateFailed(RuntimeError):
    """Silver is not fit to publish: the message lists every problem."""


def run_gate(spark: SparkSession, settings: Settings, domain: str, max_drop_ratio: float) -> list[str]:
    """Check the domain's silver tables; returns a report line per table, raises QualityGateFailed listing the problems."""
    report, problems = [], []
    present = [t for t in tables_of(domain) if delta_io.table_exists(spark, delta_io.table_path(settings, "silver", t.name))]
    if not present:
        raise QualityGateFailed(f"no silver tables of {domain} under {settings.lakehouse_dir!r}: run the silver step first")
    ratios = drop_ratios(spark, settings)
    for spec in present:
        df = delta_io.read_table(spark, delta_io.table_path(settings, "silver", spec.name))
        failed = [c for c in expectations.table_checks(df, spec.name, list(spec.keys), spec.min_rows) if c["failed"]]
        problems += [f"{spec.name}: {c['rule']} ({c['constraint']}) failed for {c['failed']} rows" for c in failed]
        rule, ratio = ratios.get(spec.name, ("", 0.0))
        if ratio > max_drop_ratio:
            problems.append(f"{spec.name}: drop rule {rule} rejected {ratio:.1%} of rows in the last run (limit {max_drop_ratio:.0%})")
        report.append(f"{spec.name}: {'FAILED' if failed else 'ok'}, worst drop rule {rule or '-'} {ratio:.2%}")
    if problems:
        raise QualityGateFailed("quality gate failed:\n  " + "\n  ".join(problems))
    return report


def drop_ratios(spark: SparkSession, settings: Settings) -> dict[str, tuple[str, float]]:
    """Per table, the drop rule that rejected the largest share of rows in that table's latest run."""
    path = delta_io.table_path(settings, "ops", "dq_results")
    if not delta_io.table_exists(spark, path):
        return {}
    rows = delta_io.read_table(spark, path).where("action = 'drop'").toPandas()
    if rows.empty:
        return {}
    latest = rows[rows.timestamp == rows.groupby("dataset").timestamp.transform("max")].copy()
    latest["ratio"] = latest.failed_records / (latest.passed_records + latest.failed_records).clip(lower=1)
    worst = latest.sort_values("ratio").groupby("dataset").tail(1)
    return {r.dataset: (r.name, float(r.ratio)) for r in worst.itertuples()}
