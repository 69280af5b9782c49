"""Text a person typed, checked the same way wherever it arrives (a form, a bare POST field, an
import): a length limit with a Chinese message, NUL bytes refused. Services call it for values
that did not come through a form, so no path stores an unbounded or NUL-bearing text."""

from __future__ import annotations

from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import TransitionError
from .middleware import has_control_chars

# Shared limits, so models and forms agree: a title, a reason, a long text (措施, 预期效果...).
TITLE_MAX = 200
REASON_MAX = 500
LONG_TEXT_MAX = 2000


def checked_text(value: str | None, limit: int, label: str, *, required: bool = False) -> str:
    """The value trimmed, or a TransitionError saying what is wrong with it."""
    value = (value or "").strip()
    if has_control_chars(value):
        raise TransitionError(_("%(label)s含有无效的控制字符，请删除后重试") % {"label": label})
    if required and not value:
        raise TransitionError(_("请填写%(label)s") % {"label": label})
    if len(value) > limit:
        raise TransitionError(
            _("%(label)s不能超过 %(n)d 个字（现为 %(m)d 个字）")
            % {"label": label, "n": limit, "m": len(value)}
        )
    return value


class LengthValidator(MaxLengthValidator):
    """A model's TextField limit that full_clean and ModelForms both see, in Chinese."""

    message = gettext_lazy("不能超过 %(limit_value)d 个字（现为 %(show_value)d 个字）")


def bounded_text(verbose_name=None, *, limit: int = LONG_TEXT_MAX, **kwargs) -> models.TextField:
    """A TextField with its limit where both forms (max_length) and full_clean see it; the
    database type stays text, so a later limit change needs no table rewrite."""
    return models.TextField(
        verbose_name, max_length=limit, validators=[LengthValidator(limit)], **kwargs
    )
