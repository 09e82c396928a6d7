"""Questions and grading are embedded by an ONNX copy of the model: the same vectors as
sentence-transformers, and the query path never imports torch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np

from assistant.index.embedder import Embedder
from tests.conftest import ROOT


def test_the_fast_engine_gives_the_same_vectors(sample, models_dir):
    fast = Embedder(fast_dir=models_dir)
    assert fast.fast is not None, "the sample ingest exports the ONNX copy"
    # Passages against the vectors the ingest stored (sentence-transformers, torch): what
    # retrieval compares with, and no second torch pass over the corpus (half a minute).
    chunks = sample.store.manifest.all_chunks()
    stored = sample.store.reader.embeddings([c.id for c in chunks])
    fast_vectors = fast.encode([c.embedding_text() for c in chunks])
    cosine = np.sum(fast_vectors * np.stack([stored[c.id] for c in chunks]), axis=1)
    assert len(chunks) > 100 and cosine.min() >= 0.9999, float(cosine.min())
    questions = [
        json.loads(line)["question"]
        for line in (ROOT / "evals" / "questions.jsonl").read_text().splitlines()
    ]
    cosine = np.sum(fast.encode(questions) * fast.encode_passages(questions), axis=1)
    assert cosine.min() >= 0.9999, float(cosine.min())


def test_ask_never_imports_torch(sample, models_dir):
    data = str(sample.settings.data_dir)
    code = (
        "import sys; from assistant.cli import main; "
        f"main(['ask', 'How do we meet clause 8.7?', '--data-dir', {data!r}]); "
        "heavy = ('torch', 'transformers', 'sentence_transformers', 'sklearn', 'pandas', "
        "'chromadb'); "
        "print('HEAVY', sorted(m for m in heavy if m in sys.modules))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
        env={**os.environ, "ASSISTANT_MODELS_DIR": str(models_dir)},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "How we meet it" in run.stdout or "8.7" in run.stdout
    assert "HEAVY []" in run.stdout, run.stdout[-500:]


def test_an_upload_in_the_web_app_never_imports_torch(sample, models_dir, tmp_path):
    """Importing torch in the serving process stalled every session's answers for seconds
    (bench/web_load.py); the web app's settings embed uploads with the ONNX copy."""
    data = tmp_path / "index"
    shutil.copytree(sample.settings.data_dir, data)
    code = (
        "import sys; from assistant.factory import build; "
        "from assistant.ui.app import web_settings; "
        "app = build(web_settings()); "
        "report, refused = app.add_documents([('WI-99-forklift-checks.md', "
        "b'# WI-99 Forklift checks\\n\\n## 1. Daily\\n\\nBefore the first lift of a shift the "
        "driver checks the forks, the chains and the horn, and signs the log FL-1.\\n')]); "
        "answer = app.ask('What does the driver check on the forklift before the first lift?'); "
        "print('ADDED', len(report.added), refused, answer.procedures[0].file); "
        "heavy = ('torch', 'transformers', 'sentence_transformers'); "
        "print('HEAVY', sorted(m for m in heavy if m in sys.modules))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
        env={**os.environ, "ASSISTANT_MODELS_DIR": str(models_dir),
             "ASSISTANT_DATA_DIR": str(data)},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    assert "ADDED 1 [] WI-99-forklift-checks.md" in run.stdout, run.stdout[-500:]
    assert "HEAVY []" in run.stdout, run.stdout[-500:]


def test_without_the_copy_queries_fall_back_to_torch(tmp_path):
    slow = Embedder(fast_dir=tmp_path / "nothing-exported")
    assert slow.fast is None
    assert slow.encode_query("calibration").shape == (384,)


def test_the_vector_snapshot_ranks_as_chroma_does(sample):
    """Questions read the NumPy snapshot (exact search), not Chroma: same passages, same order."""
    store = sample.store
    assert store.snapshot_is_current() and type(store.reader).__name__ == "VectorSnapshot"
    questions = [
        json.loads(line)["question"]
        for line in (ROOT / "evals" / "questions.jsonl").read_text().splitlines()
    ]
    for vector in sample.embedder.encode(questions):
        fast = store.reader.query(vector, 10)
        chroma = store.vectors.query(vector, 10)
        assert [i for i, _ in fast] == [i for i, _ in chroma]
        assert np.allclose([s for _, s in fast], [s for _, s in chroma], atol=1e-4)


def test_a_stale_snapshot_is_not_read(sample, tmp_path):
    import shutil

    from tests.conftest import make_assistant

    data = tmp_path / "copy"
    shutil.copytree(sample.settings.data_dir, data)
    (data / "vectors" / "ids.json").write_text('["not-a-chunk"]')
    app = make_assistant(data)
    assert type(app.store.reader).__name__ == "ChromaStore"
    assert any("snapshot" in p for p in app.status().problems)


def test_a_question_is_read_once_for_its_vector_and_its_words(models_dir):
    """A question is searched by its vector and then weighed word by word; both come from one
    model run, and are what two separate runs give (a batch of texts is still read apart)."""
    engine = Embedder(fast_dir=models_dir)
    assert engine.ensure_fast() and engine.fast is not None
    question = "Can I just sign up for a new online whiteboard app for our sprints?"
    alone = engine.fast.encode([question])[0]
    words = engine.fast.word_vectors([question])[0]
    runs = []
    run = engine.fast._run
    engine.fast._run = lambda *rows: runs.append(1) or run(*rows)
    vector = engine.encode_query(question)
    read = engine.word_vectors([question])[0]
    assert len(runs) == 1
    assert float(vector @ alone) > 0.99999
    assert [w for w, _ in read] == [w for w, _ in words]
    assert min(float(u @ v) for (_, u), (_, v) in zip(read, words, strict=True)) > 0.99999
    vector[:] = 0  # a caller's copy: the kept vector is not changed through it
    assert float(engine.encode_query(question) @ alone) > 0.99999 and len(runs) == 1
    # passages (cut to a token budget) and several texts are not served from the kept question
    engine.word_vectors([question], 64)
    engine.word_vectors([question, "Who approves it?"])
    assert len(runs) == 3
