"""The whole pipeline on generated data, on the embedded engine, with real Delta files."""

import hashlib
import os
import shutil

import pytest
from deltalake import DeltaTable

from jobs import catalog
from jobs.expectations import ExpectationFailed
from jobs.pipeline import run_etl
from tests.conftest import settings_for


def counts(lakehouse):
    """Row count of every table in the lakehouse, read with the deltalake package (not Spark)."""
    out = {}
    for layer in ("bronze", "silver", "gold"):
        for name in sorted(os.listdir(os.path.join(lakehouse, layer))):
            out[f"{layer}.{name}"] = DeltaTable(os.path.join(lakehouse, layer, name)).to_pyarrow_dataset().count_rows()
    return out


@pytest.fixture(scope="module")
def built(spark, tiny_raw, tmp_path_factory):
    """A lakehouse built once from the tiny generated data."""
    lakehouse = str(tmp_path_factory.mktemp("lh") / "lakehouse")
    summary = run_etl(spark, settings_for(tiny_raw, lakehouse))
    return lakehouse, summary


def test_builds_every_catalogued_table(built):
    lakehouse, _ = built
    present = set(counts(lakehouse))
    expected = {f"{t.layer}.{t.name}" for t in catalog.TABLES if t.layer in ("bronze", "silver", "gold") and not t.optional}
    assert expected <= present, expected - present


def test_table_columns_match_the_catalogue(built):
    lakehouse, _ = built
    for table in catalog.TABLES:
        path = os.path.join(lakehouse, table.layer, table.name)
        if os.path.isdir(path):
            names = [f.name for f in DeltaTable(path).schema().fields]
            assert names == list(table.columns), f"{table.layer}.{table.name}: {names}"


def test_rerun_on_the_same_input_changes_no_row_count(spark, built, tiny_raw):
    lakehouse, _ = built
    before = counts(lakehouse)
    run_etl(spark, settings_for(tiny_raw, lakehouse))
    assert counts(lakehouse) == before


def test_the_ledger_records_a_runs_files_in_one_commit_and_a_rerun_adds_none(spark, tmp_path, lakehouse):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "ratings.csv").write_text("userId,movieId,rating,timestamp\n1,10,4.0,964982703\n1,11,3.5,964982703\n")
    (raw / "links.csv").write_text("movieId,imdbId,tmdbId\n10,0113228,949\n")
    run_etl(spark, settings_for(str(raw), lakehouse))
    ledger = DeltaTable(f"{lakehouse}/ops/ingested_files")
    assert ledger.version() == 0, "one commit for the run's files"
    assert dict(ledger.to_pandas()[["source_file", "records"]].itertuples(index=False)) == {"ratings.csv": 2, "links.csv": 1}
    run_etl(spark, settings_for(str(raw), lakehouse))
    assert DeltaTable(f"{lakehouse}/ops/ingested_files").version() == 0, "nothing landed, nothing committed"


def test_a_grown_file_adds_only_its_new_records(spark, tmp_path, lakehouse):
    raw = tmp_path / "raw"
    raw.mkdir()
    lines = "userId,movieId,rating,timestamp\n1,10,4.0,964982703\n1,11,3.5,964982703\n"
    (raw / "ratings.csv").write_text(lines)
    run_etl(spark, settings_for(str(raw), lakehouse))
    (raw / "ratings.csv").write_text(lines + "2,10,2.0,964982224\n")
    summary = run_etl(spark, settings_for(str(raw), lakehouse))
    bronze = DeltaTable(f"{lakehouse}/bronze/ratings").to_pandas()
    assert sorted(bronze._record_number) == [1, 2, 3] and set(bronze._source_file) == {"ratings.csv"}
    assert len(DeltaTable(f"{lakehouse}/silver/ratings").to_pandas()) == 3
    assert len(DeltaTable(f"{lakehouse}/ops/ingested_files").to_pandas()) == 2
    assert "bronze.ratings <- ratings.csv" in summary.render()


def test_a_changed_record_of_a_relanded_file_lands_beside_the_old_one(spark, tmp_path, lakehouse):
    raw = tmp_path / "raw"
    raw.mkdir()
    header = "userId,movieId,rating,timestamp\n"
    (raw / "ratings.csv").write_text(header + "1,10,4.0,964982703\n1,11,3.5,964982703\n")
    run_etl(spark, settings_for(str(raw), lakehouse))
    (raw / "ratings.csv").write_text(header + "1,10,4.0,964982703\n1,11,2.0,964982999\n2,10,2.0,964982224\n")
    run_etl(spark, settings_for(str(raw), lakehouse))
    bronze = DeltaTable(f"{lakehouse}/bronze/ratings").to_pandas().sort_values(["_record_number", "rating"])
    assert list(zip(bronze._record_number, bronze.rating, strict=True)) == [(1, "4.0"), (2, "2.0"), (2, "3.5"), (3, "2.0")]
    assert "_record_hash" not in bronze.columns
    silver = DeltaTable(f"{lakehouse}/silver/ratings").to_pandas()
    assert sorted(zip(silver.user_id, silver.movielens_id, silver.rating, strict=True)) == [(1, 10, 4.0), (1, 11, 2.0), (2, 10, 2.0)]


