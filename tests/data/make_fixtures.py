"""Rebuild the small test fixtures in tests/data (committed; run only to change them).

.venv/bin/python tests/data/make_fixtures.py
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
BAD = HERE / "bad"
GOOD = HERE / "good"


def _small_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "Work instruction WI-22 Rev 2. Torque the socket to 12 Nm.")
    return bytes(pdf.output())


def bad_files() -> None:
    BAD.mkdir(exist_ok=True)
    good_pdf = _small_pdf()
    # Truncated in the middle: header present, xref and objects lost.
    (BAD / "corrupt.pdf").write_bytes(good_pdf[: len(good_pdf) // 3])
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(good_pdf)))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    (BAD / "encrypted.pdf").write_bytes(out.getvalue())
    (BAD / "empty.docx").write_bytes(b"")
    (BAD / "malformed.docx").write_bytes(b"This is plain text saved with a .docx name.\n" * 20)
    # A zip bomb in disguise: 50 MB of zeros compressed to a few tens of KB.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"\0" * (50 * 1024 * 1024))
    (BAD / "bomb.docx").write_bytes(buf.getvalue())
    png = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")
    (BAD / "binary.md").write_bytes(png + bytes(range(256)) * 4)
    (BAD / "logo.png").write_bytes(png)
    (BAD / "LICENSE").write_text("Permission is granted to test.\n")


def good_files() -> None:
    GOOD.mkdir(exist_ok=True)
    text = (
        "WI-31 Deburring of gauge sockets\n"
        "Document No: WI-31\n"
        "Revision: 3\n\n"
        "1 PURPOSE\n\n"
        "How operators deburr brass sockets before assembly \u2013 caf\u00e9 style notes.\n\n"
        "2 METHOD\n\n"
        "Use the 45\u00b0 countersink tool and inspect under the 10x lens.\n"
    )
    (GOOD / "wi-31-cp1252.txt").write_bytes(text.encode("cp1252"))


if __name__ == "__main__":
    bad_files()
    good_files()
    print("fixtures written to", HERE)
