"""Zip containers (.docx, .odt, .xlsx): opened only after checks against zip bombs and files
that are not the format they claim, and their XML parts read. A real procedure is far below
every limit."""

from __future__ import annotations

import io
import posixpath
import xml.etree.ElementTree as ET
import zipfile
import zlib

from assistant.core.errors import DocumentError

MAX_MEMBERS = 2000
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200


# An OLE2 compound file: the older binary Office formats (.xls, .ppt), and what Office writes
# for a password-protected workbook or deck of the new formats.
_OLE2 = b"\xd0\xcf\x11\xe0"


def open_zip(data: bytes, extension: str, what: str, old: str = "") -> zipfile.ZipFile:
    """The container of a ``.docx`` / ``.odt`` / ``.xlsx`` / ``.pptx`` (``extension``), or one
    clear error naming the format (``what``: "a Word document", "an OpenDocument text").
    ``old``: what an OLE2 file under this extension is ("an old-style Excel file or a
    password-protected workbook"), said with the way round."""
    if old and data.startswith(_OLE2):
        raise DocumentError(
            f"{old} (not a {extension} zip); save it as {extension} without a password and "
            "index that"
        )
    if not data.startswith(b"PK"):
        raise DocumentError(f"not {what} (the {extension} is not a zip container)")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise DocumentError(f"malformed {extension} (broken zip container: {exc})") from None
    if len(infos) > MAX_MEMBERS:
        raise DocumentError(
            f"refused {extension}: {len(infos)} parts in the container (limit {MAX_MEMBERS})"
        )
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise DocumentError(
            f"refused {extension}: expands to {total / 2**20:.0f} MB "
            f"(limit {MAX_UNCOMPRESSED // 2**20} MB); possible zip bomb"
        )
    for i in infos:
        if i.compress_size and i.file_size / i.compress_size > MAX_RATIO and i.file_size > 2**20:
            raise DocumentError(
                f"refused {extension}: part {i.filename} compresses "
                f"{i.file_size // i.compress_size}:1; possible zip bomb"
            )
    return zf


def read_part(zf: zipfile.ZipFile, name: str, extension: str) -> bytes:
    """One part of the container, or a one-line error naming it."""
    try:
        return zf.read(name)
    # Bad CRC, damaged deflate data, zip-level encryption, an unknown compression method.
    except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, OSError) as exc:
        raise DocumentError(f"malformed {extension} (cannot read {name}: {exc})") from None


def parse_part(data: bytes, name: str, extension: str) -> ET.Element:
    """An XML part. ODF and Office Open XML never declare a DTD; refusing one rules out entity
    expansion tricks altogether."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise DocumentError(f"refused {extension}: {name} declares a DTD")
    try:
        return ET.fromstring(data)
    # LookupError: an XML declaration naming an encoding that does not exist
    except (ET.ParseError, LookupError) as exc:
        raise DocumentError(
            f"malformed {extension} ({name} is not well-formed XML: {exc})"
        ) from None


def xml_part(zf: zipfile.ZipFile, name: str, extension: str) -> ET.Element:
    """One XML part of the container, read and parsed, or a one-line error naming it."""
    return parse_part(read_part(zf, name, extension), name, extension)


_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"


def dc_title(zf: zipfile.ZipFile, name: str, extension: str) -> str:
    """The ``dc:title`` of a properties part (``meta.xml``, ``docProps/core.xml``). The part is
    optional, so a missing or broken one is no title, never an error."""
    if name not in zf.namelist():
        return ""
    try:
        root = xml_part(zf, name, extension)
    except DocumentError:
        return ""
    title = root.find(f".//{_DC_TITLE}")
    return " ".join((title.text or "").split()) if title is not None else ""


_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


def relationships(zf: zipfile.ZipFile, name: str, extension: str) -> dict[str, str]:
    """Office Open XML's relationship part ``name`` (``xl/_rels/workbook.xml.rels``): each id
    and the part it points at, as a path in the container. A target is relative to the folder
    of the part the relationships belong to (``xl/``), or absolute from the root."""
    if name not in zf.namelist():
        return {}
    base = posixpath.dirname(posixpath.dirname(name))  # "xl/_rels/x.rels" -> "xl"
    out = {}
    for rel in xml_part(zf, name, extension).iter(_RELATIONSHIP):
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
        out[rel.get("Id", "")] = posixpath.normpath(path)
    return out
