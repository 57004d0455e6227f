"""Task: build the silver tables of a domain from bronze, with expectations and quarantine."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))  # Databricks adds only this folder
from jobs.tasks.step import run  # noqa: E402

if __name__ == "__main__":
    sys.exit(run("silver", sys.argv[1:]))
