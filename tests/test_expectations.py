"""Expectations: warn keeps, drop quarantines, fail stops; each rule evaluated once per row."""

import pytest
from pyspark.sql import functions as F

from jobs.expectations import Expectation, ExpectationFailed, check, table_checks


def rows(spark):
    return spark.createDataFrame([(1, 5.0), (2, -1.0), (3, None), (None, 2.0)], "id int, score double")


RULES = [
    Expectation("has_id", "id IS NOT NULL", "drop"),
    Expectation("score_positive", "score > 0", "drop"),
    Expectation("small_id", "id < 3", "warn"),
]


def test_drop_rows_go_to_quarantine_with_every_failed_rule(spark, tmp_path):
    checked = check(spark, rows(spark), "t", RULES, str(tmp_path / "staging"))
    assert sorted(r.id for r in checked.valid.collect()) == [1]
    quarantined = {r.id: sorted(r._failed_rules) for r in checked.quarantine.collect()}
    assert quarantined == {2: ["score_positive"], 3: ["score_positive"], None: ["has_id"]}


def test_every_row_is_in_exactly_one_output(spark, tmp_path):
    checked = check(spark, rows(spark), "t", RULES, str(tmp_path / "staging"))
    assert checked.valid.count() + checked.quarantine.count() == 4


def test_results_count_passed_and_failed_per_rule(spark, tmp_path):
    results = check(spark, rows(spark), "t", RULES, str(tmp_path / "staging")).results
    assert [(r["rule"], r["action"], r["passed"], r["failed"]) for r in results] == [
        ("has_id", "drop", 3, 1),
        ("score_positive", "drop", 2, 2),
        ("small_id", "warn", 2, 2),
    ]


def test_warn_keeps_the_row(spark, tmp_path):
    checked = check(spark, rows(spark), "t", [Expectation("small_id", "id < 3", "warn")], str(tmp_path / "s"))
    assert checked.valid.count() == 4 and checked.quarantine.count() == 0


def test_fail_stops_with_rule_and_sample_rows(spark, tmp_path):
    with pytest.raises(ExpectationFailed) as error:
        check(spark, rows(spark), "t", [Expectation("score_positive", "score > 0", "fail")], str(tmp_path / "s"))
    assert "'score_positive'" in str(error.value) and "failed for 2 rows" in str(error.value) and '"id": 2' in str(error.value)


def test_unknown_action_is_refused():
    with pytest.raises(ValueError, match="action must be one of"):
        Expectation("x", "true", "explode")


def test_unique_key_check_counts_each_extra_row_of_a_repeated_key_on_several_columns(spark):
    rows = [("x", 1), ("x", 1), ("x", 1), ("x", 2), (None, 3), (None, 3), ("y", None), (None, None)]
    df = spark.createDataFrame(rows + [(f"k{i}", i) for i in range(200)], "a string, b int")
    got = {r["rule"]: (r["failed"], r["passed"]) for r in table_checks(df, "t", ["a", "b"], min_rows=1)}
    assert got["unique_keys"] == (3, 205)  # two extra ("x", 1) rows and one extra (NULL, 3)
    assert got["no_null_keys"] == (4, 204)


def test_table_checks_find_null_and_duplicate_keys(spark):
    df = spark.createDataFrame([(1,), (1,), (None,)], "k int")
    got = {r["rule"]: r["failed"] for r in table_checks(df, "t", ["k"], min_rows=5)}
    assert got == {"row_count_floor": 1, "no_null_keys": 1, "unique_keys": 1}


def test_the_fortieth_rule_is_counted_and_named_in_the_quarantine(spark, tmp_path):
    """Failed rules are bits of a long in staging: the 40th rule is bit 39, beyond a 32-bit int."""
    rules = [Expectation(f"rule_{i}", "true", "warn") for i in range(39)] + [Expectation("has_id", "id IS NOT NULL", "drop")]
    checked = check(spark, rows(spark), "t", rules, str(tmp_path / "staging"))
    assert [r["failed"] for r in checked.results] == [0] * 39 + [1]
    assert [list(r._failed_rules) for r in checked.quarantine.collect()] == [["has_id"]]
    with pytest.raises(ValueError, match="64 expectations; at most 63"):
        check(spark, rows(spark), "t", [Expectation(f"r{i}", "true") for i in range(64)], str(tmp_path / "s"))


