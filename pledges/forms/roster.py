"""The roster upload."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=_("名册文件（.xlsx）"))
    check_only = forms.BooleanField(
        label=_("只检查，不导入"),
        required=False,
        help_text=_("勾选后只列出问题和将要导入的人数，不写入任何数据"),
    )
