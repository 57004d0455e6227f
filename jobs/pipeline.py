"""The ETL: raw files -> bronze -> silver (with expectations and quarantine) -> gold, all or nothing."""

import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from jobs import bronze, delta_io, expectations
from jobs.all_or_nothing import exclusive_run
from jobs.dependency_order import run_in_dependency_order
from jobs.release import publish
from jobs.silver.tables import SILVER, DeclaredSources, SilverTable
from jobs.sources import FORMATS, SourceFormat, UnknownFormatError, accepted_headers, detect_format
from jobs.spark import embedded_sail, whole_file_session
from medialake.gold import gold_tables
from medialake.log import RUN_ID, get_logger, log_event
from medialake.settings import Settings
from medialake.tables import Table

log = get_logger("medialake.etl")


@dataclass
class TableStats:
    """What one table step did."""

    table: str
    rows_in: int = 0
    rows_written: int = 0
    rows_quarantined: int = 0
    rule_failures: int = 0
    seconds: float = 0.0
    results: list = field(default_factory=list)
    finished: float = field(default_factory=time.time)  # when the step ended (epoch seconds)


RANGE_BYTES = 16 << 20  # the least a byte range of a raw file parsed in ranges holds (jobs/bronze_ranges.py)
NAME_WIDTH = 56  # the widest table column of the summary: longer names (a bronze step's is table <- raw file) lose their middle


def fit(text: str, width: int) -> str:
    """The text in at most width characters: a longer one keeps its start (the table) and end (the file) around '...'."""
    if len(text) <= width:
        return text
    head = (width - 3) // 2
    return text[:head] + "..." + text[len(text) - (width - 3 - head) :]


@dataclass
class RunSummary:
    """The outcome of one ETL run."""

    run_id: str
    tables: list[TableStats] = field(default_factory=list)
    dq_results: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)  # raw files of no accepted format (ops.unknown_files rows)

    def render(self) -> str:
        """A fixed-width table for the terminal, then the raw files skipped as unrecognised."""
        width = min(max([len("table")] + [len(t.table) for t in self.tables]), NAME_WIDTH)
        head = f"{'table':{width}} {'rows in':>10} {'written':>10} {'quarantined':>11} {'rule fails':>10} {'seconds':>8}"
        lines = [head, "-" * len(head)]
        for t in self.tables:
            lines.append(
                f"{fit(t.table, width):{width}} {t.rows_in:>10} {t.rows_written:>10} {t.rows_quarantined:>11} "
                f"{t.rule_failures:>10} {t.seconds:>8.2f}"
            )
        if self.skipped:
            lines += ["", f"skipped {len(self.skipped)} raw file(s) of no accepted format (ops.unknown_files):"]
            lines += [f"  {s['source_file']}: {s['reason']}; header {s['header']}" for s in self.skipped]
        return "\n".join(lines)


def run_etl(spark: SparkSession, settings: Settings) -> RunSummary:
    """Run every layer; on any failure restore every table to its version before the run, then re-raise."""
    summary = RunSummary(RUN_ID)
    with atomic(spark, settings, summary) as run_id:
        build_all(spark, settings, batch_id_for(settings), summary)
        publish(spark, settings, run_id)
    return summary


def build_all(spark: SparkSession, settings: Settings, batch_id: str, summary: RunSummary) -> None:
    """Every layer: on the embedded engine as one graph of tables (build_layers); on a JVM engine layer by layer,
    silver one table at a time. JDK 17's java.lang.invoke can race when its driver first runs new query shapes side by
    side ("NoSuchMethodException: no such method: java.lang.invoke.MethodHandle.linkToStatic", as in
    dragonwell-project/dragonwell17#60): it failed a full test run once with silver beside bronze, where bronze and gold
    tables side by side never had."""
    if embedded_sail(settings):
        return build_layers(spark, settings, batch_id, summary)
    sources = land_bronze(spark, settings, batch_id, summary)
    build_silver(spark, settings, sources, summary)
    build_gold(spark, settings, sources, summary)