def test_a_bronze_table_landed_with_record_hashes_keeps_them(spark, tmp_path, lakehouse):
    from jobs import bronze, delta_io
    from jobs.sources import detect_format

    fmt = detect_format(["userId", "movieId", "rating", "timestamp"])
    old = spark.createDataFrame([("1", "10", "4.0", "964982703", 1, None, None, "ratings.csv")], bronze.bronze_schema(fmt))
    delta_io.append(bronze.with_lineage(old, "before", record_hash=True), f"{lakehouse}/bronze/ratings")  # as landed before
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "ratings.csv").write_text("userId,movieId,rating,timestamp\n1,10,4.0,964982703\n2,10,2.0,964982224\n")
    run_etl(spark, settings_for(str(raw), lakehouse))
    rows = DeltaTable(f"{lakehouse}/bronze/ratings").to_pandas().sort_values("_record_number")
    assert list(rows._record_number) == [1, 2] and list(rows._batch_id)[0] == "before"
    identity = "\x1f".join(["ratings.csv", "2", "2", "10", "2.0", "964982224", "\x00", "\x00"])
    assert list(rows._record_hash)[1] == hashlib.sha256(identity.encode()).hexdigest()


def test_malformed_rows_land_in_quarantine_with_reasons(spark, tmp_path, lakehouse):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "ratings.csv").write_text(
        "userId,movieId,rating,timestamp\n1,10,4.0,964982703\n1,11,9.5,964982703\n2,x,3.0\n3,12,2.5,964982224\n"
    )
    run_etl(spark, settings_for(str(raw), lakehouse))
    valid = DeltaTable(f"{lakehouse}/silver/ratings").to_pandas()
    assert sorted(valid.movielens_id) == [10, 12]
    q = DeltaTable(f"{lakehouse}/silver/ratings_quarantine").to_pandas().sort_values("_record_number")
    assert list(q._record_number) == [2, 3]
    assert list(map(list, q._failed_rules)) == [["rating_in_range"], ["well_formed_record", "valid_ids"]]
    assert q._source_file.str.endswith("ratings.csv").all()


def test_fail_rule_breach_leaves_every_table_at_its_previous_version(spark, built, tiny_raw, tmp_path):
    lakehouse = str(tmp_path / "lh")
    shutil.copytree(built[0], lakehouse)
    before = {p: DeltaTable(os.path.join(lakehouse, p)).version() for p in _tables(lakehouse)}
    raw = tmp_path / "raw"
    shutil.copytree(tiny_raw, raw)
    with open(raw / "fred" / "CUSR0000SS62031.csv", "a") as handle:
        handle.write("2022-05-01,-1.000\n")
    with pytest.raises(ExpectationFailed, match="positive_cpi"):
        run_etl(spark, settings_for(str(raw), lakehouse))
    assert set(_tables(lakehouse)) == set(before)
    for path, version in before.items():
        now, then = DeltaTable(os.path.join(lakehouse, path)), DeltaTable(os.path.join(lakehouse, path), version=version)
        assert now.to_pyarrow_table().num_rows == then.to_pyarrow_table().num_rows, path
        if now.version() != version:
            assert now.history(1)[0]["operation"] == "RESTORE", path
    cpi = DeltaTable(f"{lakehouse}/silver/cpi").to_pandas()
    assert cpi.cpi.min() > 0 and str(cpi.month.max()) < "2022-05-01"
    assert DeltaTable(f"{lakehouse}/bronze/cpi").to_pyarrow_table().num_rows == 280


def test_dq_results_record_every_rule(built):
    lakehouse, summary = built
    dq = DeltaTable(f"{lakehouse}/ops/dq_results").to_pandas()
    mine = dq[dq.run_id == summary.run_id]
    assert {"well_formed_record", "valid_movie_id", "unique_keys", "row_count_floor"} <= set(mine.name)
    assert set(mine.action) <= {"warn", "drop", "fail"}
    assert (mine.passed_records >= 0).all() and (mine.failed_records >= 0).all()


def test_summary_lists_layers_with_counts(built):
    _, summary = built
    text = summary.render()
    assert "silver.movies" in text and "gold.genre_counts_by_year" in text and "quarantined" in text


def _tables(lakehouse):
    return [f"{layer}/{n}" for layer in ("bronze", "silver", "gold") for n in os.listdir(os.path.join(lakehouse, layer))]


