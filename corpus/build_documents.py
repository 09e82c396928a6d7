"""Rebuild the Word and PDF sample procedures from their Markdown sources.

    python corpus/build_documents.py                 # builds every corpus/sources/*.md
    python corpus/build_documents.py SOURCE.md ...   # builds only the given sources

Each source is Markdown with YAML front matter (title, doc_no, revision, owner, approved_by,
effective) followed by a small dialect: "## ", "### " and "#### " headings, paragraphs
(consecutive lines are joined), "- " bullet items, "1. " numbered items, pipe tables and
blank lines. The output format of each source is fixed by OUTPUT_FORMATS below.

The build is deterministic: every date and identifier written into the files is derived from
the source (the effective date), so rebuilding an unchanged source gives byte-identical files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import math
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
import yaml
from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.text.paragraph import Paragraph
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

# Source file stem -> output format. Outputs are written to corpus/procedures/<stem>.<format>.
OUTPUT_FORMATS: dict[str, str] = {
    "QP-04-training-and-competence": "docx",
    "QP-05-calibration-of-measuring-equipment": "pdf",
    "QP-08-purchasing-and-supplier-control": "docx",
}

CORPUS_DIR = Path(__file__).resolve().parent
SOURCES_DIR = CORPUS_DIR / "sources"
OUTPUT_DIR = CORPUS_DIR / "procedures"

COMPANY = "Calderbrook Instruments Ltd"
REQUIRED_KEYS = ("title", "doc_no", "revision", "owner", "approved_by", "effective")


# --------------------------------------------------------------------------- source model


@dataclass(frozen=True)
class Meta:
    title: str
    doc_no: str
    revision: str
    owner: str
    approved_by: str
    effective: dt.date

    @property
    def timestamp(self) -> dt.datetime:
        """The effective date at 00:00 UTC: the only date written into the outputs."""
        return dt.datetime.combine(self.effective, dt.time(0, 0), tzinfo=dt.UTC)


@dataclass
class Heading:
    level: int  # 1 for "## ", 2 for "### ", 3 for "#### "
    text: str


@dataclass
class Para:
    text: str


@dataclass
class Bullet:
    text: str


@dataclass
class Numbered:
    number: int
    text: str
    starts_list: bool  # first item of a numbered list (restarts numbering in Word)


@dataclass
class Table:
    rows: list[list[str]]  # first row is the header row


Block = Heading | Para | Bullet | Numbered | Table

HEADING_RE = re.compile(r"^(#{2,4}) +(.+?)\s*$")
NUMBERED_RE = re.compile(r"^(\d+)\. +(.+)$")
SEPARATOR_RE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def split_front_matter(text: str, source: Path) -> tuple[Meta, str]:
    """Return the parsed front matter and the Markdown body that follows it."""
    match = re.match(r"\A---\n(.*?)\n---\n", text, flags=re.DOTALL)
    if not match:
        raise ValueError(f"{source}: missing YAML front matter")
    data = yaml.safe_load(match.group(1)) or {}
    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        raise ValueError(f"{source}: front matter lacks {', '.join(missing)}")
    effective = data["effective"]
    if not isinstance(effective, dt.date):
        effective = dt.date.fromisoformat(str(effective))
    meta = Meta(
        title=str(data["title"]),
        doc_no=str(data["doc_no"]),
        revision=str(data["revision"]),
        owner=str(data["owner"]),
        approved_by=str(data["approved_by"]),
        effective=effective,
    )
    return meta, text[match.end() :]


def split_row(line: str) -> list[str]:
    """Split a pipe-table row into stripped cell texts."""
    inner = line.strip()
    if inner.startswith("|"):
        inner = inner[1:]
    if inner.endswith("|"):
        inner = inner[:-1]
    return [cell.strip() for cell in inner.split("|")]


def parse_body(body: str, source: Path) -> list[Block]:
    """Turn the Markdown body into a flat list of blocks."""
    blocks: list[Block] = []
    paragraph: list[str] = []
    lines = body.splitlines()

    def flush() -> None:
        if paragraph:
            blocks.append(Para(" ".join(paragraph)))
            paragraph.clear()

    i = 0
    while i < len(lines):
        raw = lines[i]
        line = raw.strip()
        i += 1
        if not line:
            flush()
            continue
        if line.startswith("# "):
            raise ValueError(
                f"{source}:{i}: '# ' title lines are not allowed (title is front matter)"
            )
        heading = HEADING_RE.match(line)
        if heading:
            flush()
            blocks.append(Heading(len(heading.group(1)) - 1, heading.group(2)))
            continue
        if line.startswith("|"):
            flush()
            table_lines = [line]
            while i < len(lines) and lines[i].strip().startswith("|"):
                table_lines.append(lines[i].strip())
                i += 1
            if len(table_lines) < 2 or not SEPARATOR_RE.match(table_lines[1]):
                raise ValueError(f"{source}:{i}: pipe table without a separator row")
            rows = [split_row(row) for row in [table_lines[0], *table_lines[2:]]]
            width = len(rows[0])
            if any(len(row) != width for row in rows):
                raise ValueError(f"{source}:{i}: pipe table rows have different cell counts")
            blocks.append(Table(rows))
            continue
        if line.startswith("- "):
            flush()
            blocks.append(Bullet(line[2:].strip()))
            continue
        numbered = NUMBERED_RE.match(line)
        if numbered:
            flush()
            starts = not blocks or not isinstance(blocks[-1], Numbered)
            blocks.append(Numbered(int(numbered.group(1)), numbered.group(2).strip(), starts))
            continue
        # An indented line directly under a list item continues that item.
        if (
            raw[:1].isspace()
            and not paragraph
            and blocks
            and isinstance(blocks[-1], Bullet | Numbered)
        ):
            blocks[-1].text += " " + line
            continue
        paragraph.append(line)
    flush()
    return blocks


def load_source(source: Path) -> tuple[Meta, list[Block]]:
    meta, body = split_front_matter(source.read_text(encoding="utf-8"), source)
    return meta, parse_body(body, source)


# --------------------------------------------------------------------------- DOCX


def new_numbered_list(document: DocxDocument) -> int:
    """Create a new Word list instance for "List Number" that starts at 1; return its numId.

    Every "List Number" paragraph otherwise shares one Word list, so a second numbered list
    would carry on counting from the end of the first.
    """
    style_num_pr = document.styles["List Number"].element.pPr.numPr
    numbering = document.part.numbering_part.element
    abstract_id = numbering.num_having_numId(style_num_pr.numId.val).abstractNumId.val
    num = numbering.add_num(abstract_id)
    num.add_lvlOverride(ilvl=0).add_startOverride(1)
    return num.numId


def set_list(paragraph: Paragraph, num_id: int) -> None:
    """Attach a paragraph to the Word list instance `num_id` at the top level."""
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = 0
    num_pr.get_or_add_numId().val = num_id


def drop_thumbnail(document: DocxDocument) -> None:
    """Remove the template's preview image, which shows an unrelated page."""
    package_rels = document.part.package.rels
    for r_id, rel in list(package_rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package_rels[r_id]


def add_docx_table(document: DocxDocument, rows: list[list[str]], bold_first_row: bool) -> None:
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            cell_paragraph = table.cell(r, c).paragraphs[0]
            run = cell_paragraph.add_run(text)
            run.bold = bold_first_row and r == 0


def fixed_zip(data: bytes, when: dt.datetime) -> bytes:
    """Rewrite a .docx zip with fixed member timestamps (zipfile stamps the current time)."""
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(item.filename))
    return out.getvalue()


