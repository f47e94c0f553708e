"""A small deterministic embedder (hashed bag of words) with the Embedder protocol, so the suite
exercises vector storage, the matrix cache and hybrid fusion without the optional 90 MB model.
The real model is exercised by bench/similar_eval.py."""

import hashlib

import numpy as np

from knowhow.feed.similar import terms


class HashingEmbedder:
    name = "test-hashing"
    dimensions = 384

    def __init__(self) -> None:
        self.calls = 0

    def embed(self, texts: list[str]):
        self.calls += len(texts)
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in terms(text):
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimensions] += 1
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.clip(norms, 1e-12, None)


def make() -> HashingEmbedder:
    return HashingEmbedder()


def none():
    return None
