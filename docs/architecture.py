"""The architecture diagram's source: boxes and arrows declared below, drawn with matplotlib into images/architecture.png.

python -m docs.architecture [--out images/architecture.png]   (make images runs it)
"""

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

COLOURS = {
    "raw": "#e9ecef",
    "jobs": "#ffe8cc",
    "delta": "#d3f9d8",
    "serve": "#d0ebff",
    "user": "#f3d9fa",
    "ops": "#fff3bf",
    "deploy": "#e5dbff",
}
# name: (x, y, width, height, kind, label) on a 100 x 60 canvas
BOXES = {
    "raw": (1, 22, 15, 26, "raw", "Raw files\n\nKaggle Movies Dataset\nTMDB 5000\nMovieLens\nFRED CPI\nSpotify (spotifyr)\nMillion Song subset"),
    "jobs": (21, 30, 16, 14, "jobs", "PySpark jobs\n(jobs/)\n\nSail, embedded (default)\nor Databricks / any Spark 4\nvia Spark Connect"),
    "scheduler": (21, 49, 16, 8, "ops", "Scheduler + runner\nDatabricks Jobs JSON\n(jobs/workflow/)"),
    "bronze": (42, 43, 14, 7, "delta", "bronze\nas landed + lineage"),
    "silver": (42, 32, 14, 8, "delta", "silver\ntyped, validated, deduped\n+ quarantine"),
    "gold": (42, 21, 14, 8, "delta", "gold\naggregates + catalogues"),
    "warehouse": (61, 23, 14, 12, "serve", "Warehouse connector\n\nDuckDB + delta (local)\ndatabricks-sql-connector"),
    "service": (61, 39, 14, 14, "serve", "Flask service\n(service/)\n\nstatistics API\nchart pages\nchat + schedule"),
    "llm": (61, 54, 14, 5, "ops", "OpenAI-compatible LLM\n(optional; MiniLM offline)"),
    "notebooks": (61, 9, 14, 7, "user", "Notebooks\npandas + matplotlib"),
    "users": (81, 30, 17, 20, "user", "Users\n\ndata engineers (jobs)\nanalysts (notebooks)\ndevelopers (API)\nlisteners (chat)"),
    "deploy": (1, 2, 52, 12, "deploy", "Deployment (template.json, .github/workflows/cd.yml)\n\ndistroless image -> Azure Web App for Containers\n"
               "job definitions -> Azure Databricks workspace\nADLS Gen2 lakehouse, Key Vault secrets, Application Insights"),
}  # fmt: skip
ARROWS = [("raw", "jobs", "land"), ("scheduler", "jobs", "runs"), ("jobs", "bronze", ""), ("bronze", "silver", ""), ("silver", "gold", ""),
          ("gold", "warehouse", "SQL"), ("warehouse", "service", ""), ("service", "users", "HTTP"), ("llm", "service", ""),
          ("gold", "notebooks", ""), ("notebooks", "users", "")]  # fmt: skip


def centre(name: str) -> tuple[float, float]:
    """The middle of a box."""
    x, y, w, h, *_ = BOXES[name]
    return x + w / 2, y + h / 2


def edge_point(name: str, towards: tuple[float, float]) -> tuple[float, float]:
    """Where the line from a box's centre towards a point leaves the box."""
    x, y, w, h, *_ = BOXES[name]
    cx, cy = centre(name)
    dx, dy = towards[0] - cx, towards[1] - cy
    scale = min(w / 2 / abs(dx) if dx else float("inf"), h / 2 / abs(dy) if dy else float("inf"))
    return cx + dx * scale, cy + dy * scale


def draw(out: str) -> None:
    """Render the boxes and arrows."""
    fig, ax = plt.subplots(figsize=(15, 9))
    ax.set(xlim=(0, 100), ylim=(0, 61))
    ax.axis("off")
    for x, y, w, h, kind, label in BOXES.values():
        ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.4,rounding_size=1.2", fc=COLOURS[kind], ec="#495057", lw=1.2))
        ax.text(x + w / 2, y + h / 2, label, ha="center", va="center", fontsize=8.5, linespacing=1.35)
    for start, end, label in ARROWS:
        a, b = edge_point(start, centre(end)), edge_point(end, centre(start))
        ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=14, color="#343a40", lw=1.2, shrinkA=4, shrinkB=4))
        if label:
            ax.text((a[0] + b[0]) / 2, (a[1] + b[1]) / 2 + 0.8, label, ha="center", fontsize=8, color="#495057")
    ax.set_title(
        "medialake: raw files -> Spark jobs -> Delta bronze/silver/gold -> warehouse connector -> Flask service -> users", fontsize=11
    )
    fig.savefig(out, dpi=100, bbox_inches="tight")


def main() -> None:
    """Write the PNG."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="images/architecture.png")
    draw(parser.parse_args().out)


if __name__ == "__main__":
    main()
