"""Form fields every app's forms share."""

from django import forms
from django.core.exceptions import ValidationError

from .access import MAX_PK


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf,.docx,.xlsx"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class IdsField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField whose ids are checked to fit the database before any query:
    a 20-digit id would otherwise overflow the driver (a 500 on SQLite)."""

    def _check_values(self, value):
        for pk in value:
            text = str(pk).strip()
            if not text.isdigit() or not 0 < int(text) <= MAX_PK:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                    params={"pk": text[:20]},
                )  # fmt: skip
        return super()._check_values(value)
