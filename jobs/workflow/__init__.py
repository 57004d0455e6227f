"""Databricks Jobs (API 2.1) locally: definitions, a runner with Databricks' task semantics, run history, a scheduler."""
