# Two commands for a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test test-fast install ingest style lint bench docs browser

# pip byte-compiles what it installs (torch's thousands of modules) on one core: half of a fresh
# install's time. compileall on every core does the same in 32 s instead of 50 (stop 65). Compiled
# here, not on first import: with PYTHONDONTWRITEBYTECODE set, every process would compile torch
# again. One torch test file written for Python 3.12 does not compile on 3.11 (pip skips it too).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --no-compile -e '.[test]'
	$(BIN)/python -m compileall -q -j 0 $(VENV)/lib > /dev/null || true
	touch $(STAMP)

install: $(STAMP)

# Incremental: unchanged documents are not re-read, so this is ~0.3 s after the first time.
ingest: $(STAMP)
	$(BIN)/assistant ingest corpus/procedures || echo "Some files failed to index: see 'assistant status'."

# Settings in .streamlit/config.toml; the page appears at once, the model loads behind it.
run: ingest
	$(BIN)/streamlit run app.py --server.address 127.0.0.1 --server.port 8501

# The browser tests drive Debian's chromium: installed here when missing and we are root,
# otherwise skipped with one line (never a failure for a missing browser).
browser:
	@scripts/ensure_browser.sh

# Everything CI runs: style, the layer contracts (import-linter), types, and every test. mypy
# (half a minute from a fresh clone, on one core) runs beside pytest, which keeps the two cores
# busy only 70% of the time (browser waits, processes starting); either failing fails the target,
# and mypy's report is printed after pytest's.
test: $(STAMP) browser style
	@$(BIN)/mypy > $(VENV)/mypy.log 2>&1 & types=$$!; \
	$(BIN)/python -m pytest; tests=$$?; \
	wait $$types; typed=$$?; \
	echo "mypy:"; cat $(VENV)/mypy.log; \
	exit $$(( tests || typed ))

# The inner loop: tests that need no model (a hashing embedder at most), under 30 s.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m fast -q

style: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

lint: style
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/ingest_throughput.py

# Rebuild the Word and PDF sample documents from corpus/sources.
docs: $(STAMP)
	$(BIN)/python corpus/build_documents.py
