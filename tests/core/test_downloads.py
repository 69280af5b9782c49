import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404

from core.downloads import protected_file_response


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
