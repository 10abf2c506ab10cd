"""What an id may be: every id typed into a URL, a form or a filter is checked here first.

Primary keys are BigAutoField: anything outside 1..2⁶³−1 is no id at all (and SQLite cannot
even bind it), so it is refused as an invalid choice instead of reaching the database.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError

PK_MAX = 2**63 - 1


def is_pk(value) -> bool:
    text = str(value)
    return text.isdigit() and 0 < int(text) <= PK_MAX


def pk_or_none(value) -> int | None:
    return int(value) if value and is_pk(value) else None


class _RefusesNonIds:
    def to_python(self, value):
        if value not in self.empty_values and not is_pk(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class PkChoiceField(_RefusesNonIds, forms.ModelChoiceField):
    pass


class PkMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for item in value:
            if not is_pk(item):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        return super()._check_values(value)


class _PkFilterField(_RefusesNonIds, django_filters.fields.ModelChoiceField):
    pass


class PkChoiceFilter(django_filters.ModelChoiceFilter):
    """A django-filter choice among objects, refusing what cannot be an id."""

    field_class = _PkFilterField


class IdFilter(django_filters.Filter):
    """An id among a list filled after the counts (the dashboard's enjeu, objectif, tag)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", PK_MAX)
        kwargs.setdefault("widget", forms.Select)
        super().__init__(*args, **kwargs)
