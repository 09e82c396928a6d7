"""Texts the same for every organisation (the clause catalogue's cards) are read once per
process: a second assistant, as the web app builds after an ingest or for another data
folder, reuses them instead of spending seconds reading them again."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pytest

from assistant.index.embedder import DIMENSIONS

from .fakes import HashingEmbedder

pytestmark = pytest.mark.fast


class Counting(HashingEmbedder):
    model_id = "hashed words, counted (tests/test_fixed_vectors.py)"

    def __init__(self) -> None:
        super().__init__()
        self.read: list[str] = []

    def encode(
        self, texts: Sequence[str], on_batch: Callable[[int], None] | None = None
    ) -> np.ndarray:
        self.read += list(texts)
        return super().encode(texts, on_batch)


def test_a_card_is_read_once_and_a_second_embedder_reuses_it():
    first, second = Counting(), Counting()
    cards = ["8.7 Control of nonconforming outputs", "7.1.5 Monitoring and measuring resources"]
    vectors = first.fixed(cards, as_query=False)
    assert first.read == cards and vectors.shape == (2, DIMENSIONS)
    again = second.fixed([*cards[::-1], "9.2 Internal audit"], as_query=False)
    assert second.read == ["9.2 Internal audit"]  # only the card not read before
    assert np.array_equal(again[0], vectors[1]) and np.array_equal(again[1], vectors[0])
    # a question's reading is kept apart from a passage's: the two may differ
    second.read.clear()
    second.fixed(cards[:1], as_query=True)
    assert second.read == cards[:1]
