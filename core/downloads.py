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


def _content_disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "ignore").decode() or "download"
    ascii_name = ascii_name.replace('"', "").replace("\\", "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def protected_file_response(field_file, *, filename: str, content_type: str) -> HttpResponse:
    prefix = getattr(settings, "PROTECTED_MEDIA_PREFIX", "")
    if prefix:
        if not field_file.storage.exists(field_file.name):
            raise Http404
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(field_file.name)
        response["Content-Disposition"] = _content_disposition(filename)
    else:
        try:
            handle = field_file.open("rb")
        except FileNotFoundError as e:
            raise Http404 from e
        response = FileResponse(
            handle, as_attachment=True, filename=filename, content_type=content_type
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
