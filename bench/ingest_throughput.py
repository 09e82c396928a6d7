"""Ingest throughput against raw encode throughput of the same model on the same chunks.

    .venv/bin/python bench/ingest_throughput.py [--corpus DIR ...] [--json OUT]

Measures, in one run: raw ``SentenceTransformer.encode`` time for the chunks' embedding texts,
the full ``ingest`` (read, chunk, embed, Chroma, manifest, BM25) of the same files into a fresh
data directory, the unchanged re-ingest time of the CLI as a new process (process start
included), and peak memory of a cold full ingest in its own process.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.core.settings import load_settings  # noqa: E402
from assistant.documents import loaders  # noqa: E402
from assistant.documents.chunking import chunk_document  # noqa: E402
from assistant.factory import build  # noqa: E402
from assistant.index.embedder import load_model  # noqa: E402
from assistant.index.ingest import walk  # noqa: E402

DEFAULT_CORPORA = [ROOT / "corpus" / "procedures", ROOT.parent / "shared" / "realqms" / "gstt-csc"]


def chunk_texts(paths: list[Path], app) -> list[str]:
    files, _ = walk(paths)
    texts = []
    for f in files:
        try:
            doc = loaders.load(f, app.settings.max_file_bytes)
        except Exception:
            continue
        texts += [c.embedding_text() for c in chunk_document(doc, "0" * 64, app.chunking)]
    return texts


def raw_encode_seconds(texts: list[str], batch_size: int) -> float:
    model = load_model()
    start = time.perf_counter()
    model.encode(texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, action="append")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    corpora = [p for p in (args.corpus or DEFAULT_CORPORA) if p.exists()]

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "idx"
        app = build(load_settings(data_dir=data_dir))
        texts = chunk_texts(corpora, app)
        load_model().encode(["warm up"] * 64)
        raw_before = raw_encode_seconds(texts, app.settings.embed_batch_size)
        start = time.perf_counter()
        report = app.ingest(corpora)
        ingest_s = time.perf_counter() - start
        raw_after = raw_encode_seconds(texts, app.settings.embed_batch_size)
        raw = (raw_before + raw_after) / 2

        cli = [
            sys.executable,
            "-m",
            "assistant.cli",
            "ingest",
            *map(str, corpora),
            "--data-dir",
            str(data_dir),
        ]
        unchanged = []
        for _ in range(5):
            t = time.perf_counter()
            subprocess.run(cli, check=True, capture_output=True)
            unchanged.append(time.perf_counter() - t)

        cold_dir = Path(tmp) / "cold"
        code = (
            "import resource, sys; from assistant.cli import main; "
            f"main(['ingest', *{[str(c) for c in corpora]!r}, '--data-dir', {str(cold_dir)!r}]); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True
        )
        peak_mb = int(out.stdout.strip().splitlines()[-1]) / 1024

    result = {
        "corpora": [c.name for c in corpora],
        "documents": len(report.added),
        "chunks": report.chunks_embedded,
        "raw_encode_s": round(raw, 2),
        "raw_encode_chunks_per_s": round(len(texts) / raw, 1),
        "ingest_s": round(ingest_s, 2),
        "ingest_chunks_per_s": round(report.chunks_embedded / ingest_s, 1),
        "ingest_over_raw": round(ingest_s / raw, 3),
        "unchanged_reingest_s_median": round(statistics.median(unchanged), 3),
        "unchanged_reingest_s_max": round(max(unchanged), 3),
        "peak_rss_mb_cold_ingest": round(peak_mb),
        "this_process_peak_rss_mb": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        ),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
