"""Task: land the raw files of a domain in bronze (skips files already landed)."""

import os
import sys

# Appended, not prepended: on a job cluster the installed wheel must win over the task files uploaded beside this one.
sys.path.append(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))  # a checkout without PYTHONPATH
from jobs.tasks.step import run  # noqa: E402

if __name__ == "__main__":
    sys.exit(run("bronze", sys.argv[1:]))
