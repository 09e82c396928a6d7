"""Choose the chunk size by measurement: document-level hit rate on the fixed question set.

    .venv/bin/python bench/chunk_size.py [--sizes 400 600 ...] [--json OUT]

For each size the sample corpus is ingested into a fresh data directory (overlap 15 % of the
size) and every question of evals/questions.jsonl with expected sources is asked; documents are
ranked by their best passage. Also reports how many chunks exceed MiniLM's 256-token window
(text past it is not seen by the embedder).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.core.settings import load_settings  # noqa: E402
from assistant.factory import build  # noqa: E402
from assistant.index.embedder import load_model  # noqa: E402


def ranked_files(app, question: str) -> list[str]:
    return list(dict.fromkeys(e.chunk.file for e in app.ask(question, k=20).evidence))


def measure(size: int, questions: list[dict], tmp: Path) -> dict:
    app = build(
        load_settings(
            data_dir=tmp / f"s{size}",
            chunk_size=size,
            chunk_overlap=int(size * 0.15),
            min_chunk_chars=min(200, size // 3),
        )
    )
    app.ingest([ROOT / "corpus" / "procedures"])
    chunks = app.store.manifest.all_chunks()
    tokenizer = load_model().tokenizer
    over = sum(len(tokenizer(c.embedding_text())["input_ids"]) > 256 for c in chunks)
    hit1 = hit3 = rr = 0.0
    for q in questions:
        files = ranked_files(app, q["question"])
        ranks = [files.index(s) + 1 for s in q["expected_sources"] if s in files]
        best = min(ranks) if ranks else None
        hit1 += best == 1
        hit3 += best is not None and best <= 3
        rr += 1 / best if best else 0
    n = len(questions)
    return {
        "chunk_size": size,
        "chunks": len(chunks),
        "over_256_tokens": over,
        "hit_at_1": round(hit1 / n, 3),
        "hit_at_3": round(hit3 / n, 3),
        "mrr": round(rr / n, 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[400, 600, 800, 1000, 1400, 2000])
    ap.add_argument("--questions", type=Path, default=ROOT / "evals" / "questions.jsonl")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    questions = [json.loads(line) for line in args.questions.read_text().splitlines() if line]
    questions = [q for q in questions if q["expected_sources"]]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            rows.append(measure(size, questions, Path(tmp)))
            print(json.dumps(rows[-1]), flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
