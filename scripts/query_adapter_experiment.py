"""A fitted query adapter, tried at stop 13 and not kept (docs/retrieval.md, "A fitted query
adapter (tried, not kept)"). This script repeats the measurement; nothing of it is in the product.

    .venv/bin/python scripts/query_adapter_experiment.py --organisations evals/organisations.toml \
        --work-dir DIR

The adapter: a 384 x 384 matrix M, kept near the identity, applied to a question's MiniLM
vector before the dense search (``normalise(M @ q)``); passages and clause cards as the model
reads them. Fitted on every answered question of each organisation's fitting sets (``retrieval``
and ``retrieval_heldout``), each organisation left out in turn. The objective, per question: the
log of the probability the expected documents get under a softmax over documents (a
document's score: the best cosine of its passages to the moved question, over
``TEMPERATURE``), with an L2 pull towards the identity (``PULL``). Full-batch Adam from the
identity for ``STEPS`` steps.

Reported per organisation left out: MRR of the dense search alone without and with the map fitted
on the other three, for a few pulls; then the whole answer (both retrievers, fusion, roles,
clause cards) without and with that map, at today's settings.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.core.progress import NoProgress
from assistant.evaluation.organisations import Organisation, indexed, load_organisations
from assistant.evaluation.retrieval import load_questions
from assistant.search.retrieval import Query

# On the organisation folds of the dense search alone, pull 0.003-0.01 and 30-200 steps are a
# plateau; 0.01 and 100 its middle.
PULL = 0.01
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


def collect(organisations: list[Organisation], work_dir: Path) -> dict[str, OrganisationData]:
    """Index each organisation (incremental) and read its vectors, without the adapter."""
    data = {}
    for org, app in indexed(organisations, work_dir, NoProgress()):
        chunks = app.store.manifest.all_chunks()
        vectors = app.store.reader.embeddings([c.id for c in chunks])
        docs = sorted({c.file for c in chunks})
        index = {f: i for i, f in enumerate(docs)}
        questions, targets, ids = [], [], []
        for file in org.files("retrieval") + org.files("retrieval", heldout=True):
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


def _document_scores(torch, matrix, d: OrganisationData):  # noqa: ANN001, ANN202
    """(questions, docs): each document's best passage cosine to the moved questions."""
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
        ranks.append(1.0 / (int(np.flatnonzero(target[order])[0]) + 1))
    return float(np.mean(ranks))


def fold_matrices(
    data: dict[str, OrganisationData], pull: float = PULL, steps: int = STEPS
) -> dict[str, np.ndarray]:
    """For each organisation, the matrix fitted on the others."""
    return {k: fit([d for o, d in data.items() if o != k], pull, steps) for k in data}


PULLS = (0.003, 0.01, 0.03)


def whole_answer(organisations: Path, work_dir: Path, folds: dict[str, np.ndarray]) -> None:
    """Each organisation's answered fitting questions, asked as the product asks them, without
    the map and with the one fitted on the other organisations (questions only: a clause
    card's vector is searched as it is)."""
    for org, app in indexed(load_organisations(organisations), work_dir, NoProgress()):
        retriever, plain_vector = app.retriever, app.retriever.vector
        matrix = folds[org.key]

        def moved(
            query: Query, _plain: Callable = plain_vector, _m: np.ndarray = matrix
        ) -> np.ndarray:
            v = _plain(query)
            if query.fixed:
                return v
            m = _m @ v
            return m / np.linalg.norm(m)

        questions = [
            q
            for file in org.files("retrieval") + org.files("retrieval", heldout=True)
            for q in load_questions(file)
            if q.expected_sources
        ]
        figures = []
        for vector in (plain_vector, moved):
            retriever.vector = vector  # type: ignore[method-assign]
            ranks = []
            for q in questions:
                files = app.ask_service.ask(q.question, app.settings.top_k).ranked_files
                found = [files.index(s) + 1 for s in q.expected_sources if s in files]
                ranks.append(min(found) if found else None)
            mrr = float(np.mean([1 / r if r else 0 for r in ranks]))
            hit3 = float(np.mean([bool(r and r <= 3) for r in ranks]))
            figures.append((mrr, hit3))
        (a, b), (c, d) = figures
        print(f"  {org.key:<15} MRR {a:.3f} -> {c:.3f}, hit@3 {b:.3f} -> {d:.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--organisations", type=Path, required=True)
    ap.add_argument("--work-dir", type=Path, required=True, help="where each org is indexed")
    args = ap.parse_args()
    data = collect(load_organisations(args.organisations), args.work_dir)
    print("\ndense search alone, MRR without -> with the map fitted on the other organisations:")
    for pull in PULLS:
        folds = fold_matrices(data, pull)
        print(
            f"  pull {pull:g}: "
            + ", ".join(
                f"{k} {dense_mrr(d, None):.3f} -> {dense_mrr(d, folds[k]):.3f}"
                for k, d in data.items()
            )
        )
    print(f"\nthe whole answer, pull {PULL:g}:")
    whole_answer(args.organisations, args.work_dir, fold_matrices(data))


if __name__ == "__main__":
    main()
