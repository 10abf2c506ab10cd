"""A filter's select of objects, read once per form.

Django's ``ModelChoiceField`` reads its objects twice on a page that shows a filtered list:
once to check the value sent (``queryset.get(slug=…)``), once more to draw the options
(iterating the queryset). ``RowsOnceChoiceFilter`` reads them once, as a list kept by the
form's field (each form has its own copy of its fields, so a list never outlives its
request), and checks the value against the rows it draws: one query instead of two for the
same rows, and a value is accepted exactly when it is one of the options shown.

For a short list (quartiers, enjeux, consultations): the value is compared as text with the
key of each row (a slug, or an enjeu's number written as digits).

``shown_selects`` says what a form's selects show, as plain values: a filter form drawn once
per content (``fragments.render_fragment``) is keyed by it. Only what is drawn goes into the
key (the options, the one chosen among them, whether the field is in error), never what was
sent as such: anyone can send any value, and each value sent must not make a new entry in
the cache.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError


class _Rows(forms.models.ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        for row in self.field.rows():
            yield self.choice(row)

    def __len__(self):
        extra = (self.field.empty_label is not None) + (self.field.null_label is not None)
        return len(self.field.rows()) + extra

    def __bool__(self):
        return len(self) > 0


class RowsOnceChoiceField(django_filters.fields.ModelChoiceField):
    iterator = _Rows

    def _set_queryset(self, queryset):
        self._rows = None  # a new queryset (a form's own copy of the field): read it again
        super()._set_queryset(queryset)

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    def rows(self) -> list:
        if self._rows is None:
            self._rows = list(self.queryset)
        return self._rows

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if self.null_label is not None and value == self.null_value:
            return value
        key = self.to_field_name or "pk"
        for row in self.rows():
            if str(getattr(row, key)) == str(value):
                return row
        raise ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


class RowsOnceChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = RowsOnceChoiceField


def _plain(choices) -> tuple:
    """Choices, groups included, as plain values and labels (a cache key's material)."""
    return tuple(
        (value, _plain(label) if isinstance(label, (list, tuple)) else str(label))
        for value, label in choices
    )


def shown_choices(form) -> tuple:
    """Every select's options of ``form``, read once as plain ``(value, label)`` rows and
    given to its widget: the form is drawn from them and the values sent, and nothing else."""
    shown = []
    for name, field in form.fields.items():
        if not hasattr(field, "choices"):
            continue
        if hasattr(field, "queryset"):  # the rows its value was checked against (one query)
            empty = [("", field.empty_label)] if field.empty_label is not None else []
            key = field.to_field_name or "pk"
            rows = [(getattr(obj, key), field.label_from_instance(obj)) for obj in field.rows()]
            choices = [*empty, *rows]
        else:
            choices = list(field.choices)
        field.widget.choices = choices
        shown.append((name, _plain(choices)))
    return tuple(shown)


def _values(options) -> set[str]:
    values = set()
    for value, label in options:
        if isinstance(label, (list, tuple)):  # a group of options
            values |= _values(label)
        else:
            values.add(str(value))
    return values


def shown_selects(form, names=None) -> tuple:
    """What the selects of ``form`` (or those of ``names``) show: for each, its options, the
    values chosen among them (a value sent that is not one of them shows as no choice) and
    whether the field is in error. Few keys whatever is sent: options times two."""
    shown = []
    for name, options in shown_choices(form):
        if names is not None and name not in names:
            continue
        value = form[name].value()
        sent = value if isinstance(value, (list, tuple)) else [value]
        offered = _values(options)
        chosen = tuple(sorted({str(v) for v in sent if v is not None and str(v) in offered}))
        shown.append((name, options, chosen, name in form.errors))
    return tuple(shown)
