import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import TransitionError
from core.files import check_evidence_file, download_name, evidence_upload_to

# The smallest valid PNG and a JPEG header: enough for the content sniffing.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
JPEG_HTML_POLYGLOT = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"<html><script>alert(1)</script>"


class Upload:
    UPLOAD_DIR = "evidence"

    def __init__(self, content_type: str) -> None:
        self.content_type = content_type


def test_it_detects_the_type_from_the_content():
    upload = SimpleUploadedFile("photo.pdf", PNG, content_type="application/pdf")
    assert check_evidence_file(upload) == "image/png"


def test_it_stores_a_polyglot_under_the_detected_extension():
    upload = SimpleUploadedFile("x.html", JPEG_HTML_POLYGLOT, content_type="text/html")
    kind = check_evidence_file(upload)
    name = evidence_upload_to(Upload(kind), upload.name)
    assert kind == "image/jpeg"
    assert name.startswith("evidence/") and name.endswith(".jpg")


def test_it_refuses_a_file_of_another_type():
    upload = SimpleUploadedFile("notes.html", b"<html></html>", content_type="text/html")
    with pytest.raises(TransitionError):
        check_evidence_file(upload)


@pytest.mark.parametrize(
    ("uploaded", "content_type", "downloaded"),
    [
        ("poly.html", "image/jpeg", "poly.jpg"),
        ("照片.JPEG", "image/jpeg", "照片.JPEG"),
        ("照片.jpg", "image/jpeg", "照片.jpg"),
        ("报告.pdf", "application/pdf", "报告.pdf"),
        ("报告.svg", "image/png", "报告.png"),
        ("没有扩展名", "application/pdf", "没有扩展名.pdf"),
        (".html", "image/png", ".html.png"),
    ],
)
def test_it_downloads_under_the_stored_types_extension(uploaded, content_type, downloaded):
    assert download_name(uploaded, content_type) == downloaded
