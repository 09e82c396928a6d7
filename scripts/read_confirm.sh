#!/usr/bin/env bash
# Read one untouched confirm set once, on the current code, the three ways the README reports:
#   scripts/read_confirm.sh N IDX [A B]
# N: the set (evals/confirmN/ORG.jsonl); IDX: a folder with each organisation indexed under
# IDX/ORG (`assistant ingest DOCS --data-dir IDX/ORG`); A B: earlier sets imported as the
# organisation's own labels into a copy of its index for the third reading (e.g. N-4 N-1).
# Writes evals/results/retrieval-confirmN-ORG.json (as is), ...-as-new.json and, with A B,
# ...-as-new-labels.json; `scripts/confirm_report.py --sets N [--as-new]` prints them.
set -euo pipefail
cd "$(dirname "$0")/.."
N=$1 IDX=$2 A=${3:-} B=${4:-}
BIN=.venv/bin/assistant
for o in sample gstt-csc openregulatory fernhill brightwater; do
  q=evals/confirm$N/$o.jsonl out=evals/results/retrieval-confirm$N-$o
  $BIN eval retrieval --questions "$q" --data-dir "$IDX/$o" --json "$out.json" > /dev/null
  $BIN eval retrieval --questions "$q" --data-dir "$IDX/$o" --as-new "$o" \
    --json "$out-as-new.json" > /dev/null
  if [[ -n $A && -n $B ]]; then
    copy=$(mktemp -d)
    cp -r "$IDX/$o/." "$copy"
    labels=()
    for k in $(seq "$A" "$B"); do labels+=("evals/confirm$k/$o.jsonl"); done
    $BIN labels import "${labels[@]}" --data-dir "$copy" > /dev/null
    $BIN eval retrieval --questions "$q" --data-dir "$copy" --as-new "$o" \
      --json "$out-as-new-labels.json" > /dev/null
    rm -rf "$copy"
  fi
  echo "$o read"
done