def build_layers(spark: SparkSession, settings: Settings, batch_id: str, summary: RunSummary) -> None:
    """Bronze, silver and gold as one graph, MEDIALAKE_PARALLEL_TABLES tables at once, each table once the tables it
    reads are written: a silver table waits for its own bronze tables only and a gold table for its own silver tables,
    so the small tables are built while the largest file lands. The summary lists them layer by layer as one at a
    time would; the ledger is written once every file has landed."""
    with whole_file_session(spark, settings) as reader:
        files, landed = files_to_land(reader, settings, summary, "all")
        nodes, done = layer_graph(spark, reader, settings, batch_id, files_by_table(files), landed), {}
        try:
            run_in_dependency_order(list(nodes), {name: after for name, (after, _) in nodes.items()}, lambda name: nodes[name][1](),
                                    settings.parallel_tables, done)  # fmt: skip
        finally:
            outcomes = [outcome for name in nodes if name[0] == "bronze" and name in done for outcome in done[name]]
            ingested = summarise_landing(summary, outcomes)
            summarise_tables(summary, [done[name] for name in nodes if name[0] != "bronze" and done.get(name) is not None])
        record_landed(reader, delta_io.table_path(settings, "ops", "ingested_files"), ingested, batch_id)


def layer_graph(spark: SparkSession, reader: SparkSession, settings: Settings, batch_id: str, groups: list, landed: set) -> dict:
    """Each table of the run as (the tables it waits for, how it is built): the bronze tables of the files found, then
    every silver and gold table (one whose sources are absent builds nothing)."""
    sources: dict = {}
    nodes = {("bronze", group[0][2].name): (set(), partial(bronze_table, spark, reader, settings, batch_id, group, landed, sources))
             for group in groups}  # fmt: skip
    for spec in SILVER:
        after = {("bronze", n) for n in spec.needs if ("bronze", n) in nodes} | {("silver", n) for n in silver_reads(spec)}
        nodes[("silver", spec.name)] = (after, partial(silver_view, spark, settings, spec, sources))
    for table in gold_tables("all"):
        nodes[("gold", table.name)] = ({("silver", n) for n in table.needs}, partial(gold_table, spark, settings, table, sources))
    return nodes


def bronze_table(
    spark: SparkSession, reader: SparkSession, settings: Settings, batch_id: str, group: list, landed: set, sources: dict
) -> list:
    """Land one bronze table's files in listing order (this thread alone: a table never has two writers); then it is a
    source. Returns each file's outcome."""
    outcomes = land_table_files(reader, settings, batch_id, group, landed)
    name = group[0][2].name
    sources[name] = delta_io.read_table(spark, delta_io.table_path(settings, "bronze", name))
    return outcomes


def silver_view(spark: SparkSession, settings: Settings, spec: SilverTable, sources: dict) -> TableStats | None:
    """Build one silver table; then the gold queries read it as a view of its name."""
    stats = silver_table(spark, settings, spec, sources)
    if stats is not None:
        sources[f"silver.{spec.name}"].createOrReplaceTempView(spec.name)
    return stats


def gold_table(spark: SparkSession, settings: Settings, table: Table, sources: dict) -> TableStats | None:
    """Write one gold table when every silver table it needs is there (None otherwise)."""
    return write_gold(spark, settings, table) if all(sources.get(f"silver.{n}") is not None for n in table.needs) else None


def run_step(spark: SparkSession, settings: Settings, step: str, domain: str = "all") -> RunSummary:
    """One layer of one domain (a job task): bronze, silver or gold, all or nothing."""
    summary = RunSummary(RUN_ID)
    with atomic(spark, settings, summary) as run_id:
        if step == "bronze":
            land_bronze(spark, settings, batch_id_for(settings), summary, domain)
        elif step == "silver":
            build_silver(spark, settings, bronze_sources(spark, settings, domain), summary)
        elif step == "gold":
            build_gold(spark, settings, silver_sources(spark, settings), summary, domain)
            publish(spark, settings, run_id)
        else:
            raise ValueError(f"unknown step {step!r}: expected bronze, silver or gold")
    return summary


