"""Zip containers (.docx, .odt): opened only after checks against zip bombs and files that are
not the format they claim. A real procedure is far below every limit."""

from __future__ import annotations

import io
import zipfile

from assistant.core.errors import DocumentError

MAX_MEMBERS = 2000
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200


def open_zip(data: bytes, extension: str, what: str) -> zipfile.ZipFile:
    """The container of a ``.docx`` / ``.odt`` (``extension``), or one clear error naming the
    format (``what``: "a Word document", "an OpenDocument text")."""
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
