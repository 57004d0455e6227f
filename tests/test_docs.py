"""The README documents every setting and every make target."""

import os
import re

from medialake.settings import SETTINGS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read(name):
    with open(os.path.join(ROOT, name), encoding="utf-8") as handle:
        return handle.read()


def test_every_setting_is_documented():
    readme = read("README.md")
    missing = [s.env for s in SETTINGS.values() if f"`{s.env}`" not in readme]
    assert not missing, f"settings missing from README.md: {missing}"
    stale = [s.env for s in SETTINGS.values() if f"| `{s.env}` | {s.accepts()} |" not in readme]
    assert not stale, f"settings whose 'accepts' column in README.md differs from medialake/settings.py: {stale}"


def test_every_settings_default_is_the_one_in_the_readme():
    cells = [line.split(" | ") for line in read("README.md").splitlines() if line.startswith("| `")]
    rows = {row[0][3:-1]: row[2] for row in cells if len(row) >= 4}  # | `VARIABLE` | accepts | default | meaning |
    wrong = [
        (s.env, s.default, rows.get(s.env))
        for s in SETTINGS.values()
        if s.env in rows and not (f"`{s.default}`" in rows[s.env] if s.default else rows[s.env].startswith("("))
    ]
    assert not wrong, f"settings whose default column in README.md differs from medialake/settings.py: {wrong}"


def test_every_make_target_is_documented_and_has_help():
    makefile, readme = read("Makefile"), read("README.md")
    targets = re.findall(r"^([a-z-]+):", makefile, flags=re.M)
    undocumented = [t for t in targets if f"make {t}" not in readme and t not in ("help",)]
    assert not undocumented, f"make targets missing from README.md: {undocumented}"
    no_help = [t for t in targets if not re.search(rf"^{t}:.*## ", makefile, flags=re.M)]
    assert not no_help, f"make targets without a ## help line: {no_help}"


def test_ci_runs_the_readme_test_command():
    assert "make test" in read(".ci/run") and "make test" in read("README.md")


def test_every_endpoint_is_documented(app):
    readme = read("README.md")
    routes = {r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/api/")}
    missing = [route for route in sorted(routes) if f"`{route}`" not in readme]
    assert not missing, f"endpoints missing from README.md: {missing}"
    in_openapi = app.test_client().get("/openapi.json").get_json()["paths"]
    assert routes <= set(in_openapi), f"endpoints missing from /openapi.json: {routes - set(in_openapi)}"


def test_every_catalogued_table_is_listed_and_nothing_else():
    from jobs.catalog import TABLES

    listed = set(re.findall(r"^\| `((?:bronze|silver|gold|ops)\.\w+)` \|", read("README.md"), flags=re.M))
    catalogued = {t.qualified for t in TABLES}
    assert not catalogued - listed, f"tables missing from README.md (paste `python -m jobs tables`): {sorted(catalogued - listed)}"
    assert not listed - catalogued, f"README.md lists tables that are not declared: {sorted(listed - catalogued)}"


def test_every_query_reads_declared_gold_tables_only():
    from medialake.gold import BY_NAME
    from service import queries

    read_tables = {table for name in queries.names() for table in queries.load(name).tables}
    assert read_tables and read_tables <= set(BY_NAME)


def test_every_path_in_where_things_are_exists():
    readme = read("README.md")
    table = readme[readme.index("Where things are") : readme.index("## Settings")]
    paths = re.findall(r"`((?:medialake|jobs|service|tools|tests)/[\w./]*)`", table)
    assert len(paths) > 20
    missing = [p for p in paths if not os.path.exists(os.path.join(ROOT, p))]
    assert not missing, f"README.md 'Where things are' names paths that do not exist: {missing}"
