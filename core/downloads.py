"""Send an uploaded file after the application has decided who may have it.

Behind nginx (`PROTECTED_MEDIA_PREFIX=/protected-media/`, see deploy/) the response is empty
with `X-Accel-Redirect`, and nginx sends the file from its internal location: no gunicorn
worker is held for a slow download. Without the setting (embedded, tests) Django streams it.
Every download of an uploaded or generated file goes through here.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse


def attachment_header(filename: str, *, ascii_name: str = "") -> str:
    """The one Content-Disposition of every download: the real (Chinese) name in RFC 5987
    form, and a plain fallback (`ascii_name`, else the name's ASCII letters) for old browsers."""
    fallback = ascii_name or filename.encode("ascii", "ignore").decode()
    fallback = "".join(ch for ch in fallback if ch.isprintable() and ch not in '"\\')
    if not fallback.rsplit(".", 1)[0]:  # "佐证.pdf" leaves ".pdf"
        fallback = "download" + fallback
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def protected_file_response(field_file, *, filename: str, content_type: str) -> HttpResponse:
    prefix = getattr(settings, "PROTECTED_MEDIA_PREFIX", "")
    if prefix:
        if not field_file.storage.exists(field_file.name):
            raise Http404
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(field_file.name)
    else:
        try:
            handle = field_file.open("rb")
        except FileNotFoundError as e:
            raise Http404 from e
        response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = attachment_header(filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
