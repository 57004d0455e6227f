"""Task: the data-quality gate between silver and gold; fails the run when silver is not fit to publish."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))  # Databricks adds only this folder
from jobs.tasks.step import run  # noqa: E402

if __name__ == "__main__":
    sys.exit(run("quality_gate", sys.argv[1:]))
