"""Evidence files: the type is read from the content, never trusted from the name."""

import filetype
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from .errors import TransitionError

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
ALLOWED_EVIDENCE_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}


def check_evidence_file(upload: UploadedFile) -> str:
    """Return the detected MIME type, or refuse the file with a message naming it."""
    if upload.size > MAX_EVIDENCE_BYTES:
        raise TransitionError(_("文件“%(name)s”超过 10 MB") % {"name": upload.name})
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_EVIDENCE_TYPES:
        raise TransitionError(
            _("文件“%(name)s”的类型不受支持，只能上传 jpg、png、pdf、docx、xlsx 文件")
            % {"name": upload.name}
        )
    return kind.mime


def attachment_response(field_file, *, filename: str, content_type: str) -> FileResponse:
    """Serve an uploaded file as a download, never inline: it came from a user."""
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as e:
        raise Http404 from e
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
