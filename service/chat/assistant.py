"""The chat's answers: a listening schedule when the message lists to-dos with times, else a recommendation, offline
(cached by catalogue version) or chosen by the model when a client is given. Plain arguments in, plain dicts out."""

import json
from typing import NamedTuple

from service.cache import LRU, AnswerCache
from service.chat import llm, schedule
from service.chat.catalogue import Catalogue
from service.chat.mood import MoodMatcher
from service.chat.recommender import Recommender
from service.warehouse.lookups import ReferenceLists

# an offline answer reads nothing else: the catalogues, and the reference lists it checks a request against
CATALOGUES = ("songs_catalog", "movies_catalog", "song_genre_popularity", "genre_counts_by_year")
PUBLIC = ("domain", "understood", "off_topic", "mood", "filters", "missing", "picks", "text", "mode", "fallback")
LISTS = (("song_genres", "genre"), ("movie_genres", "genre"), ("chat_artists", "artist"), ("chat_song_years", "year"),
         ("chat_movie_years", "year"))  # fmt: skip


class Reply(NamedTuple):
    """An answer, and "hit" or "miss" when it went through the offline cache (None when the model was asked)."""

    answer: dict
    cache: str | None


def catalogue_of(lists: ReferenceLists, encoder=None):
    """The tables' genres, artists and years as a Catalogue, rebuilt only when one of the lists gets a new version."""
    kept: list = [None, None]

    def catalogue() -> Catalogue:
        values = tuple(lists.values(query, column) for query, column in LISTS)
        if kept[0] is None or any(a is not b for a, b in zip(kept[0], values, strict=True)):
            kept[:] = [values, Catalogue(*values, encoder=encoder)]
        return kept[1]

    return catalogue


class Assistant:
    """Answers chat messages and plans days over one warehouse; built once per app and shared by its requests."""

    def __init__(self, warehouse, matcher: MoodMatcher, lists: ReferenceLists, llm_client=None, model: str = "", output: str = "tool",
                 day_start: str = "07:00", day_end: str = "23:00", cache_entries: int = 4096):  # fmt: skip
        self.warehouse, self.llm_client, self.model, self.output = warehouse, llm_client, model, output
        self.day_start, self.day_end = day_start, day_end
        self.recommender = Recommender(warehouse, matcher, catalogue_of(lists, matcher.encoder))
        self.cache = LRU(cache_entries)  # answers by cache_key; no last-good copy: a chat answer is never served stale

    def reply(self, message: str, domain: str = "auto", context: dict | None = None) -> Reply:
        """The answer, from the cache when offline (deterministic for a message, domain, context and catalogue versions).

        A cached answer is shared by every later hit: callers read it and never change it.
        """
        if self.llm_client is not None:  # the model's choice varies from call to call: never cached
            return Reply(self.answer(message, domain, context), None)
        key = self.cache_key(message, domain, context)
        cached = self.cache.get(key)
        if cached is not None:
            return Reply(cached, "hit")
        answer = self.answer(message, domain, context)
        self.cache.put(key, answer)
        return Reply(answer, "miss")

    def answer(self, message: str, domain: str = "auto", context: dict | None = None) -> dict:
        """The schedule when the message lists to-dos with times, else the recommendation (with the model when configured)."""
        if schedule.TODO.search(message):
            return {"kind": "schedule", "mode": "offline", "fallback": None} | self.plan_day(message)
        offline = self.recommender.recommend(message, domain, context)
        answer = offline | {"mode": "offline", "fallback": None}
        if self.llm_client is not None:
            answer = llm.with_model(offline, message, context, self.llm_client, self.model, self.output)
        return {"kind": "recommendation"} | {k: answer[k] for k in PUBLIC}

    def plan_day(self, todos_text: str, day_start: str | None = None, day_end: str | None = None) -> dict:
        """The listening schedule for a day, between the configured day bounds unless others are given."""
        start, end = schedule.day_bounds(day_start or self.day_start, day_end or self.day_end)
        return schedule.build(self.recommender, schedule.parse_todos(todos_text), start, end)

    def cache_key(self, message: str, domain: str, context: dict | None) -> str:
        """The same for messages that differ only in case and spacing; new when a catalogue gets a new version."""
        versions = self.warehouse.versions(CATALOGUES)
        params = {"domain": domain, "context": json.dumps(context, sort_keys=True)}
        return AnswerCache.etag(" ".join(message.lower().split()), params, versions)
