"""Apache Spark on the JVM with Delta Lake, served over Spark Connect: locally (engine `spark`) or on a standalone cluster.

`commands` builds the command lines, `processes` starts, waits for and stops them, `cluster` puts them together
(`python -m jobs cluster up|down`).
"""
