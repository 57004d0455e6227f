"""Structured logs: one JSON object per line, always with the run id."""

import json
import logging
import sys
import time
import uuid

RUN_ID = uuid.uuid4().hex[:12]


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON line, merging the `fields` extra."""

    def format(self, record):
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)),
            "level": record.levelname,
            "logger": record.name,
            "run_id": RUN_ID,
            "msg": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        return json.dumps(entry, default=str)


def get_logger(name: str, level: str = "INFO") -> logging.Logger:
    """A logger writing JSON lines to stderr."""
    logger = logging.getLogger(name)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(level)
    return logger


def log_event(logger: logging.Logger, msg: str, **fields) -> None:
    """Log one event with structured fields."""
    logger.info(msg, extra={"fields": fields})
