"""Would MiniLM fine-tuned on our labelled questions rank an unseen organisation's documents better
than the shipped model with its fitted question map? A probe, not a fit: nothing it trains is
shipped or read by the product.

    .venv/bin/python scripts/fine_tune_probe.py --organisations evals/organisations.toml \
        --work-dir DIR --held-out openregulatory [--epochs 2] [--lr 5e-5] [--with-map] \
        [--save DIR]

DIR holds each organisation's index (``DIR/ORG``, as ``scripts/fitting_decisions.py`` uses).
The model is trained on the answered fitting questions of every organisation but the held-out
one (``retrieval`` and ``retrieval_heldout`` sets; never ``retrieval_untouched``): for each, the
passage of an expected document closest to it under the shipped model is its positive, the
closest passage of any other document its hard negative, with in-batch negatives besides
(multiple-negatives ranking loss, scale 20, AdamW, batches of 32, passages cut at 128 tokens).
Then the held-out organisation's answered fitting questions (which it never saw) are ranked by
dense search alone, a document by its best passage, and three readings printed as MRR / hit@3:
the shipped model, the shipped model through the question map fitted without that organisation
(``question_map_folds.npz``: what ``eval retrieval --as-new`` searches with), and the fine-tuned
model. ``--with-map`` then fits a question map (``evaluation/question_map_fit.fit``, the shipped
recipe) on the other organisations' questions under each model and reads the held-out one
through it: does a map add to a fine-tuned model? Dense ranking alone: the product fuses it with
BM25, clause cards and the rules after it,
so a gain here is an upper bound on what the product would see (docs/retrieval.md, "A fine-tuned
MiniLM").

About 25 minutes per held-out organisation on 2 cores (two epochs).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import numpy as np
import torch
from sentence_transformers import SentenceTransformer

from assistant.core.models import Chunk
from assistant.core.settings import load_settings
from assistant.evaluation.organisations import Organisation, load_organisations
from assistant.evaluation.question_map_fit import OrganisationData, dense_mrr, dense_ranks, fit
from assistant.factory import Assistant
from assistant.index.embedder import MODEL_ID, model_path
from assistant.search.question_map import QuestionMap

BATCH = 32
SCALE = 20.0  # cosine to logit, as sentence-transformers' MultipleNegativesRankingLoss
TRAIN_TOKENS = 128
Labelled = tuple[list[Chunk], list[tuple[str, list[str]]]]


def labelled(org: Organisation, work_dir: Path) -> Labelled:
    """The organisation's indexed passages and its answered fitting questions with their
    expected documents (base names, as the sets write them)."""
    app = Assistant(load_settings(data_dir=work_dir / org.key))
    questions = []
    for path in org.fitting_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else {}
            if row.get("expected_sources"):
                expected = [Path(s).name for s in row["expected_sources"]]
                questions.append((row["question"], expected))
    return app.store.manifest.all_chunks(), questions


def encode(model: SentenceTransformer, texts: list[str]) -> np.ndarray:
    return model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)


def reading(r: list[int]) -> str:
    mrr = float(np.mean([1 / x for x in r]))
    return f"MRR {mrr:.3f} / hit@3 {float(np.mean([x <= 3 for x in r])):.3f} (n={len(r)})"


def fit_data(model: SentenceTransformer, data: Labelled) -> OrganisationData:
    """The organisation's passages and questions as ``model`` reads them, for a map fit."""
    chunks, questions = data
    docs = sorted({Path(c.file).name for c in chunks})
    index = {f: i for i, f in enumerate(docs)}
    targets = np.zeros((len(questions), len(docs)), dtype=bool)
    for i, (_, expected) in enumerate(questions):
        targets[i, [index[f] for f in expected if f in index]] = True
    keep = targets.any(axis=1)  # an expected document not indexed: not a question to fit on
    return OrganisationData(
        encode(model, [c.embedding_text() for c in chunks]).astype(np.float32),
        np.array([index[Path(c.file).name] for c in chunks]),
        docs,
        encode(model, [q for q, _ in questions]).astype(np.float32)[keep],
        targets[keep],
        [],
    )


