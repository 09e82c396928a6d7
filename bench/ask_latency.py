"""Warm ``ask`` latency (retrieval + composition, in process) and how it grows with corpus size.

    .venv/bin/python bench/ask_latency.py [--sizes 5000 20000] [--json OUT]

The quotes of a plain question's answer (its short answer, ``Answer.lead``, and its procedures'
quotes, both worked out when shown) are timed apart on the sample corpus, with the fitted
sentence scorer beside the hand-set one in the same run. First on the sample corpus, then on
synthetic corpora of N chunks. Synthetic chunks are built from the sample corpus's own
sentences, shuffled into new passages, with vectors made from real passage embeddings plus
noise (re-normalised): realistic vocabulary for BM25 and a realistic vector distribution for
Chroma, without spending minutes embedding 20,000 passages. They go through the real
manifest, Chroma store and BM25 index.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.core.models import Chunk  # noqa: E402
from assistant.core.settings import load_settings  # noqa: E402
from assistant.factory import build  # noqa: E402
from assistant.index.word_store import WordStore  # noqa: E402

QUESTIONS = [
    json.loads(line)["question"]
    for line in (ROOT / "evals" / "questions.jsonl").read_text().splitlines()
    if line
]


def measure(app, rounds: int = 2) -> dict:
    app.ask("warm up: calibration")
    times = []
    for _ in range(rounds):
        for q in QUESTIONS:
            t = time.perf_counter()
            app.ask(q)
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {
        "questions": len(times),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
    }


def first_clause(app) -> float:
    """The first clause question after a start, in ms. Until stop 52 the first after an ingest
    built the clause-citation map from every passage (the ingest now does:
    ``citation_map_at_ingest_ms``); a later start reads the map kept beside the index
    (search/citation_cache.py). Not in ``measure``,
    whose warm-up question is a plain one and whose p95 it would otherwise decide at 20,000
    passages."""
    app.ask("warm up: calibration")
    t = time.perf_counter()
    app.ask("Which procedure shows how we meet clause 8.5.1?")
    return round((time.perf_counter() - t) * 1000, 1)


def measure_lead(app, rounds: int = 2) -> dict:
    """The time to choose a plain question's quotes once it is answered (the short answer and
    the procedures' quotes, worked out when shown), the short answer by the fitted scorer and by
    the hand-set one, question by question in turn: the fitted scorer reads more of the leading
    document's passages (each sentence embedded once for both)."""
    service = app.ask_service
    fitted = service.lead_model
    times: dict[str, list[float]] = {"fitted": [], "hand_set": []}
    for _ in range(rounds):
        for q in QUESTIONS:
            for name, model in (("fitted", fitted), ("hand_set", None)):
                service.lead_model = model
                answer = app.ask(q)
                if answer.mode != "plain" or answer.no_evidence:
                    continue  # no short answer
                t = time.perf_counter()
                answer.lead  # noqa: B018 (worked out on first read)
                for procedure in answer.procedures:
                    procedure.quotes  # noqa: B018
                times[name].append((time.perf_counter() - t) * 1000)
    service.lead_model = fitted
    out = {"questions": len(times["fitted"])}
    for name, found in times.items():
        found.sort()
        out[f"{name}_p50_ms"] = round(statistics.median(found), 1)
        out[f"{name}_p95_ms"] = round(found[int(0.95 * (len(found) - 1))], 1)
    out["p95_ratio"] = round(out["fitted_p95_ms"] / max(out["hand_set_p95_ms"], 0.1), 2)
    return out


def synthetic(app_sample, data_dir: Path, n: int, seed: int = 7):
    rng = random.Random(seed)
    base = app_sample.store.manifest.all_chunks()
    got = app_sample.store.vectors._collection.get(ids=[c.id for c in base], include=["embeddings"])
    vec = dict(zip(got["ids"], np.asarray(got["embeddings"]), strict=True))
    sentences = [s for c in base for s in c.text.split(". ") if len(s) > 30]
    # The sample's exported model copy serves the synthetic corpora too (as one would share it).
    models = Path(app_sample.settings.data_dir) / "models"
    app = build(load_settings(data_dir=data_dir, models_dir=models))
    store, manifest = app.store, app.store.manifest
    manifest.dirty = True
    per_doc = 20
    sources: dict[str, str] = {}  # synthetic chunk -> the sample passage it was made from
    for d in range(0, n, per_doc):
        path = f"/synthetic/doc-{d // per_doc:05d}.md"
        chunks, vectors = [], []
        for i in range(per_doc):
            src = rng.choice(base)
            text = ". ".join(rng.sample(sentences, 6))
            chunks.append(
                Chunk(
                    f"syn{d // per_doc:05d}-{i:04d}",
                    Path(path).name,
                    path,
                    f"Synthetic procedure {d // per_doc}",
                    f"SP-{d // per_doc}",
                    "1",
                    src.heading,
                    None,
                    i,
                    text,
                )
            )
            sources[chunks[-1].id] = src.id
            v = vec[src.id] + np.random.default_rng(d + i).normal(0, 0.03, 384)
            vectors.append(v / np.linalg.norm(v))
        store.vectors.upsert([c.to_dict() for c in chunks], np.asarray(vectors, dtype=np.float32))
        from assistant.index.manifest import FileRecord

        with manifest.transaction() as db:
            manifest.put_file(
                db,
                FileRecord(
                    path, Path(path).name, f"{d:064d}", 0, "ok", chunk_ids=[c.id for c in chunks]
                ),
            )
            manifest.put_chunks(db, path, chunks)
    store.rebuild_lexical()
    # Each synthetic passage's words in context are its source passage's (the word re-ranking
    # reads them; reading 20,000 passages' words would take minutes, as embedding them would).
    kept = app_sample.store.words
    WordStore.build(
        store.words_dir,
        {cid: words for cid, src in sources.items() if (words := kept.get(src)) is not None},
    )
    manifest.set("last_ingest", str(time.time()))
    manifest.dirty = False
    return app


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000])
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        sample = build(load_settings(data_dir=Path(tmp) / "sample"))
        sample.ingest([ROOT / "corpus" / "procedures"])
        results["sample"] = {"chunks": sample.store.manifest.chunk_count(), **measure(sample)}
        print(json.dumps({"sample": results["sample"]}), flush=True)
        results["short_answer"] = measure_lead(sample)
        print(json.dumps({"short_answer": results["short_answer"]}), flush=True)
        for n in args.sizes:
            app = synthetic(sample, Path(tmp) / f"syn{n}", n)
            # The clause-citation map, which `Assistant.ingest` builds and keeps as its last
            # step (stop 52; the synthetic index is written without it): before, the first
            # clause question after an ingest paid for it.
            t = time.perf_counter()
            app.retriever.citations.refresh()
            citations = round((time.perf_counter() - t) * 1000, 1)
            first = first_clause(app)
            restarted = first_clause(build(app.settings))  # another process, the same index
            results[f"synthetic_{n}"] = {
                "chunks": app.store.manifest.chunk_count(),
                "citation_map_at_ingest_ms": citations,
                "first_clause_ms": first,
                "first_clause_after_a_restart_ms": restarted,
                **measure(app, rounds=1),
            }
            print(json.dumps({f"synthetic_{n}": results[f"synthetic_{n}"]}), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
