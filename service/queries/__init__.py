"""The service's SQL: one Databricks SQL file per query, named parameters only, transpiled per backend by sqlglot."""

import functools
import os
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from medialake.gold import BY_NAME as GOLD

FOLDER = os.path.dirname(os.path.abspath(__file__))


@dataclass(frozen=True)
class Query:
    """A query file: its name, Databricks SQL text, the gold tables it reads and its named parameters."""

    name: str
    sql: str
    tables: tuple[str, ...]
    parameters: tuple[str, ...]


@functools.cache
def load(name: str) -> Query:
    """Read and parse one query file (cached: files do not change while serving)."""
    with open(os.path.join(FOLDER, f"{name}.sql")) as handle:
        sql = handle.read()
    tree = sqlglot.parse_one(sql, read="databricks")
    tables = tuple(sorted({t.name for t in tree.find_all(exp.Table) if t.db == "gold"}))
    undeclared = [t for t in tables if t not in GOLD]
    if undeclared:
        raise ValueError(f"service/queries/{name}.sql reads gold.{undeclared[0]}, which medialake/gold/ does not declare")
    parameters = tuple(sorted({p.name for p in tree.find_all(exp.Placeholder)}))
    return Query(name, sql, tables, parameters)


def names() -> list[str]:
    """Every query file."""
    return sorted(f[:-4] for f in os.listdir(FOLDER) if f.endswith(".sql"))


def transpile(query: Query, dialect: str, table_name, version_of=lambda table: None) -> str:
    """The query in another dialect with each gold.<table> renamed by table_name(table), read at version_of(table)
    when that is a number (Delta time travel: `VERSION AS OF n`)."""
    tree = sqlglot.parse_one(query.sql, read="databricks")
    for table in tree.find_all(exp.Table):
        if table.db == "gold":
            renamed, version = exp.to_table(table_name(table.name), dialect="databricks"), version_of(table.name)
            if version is not None:
                renamed.set("version", exp.Version(this="VERSION", kind="AS OF", expression=exp.Literal.number(int(version))))
            table.replace(renamed.as_(table.alias_or_name) if table.alias else renamed)
    return tree.sql(dialect=dialect)