def test_a_killed_run_is_undone_by_the_next_run(built, tiny_raw, tmp_path, spark):
    """SIGKILL a real ETL process midway; the next run first restores every table to the killed run's start."""
    import signal
    import subprocess
    import sys

    lakehouse = str(tmp_path / "lh")
    shutil.copytree(built[0], lakehouse)
    raw = tmp_path / "raw"
    shutil.copytree(tiny_raw, raw)
    with open(raw / "movielens" / "ratings.csv", "a") as handle:
        handle.write("999,1,4.0,1537799250\n")
    before = {p: DeltaTable(os.path.join(lakehouse, p)).to_pyarrow_table().num_rows for p in _tables(lakehouse)}
    env = {**os.environ, "MEDIALAKE_RAW_DIR": str(raw), "MEDIALAKE_LAKEHOUSE_DIR": lakehouse}
    for name in ("SPARK_REMOTE", "SPARK_CONNECT_MODE_ENABLED", "SPARK_LOCAL_REMOTE"):
        env.pop(name, None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "jobs", "etl"], env=env, stderr=subprocess.PIPE, text=True, cwd=os.path.dirname(os.path.dirname(__file__))
    )
    for line in proc.stderr:  # silver ratings is written after bronze ratings, whose new record it then holds
        if '"silver table written"' in line and '"table": "ratings"' in line:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)
    from jobs.all_or_nothing import recover
    from jobs.run_marker import WriterSlot

    settings = settings_for(str(raw), lakehouse)
    assert not WriterSlot(spark, settings).holder().alive(), "the killed run left its marker in the writer slot"
    assert DeltaTable(f"{lakehouse}/bronze/ratings").to_pyarrow_table().num_rows == before["bronze/ratings"] + 1
    recover(spark, settings)
    after = {p: DeltaTable(os.path.join(lakehouse, p)).to_pyarrow_table().num_rows for p in _tables(lakehouse)}
    assert after == before and WriterSlot(spark, settings).holder() is None


def test_arrow_and_csv_module_parsers_give_the_same_records(tiny_raw):
    """The fast path (Arrow) and the exact path (csv module) agree record for record on every generated file."""
    from jobs import bronze, raw_parse
    from jobs.sources import find_raw_files

    for path, fmt in find_raw_files(tiny_raw):
        fast = pa_concat(bronze.read_raw_records(path, fmt))
        exact = pa_concat(raw_parse._read_with_csv_module(open(path, "rb").read(), fmt, raw_parse.CHUNK_RECORDS))
        if fmt.extras_allowed:
            continue
        assert fast.to_pylist() == exact.to_pylist(), path


def pa_concat(tables):
    import pyarrow as pa

    return pa.concat_tables(list(tables))


def test_a_silver_row_the_build_no_longer_gives_is_deleted(gold_lakehouse, tiny_raw, tmp_path, spark):
    """Silver is the whole of what its build gives now: a row left from an older build (here a MovieLens genre name
    before the one vocabulary) goes, instead of staying next to the new rows forever."""
    from deltalake import write_deltalake

    lakehouse = str(tmp_path / "lakehouse")
    shutil.copytree(gold_lakehouse, lakehouse)
    genres = DeltaTable(os.path.join(lakehouse, "silver", "movie_genres")).to_pandas()
    stale = genres.head(1).assign(genre="Sci-Fi")
    write_deltalake(os.path.join(lakehouse, "silver", "movie_genres"), stale, mode="append")
    run_etl(spark, settings_for(tiny_raw, lakehouse))
    after = DeltaTable(os.path.join(lakehouse, "silver", "movie_genres")).to_pandas()
    assert "Sci-Fi" not in set(after.genre) and len(after) == len(genres)


def test_tables_written_side_by_side_hold_what_one_at_a_time_writes(spark, tiny_raw, tmp_path):
    """MEDIALAKE_PARALLEL_TABLES lands several bronze tables at once (each table's files in order, by one writer) and
    builds several silver and gold tables at once: the same rows in every layer, the same DQ results and the summary
    in the same order, as one table after another."""
    from medialake.settings import load_settings
    from tests.bronze_checks import differences, layer_contents

    built = {}
    for parallel in (1, 4):
        lakehouse = str(tmp_path / f"lakehouse-{parallel}")
        settings = load_settings({"raw_dir": tiny_raw, "lakehouse_dir": lakehouse, "engine": "sail", "spark_remote": "",
                                  "batch_id": "test", "parallel_tables": str(parallel)})  # fmt: skip
        summary = run_etl(spark, settings)
        results = sorted(sorted(r.items()) for r in summary.dq_results)
        built[parallel] = (layer_contents(lakehouse, ("bronze", "silver", "gold")), [stats.table for stats in summary.tables], results)
    assert differences(built[1][0], built[4][0]) == [] and built[4][1] == built[1][1]
    assert built[4][2] == built[1][2] and len(built[1][2]) > 40, "the same DQ results"
    landed = [name for name in built[1][1] if " <- " in name]
    assert len({name.split(" <- ")[0] for name in landed}) > 5, "several bronze tables landed"
    assert landed == sorted(landed, key=lambda name: name.split(" <- ")[1]), "the summary lists files in listing order"