def build_docx(meta: Meta, blocks: list[Block], target: Path) -> None:
    document = docx.Document()
    drop_thumbnail(document)
    list_num_id: int | None = None
    document.add_paragraph(meta.title, style="Title")
    add_docx_table(
        document,
        [
            ["Document No.", "Revision", "Owner", "Approved by", "Effective"],
            [meta.doc_no, meta.revision, meta.owner, meta.approved_by, meta.effective.isoformat()],
        ],
        bold_first_row=True,
    )
    for block in blocks:
        if isinstance(block, Heading):
            document.add_paragraph(block.text, style=f"Heading {block.level}")
        elif isinstance(block, Para):
            document.add_paragraph(block.text)
        elif isinstance(block, Bullet):
            document.add_paragraph(block.text, style="List Bullet")
        elif isinstance(block, Numbered):
            if block.starts_list or list_num_id is None:
                list_num_id = new_numbered_list(document)
            paragraph = document.add_paragraph(block.text, style="List Number")
            set_list(paragraph, list_num_id)
        else:
            add_docx_table(document, block.rows, bold_first_row=True)

    props = document.core_properties
    props.author = COMPANY
    props.last_modified_by = COMPANY
    props.title = meta.title
    props.subject = f"{meta.doc_no} Rev {meta.revision}"
    props.identifier = meta.doc_no
    props.version = meta.revision
    props.comments = ""
    props.keywords = ""
    props.category = "Procedure"
    naive_utc = meta.timestamp.replace(tzinfo=None)
    props.created = naive_utc
    props.modified = naive_utc
    props.last_printed = naive_utc
    props.revision = 1

    buffer = io.BytesIO()
    document.save(buffer)
    target.write_bytes(fixed_zip(buffer.getvalue(), meta.timestamp))


