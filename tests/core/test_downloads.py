import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404

from core.downloads import attachment_header, protected_file_response


class _Stored:
    def __init__(self, name):
        self.name = name
        self.storage = default_storage

    def open(self, mode):
        return self.storage.open(self.name, mode)


def test_it_streams_the_file_without_nginx(settings):
    settings.PROTECTED_MEDIA_PREFIX = ""
    name = default_storage.save("evidence/a.pdf", ContentFile(b"%PDF-1.4"))
    response = protected_file_response(
        _Stored(name), filename="佐证.pdf", content_type="application/pdf"
    )
    assert b"".join(response.streaming_content) == b"%PDF-1.4"
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"


def test_it_hands_the_file_to_nginx_behind_it(settings):
    settings.PROTECTED_MEDIA_PREFIX = "/protected-media/"
    name = default_storage.save("evidence/b.pdf", ContentFile(b"%PDF-1.4"))
    response = protected_file_response(
        _Stored(name), filename="佐证.pdf", content_type="application/pdf"
    )
    assert response["X-Accel-Redirect"] == f"/protected-media/{name}"
    assert response.content == b""
    assert "filename*=UTF-8''%E4%BD%90%E8%AF%81.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_it_is_a_404_for_a_missing_file(settings):
    settings.PROTECTED_MEDIA_PREFIX = "/protected-media/"
    with pytest.raises(Http404):
        protected_file_response(
            _Stored("evidence/none.pdf"), filename="x.pdf", content_type="application/pdf"
        )


def test_it_names_a_chinese_file_with_a_plain_fallback():
    header = attachment_header("佐证.pdf")
    assert (
        header == "attachment; filename=\"download.pdf\"; filename*=UTF-8''%E4%BD%90%E8%AF%81.pdf"
    )
    assert 'filename="ledger.xlsx"' in attachment_header("台账.xlsx", ascii_name="ledger.xlsx")
    assert '"' not in attachment_header('a"b.txt').split(";")[1].strip()[10:-1]


def test_it_is_the_only_builder_of_a_content_disposition():
    root = Path(__file__).resolve().parents[2]
    built = re.compile(r"""\["Content-Disposition"\]\s*=(?!\s*attachment_header\()""")
    builders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if not {"tests", ".venv"} & set(path.relative_to(root).parts)
        and built.search(path.read_text(encoding="utf-8"))
    ]
    assert builders == []