def with_map(models: dict[str, SentenceTransformer], data: dict[str, Labelled], held: str) -> None:
    """Dense MRR of the held-out organisation through a map fitted on the others, per model."""
    for name, model in models.items():
        fitted = {k: fit_data(model, d) for k, d in data.items()}
        matrix = fit([d for k, d in fitted.items() if k != held])
        mrr = dense_mrr(fitted[held], matrix)
        print(f"{held} {name} + map fitted on the others: MRR {mrr:.3f}")


def triplets(model: SentenceTransformer, data: Labelled) -> list[tuple[str, str, str]]:
    """(question, closest passage of an expected document, closest passage of another)."""
    chunks, questions = data
    passages = encode(model, [c.embedding_text() for c in chunks])
    asked = encode(model, [q for q, _ in questions])
    files = [Path(c.file).name for c in chunks]
    out = []
    for i, (question, expected) in enumerate(questions):
        order = np.argsort(-(passages @ asked[i]))
        pos = next((j for j in order if files[j] in expected), None)
        neg = next((j for j in order if files[j] not in expected), None)
        if pos is not None and neg is not None:
            out.append((question, chunks[pos].embedding_text(), chunks[neg].embedding_text()))
    return out


def train(examples: list[tuple[str, str, str]], epochs: int, lr: float) -> SentenceTransformer:
    model = SentenceTransformer(model_path(), device="cpu")
    shipped_length = model.max_seq_length
    model.max_seq_length = TRAIN_TOKENS
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr)

    def embed(texts: list[str]) -> torch.Tensor:
        features = model.preprocess(texts)
        return torch.nn.functional.normalize(model(features)["sentence_embedding"], dim=-1)

    model.train()
    step, start = 0, time.time()
    for _ in range(epochs):
        random.shuffle(examples)
        for i in range(0, len(examples), BATCH):
            batch = examples[i : i + BATCH]
            questions = embed([b[0] for b in batch])
            passages = embed([b[1] for b in batch] + [b[2] for b in batch])
            logits = questions @ passages.T * SCALE  # question i's positive is passage i
            loss = torch.nn.functional.cross_entropy(logits, torch.arange(len(batch)))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            step += 1
            if step % 20 == 0:
                print(f"  step {step}: loss {loss.item():.3f} ({time.time() - start:.0f} s)")
    model.eval()
    model.max_seq_length = shipped_length
    return model


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--organisations", type=Path, required=True)
    ap.add_argument("--work-dir", type=Path, required=True)
    ap.add_argument("--held-out", required=True)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--with-map", action="store_true", help="also fit a map under each model")
    ap.add_argument("--save", type=Path, help="keep the fine-tuned model here")
    args = ap.parse_args()
    torch.set_num_threads(2)
    random.seed(0)
    torch.manual_seed(0)
    orgs = load_organisations(args.organisations)
    data = {o.key: labelled(o, args.work_dir) for o in orgs}
    shipped = SentenceTransformer(model_path(), device="cpu")
    examples = [t for k, d in data.items() if k != args.held_out for t in triplets(shipped, d)]
    print(f"{len(examples)} training triplets from {len(data) - 1} organisations")
    held = fit_data(shipped, data[args.held_out])
    print(f"{args.held_out} shipped model:          {reading(dense_ranks(held, None))}")
    fold = QuestionMap.load_fold(MODEL_ID, args.held_out)
    if fold is not None:
        print(f"{args.held_out} shipped + map fold:     {reading(dense_ranks(held, fold.matrix))}")
    model = train(examples, args.epochs, args.lr)
    with torch.no_grad():
        tuned = fit_data(model, data[args.held_out])
        print(f"{args.held_out} fine-tuned:             {reading(dense_ranks(tuned, None))}")
        if args.with_map:
            with_map({"shipped": shipped, "fine-tuned": model}, data, args.held_out)
    if args.save:
        model.save(str(args.save))


if __name__ == "__main__":
    main()