# --------------------------------------------------------------------------- PDF

PDF_FONT = "Helvetica"
BODY_PT = 11
LINE_H = 5.5  # mm, body line height
HEADING_PT = {1: 14, 2: 12, 3: 11}
ASCII_FALLBACKS = str.maketrans(
    {
        "\u2013": "-",
        "\u2014": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2022": "-",
        "\u2026": "...",
        "\u00a0": " ",
    }
)


def pdf_safe(text: str) -> str:
    """Core PDF fonts only cover latin-1: map common typography to ASCII, replace the rest."""
    return text.translate(ASCII_FALLBACKS).encode("latin-1", errors="replace").decode("latin-1")


class ProcedurePDF(FPDF):
    def __init__(self, meta: Meta) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.meta = meta
        self.set_margins(left=20, top=20, right=20)
        self.set_auto_page_break(auto=True, margin=20)
        self.alias_nb_pages()

    def header(self) -> None:
        self.set_font(PDF_FONT, size=8)
        self.set_y(10)
        meta = self.meta
        line = f"{COMPANY}   {meta.doc_no} {meta.title}   Rev {meta.revision}"
        self.cell(0, 5, pdf_safe(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.line(self.l_margin, 15.5, self.w - self.r_margin, 15.5)
        self.set_y(self.t_margin)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(PDF_FONT, size=8)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")

    def keep_room(self, height: float) -> None:
        """Start a new page if fewer than `height` mm remain above the bottom margin."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()


def pdf_list_item(pdf: ProcedurePDF, label: str, text: str, label_w: float) -> None:
    indent = 4.0
    pdf.set_font(PDF_FONT, size=BODY_PT)
    pdf.keep_room(LINE_H)
    pdf.set_x(pdf.l_margin + indent)
    pdf.cell(label_w, LINE_H, label)
    pdf.multi_cell(
        pdf.epw - indent - label_w, LINE_H, pdf_safe(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(1)


TABLE_PT = 9.5
TABLE_PAD = 1.2  # mm, cell padding


def pdf_column_widths(pdf: ProcedurePDF, rows: list[list[str]]) -> list[float]:
    """Column widths in mm that fill the page width without breaking any word.

    Each column gets at least the width of its longest word (so "F-05-1" never splits), and
    the remaining width is shared in proportion to how much more its longest cell needs.
    """
    cols = range(len(rows[0]))
    least: list[float] = []
    wanted: list[float] = []
    for c in cols:
        word_w, cell_w = 0.0, 0.0
        for r, row in enumerate(rows):
            pdf.set_font(PDF_FONT, style="B" if r == 0 else "", size=TABLE_PT)
            text = pdf_safe(row[c])
            word_w = max([word_w, *(pdf.get_string_width(word) for word in text.split())])
            cell_w = max(cell_w, pdf.get_string_width(text))
        least.append(word_w + 2 * TABLE_PAD + 1)
        wanted.append(max(cell_w + 2 * TABLE_PAD + 1, least[-1]))
    if sum(wanted) <= pdf.epw:
        spare = pdf.epw - sum(wanted)
        return [w + spare * w / sum(wanted) for w in wanted]
    if sum(least) >= pdf.epw:
        return [w * pdf.epw / sum(least) for w in least]
    spare = pdf.epw - sum(least)
    extra = [w - m for w, m in zip(wanted, least, strict=True)]
    return [m + spare * e / sum(extra) for m, e in zip(least, extra, strict=True)]


TABLE_LINE_H = 4.6  # mm
KEEP_TOGETHER = 60.0  # mm; tables up to this height are not split over two pages


def pdf_table_height(pdf: ProcedurePDF, rows: list[list[str]]) -> float:
    """Estimated height of a table in mm (rough word-wrap count per cell)."""
    widths = pdf_column_widths(pdf, rows)
    pdf.set_font(PDF_FONT, size=TABLE_PT)
    total = 0.0
    for row in rows:
        lines = max(
            math.ceil(pdf.get_string_width(pdf_safe(text)) * 1.1 / (w - 2 * TABLE_PAD)) or 1
            for text, w in zip(row, widths, strict=True)
        )
        total += lines * TABLE_LINE_H + 2 * TABLE_PAD
    return total


def pdf_table(pdf: ProcedurePDF, rows: list[list[str]]) -> None:
    widths = pdf_column_widths(pdf, rows)
    pdf.keep_room(min(pdf_table_height(pdf, rows), KEEP_TOGETHER))
    pdf.set_font(PDF_FONT, size=TABLE_PT)
    with pdf.table(
        col_widths=tuple(widths),
        text_align="LEFT",
        line_height=TABLE_LINE_H,
        padding=TABLE_PAD,
        headings_style=FontFace(emphasis="BOLD", fill_color=(225, 225, 225)),
        width=pdf.epw,
    ) as table:
        for row in rows:
            table_row = table.row()
            for text in row:
                table_row.cell(pdf_safe(text))
    pdf.ln(3)


def build_pdf(meta: Meta, blocks: list[Block], target: Path) -> None:
    pdf = ProcedurePDF(meta)
    pdf.set_title(pdf_safe(f"{meta.doc_no} {meta.title}"))
    pdf.set_author(COMPANY)
    pdf.set_subject(pdf_safe(f"{meta.doc_no} Rev {meta.revision}"))
    pdf.set_creator("corpus/build_documents.py")
    pdf.set_lang("en-GB")
    pdf.set_creation_date(meta.timestamp)
    pdf.add_page()

    pdf.set_font(PDF_FONT, style="B", size=20)
    pdf.multi_cell(0, 9, pdf_safe(meta.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    details = [
        ("Document No", meta.doc_no),
        ("Revision", meta.revision),
        ("Owner", meta.owner),
        ("Approved by", meta.approved_by),
        ("Effective", meta.effective.isoformat()),
    ]
    for label, value in details:
        pdf.set_font(PDF_FONT, style="B", size=10)
        pdf.cell(28, 5, f"{label}:")
        pdf.set_font(PDF_FONT, size=10)
        pdf.cell(0, 5, pdf_safe(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(4)

    for index, block in enumerate(blocks):
        if isinstance(block, Heading):
            size = HEADING_PT[block.level]
            pdf.ln(2 if block.level > 1 else 3)
            # Never leave a heading alone at the foot of a page: keep it with 3 lines of text,
            # or with the table that follows it when that table is kept together.
            following = 3 * LINE_H
            nxt = blocks[index + 1] if index + 1 < len(blocks) else None
            if isinstance(nxt, Table):
                following = min(pdf_table_height(pdf, nxt.rows), KEEP_TOGETHER)
            pdf.keep_room(size * 0.5 + 1.5 + following)
            pdf.start_section(pdf_safe(block.text), level=block.level - 1)
            pdf.set_font(PDF_FONT, style="B", size=size)
            pdf.multi_cell(0, size * 0.5, pdf_safe(block.text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(1.5)
        elif isinstance(block, Para):
            pdf.set_font(PDF_FONT, size=BODY_PT)
            pdf.multi_cell(0, LINE_H, pdf_safe(block.text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(2)
        elif isinstance(block, Bullet):
            pdf_list_item(pdf, "-", block.text, label_w=5)
        elif isinstance(block, Numbered):
            pdf_list_item(pdf, f"{block.number}.", block.text, label_w=7)
        else:
            pdf_table(pdf, block.rows)

    target.write_bytes(bytes(pdf.output()))


# --------------------------------------------------------------------------- main

BUILDERS = {"docx": build_docx, "pdf": build_pdf}


def build(source: Path) -> Path:
    fmt = OUTPUT_FORMATS.get(source.stem)
    if fmt is None:
        raise SystemExit(f"{source.name}: no output format; add its stem to OUTPUT_FORMATS")
    meta, blocks = load_source(source)
    target = OUTPUT_DIR / f"{source.stem}.{fmt}"
    BUILDERS[fmt](meta, blocks, target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="*", type=Path, help="default: every corpus/sources/*.md")
    args = parser.parse_args(argv)
    sources: list[Path] = args.sources or sorted(SOURCES_DIR.glob("*.md"))
    if not sources:
        print(f"no sources found in {SOURCES_DIR}", file=sys.stderr)
        return 1
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    for source in sources:
        target = build(source)
        print(f"{source.name} -> {target.relative_to(CORPUS_DIR.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