def batch_id_for(settings: Settings) -> str:
    """The configured batch id, else the UTC time."""
    return settings.batch_id or time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())


@contextmanager
def atomic(spark: SparkSession, settings: Settings, summary: RunSummary):
    """One writer at a time; on any failure every table goes back to its version before the block; DQ results kept.
    Yields the run's id (the writer slot's holder, and the name of the release it publishes)."""
    run_id = f"{RUN_ID}#{uuid.uuid4().hex[:8]}"
    with exclusive_run(spark, settings, run_id, after=lambda: record_dq(spark, settings, summary)):
        yield run_id


def land_bronze(spark: SparkSession, settings: Settings, batch_id: str, summary: RunSummary, domain: str = "all") -> dict[str, DataFrame]:
    """Ingest every recognised raw file (of one domain, or all) not landed before; return the bronze tables by format name.
    A file of no accepted format is skipped and recorded (or fails the run when MEDIALAKE_UNKNOWN_FILES=fail)."""
    with whole_file_session(spark, settings) as reader:
        formats = land_files(reader, settings, batch_id, summary, domain)
    return {name: delta_io.read_table(spark, delta_io.table_path(settings, "bronze", name)) for name in formats}


def land_files(spark: SparkSession, settings: Settings, batch_id: str, summary: RunSummary, domain: str) -> list[str]:
    """land_bronze on the session that reads whole files; returns the formats of the files found."""
    files, landed = files_to_land(spark, settings, summary, domain)
    land_group = partial(land_table_files, spark, settings, batch_id, landed=landed)
    with ThreadPoolExecutor(settings.parallel_tables, thread_name_prefix="bronze") as pool:
        outcomes = [outcome for group in pool.map(land_group, files_by_table(files)) for outcome in group]
    record_landed(spark, delta_io.table_path(settings, "ops", "ingested_files"), summarise_landing(summary, outcomes), batch_id)
    return sorted({fmt.name for _, fmt in files})


def files_to_land(spark: SparkSession, settings: Settings, summary: RunSummary, domain: str) -> tuple[list, set]:
    """The raw files of an accepted format (of one domain, or all) with their format, and the fingerprints of the
    files landed before; files of no accepted format are skipped and recorded (or fail the run)."""
    listed, unknown = recognise(bronze.list_raw_files(spark, settings.raw_dir, local=embedded_sail(settings)))
    skip_unknown_files(spark, settings, unknown, summary)
    files = [(raw, fmt) for raw, fmt in listed if domain in ("all", fmt.domain)]
    if not files:
        skipped = f"; {len(unknown)} file(s) of no accepted format skipped: {[e.path for _, e in unknown][:5]}" if unknown else ""
        raise FileNotFoundError(
            f"no raw CSV files{'' if domain == 'all' else ' of ' + domain} under {settings.raw_dir!r} "
            f"(set MEDIALAKE_RAW_DIR or run make datagen){skipped}"
        )
    ledger_rows = delta_io.read_if_exists(spark, delta_io.table_path(settings, "ops", "ingested_files"))
    return files, set() if ledger_rows is None else set(ledger_rows.select("fingerprint").toPandas().fingerprint)


def summarise_landing(summary: RunSummary, outcomes: list) -> list[tuple[bronze.RawFile, int]]:
    """Each file's stats into the summary in listing order; returns the files landed with their records."""
    ingested = []
    for _, raw, rows, stats in sorted(outcomes, key=lambda outcome: outcome[0]):
        summary.tables.append(stats)
        ingested += [(raw, rows)] if rows is not None else []
    return ingested


