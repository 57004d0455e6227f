"""One declaration per table: the catalogue, the pipeline and the service all follow it."""

import shutil

import pytest
from deltalake import DeltaTable

from jobs import catalog, pipeline
from jobs.silver.tables import SILVER
from medialake import gold
from medialake.tables import Table, location
from tests.conftest import settings_for


def test_a_declaration_whose_keys_are_not_columns_is_refused():
    with pytest.raises(ValueError, match=r"gold.t: keys \['b'\] are not among its columns"):
        Table("gold", "t", ("b",), ("a",), "test")


def test_every_gold_table_needs_declared_silver_tables_only():
    silver = {t.name for t in SILVER}
    for table in gold.GOLD:
        assert table.needs and set(table.needs) <= silver, table.name
        assert table.domain in ("movies", "songs") and table.sql.strip().upper().startswith(("SELECT", "WITH"))


def test_names_are_unique_per_layer_and_location_follows_the_layer(tmp_path):
    names = [t.qualified for t in catalog.TABLES]
    assert len(names) == len(set(names))
    assert location(str(tmp_path), "gold", "top_tracks") == str(tmp_path / "gold" / "top_tracks")


def test_a_query_reading_an_undeclared_table_is_refused(tmp_path, monkeypatch):
    from service import queries

    (tmp_path / "bad.sql").write_text("SELECT * FROM gold.no_such_table")
    monkeypatch.setattr(queries, "FOLDER", str(tmp_path))
    queries.load.cache_clear()
    try:
        with pytest.raises(ValueError, match="bad.sql reads gold.no_such_table, which medialake/gold/ does not declare"):
            queries.load("bad")
    finally:
        queries.load.cache_clear()


def test_a_newly_declared_gold_table_is_built_from_its_declaration_alone(spark, gold_lakehouse, tmp_path, monkeypatch):
    root = str(tmp_path / "lakehouse")
    shutil.copytree(gold_lakehouse, root)
    sql = "SELECT original_language, COUNT(*) AS movie_count FROM movies GROUP BY original_language"
    keys, columns = ("original_language",), ("original_language", "movie_count")
    extra = Table("gold", "movies_per_language", keys, columns, "test", "movies", ("movies",), sql)
    monkeypatch.setattr(pipeline, "gold_tables", lambda domain="all": (extra,))
    settings = settings_for("unused", root)
    summary = pipeline.RunSummary("test")
    pipeline.build_gold(spark, settings, pipeline.silver_sources(spark, settings), summary)
    built = DeltaTable(location(root, "gold", "movies_per_language"))
    assert [f.name for f in built.schema().fields] == list(extra.columns)
    movies = DeltaTable(location(root, "silver", "movies")).to_pyarrow_table().num_rows
    assert sum(built.to_pyarrow_table().column("movie_count").to_pylist()) == movies
    assert [t.table for t in summary.tables] == ["gold.movies_per_language"]
