"""The SQL-warehouse connector: one small interface, two backends chosen by MEDIALAKE_WAREHOUSE."""

from service.warehouse.base import Result, Warehouse, WarehouseError


def connect(config: dict) -> Warehouse:
    """The configured backend: local (embedded DuckDB over the Delta tables) or databricks (a SQL warehouse)."""
    if config["WAREHOUSE"] == "databricks":
        from service.warehouse.databricks import DatabricksWarehouse

        return DatabricksWarehouse(config)
    if config["WAREHOUSE"] == "local":
        from service.warehouse.local import LocalWarehouse

        return LocalWarehouse(config["LAKEHOUSE_DIR"], float(config["LOCAL_VERSION_CHECK_SECONDS"]))
    raise ValueError(f"MEDIALAKE_WAREHOUSE must be local or databricks, not {config['WAREHOUSE']!r}")


__all__ = ["Result", "Warehouse", "WarehouseError", "connect"]