def summarise_tables(summary: RunSummary, written: list[TableStats]) -> None:
    """Tables written into the summary, with their DQ results."""
    for stats in written:
        summary.tables.append(stats)
        summary.dq_results.extend(stats.results)


def files_by_table(files: list[tuple[bronze.RawFile, SourceFormat]]) -> list[list[tuple[int, bronze.RawFile, SourceFormat]]]:
    """The files numbered in listing order, grouped by the bronze table they land in."""
    groups: dict[str, list] = {}
    for index, (raw, fmt) in enumerate(files):
        groups.setdefault(fmt.name, []).append((index, raw, fmt))
    return list(groups.values())


def land_table_files(spark: SparkSession, settings: Settings, batch_id: str, group: list, landed: set) -> list:
    """One table's files, in listing order, by this thread alone (a table never has two writers): each file's outcome."""
    return [land_file(spark, settings, batch_id, *item, landed) for item in group]


def land_file(spark: SparkSession, settings: Settings, batch_id: str, index: int, raw: bronze.RawFile, fmt: SourceFormat, landed: set):
    """Land one raw file unless its fingerprint is in `landed`: (index, file, rows landed or None, its stats)."""
    started, name = time.time(), f"bronze.{fmt.name} <- {raw.source_key}"
    if raw.fingerprint in landed:
        log_event(log, "bronze file already landed, skipped", file=raw.source_key, format=fmt.name)
        return index, raw, None, TableStats(name, 0, 0, 0, 0, time.time() - started)
    table = delta_io.table_path(settings, "bronze", fmt.name)
    # the embedded engine's Python workers open raw files themselves: a large one is parsed by one per core, each
    # range of at least RANGE_BYTES (a Python worker per few megabytes would cost more than it parses)
    ranges = min(os.cpu_count() or 1, raw.size // RANGE_BYTES) if embedded_sail(settings) else 0
    rows = bronze.ingest_file(spark, raw, fmt, table, batch_id, settings.raw_dir, settings.split_read_bytes, ranges)
    landed.add(raw.fingerprint)
    log_event(log, "bronze file landed", file=raw.source_key, format=fmt.name, rows=rows, seconds=round(time.time() - started, 2))
    return index, raw, rows, TableStats(name, rows, rows, 0, 0, time.time() - started)


def record_landed(spark: SparkSession, ledger: str, ingested: list[tuple[bronze.RawFile, int]], batch_id: str) -> None:
    """Append the files landed, with their records, to ops/ingested_files in one commit (a run that fails before is
    undone whole, its bronze rows with it, so a row a file would add no safety)."""
    if not ingested:
        return
    rows = [(raw.source_key, raw.fingerprint, raw.size, records, batch_id, RUN_ID) for raw, records in ingested]
    df = spark.createDataFrame(rows, "source_file string, fingerprint string, bytes long, records long, batch_id string, run_id string")
    delta_io.append(df.withColumn("ingested_at", F.current_timestamp()), ledger)


def recognise(raws: list[bronze.RawFile]) -> tuple[list, list]:
    """The listed files with their format, and apart the files of no accepted format with the error saying why."""
    known, unknown = [], []
    for raw in raws:
        try:
            known.append((raw, detect_format(list(raw.header), raw.source_key)))
        except UnknownFormatError as error:
            unknown.append((raw, error))
    return known, unknown


def skip_unknown_files(spark: SparkSession, settings: Settings, unknown: list, summary: RunSummary) -> None:
    """Log each unrecognised file; then fail on the first (MEDIALAKE_UNKNOWN_FILES=fail, before anything is written)
    or record them in ops/unknown_files and the run summary, so one odd file does not sink the files next to it."""
    for raw, error in unknown:
        fields = {"file": raw.source_key, "header": error.header[:12], "reason": error.reason, "action": settings.unknown_files}
        log.warning("raw file of no accepted format", extra={"fields": fields})
    if unknown and settings.unknown_files == "fail":
        raw, error = unknown[0]
        raise UnknownFormatError(raw.source_key, error.header, f"{error.reason}; MEDIALAKE_UNKNOWN_FILES=fail stops the run")
    rows = [(raw.source_key, raw.fingerprint, raw.size, ",".join(error.header), error.reason, accepted_headers(), RUN_ID)
            for raw, error in unknown]  # fmt: skip
    summary.skipped.extend({"source_file": r[0], "header": r[3], "reason": r[4]} for r in rows)
    record_unknown(spark, delta_io.table_path(settings, "ops", "unknown_files"), rows)


def record_unknown(spark: SparkSession, path: str, rows: list[tuple]) -> None:
    """Append the unrecognised files not recorded before (same path and bytes): a rerun adds no duplicate."""
    seen = set()
    if rows and delta_io.table_exists(spark, path):
        seen = {(r.source_file, r.fingerprint) for r in delta_io.read_table(spark, path).select("source_file", "fingerprint").collect()}
    new = [r for r in rows if (r[0], r[1]) not in seen]
    if not new:
        return
    schema = "source_file string, fingerprint string, bytes long, header string, reason string, accepted_headers string, run_id string"
    delta_io.append(spark.createDataFrame(new, schema).withColumn("seen_at", F.current_timestamp()), path)


def build_silver(spark: SparkSession, settings: Settings, sources: dict, summary: RunSummary, tables=SILVER) -> None:
    """Each silver table whose sources are present, MEDIALAKE_PARALLEL_TABLES at once (on a JVM engine one at a time:
    build_all), each once the silver tables it reads are written; the summary lists them in declaration order (also
    when one fails: the others' results stay)."""
    specs = {spec.name: spec for spec in tables}
    after = {spec.name: silver_reads(spec) for spec in tables}
    done: dict[str, TableStats | None] = {}

    def build(name: str) -> TableStats | None:
        return silver_table(spark, settings, specs[name], sources)

    try:
        run_in_dependency_order(list(specs), after, build, settings.parallel_tables if embedded_sail(settings) else 1, done)
    finally:
        summarise_tables(summary, [done[name] for name in specs if done.get(name) is not None])


def silver_reads(spec: SilverTable) -> set[str]:
    """The silver tables a silver table reads."""
    return {need.removeprefix("silver.") for need in spec.needs if need.startswith("silver.")}


def silver_table(spark: SparkSession, settings: Settings, spec: SilverTable, sources: dict) -> TableStats | None:
    """Build, check and write one silver table and add it to the sources; None when what it reads is absent."""
    started = time.time()
    df = spec.build(DeclaredSources(spec, sources))
    if df is None:
        return None
    stats = write_silver(spark, settings, spec, df)
    stats.seconds = time.time() - started
    sources[f"silver.{spec.name}"] = delta_io.read_table(spark, delta_io.table_path(settings, "silver", spec.name))
    log_event(log, "silver table written", table=spec.name, rows=stats.rows_written, quarantined=stats.rows_quarantined)
    return stats


def write_silver(spark: SparkSession, settings: Settings, spec: SilverTable, df: DataFrame) -> TableStats:
    """Check one silver table, write its valid rows and MERGE its failed rows into its quarantine."""
    staging = delta_io.table_path(settings, "_staging", spec.name)
    checked = expectations.check(spark, df, spec.name, list(spec.rules), staging, spec.keys, spec.keep_first_by, spec.min_rows)
    valid = checked.valid.drop("_malformed") if "_malformed" in checked.valid.columns else checked.valid
    results = checked.results + checked.table_results
    breached = [r for r in results if r["action"] == "fail" and r["failed"]]
    if breached:
        raise expectations.ExpectationFailed(f"{spec.name}: table check {breached[0]['rule']} failed: {breached[0]}")
    # valid is the table's whole new content (built from all of bronze), so one overwrite: the MERGE that updated every
    # row and deleted the rest took 59.7 s instead of 3.2 s to rewrite the full-scale ratings on Sail
    delta_io.overwrite(valid, delta_io.table_path(settings, "silver", spec.name))
    quarantined = quarantine(spark, settings, spec, checked.quarantine, checked.quarantined)
    written = checked.rows - quarantined
    stats = TableStats(f"silver.{spec.name}", written + quarantined, written, quarantined, sum(r["failed"] for r in checked.results))
    stats.results = results
    return stats


def quarantine(spark: SparkSession, settings: Settings, spec: SilverTable, rows: DataFrame, count: int) -> int:
    """MERGE the `count` failed rows into <table>_quarantine with the rules they failed; returns how many."""
    if count == 0 or "_source_file" not in rows.columns:
        return count
    rows = rows.withColumn("_quarantined_at", F.current_timestamp()).withColumn("_run_id", F.lit(RUN_ID))
    delta_io.upsert(spark, rows, delta_io.table_path(settings, "silver", f"{spec.name}_quarantine"), ["_source_file", "_record_number"])
    return count


def bronze_sources(spark: SparkSession, settings: Settings, domain: str) -> dict[str, DataFrame]:
    """The bronze tables of a domain (or all) that exist, by format name."""
    names = {fmt.name for fmt in FORMATS if domain in ("all", fmt.domain)}
    paths = {name: delta_io.table_path(settings, "bronze", name) for name in sorted(names)}
    found = {name: delta_io.read_table(spark, path) for name, path in paths.items() if delta_io.table_exists(spark, path)}
    if not found:
        raise FileNotFoundError(f"no bronze tables of {domain} under {settings.lakehouse_dir!r}: run the bronze step first")
    return found


def silver_sources(spark: SparkSession, settings: Settings) -> dict[str, DataFrame]:
    """Every silver table that exists, keyed silver.<name>."""
    paths = {spec.name: delta_io.table_path(settings, "silver", spec.name) for spec in SILVER}
    return {f"silver.{name}": delta_io.read_table(spark, path) for name, path in paths.items() if delta_io.table_exists(spark, path)}


def build_gold(spark: SparkSession, settings: Settings, sources: dict, summary: RunSummary, domain: str = "all") -> None:
    """Rebuild each gold table (of one domain, or all) whose silver inputs exist: its SQL over views named after its
    needs, MEDIALAKE_PARALLEL_TABLES tables at once."""
    tables = [table for table in gold_tables(domain) if all(sources.get(f"silver.{n}") is not None for n in table.needs)]
    for name in sorted({n for table in tables for n in table.needs}):  # once, before any query reads them
        sources[f"silver.{name}"].createOrReplaceTempView(name)
    with ThreadPoolExecutor(settings.parallel_tables, thread_name_prefix="gold") as pool:
        summary.tables.extend(pool.map(lambda table: write_gold(spark, settings, table), tables))


def write_gold(spark: SparkSession, settings: Settings, table: Table) -> TableStats:
    """Overwrite one gold table with its query's rows; what it did."""
    started, path = time.time(), delta_io.table_path(settings, "gold", table.name)
    delta_io.overwrite(spark.sql(table.sql), path)
    rows = delta_io.read_table(spark, path).count()
    log_event(log, "gold table written", table=table.name, rows=rows)
    return TableStats(table.qualified, rows, rows, 0, 0, time.time() - started)


def record_dq(spark: SparkSession, settings: Settings, summary: RunSummary) -> None:
    """Append one row per table and rule to ops/dq_results (event-log data_quality shape)."""
    if not summary.dq_results:
        return
    rows = [(summary.run_id, r["table"], r["rule"], r["action"], int(r["passed"]), int(r["failed"])) for r in summary.dq_results]
    df = spark.createDataFrame(
        rows, "run_id string, dataset string, name string, action string, passed_records bigint, failed_records bigint"
    )
    delta_io.append(df.withColumn("timestamp", F.current_timestamp()), delta_io.table_path(settings, "ops", "dq_results"))
