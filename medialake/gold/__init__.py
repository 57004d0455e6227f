"""Gold: the tables the service reads, each declared once (name, keys, columns, description, needs and its Spark SQL).

To add a gold table, declare it in movies.py or songs.py; the pipeline builds it, the catalogue lists it, and a SQL
file in service/queries/ that reads gold.<name> serves it.
"""

from medialake.gold.movies import GOLD_MOVIES
from medialake.gold.songs import GOLD_SONGS
from medialake.tables import Table

GOLD: tuple[Table, ...] = GOLD_MOVIES + GOLD_SONGS
BY_NAME: dict[str, Table] = {t.name: t for t in GOLD}


def gold_tables(domain: str = "all") -> tuple[Table, ...]:
    """The gold tables of movies, songs or all."""
    return GOLD if domain == "all" else tuple(t for t in GOLD if t.domain == domain)
