"""Answers cached in memory by query, parameters and the Delta versions behind them; the last good answer kept for outages."""

import hashlib
import threading
from collections import OrderedDict


class AnswerCache:
    """A bounded LRU of encoded answers, plus the last good answer per request whatever the versions."""

    def __init__(self, entries: int):
        self.entries, self.lock = entries, threading.Lock()
        self.fresh: OrderedDict = OrderedDict()
        self.last_good: OrderedDict = OrderedDict()

    @staticmethod
    def etag(route: str, params: dict, versions: dict) -> str:
        """A strong validator derived from the route, parameters and table versions."""
        text = repr((route, sorted(params.items()), sorted(versions.items())))
        return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()

    def get(self, etag: str):
        """The cached answer for a validator, or None."""
        with self.lock:
            body = self.fresh.get(etag)
            if body is not None:
                self.fresh.move_to_end(etag)
            return body

    def put(self, etag: str, request_key: tuple, body: bytes) -> None:
        """Remember an answer, evicting the least recently used."""
        with self.lock:
            for store, key in ((self.fresh, etag), (self.last_good, request_key)):
                store[key] = body
                store.move_to_end(key)
                while len(store) > self.entries:
                    store.popitem(last=False)

    def stale(self, request_key: tuple):
        """The last good answer for this route and parameters, or None."""
        with self.lock:
            return self.last_good.get(request_key)
