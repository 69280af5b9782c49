"""践诺记实: progress records of a pledge and the evidence files attached to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.dates import validate_sane
from core.files import EvidenceFile
from core.text import bounded_text

from .pledge import Pledge


class ProgressRecordQuerySet(models.QuerySet):
    def visible_to(self, user) -> ProgressRecordQuerySet:
        return self.filter(pledge__in=Pledge.objects.visible_to(user))


class ProgressRecord(models.Model):
    """践诺记实: a dated account of what was done, with optional evidence files."""

    pledge = models.ForeignKey(
        Pledge, on_delete=models.CASCADE, related_name="progress_records", verbose_name=_("承诺")
    )
    date = models.DateField(_("日期"), validators=[validate_sane])
    text = bounded_text(_("践诺情况"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("记录人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # What the people see (三公开): the text is public by default; photos are not, because a
    # phone photo shows faces and carries where it was taken. The secretary decides per record.
    is_public = models.BooleanField(_("记实向群众公开"), default=True)
    photos_public = models.BooleanField(_("照片向群众公开"), default=False)

    objects = ProgressRecordQuerySet.as_manager()

    class Meta:
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.date} {self.text[:20]}"


class EvidenceQuerySet(models.QuerySet):
    def visible_to(self, user) -> EvidenceQuerySet:
        return self.filter(record__pledge__in=Pledge.objects.visible_to(user))


class Evidence(EvidenceFile):
    record = models.ForeignKey(
        ProgressRecord,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("所属记实"),
    )

    # The copy the public sees of a photo (resized, EXIF stripped), made when the record's
    # photos are published and removed when they are hidden; the original never leaves login.
    public_image = models.FileField(
        _("公开照片"), upload_to="public_photos/%Y/%m", blank=True, default=""
    )

    objects = EvidenceQuerySet.as_manager()

    @property
    def is_image(self) -> bool:
        return self.content_type in ("image/jpeg", "image/png")

    def get_absolute_url(self) -> str:
        return reverse("pledges:evidence", args=[self.pk])


@receiver(post_delete, sender=Evidence, dispatch_uid="pledges-evidence-public-copy")
def _drop_public_copy(sender, instance: Evidence, **kwargs) -> None:
    # However the row goes (a record deleted, a pledge's cascade), its public copy goes too:
    # no file of a photo stays on disk once nothing says it may be shown.
    if instance.public_image:
        instance.public_image.delete(save=False)