def rated(spark):
    """Ratings of one key three times (latest wins; at one second, the later record), one key once, two NULL keys."""
    rows = [(1, 10, 4.0, 100, 1), (1, 10, 2.0, 300, 2), (1, 10, 3.0, 300, 3), (1, 11, 5.0, None, 4),
            (None, 10, 1.0, 50, 5), (None, 10, 1.0, 50, 6)]  # fmt: skip
    return spark.createDataFrame(rows, "user_id long, movie_id long, rating double, ts long, _record_number long")


KEEP_LATEST = "ts DESC NULLS LAST, _record_number DESC"


def test_keep_first_by_keeps_one_row_per_key_and_every_null_key_row(spark, tmp_path):
    rules = [Expectation("has_user", "user_id IS NOT NULL", "drop")]
    checked = check(spark, rated(spark), "t", rules, str(tmp_path / "s"), ("user_id", "movie_id"), KEEP_LATEST)
    assert sorted(r._record_number for r in checked.valid.collect()) == [3, 4]
    assert sorted(r._record_number for r in checked.quarantine.collect()) == [5, 6]  # NULL keys are not deduplicated
    assert checked.rows == 4 and checked.valid.columns == rated(spark).columns
    assert {r["rule"]: r["failed"] for r in checked.table_results} == {"row_count_floor": 0, "no_null_keys": 0, "unique_keys": 0}


def test_without_keep_first_by_repeated_keys_fail_the_unique_key_check_counted_exactly(spark, tmp_path):
    checked = check(spark, rated(spark), "t", [], str(tmp_path / "s"), ("user_id", "movie_id"), min_rows=7)
    got = {r["rule"]: (r["failed"], r["passed"]) for r in checked.table_results}
    assert got == {"row_count_floor": (1, 0), "no_null_keys": (2, 4), "unique_keys": (3, 3)}  # two extra (1, 10), one (NULL, 10)


def test_the_first_per_key_is_the_same_when_repeated_hashes_come_in_chunks(spark, tmp_path, monkeypatch):
    """Repeated hashes are joined in chunks of JOIN_CHUNK (one anti-join each): same outcome with one hash a chunk."""
    from jobs import keys

    monkeypatch.setattr(keys, "JOIN_CHUNK", 1)
    both = rated(spark).unionByName(rated(spark).withColumn("movie_id", F.col("movie_id") + 100))
    checked = check(spark, both, "t", [], str(tmp_path / "s"), ("user_id", "movie_id"), KEEP_LATEST)
    assert len(keys.repeated_in(keys.with_key_hash(both, ["user_id", "movie_id"]))) == 4  # (1,10) (1,110) (NULL,10) (NULL,110)
    assert sorted(r._record_number for r in checked.valid.collect()) == [3, 3, 4, 4, 5, 5, 6, 6]
    assert {r["rule"]: r["failed"] for r in checked.table_results} == {"row_count_floor": 0, "no_null_keys": 4, "unique_keys": 2}


def test_the_first_per_key_is_the_same_when_hashes_and_kept_rows_stay_in_the_engine(spark, tmp_path, monkeypatch):
    """Past LOCAL_HASHES repeated hashes or LOCAL_FIRSTS kept rows, they are not fetched as data: same outcome."""
    from jobs import keys

    monkeypatch.setattr(keys, "LOCAL_HASHES", 0)
    monkeypatch.setattr(keys, "LOCAL_FIRSTS", 0)
    checked = check(spark, rated(spark), "t", [], str(tmp_path / "s"), ("user_id", "movie_id"), KEEP_LATEST)
    assert sorted(r._record_number for r in checked.valid.collect()) == [3, 4, 5, 6]
    assert {r["rule"]: r["failed"] for r in checked.table_results} == {"row_count_floor": 0, "no_null_keys": 2, "unique_keys": 1}
