"""The SQL-warehouse connector: one small interface, two backends chosen by MEDIALAKE_WAREHOUSE."""

from service.warehouse.base import Result, Warehouse, WarehouseError


def connect(config: dict) -> Warehouse:
    """The configured backend: local (embedded DuckDB over the Delta tables) or databricks (a SQL warehouse)."""
    if config["WAREHOUSE"] == "databricks":
        from service.warehouse.databricks import DatabricksWarehouse

        return DatabricksWarehouse(config)
    from service.warehouse.local import LocalWarehouse  # the settings allow only local or databricks

    return LocalWarehouse(config["LAKEHOUSE_DIR"], config["LOCAL_VERSION_CHECK_SECONDS"])


__all__ = ["Result", "Warehouse", "WarehouseError", "connect"]
