"""The production server: granian (WSGI) with workers and threads from the settings; prints the URL it serves."""

import sys
from pathlib import Path

from granian import Granian
from granian.constants import Interfaces

from medialake.log import get_logger, log_event
from medialake.settings import load_settings


def main() -> int:
    """Serve service.wsgi:app until stopped."""
    settings = load_settings()
    log = get_logger("medialake.serve")
    url = f"http://{settings.host}:{settings.port}/"
    log_event(log, "serving", url=url, workers=settings.workers, blocking_threads=settings.blocking_threads, warehouse=settings.warehouse)
    print(f"medialake is serving on {url}  (API reference: {url}docs)", flush=True)
    server = Granian(
        "service.wsgi:app",
        address=settings.host,
        port=settings.port,
        interface=Interfaces.WSGI,
        workers=settings.workers,
        blocking_threads=settings.blocking_threads,
        log_access=False,
        # static files straight from granian's Rust side: a visitor's page loads cost Python nothing
        static_path_route=["/static"],
        static_path_mount=[Path(__file__).resolve().parent / "static"],
        static_path_expires=600,
    )
    server.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
