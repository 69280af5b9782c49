"""践诺记实: progress records and their evidence files."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping, Sequence

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import is_sane
from core.errors import TransitionError
from core.images import UnreadableImage, public_jpeg
from core.locks import lock_row, lock_rows
from core.text import LONG_TEXT_MAX, checked_text
from core.versions import stamp

from ..models import Evidence, Pledge, PledgeEvent, ProgressRecord
from ..rules import lifecycle
from ..rules import pledge as pledge_rules
from .pledge import record_event

Action = PledgeEvent.Action
Move = lifecycle.Move


@transaction.atomic
def progress_add(
    *,
    pledge: Pledge,
    by,
    date: datetime.date,
    text: str,
    files: Sequence[UploadedFile] = (),
) -> ProgressRecord:
    """践诺记实. The first record of a published pledge moves it into progress; a pledge
    approved but not yet published (亮诺) has no progress to record."""
    lock_row(pledge)
    to = lifecycle.check(by, pledge, Move.PROGRESS)
    if not text.strip():
        raise TransitionError(_("请填写践诺情况"))
    text = checked_text(text, LONG_TEXT_MAX, _("践诺情况"))
    if date > timezone.localdate():
        raise TransitionError(_("记实日期不能晚于今天"))
    if not is_sane(date) or date.year < pledge.year - 1:
        # 1900-01-01 is a typo; a record a year before the pledge's own year cannot be about it.
        raise TransitionError(
            _("记实日期 %(date)s 无效：应不早于 %(first)s 年")
            % {"date": date, "first": max(pledge.year - 1, 2000)}
        )
    evidence = Evidence.build_all(files)
    record = ProgressRecord.objects.create(pledge=pledge, date=date, text=text.strip(), author=by)
    for row in evidence:
        row.record = record
        row.save()
    if pledge.status != to:
        pledge.status = to
        pledge.save(update_fields=["status", *stamp(pledge, by)])
    else:
        pledge.save(update_fields=stamp(pledge, by))
    record_event(
        pledge,
        by,
        Action.PROGRESS,
        text.strip()[:200],
        {"record": record.pk, "files": [row.original_name for row in evidence]},
    )
    return record


@transaction.atomic
def progress_delete(*, record: ProgressRecord, by) -> None:
    pledge = record.pledge
    lock_row(pledge)
    lifecycle.check(by, pledge, Move.DELETE_RECORD)
    record_event(pledge, by, Action.DELETE_RECORD, record.text[:200], {"date": str(record.date)})
    for evidence in record.evidence.all():
        evidence.file.delete(save=False)
    record.delete()


# A month's account of one pledge; the single record form has no cap, this one states it.
RECORD_TEXT_MAX = 2000


@transaction.atomic
def progress_record_many(
    *, org, by, date: datetime.date, texts: Mapping[int, str]
) -> list[ProgressRecord]:
    """一月一记实 for a whole branch: one record on each pledge of `org` named in `texts`
    (pledge id → text), all or nothing. Every pledge is checked before any is written, and the
    refusal names each pledge that failed."""
    if not texts:
        raise TransitionError(_("没有填写任何记实"))
    if date > timezone.localdate():
        raise TransitionError(_("记实日期不能晚于今天"))
    lock_rows(Pledge.objects.filter(owner_org=org, pk__in=list(texts)).order_by("pk"))
    pledges = (
        Pledge.objects.filter(owner_org=org, pk__in=list(texts))
        .select_related("owner_org", "owner_member")
        .in_bulk()
    )
    if len(pledges) != len(texts):
        raise TransitionError(_("有承诺已不在本组织或已被删除，请刷新页面后重试"))
    problems = []
    for pk, text in texts.items():
        pledge = pledges[pk]
        if not lifecycle.may(by, pledge, Move.PROGRESS):
            raise PermissionDenied
        if not lifecycle.allows(pledge, Move.PROGRESS):
            problems.append(
                _("%(owner)s：%(title)s — %(reason)s")
                % {**_names(pledge), "reason": lifecycle.refusal(pledge, Move.PROGRESS)}
            )
        elif not text.strip():
            problems.append(_("%(owner)s：%(title)s — 请填写践诺情况") % _names(pledge))
        elif len(text) > RECORD_TEXT_MAX or "\x00" in text:
            problems.append(
                _("%(owner)s：%(title)s — 践诺情况不能超过 %(max)d 字")
                % {**_names(pledge), "max": RECORD_TEXT_MAX}
            )
    if problems:
        raise TransitionError(_("没有保存任何记实：") + "；".join(problems))
    return [
        progress_add(pledge=pledges[pk], by=by, date=date, text=text)
        for pk, text in sorted(texts.items())
    ]


def _names(pledge: Pledge) -> dict[str, str]:
    return {"owner": pledge.owner_name, "title": pledge.title}


@transaction.atomic
def progress_record_set_public(
    *, record: ProgressRecord, by, text: bool, photos: bool
) -> ProgressRecord:
    """What the people see of one 记实: its text, and its photos as public copies (resized,
    EXIF stripped). Photos are shown only with the text; other evidence files never are."""
    pledge = record.pledge
    lock_row(pledge)
    if not pledge_rules.can_publish_progress(by, pledge):
        raise PermissionDenied
    photos = photos and text
    if (record.is_public, record.photos_public) == (text, photos):
        return record
    images = [e for e in record.evidence.all() if e.is_image]
    for evidence in images:
        if photos and not evidence.public_image:
            try:
                with evidence.file.open("rb") as source:
                    data = public_jpeg(source)
            except (UnreadableImage, FileNotFoundError) as e:
                raise TransitionError(
                    _("照片“%(name)s”无法读取，不能公开") % {"name": evidence.original_name}
                ) from e
            evidence.public_image.save(f"{uuid.uuid4().hex}.jpg", ContentFile(data), save=True)
        elif not photos and evidence.public_image:
            # Hidden means gone: no copy is left for an old address to find.
            evidence.public_image.delete(save=True)
    record.is_public, record.photos_public = text, photos
    record.save(update_fields=["is_public", "photos_public"])
    # The pledge's save refreshes its public pages (publicity listens to pledges).
    pledge.save(update_fields=stamp(pledge, by))
    record_event(
        pledge,
        by,
        Action.EDIT,
        _("记实公开设置：%(date)s 文字%(text)s，照片%(photos)s")
        % {
            "date": record.date,
            "text": _("公开") if text else _("不公开"),
            "photos": _("公开") if photos else _("不公开"),
        },
        {"record": record.pk, "is_public": text, "photos_public": photos},
    )
    return record


@transaction.atomic
def progress_records_set_public(*, pledge: Pledge, by, text: bool, photos: bool) -> int:
    """The same choice for every record of the pledge at once (the page's bulk switch); how
    many records changed. All or nothing: one unreadable photo refuses the lot."""
    lock_row(pledge)
    if not pledge_rules.can_publish_progress(by, pledge):
        raise PermissionDenied
    photos = photos and text
    records = list(
        ProgressRecord.objects.filter(pledge=pledge)
        .exclude(is_public=text, photos_public=photos)
        .select_related("pledge")
        .order_by("id")
    )
    for record in records:
        record.pledge = pledge  # the locked row: its version moves once per record
        progress_record_set_public(record=record, by=by, text=text, photos=photos)
    return len(records)
