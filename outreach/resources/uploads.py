"""Uploaded files: PDF, DOCX and XLSX only, checked by their content, stored by a generated name.

A file is kept under the instance folder (never the web root), named by random hex plus the
extension of the type its content proves; the uploader's file name is only ever offered back as
a cleaned download name. Pure functions plus one that writes: no request in sight.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from flask_babel import lazy_gettext as _l

from outreach.resources.models import Resource, ResourceFile
from outreach.resources.services import ResourceError

#: Default largest upload, bytes (OUTREACH_RESOURCE_MAX_UPLOAD overrides it).
DEFAULT_MAX_UPLOAD = 10 * 1024 * 1024
FOLDER = "resource-files"


@dataclass(frozen=True)
class FileType:
    extension: str
    content_type: str
    label: str


PDF = FileType("pdf", "application/pdf", "PDF")
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word (DOCX)")
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel (XLSX)")
TYPES = {t.extension: t for t in (PDF, DOCX, XLSX)}
#: The part each Office Open XML type must contain, besides [Content_Types].xml.
_OOXML_MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class UploadTooLarge(ResourceError):
    """The file is over the limit: answered with 413."""


def detect_type(content: bytes) -> FileType | None:
    """The type *content* really is (by its bytes, not its name), or None."""
    if content.startswith(b"%PDF-"):
        return PDF
    if not content.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for extension, part in _OOXML_MAIN_PART.items():
        if part in names:
            return TYPES[extension]
    return None


def read_limited(stream: IO[bytes], limit: int) -> bytes:
    """Read at most *limit* bytes; more than that raises UploadTooLarge (nothing is kept)."""
    content = stream.read(limit + 1)
    if len(content) > limit:
        raise UploadTooLarge(_l("The file is larger than %(mb)d MB. Upload a smaller version or give a link instead.",
                                mb=max(limit // (1024 * 1024), 1)), field="file")
    return content


def clean_download_name(original: str | None, file_type: FileType) -> str:
    """A download name made of safe characters only, ending with the proven extension."""
    stem = os.path.basename((original or "").replace("\\", "/")).rsplit(".", 1)[0]
    stem = _SAFE_NAME.sub("-", stem).strip(".-")[:80] or "resource"
    return f"{stem}.{file_type.extension}"


def check_upload(content: bytes, original_name: str | None) -> FileType:
    """The file's type, when its content is a PDF, DOCX or XLSX and agrees with its name."""
    if not content:
        raise ResourceError(_l("The file is empty."), field="file")
    found = detect_type(content)
    if found is None:
        raise ResourceError(_l("Only PDF, Word (DOCX) and Excel (XLSX) files can be uploaded, and this file is "
                               "none of them."), field="file")
    claimed = (original_name or "").rsplit(".", 1)[-1].lower() if "." in (original_name or "") else None
    if claimed and claimed != found.extension:
        raise ResourceError(_l("The file is named .%(claimed)s but its content is %(real)s. Check you picked the "
                               "right file.", claimed=claimed[:10], real=found.label), field="file")
    return found


def storage_folder(instance_path: str | Path) -> Path:
    folder = Path(instance_path) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stored_path(instance_path: str | Path, stored_name: str) -> Path:
    """Where a stored file lives; *stored_name* is ours (hex + extension), checked anyway."""
    if not re.fullmatch(r"[0-9a-f]{32}\.(pdf|docx|xlsx)", stored_name):
        raise ValueError("not a stored file name")
    return storage_folder(instance_path) / stored_name


def attach_file(resource: Resource, content: bytes, original_name: str | None, *, instance_path: str | Path,
                now: datetime) -> ResourceFile:
    """Check and store *content* as the resource's file (replacing any earlier one, which is kept on disk)."""
    file_type = check_upload(content, original_name)
    stored_name = f"{secrets.token_hex(16)}.{file_type.extension}"
    path = stored_path(instance_path, stored_name)
    partial = path.with_suffix(".part")
    partial.write_bytes(content)
    os.replace(partial, path)
    record = resource.file or ResourceFile()
    record.stored_name = stored_name
    record.download_name = clean_download_name(original_name, file_type)
    record.content_type = file_type.content_type
    record.size_bytes = len(content)
    record.sha256 = hashlib.sha256(content).hexdigest()
    record.uploaded_at = now
    resource.file = record
    resource.updated_at = now
    return record
