"""Fetch the public real files (MovieLens latest-small, TidyTuesday Spotify songs, FRED CPI) when a network is available.

python -m jobs.download --out data/raw/downloaded
"""

import argparse
import io
import os
import urllib.request
import zipfile

from medialake.log import get_logger, log_event

SOURCES = {
    "movielens": "https://files.grouplens.org/datasets/movielens/ml-latest-small.zip",
    "spotify": "https://raw.githubusercontent.com/rfordatascience/tidytuesday/master/data/2020/2020-01-21/spotify_songs.csv",
    "fred": "https://fred.stlouisfed.org/graph/fredgraph.csv?id=CUSR0000SS62031",
}
log = get_logger("medialake.download")


def fetch(url: str, timeout: float = 60) -> bytes:
    """The body at url, or a clear error naming it."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.read()
    except OSError as error:
        raise SystemExit(f"could not download {url}: {error} (no network? the real files are optional; use make datagen)") from error


def download(out: str) -> None:
    """Write each source under out/<name>/."""
    for name, url in SOURCES.items():
        folder = os.path.join(out, name)
        os.makedirs(folder, exist_ok=True)
        body = fetch(url)
        if url.endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                for member in archive.namelist():
                    if member.endswith(".csv"):
                        with open(os.path.join(folder, os.path.basename(member)), "wb") as handle:
                            handle.write(archive.read(member))
        else:
            filename = "CUSR0000SS62031.csv" if name == "fred" else os.path.basename(url)
            with open(os.path.join(folder, filename), "wb") as handle:
                handle.write(body)
        log_event(log, "downloaded", source=name, url=url, bytes=len(body))


def main(argv=None) -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="data/raw/downloaded")
    download(parser.parse_args(argv).out)


if __name__ == "__main__":
    main()
