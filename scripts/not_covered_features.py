"""Signals for the "not covered" decision, per question, and a cross-organisation fit of them.

Measured 2026-12-01 (docs/retrieval.md, "A fitted not covered line over word counts"): no
combination of these word-count signals beat the single ``no_evidence_similarity`` line on any
organisation. The model now used reads words in context instead (usecases/not_covered.py,
refit with scripts/fit_not_covered.py). Kept so this measurement can be repeated.

    # one file of features per organisation (an index of its documents, its retrieval set)
    .venv/bin/python scripts/not_covered_features.py features --data-dir IDX \
        --questions evals/retrieval/fernhill.jsonl --out /tmp/features-fernhill.jsonl
    # fit on all but one organisation, test on that one, for each
    .venv/bin/python scripts/not_covered_features.py fit /tmp/features-*.jsonl
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
from pathlib import Path

import numpy as np

from assistant.core.settings import Settings
from assistant.factory import build

FEATURE_SETS = [["sim"], ["sim", "known"], ["sim", "cover1"], ["sim", "known", "cover1"],
                ["rel", "known"], ["sim", "known", "cover", "cover1", "bm"],
                ["sent"], ["sim", "sent"], ["sent", "known"]]  # fmt: skip
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+|\n+")


def _share(pairs: list[tuple[str, float]], found: set[str]) -> float:
    """The IDF-weighted share of the question's words that are in ``found``."""
    return sum(w for t, w in pairs if t in found) / (sum(w for _, w in pairs) or 1.0)


def features(data_dir: str, questions: Path, out: Path) -> None:
    import bm25s

    app = build(Settings(data_dir=data_dir))
    lexical = app.store.lexical
    bm25 = lexical._retriever  # the stored BM25: its vocabulary and per-token postings
    vocab, indptr, n_docs = bm25.vocab_dict, bm25.scores["indptr"], bm25.scores["num_docs"]

    def stems(text: str) -> list[str]:
        tokens = bm25s.tokenize(
            [text], stopwords="en", stemmer=lexical._stem, show_progress=False, return_ids=False
        )[0]
        return list(dict.fromkeys(tokens))

    def idf(token: str) -> float:
        if token not in vocab:
            return math.log(1 + n_docs)  # a word the corpus never uses weighs most
        i = vocab[token]
        df = indptr[i + 1] - indptr[i]
        return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))

    # The corpus's own scale: the best cosine of one catalogue question per clause.
    reference = []
    for clause in app.catalogue:
        if clause.questions:
            hits = app.store.reader.query(app.embedder.encode_query(clause.questions[0].text), 1)
            reference.append(hits[0][1] if hits else 0.0)
    median = statistics.median(reference)

    rows = []
    for line in questions.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        q = json.loads(line)
        plan = app.ask_service.plan(q["question"])
        answer = app.ask_service.answer(plan)
        text = app.resolver.strip_references(q["question"]) if plan.clause_mode else q["question"]
        words = stems(text)
        weights = [idf(t) for t in words]

        pairs = list(zip(words, weights, strict=True))

        top3 = set(stems(" ".join(e.chunk.text for e in answer.evidence[:3])))
        top1 = set(stems(answer.evidence[0].chunk.text)) if answer.evidence else set()
        best = lexical.query(text, 1)
        # The closest single sentence of the first three passages: a passage can share a
        # question's topic words (suppliers, approval) with no sentence about its subject (gifts).
        sentences = [
            x.strip()
            for e in answer.evidence[:3]
            for x in _SENTENCE_END.split(e.chunk.text)
            if len(x.strip()) >= 20
        ]
        sent = 0.0
        if sentences:
            vectors = app.embedder.encode(sentences)
            sent = float(np.max(vectors @ app.embedder.encode_query(q["question"])))
        rows.append({
            "id": q["id"], "label": int(not q.get("expected_sources")), "mode": answer.mode,
            "sim": answer.similarity, "rel": answer.similarity - median,
            "known": _share(pairs, set(vocab)), "cover": _share(pairs, top3),
            "cover1": _share(pairs, top1),
            "bm": best[0][1] / (sum(weights) or 1.0) if best else 0.0, "sent": sent,
            "decided": int(answer.no_evidence),
        })  # fmt: skip
    out.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    print(f"{out}: {len(rows)} questions; corpus median best cosine {median:.3f}")


def fit(files: list[Path]) -> None:
    from sklearn.linear_model import LogisticRegression

    data = {f.stem: [json.loads(x) for x in f.read_text().splitlines() if x] for f in files}
    for names in FEATURE_SETS:
        cells = []
        for org, rows in data.items():
            train = [r for o, rs in data.items() if o != org for r in rs if r["mode"] == "plain"]
            test = [r for r in rows if r["mode"] == "plain"]
            model = LogisticRegression(C=10).fit(
                np.array([[r[n] for n in names] for r in train]), [r["label"] for r in train]
            )
            predicted = model.predict(np.array([[r[n] for n in names] for r in test]))
            right = sum(int(p) == r["label"] for p, r in zip(predicted, test, strict=True))
            now = sum(r["decided"] == r["label"] for r in test)
            cells.append(f"{org} {right}/{len(test)} (now {now})")
        print(f"{'+'.join(names):<28} " + " | ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("features")
    f.add_argument("--data-dir", required=True)
    f.add_argument("--questions", type=Path, required=True)
    f.add_argument("--out", type=Path, required=True)
    g = sub.add_parser("fit")
    g.add_argument("files", type=Path, nargs="+")
    args = parser.parse_args()
    if args.command == "features":
        features(args.data_dir, args.questions, args.out)
    else:
        fit(args.files)


if __name__ == "__main__":
    main()
