"""Entry points of job tasks: each file is a spark_python_task run as `python <file> [parameters]`, here or on Databricks."""
