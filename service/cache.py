"""HTTP caching in one place: validators (ETag, If-None-Match), the response headers, and the remembered answers."""

import hashlib
import threading
from collections import OrderedDict
from typing import NamedTuple

from flask import current_app, request
from werkzeug.http import parse_etags

# Clients and proxies may keep an answer but must revalidate it, which costs a 304.
CACHE_CONTROL = "public, no-cache"


def body_etag(body: bytes) -> str:
    """A strong validator derived from the bytes themselves (pages, which depend on no data)."""
    return hashlib.blake2b(body, digest_size=12).hexdigest()


def headers(etag: str) -> list[tuple[str, str]]:
    """The caching headers of a cacheable answer: its ETag and Cache-Control."""
    return [("ETag", f'"{etag}"'), ("Cache-Control", CACHE_CONTROL)]


def not_modified(if_none_match: str, etag: str) -> bool:
    """Whether the client's If-None-Match names this answer, so a 304 is due."""
    if not if_none_match:
        return False
    # the usual case, the one validator we sent back verbatim, needs no parsing
    return if_none_match == f'"{etag}"' or parse_etags(if_none_match).contains(etag)


def size_of(value) -> int:
    """What an entry costs against a byte bound: an answer's body (bytes, or a tuple holding one), else nothing."""
    if isinstance(value, bytes | bytearray):
        return len(value)
    body = getattr(value, "body", None)
    return len(body) if isinstance(body, bytes) else 0


class LRU:
    """A bounded mapping, safe across threads, that replaces the least recently used entry; None means absent.
    Bounded by entries and, when max_bytes is given, by the answer bytes it holds (a few large answers cannot grow a
    worker's memory by the entry bound times the largest answer)."""

    def __init__(self, entries: int, max_bytes: int | None = None):
        self.entries, self.max_bytes, self.bytes = entries, max_bytes, 0
        self.lock, self.items = threading.Lock(), OrderedDict()

    def get(self, key):
        """The value for a key, now the most recently used, or None."""
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        """Keep a value, replacing least recently used entries while over either bound. A value larger than the byte
        bound alone is refused before anything is evicted for it; only the key's older value goes, being stale."""
        with self.lock:
            self.bytes -= size_of(self.items.pop(key, None))
            if self.max_bytes is not None and size_of(value) > self.max_bytes:
                return
            self.items[key] = value
            self.bytes += size_of(value)
            while self.items and (len(self.items) > self.entries or self.over_bytes()):
                self.bytes -= size_of(self.items.popitem(last=False)[1])

    def over_bytes(self) -> bool:
        """Whether the bytes held exceed the byte bound."""
        return self.max_bytes is not None and self.bytes > self.max_bytes

    def clear(self) -> None:
        """Forget everything."""
        with self.lock:
            self.items.clear()
            self.bytes = 0

    def __len__(self) -> int:
        return len(self.items)

    def __contains__(self, key) -> bool:
        return key in self.items


class AnswerCache:
    """Answers (any object) by validator, plus the last good answer per request whatever the versions."""

    def __init__(self, entries: int, max_bytes: int | None = None):
        self.fresh, self.last_good = LRU(entries, max_bytes), LRU(entries, max_bytes)

    @staticmethod
    def etag(route: str, params: dict, versions: dict) -> str:
        """A strong validator derived from the route, parameters and table versions."""
        text = repr((route, sorted(params.items()), sorted(versions.items())))
        return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()

    def get(self, key: str):
        """The cached answer for a validator, or None."""
        return self.fresh.get(key)

    def put(self, key: str, request_key: tuple, value) -> None:
        """Remember an answer, evicting the least recently used."""
        self.fresh.put(key, value)
        self.last_good.put(request_key, value)

    def stale(self, request_key: tuple):
        """The last good answer for this route and parameters, or None."""
        return self.last_good.get(request_key)


class Remembered(NamedTuple):
    """An answer the fast path may repeat while the tables behind it keep these versions."""

    route: str
    tables: tuple
    versions: dict
    etag: str
    body: bytes
    content_type: str


class RememberedAnswers(LRU):
    """The fast path's store: the answer last given to each exact URL (path, query string)."""

    def remember(self, path: str, query: str, answer: Remembered) -> None:
        """Keep an answer that only changes with its tables' versions (statistics, pages)."""
        self.put((path, query), answer)

    def lookup(self, path: str, query: str) -> Remembered | None:
        """The answer remembered for this URL, or None; its versions are the caller's to check."""
        return self.get((path, query))


def remember_and_respond(answer: Remembered):
    """The Flask response of an answer to this URL, which the fast path then repeats without entering Flask."""
    current_app.extensions["answers"].remember(request.path, request.query_string.decode(), answer)
    return current_app.response_class(answer.body, content_type=answer.content_type, headers=headers(answer.etag))
