"""Uploaded files: checked by content, size-limited (413), stored by a generated name outside the web root,
served as attachments with a safe name."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from outreach.config import RESOURCE_ROOT
from outreach.core.db import db
from outreach.resources.models import Resource, ResourceFile
from outreach.resources.uploads import check_upload, clean_download_name, detect_type
from outreach.resources.services import ResourceError

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def ooxml(main_part: str, *, content_types: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if content_types:
            archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, "<x/>")
    return buffer.getvalue()


DOCX, XLSX = ooxml("word/document.xml"), ooxml("xl/workbook.xml")


@pytest.mark.parametrize("content, name, extension", [(PDF, "brief.pdf", "pdf"), (DOCX, "toolkit.docx", "docx"),
                                                      (XLSX, "budget.xlsx", "xlsx"), (PDF, "noextension", "pdf")])
def test_real_pdf_docx_and_xlsx_are_accepted(content, name, extension):
    assert check_upload(content, name).extension == extension


@pytest.mark.parametrize("content, name", [
    (b"<html><script>alert(1)</script></html>", "brief.pdf"),  # named PDF, is HTML
    (PDF, "brief.docx"),  # a PDF under a Word name
    (DOCX, "budget.xlsx"),  # Word under an Excel name
    (ooxml("word/document.xml", content_types=False), "toolkit.docx"),  # a zip, not an Office file
    (ooxml("evil.exe"), "toolkit.docx"),
    (b"PK\x03\x04not really a zip", "toolkit.docx"),
    (b"MZ\x90\x00", "setup.pdf"),
    (b"", "empty.pdf"),
])
def test_a_file_whose_content_is_not_what_it_claims_is_refused(content, name):
    with pytest.raises(ResourceError):
        check_upload(content, name)


def test_download_names_are_cleaned_and_never_paths():
    assert clean_download_name("../../etc/passwd.pdf", detect_type(PDF)) == "passwd.pdf"
    assert clean_download_name("C:\\Users\\x\\Plan d'action (FR).docx", detect_type(DOCX)) == "Plan-d-action-FR.docx"
    assert clean_download_name('"; filename=evil.html', detect_type(PDF)) == "filename-evil.pdf"
    assert clean_download_name(None, detect_type(XLSX)) == "resource.xlsx"


def _post_multipart(client, url, data):
    """POST a multipart body kept in memory (the test client's own spills big bodies to a file it never closes)."""
    stream, length, boundary = stream_encode_multipart(data, use_tempfile=False)
    return client.post(url, input_stream=stream, content_length=length,
                       content_type=f"multipart/form-data; boundary={boundary}")


def _upload(client, content, name, **fields):
    data = {"title": "Uploaded toolkit", "kind": "toolkit", **fields,
            "file": FileStorage(io.BytesIO(content), filename=name)}
    return _post_multipart(client, "/resources/new", data)


def test_an_upload_is_stored_outside_the_web_root_by_a_generated_name_and_served_safely(app, login_as, make_user):
    client, author = login_as("coordinator")
    answer = _upload(client, PDF, "../../static/My Plan.pdf")
    assert answer.status_code == 302, answer.text
    with app.app_context():
        resource = db.session.query(Resource).filter_by(title="Uploaded toolkit").one()
        stored = db.session.query(ResourceFile).filter_by(resource_id=resource.id).one()
        assert stored.download_name == "My-Plan.pdf" and stored.size_bytes == len(PDF)
        folder = Path(app.config["INSTANCE_PATH"]) / "resource-files"
        path = folder / stored.stored_name
        assert path.read_bytes() == PDF
        assert "My" not in stored.stored_name and len(stored.stored_name) == 36
        assert not str(path.resolve()).startswith(str((RESOURCE_ROOT / "static").resolve()))
        resource_id = resource.id
    internal = client.get(f"/resources/{resource_id}/file")
    assert internal.status_code == 200 and internal.data == PDF
    assert internal.headers["Content-Disposition"] == "attachment; filename=My-Plan.pdf"
    assert internal.headers["X-Content-Type-Options"] == "nosniff"
    internal.close()
    assert app.test_client().get(f"/hub/r/{resource_id}/file").status_code == 404  # a draft: not public
    curator, _ = login_as("manager")
    curator.post(f"/resources/{resource_id}/submit")
    client.post(f"/resources/{resource_id}/submit")
    curator.post(f"/resources/{resource_id}/review", data={"action": "publish"})
    public = app.test_client().get(f"/hub/r/{resource_id}/file")
    assert public.status_code == 200 and public.data == PDF
    assert public.headers["Content-Type"] == "application/pdf"
    assert public.headers["Content-Disposition"].startswith("attachment;")
    assert public.headers["X-Content-Type-Options"] == "nosniff"
    public.close()


def test_a_mislabelled_file_is_refused_and_nothing_is_saved(app, login_as):
    client, _ = login_as("partner")
    answer = _upload(client, b"<script>alert(1)</script>", "toolkit.pdf", title="Mislabelled")
    assert answer.status_code == 422 and "none of them" in answer.text
    with app.app_context():
        assert db.session.query(Resource).filter_by(title="Mislabelled").count() == 0


def test_an_oversized_file_answers_413_with_a_clear_page(app, login_as):
    client, _ = login_as("coordinator")
    app.config["RESOURCE_MAX_UPLOAD"] = 1024 * 1024
    try:
        answer = _upload(client, PDF + b"0" * (1024 * 1024), "big.pdf", title="Too big")
    finally:
        app.config["RESOURCE_MAX_UPLOAD"] = 10 * 1024 * 1024
    assert answer.status_code == 413 and "larger than 1 MB" in answer.text
    with app.app_context():
        assert db.session.query(Resource).filter_by(title="Too big").count() == 0
    over = _post_multipart(client, "/resources/new",
                           {"title": "x", "file": FileStorage(io.BytesIO(b"0" * (17 * 1024 * 1024)), filename="a.pdf")})
    assert over.status_code == 413 and "larger than Outreach accepts" in over.text
