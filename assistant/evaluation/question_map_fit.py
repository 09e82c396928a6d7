"""Fitting the question map (search/question_map.py) on organisations' labelled questions.

Used by scripts/fit_question_map.py (the folds, and ``--write``) and scripts/fit_not_covered.py
(which reads each organisation's "not covered" signals with the map fitted without it, so that
the model is fitted on questions the map has not seen, as a new organisation's are). torch is
imported only to fit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.evaluation.organisations import Organisation
from assistant.evaluation.retrieval import load_questions
from assistant.search.question_map import QuestionMap

if TYPE_CHECKING:
    from assistant.factory import Assistant

# On the organisation folds of the dense search alone, pull 0.003-0.01 and 30-200 steps are a
# plateau (stop 13). The whole answer, 3510 plain and clause questions of five organisations
# (stop 35): pull 0.003 lifts hit@3 on every organisation left out and MRR on four
# (docs/retrieval.md, "A fitted map on the question's vector").
PULL = 0.003
STEPS = 100
LEARNING_RATE = 1e-3
# hand-set, not tuned: a usual contrastive temperature for cosines
TEMPERATURE = 0.05


@dataclass
class OrganisationData:
    """One organisation's passages and answered questions, as MiniLM reads them."""

    chunks: np.ndarray  # (passages, dim)
    chunk_doc: np.ndarray  # (passages,) index into docs
    docs: list[str]
    questions: np.ndarray  # (questions, dim)
    targets: np.ndarray  # (questions, docs) bool: the expected documents
    ids: list[str]


def collect(apps: Iterable[tuple[Organisation, Assistant]]) -> dict[str, OrganisationData]:
    """Each indexed organisation's passages' and answered questions' vectors, as the packaged
    model gives them (no map)."""
    data = {}
    for org, app in apps:
        chunks = app.store.manifest.all_chunks()
        vectors = app.store.reader.embeddings([c.id for c in chunks])
        docs = sorted({c.file for c in chunks})
        index = {f: i for i, f in enumerate(docs)}
        questions, targets, ids = [], [], []
        for file in org.fitting_files():
            for q in load_questions(file):
                expected = [index[f] for f in q.expected_sources if f in index]
                if not expected:
                    continue
                questions.append(app.embedder.encode_query(q.question))
                target = np.zeros(len(docs), dtype=bool)
                target[expected] = True
                targets.append(target)
                ids.append(q.id)
        data[org.key] = OrganisationData(
            np.array([vectors[c.id] for c in chunks], dtype=np.float32),
            np.array([index[c.file] for c in chunks]),
            docs,
            np.array(questions, dtype=np.float32),
            np.array(targets),
            ids,
        )
        print(f"{org.key}: {len(chunks)} passages, {len(ids)} answered questions")
    return data


def _document_scores(torch: Any, matrix: Any, d: OrganisationData) -> Any:
    """(questions, docs): each document's best passage cosine to the moved questions (torch
    tensors; torch is passed in, imported only when fitting)."""
    moved = torch.nn.functional.normalize(torch.tensor(d.questions) @ matrix.T, dim=1)
    cosines = moved @ torch.tensor(d.chunks).T
    index = torch.tensor(d.chunk_doc).expand(cosines.shape[0], -1)
    scores = torch.full((cosines.shape[0], len(d.docs)), -1e4)
    return scores.scatter_reduce(1, index, cosines, reduce="amax", include_self=True)


def fit(data: Iterable[OrganisationData], pull: float = PULL, steps: int = STEPS) -> np.ndarray:
    """The matrix fitted on these organisations' questions (each organisation's loss weighs the
    same, whatever its number of questions)."""
    import torch

    sets = list(data)
    dim = sets[0].questions.shape[1]
    identity = torch.eye(dim)
    matrix = torch.eye(dim, requires_grad=True)
    optimiser = torch.optim.Adam([matrix], lr=LEARNING_RATE)
    targets = [torch.log(torch.tensor(d.targets, dtype=torch.float32) + 1e-12) for d in sets]
    for _ in range(steps):
        loss = torch.zeros(())
        for d, log_target in zip(sets, targets, strict=True):
            log_p = torch.log_softmax(_document_scores(torch, matrix, d) / TEMPERATURE, dim=1)
            loss = loss - torch.logsumexp(log_p + log_target, dim=1).mean()
        loss = loss / len(sets) + pull * ((matrix - identity) ** 2).sum()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    return matrix.detach().numpy().astype(np.float32)


def dense_mrr(d: OrganisationData, matrix: np.ndarray | None) -> float:
    """Mean reciprocal rank of the first expected document, by the dense search alone."""
    return float(np.mean([1.0 / r for r in dense_ranks(d, matrix)]))


def dense_ranks(d: OrganisationData, matrix: np.ndarray | None) -> list[int]:
    """Each question's rank of its first expected document by the dense search alone, a
    document by its best passage."""
    q = d.questions if matrix is None else d.questions @ matrix.T
    q = q / np.linalg.norm(q, axis=1, keepdims=True)
    cos = q @ d.chunks.T
    scores = np.full((len(q), len(d.docs)), -np.inf)
    for doc in range(len(d.docs)):
        cols = d.chunk_doc == doc
        if cols.any():
            scores[:, doc] = cos[:, cols].max(axis=1)
    ranks = []
    for row, target in zip(scores, d.targets, strict=True):
        order = np.argsort(-row, kind="stable")
        ranks.append(int(np.flatnonzero(target[order])[0]) + 1)
    return ranks


def fold_matrices(
    data: dict[str, OrganisationData], pull: float = PULL, steps: int = STEPS
) -> dict[str, np.ndarray]:
    """For each organisation, the matrix fitted on the others."""
    return {k: fit([d for o, d in data.items() if o != k], pull, steps) for k in data}


def use_fold_maps(apps: list[tuple[Organisation, Assistant]]) -> None:
    """Give each organisation's assistant the map fitted on the other organisations, so its
    questions are moved as a new organisation's would be (the fits of scripts/: a map ranks the
    questions it was fitted on, and even an organisation's new ones once it has seen its
    earlier ones, better than a new organisation's; docs/retrieval.md). Nothing is fitted when
    the map is off."""
    if not any(app.retriever.question_map is not None for _, app in apps):
        return
    matrices = fold_matrices(collect(apps))
    for org, app in apps:
        if app.retriever.question_map is not None:
            app.retriever.question_map = QuestionMap(matrices[org.key], app.embedder.model_id)
