"""Evidence files: the type is read from the content, never trusted from the name."""

import uuid

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .downloads import protected_file_response
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


# Other spellings of a type's extension that a download may keep.
SAME_EXTENSIONS = {"jpg": {"jpg", "jpeg"}}


def download_name(original_name: str, content_type: str) -> str:
    """The uploaded name, under the extension of the type its content was detected as: a
    JPEG uploaded as poly.html downloads as poly.jpg, never as a page the browser renders."""
    ext = ALLOWED_EVIDENCE_TYPES.get(content_type, "bin")
    stem, dot, given = original_name.rpartition(".")
    if dot and given.lower() in SAME_EXTENSIONS.get(ext, {ext}):
        return original_name
    return f"{stem if dot and stem else original_name}.{ext}"


def evidence_upload_to(instance: "EvidenceFile", filename: str) -> str:
    # Random names: the stored name reveals nothing and cannot be guessed or collide. The
    # extension is the detected type's, never the uploaded name's: a JPEG named x.html is
    # stored as .jpg, so no server ever serves it as a page.
    ext = ALLOWED_EVIDENCE_TYPES.get(instance.content_type, "bin")
    return f"{instance.UPLOAD_DIR}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext}"


class EvidenceFile(models.Model):
    """An uploaded file checked by `check_evidence_file`; subclasses add what it belongs to."""

    UPLOAD_DIR = "evidence"

    file = models.FileField(gettext_lazy("附件"), upload_to=evidence_upload_to)
    original_name = models.CharField(gettext_lazy("原文件名"), max_length=200)
    content_type = models.CharField(gettext_lazy("文件类型"), max_length=100)
    size = models.PositiveIntegerField(gettext_lazy("大小"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name

    @classmethod
    def build_all(cls, uploads: list[UploadedFile], **owner) -> list["EvidenceFile"]:
        """Check every upload first (one bad file refuses them all), then make the rows."""
        checked = [(f, check_evidence_file(f)) for f in uploads]
        return [
            cls(file=f, original_name=f.name[:200], content_type=kind, size=f.size, **owner)
            for f, kind in checked
        ]

    def download(self) -> HttpResponse:
        return protected_file_response(
            self.file,
            filename=download_name(self.original_name, self.content_type),
            content_type=self.content_type,
        )


class UploadedEvidence(EvidenceFile):
    """An evidence file that records who uploaded it and when."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("上传人"),
    )
    uploaded_at = models.DateTimeField(gettext_lazy("上传时间"), auto_now_add=True)

    class Meta:
        abstract = True
