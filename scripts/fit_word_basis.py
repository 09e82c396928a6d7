"""Fit the directions the word store keeps words over (assistant/index/word_basis.npy).

    .venv/bin/python scripts/fit_word_basis.py [--check]

The words are those of the text shipped with the product: every clause card of the catalogue
(corpus/clauses) and every passage of the sample organisation's procedures (corpus/procedures),
read in context as at ingest (the first ``PASSAGE_TOKENS`` tokens). No labels are read, and no
other organisation's documents: the real QMSs and fernhill confirm that a basis fitted without
them serves them (docs/retrieval.md, "Words in context re-rank plain questions").
``--check`` fits and compares with the shipped file instead of writing it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from assistant.core.settings import Settings
from assistant.documents import loaders
from assistant.documents.chunking import ChunkingParams, chunk_document
from assistant.index import word_store
from assistant.index.embedder import Embedder
from assistant.search.clauses import default_catalogue

ROOT = Path(__file__).resolve().parents[1]


def shipped_texts() -> list[str]:
    """The clause cards' and the sample procedures' passages, as they are embedded."""
    texts = [c.embedding_text() for c in default_catalogue(ROOT / "corpus" / "clauses")]
    s = Settings()
    params = ChunkingParams(s.chunk_size, s.chunk_overlap, s.min_chunk_chars)
    for path in sorted((ROOT / "corpus" / "procedures").rglob("*")):
        if path.is_file() and loaders.is_supported(path):
            doc = loaders.parse(path.read_bytes(), path, path.suffix.lower())
            texts += [c.embedding_text() for c in chunk_document(doc, "basis", params)]
    return texts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare with the shipped file")
    args = ap.parse_args()
    texts = shipped_texts()
    embedder = Embedder()
    words = np.concatenate(
        [
            np.array([v for _, v in w])
            for w in embedder.word_vectors(texts, word_store.PASSAGE_TOKENS)
            if w
        ]
    )
    basis = word_store.fit_basis(words)
    kept = float(np.sum((words @ basis) ** 2) / np.sum(words**2))
    print(f"{len(texts)} passages, {len(words)} words; {basis.shape[1]} directions keep {kept:.1%}")
    if args.check:
        same = np.allclose(np.load(word_store.BASIS_FILE), basis, atol=1e-3)
        print("the shipped basis is what this gives" if same else "the shipped basis differs")
        sys.exit(0 if same else 1)
    np.save(word_store.BASIS_FILE, basis)
    print(f"wrote {word_store.BASIS_FILE}")


if __name__ == "__main__":
    main()
