"""Runs a notebook task locally: widgets from base_parameters, executed headless with nbclient; non-zero exit on a cell error."""

import argparse
import os
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

# Databricks notebooks read their parameters with dbutils.widgets; locally the runner provides just that much.
WIDGETS_CELL = """# Injected by medialake's local notebook runner: dbutils.widgets with the task's parameters.
class _Widgets:
    def __init__(self, values): self._values = dict(values)
    def get(self, name): return self._values[name]
    def text(self, name, default_value="", label=None): self._values.setdefault(name, default_value)
    def getAll(self): return dict(self._values)
class _DBUtils:
    def __init__(self, values): self.widgets = _Widgets(values)
dbutils = _DBUtils({params!r})
"""


def run_notebook(path: str, params: dict[str, str], output: str | None, timeout: int = 600) -> None:
    """Execute every cell in order with the widgets cell first; write the executed notebook when asked."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(WIDGETS_CELL.format(params=params)))
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": os.path.dirname(path)}})
    try:
        client.execute()
    finally:
        if output:
            nbformat.write(notebook, output)


def main(argv=None) -> int:
    """python -m jobs.workflow.notebook <path> [--param=name=value ...]"""
    parser = argparse.ArgumentParser(prog="python -m jobs.workflow.notebook")
    parser.add_argument("path")
    parser.add_argument("--param", action="append", default=[], help="widget value as name=value")
    parser.add_argument("--output", default=os.environ.get("MEDIALAKE_NOTEBOOK_OUTPUT"))
    args = parser.parse_args(argv)
    params = dict(p.split("=", 1) for p in args.param)
    try:
        run_notebook(args.path, params, args.output)
    except CellExecutionError as error:
        print(f"notebook {args.path} failed: {str(error)[-2000:]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
