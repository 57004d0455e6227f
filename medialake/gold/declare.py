"""How a gold table is declared: one call per table, keys, columns and needs as space-separated names."""

from medialake.tables import Table, words


def gold(name: str, keys: str, columns: str, description: str, needs: str, sql: str, domain: str) -> Table:
    """A gold table from space-separated keys, columns and needs."""
    return Table("gold", name, words(keys), words(columns), description, domain, words(needs), sql)
