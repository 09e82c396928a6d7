"""The untouched sets as a picture: each organisation's figures over the last ten sets, set by set.

    .venv/bin/python scripts/confirm_chart.py [--out docs/confirm-trend.svg]

The README's set-by-set table has a column per confirm set; what it is read for, whether the
product is getting nearer issue 14's bar, is easier to see drawn. For every set from the tenth
on, each organisation's hit@3, MRR and no-answer accuracy pooled over that set and the nine
before it (as ``scripts/confirm_report.py --sets N-9 .. N`` pools them), as is (top row) and as
a new organisation (bottom row, recorded from confirm49 on), with the bar as a dashed line. Each
set still counts once, on the code of its stop, so a point says where the product stood over
those stops. Reads evals/results/retrieval-confirmN-ORG[-as-new].json only; written as SVG by
hand (no plotting library in the product's dependencies).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from xml.sax.saxutils import escape

from confirm_report import ROOT, recorded_runs

from assistant.evaluation.organisations import load_organisations
from assistant.evaluation.retrieval import summarise

WINDOW = 10  # sets pooled per point, as the README's "last ten sets" tables
FIGURES = (
    ("hit_at_3", "hit@3", 0.95),
    ("mrr", "MRR", 0.88),
    ("no_answer_accuracy", "no-answer", 0.95),
)
READINGS = (("", "as is"), ("-as-new", "as a new organisation"))
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#7f7f7f")
LOW, HIGH = 0.70, 1.00  # the y axis: every pooled figure of the sets so far is above 0.70
PANEL_W, PANEL_H, MARGIN_L, MARGIN_T, GAP = 290, 190, 44, 56, 44


def rolling(org: str, suffix: str, sets: list[int]) -> dict[str, list[tuple[int, float]]]:
    """Per figure, (last set, figure pooled over it and the WINDOW - 1 sets before) for each
    set whose window has a recorded run for every set."""
    runs = {}
    for n in sets:
        if recorded := recorded_runs(n, org, suffix):
            runs[n] = [q for run in recorded for q in run["questions"]]
    points: dict[str, list[tuple[int, float]]] = {key: [] for key, _, _ in FIGURES}
    for n in sets:
        window = range(n - WINDOW + 1, n + 1)
        if all(k in runs for k in window):
            figures = summarise([q for k in window for q in runs[k]], [])
            for key, _, _ in FIGURES:
                points[key].append((n, figures[key]))
    return points


def svg(series: dict[tuple[str, str], dict[str, list[tuple[int, float]]]], orgs: list[str]) -> str:
    """Two rows (as is, as new) of three panels (hit@3, MRR, no-answer), a line per organisation."""
    xs = [n for points in series.values() for line in points.values() for n, _ in line]
    first, last = min(xs), max(xs)
    width = MARGIN_L + 3 * (PANEL_W + GAP)
    height = MARGIN_T + 2 * (PANEL_H + GAP + 20) + 10
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{MARGIN_L}" y="16" font-size="13">Untouched confirm sets, each figure pooled '
        f"over the set and the {WINDOW - 1} before it (dashed: issue 14's bar)</text>",
    ]
    for i, org in enumerate(orgs):  # legend
        x = MARGIN_L + i * 130
        out.append(f'<rect x="{x}" y="26" width="14" height="4" fill="{COLOURS[i]}"/>')
        out.append(f'<text x="{x + 18}" y="32">{escape(org)}</text>')
    for row, (suffix, reading) in enumerate(READINGS):
        top = MARGIN_T + row * (PANEL_H + GAP + 20)
        for col, (key, label, bar) in enumerate(FIGURES):
            left = MARGIN_L + col * (PANEL_W + GAP)

            def px(n: int, left: int = left) -> float:
                return left + (n - first) / max(last - first, 1) * PANEL_W

            def py(v: float, top: int = top) -> float:
                return top + (HIGH - min(max(v, LOW), HIGH)) / (HIGH - LOW) * PANEL_H

            out.append(f'<text x="{left}" y="{top - 6}">{label}, {reading}</text>')
            out.append(
                f'<rect x="{left}" y="{top}" width="{PANEL_W}" height="{PANEL_H}" '
                'fill="none" stroke="#999"/>'
            )
            for tick in (0.75, 0.8, 0.85, 0.9, 0.95, 1.0):
                out.append(
                    f'<text x="{left - 4}" y="{py(tick) + 4:.1f}" text-anchor="end">'
                    f"{tick:.2f}</text>"
                )
            for n in range(first - first % 10 + 10, last + 1, 10):
                out.append(
                    f'<text x="{px(n):.1f}" y="{top + PANEL_H + 14}" text-anchor="middle">'
                    f"{n}</text>"
                )
            out.append(
                f'<line x1="{left}" x2="{left + PANEL_W}" y1="{py(bar):.1f}" y2="{py(bar):.1f}" '
                'stroke="#444" stroke-dasharray="4 3"/>'
            )
            for i, org in enumerate(orgs):
                line = series.get((org, suffix), {}).get(key, [])
                if line:
                    coords = " ".join(f"{px(n):.1f},{py(v):.1f}" for n, v in line)
                    out.append(
                        f'<polyline points="{coords}" fill="none" stroke="{COLOURS[i]}" '
                        f'stroke-width="1.5"><title>{escape(org)}</title></polyline>'
                    )
    out.append(
        f'<text x="{MARGIN_L}" y="{height - 4}">x: the confirm set (its number; two sets a stop '
        "since stop 40)</text>"
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "confirm-trend.svg")
    args = ap.parse_args()
    sets = sorted(
        int(p.name.removeprefix("confirm"))
        for p in (ROOT / "evals").glob("confirm*")
        if p.name.removeprefix("confirm").isdigit()
    )
    orgs = [o.key for o in load_organisations(ROOT / "evals" / "organisations.toml")]
    series = {(org, suffix): rolling(org, suffix, sets) for org in orgs for suffix, _ in READINGS}
    drawn = [org for org in orgs if any(series[(org, s)]["mrr"] for s, _ in READINGS)]
    args.out.write_text(svg(series, drawn), encoding="utf-8")
    for org in drawn:
        last = series[(org, "")]["mrr"][-1]
        print(f"{org:<15} last point confirm{last[0]}: MRR {last[1]:.3f} (as is)")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
