"""Every notebook runs headless (nbclient, a real kernel) against the demo lakehouse and saves its figures."""

import glob
import os

import nbformat
import pytest

from jobs.workflow.notebook import run_notebook

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTEBOOKS = sorted(glob.glob(os.path.join(ROOT, "notebooks", "*.ipynb")))
FIGURES = {
    "movies": ["movies_genres_over_time", "movies_popularity_extremes", "movies_highest_rated", "movies_genre_popularity",
               "movies_box_office_by_month", "movies_genre_revenue_constant"],
    "songs": ["songs_popularity_distribution", "songs_genre_popularity", "songs_popularity_by_month", "songs_duration_tempo_trends",
              "songs_artist_radar"],
}  # fmt: skip


def test_there_is_a_movies_and_a_songs_notebook():
    assert {os.path.basename(p)[:-6] for p in NOTEBOOKS} >= set(FIGURES)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[os.path.basename(p) for p in NOTEBOOKS])
def test_notebook_is_valid_and_explains_each_chart(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), "commit notebooks without outputs"
    kinds = [cell.cell_type for cell in notebook.cells]
    assert kinds[0] == "markdown" and all(kinds[i - 1] == "markdown" for i in range(2, len(kinds)) if kinds[i] == "code"), (
        "every chart cell follows prose saying what it shows"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[os.path.basename(p) for p in NOTEBOOKS])
def test_notebook_executes_against_the_demo_lakehouse(path, demo_lakehouse, tmp_path, monkeypatch):
    monkeypatch.setenv("MEDIALAKE_LAKEHOUSE_DIR", demo_lakehouse)
    monkeypatch.setenv("MEDIALAKE_IMAGES_DIR", str(tmp_path))
    executed = tmp_path / "executed.ipynb"
    run_notebook(path, {}, str(executed), timeout=300)  # raises CellExecutionError on any failing cell
    notebook = nbformat.read(executed, as_version=4)
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    name = os.path.basename(path)[:-6]
    for figure in FIGURES[name]:
        png = tmp_path / f"{figure}.png"
        assert png.exists() and png.stat().st_size > 10_000, figure


def test_images_hold_every_figure_and_the_architecture_diagram():
    expected = {f for figures in FIGURES.values() for f in figures} | {"architecture"}
    present = {os.path.basename(p)[:-4] for p in glob.glob(os.path.join(ROOT, "images", "*.png"))}
    assert expected <= present, f"run make images: missing {expected - present}"
    assert "images/architecture.png" in open(os.path.join(ROOT, "README.md")).read()


def test_the_architecture_diagram_is_drawn_from_its_source(tmp_path):
    from docs.architecture import ARROWS, BOXES, draw

    assert {"raw", "jobs", "bronze", "silver", "gold", "warehouse", "service", "users", "scheduler", "llm", "deploy"} <= set(BOXES)
    assert all(a in BOXES and b in BOXES for a, b, _ in ARROWS)
    draw(str(tmp_path / "architecture.png"))
    assert (tmp_path / "architecture.png").stat().st_size > 20_000
