"""A JSON body holds the types its schema says: nothing is converted behind the client's back.

DRF's fields are lenient on purpose, because a form carries only text: ``"3"`` is read as the
number 3, ``3`` as the text "3", ``1`` as true. A JSON client that sends a number where the
schema says a text has a bug the API should tell it about, so ``StrictJSON`` refuses such a
value with a French message (400), and a form (multipart) is read as before.
"""

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework import relations, serializers

TEXT = (str, _("un texte"))
WHOLE_NUMBER = (int, _("un nombre entier"))
TRUE_OR_FALSE = (bool, _("vrai ou faux (true ou false)"))
LIST = (list, _("une liste"))


def expected_type(field) -> tuple[type, str] | None:
    """What a field's value must be in JSON, as its schema says; None where anything goes."""
    if isinstance(field, serializers.BooleanField):
        return TRUE_OR_FALSE
    if isinstance(field, serializers.IntegerField | relations.PrimaryKeyRelatedField):
        return WHOLE_NUMBER
    if isinstance(
        field, serializers.ListField | serializers.ListSerializer | relations.ManyRelatedField
    ):
        return LIST
    if isinstance(
        field,
        serializers.CharField
        | serializers.ChoiceField
        | serializers.UUIDField
        | serializers.DateField
        | serializers.DateTimeField
        | relations.SlugRelatedField,
    ):
        return TEXT
    return None


def _is(value, kind: type) -> bool:
    # In Python a boolean is also a number: not in JSON.
    return isinstance(value, kind) and not (kind is int and isinstance(value, bool))


def type_errors(serializer: serializers.Serializer, data) -> dict[str, list[str]]:
    """The fields of ``data`` (parsed JSON) whose value is not of the type the schema says."""
    if not isinstance(data, Mapping) or hasattr(data, "getlist"):
        return {}  # not a JSON object (DRF says so itself), or a form: text is all it has
    errors = {}
    for name, field in serializer.fields.items():
        if field.read_only or name not in data or data[name] is None:
            continue  # absent or null: the field's own rules (required, allow_null) decide
        expected = expected_type(field)
        if expected is None:
            continue
        kind, words = expected
        value = data[name]
        if not _is(value, kind):
            errors[name] = [_("Type incorrect : %(expected)s est attendu.") % {"expected": words}]
            continue
        child = getattr(field, "child_relation", None) or getattr(field, "child", None)
        item_type = expected_type(child) if kind is list and child is not None else None
        if item_type and not all(_is(item, item_type[0]) for item in value):
            errors[name] = [
                _("Type incorrect : une liste dont chaque élément est %(expected)s.")
                % {"expected": item_type[1]}
            ]
    return errors


class StrictJSON:
    """Serializer mixin: a JSON value of the wrong type is refused before any field reads it."""

    def to_internal_value(self, data):
        errors = type_errors(self, data)
        if errors:
            raise serializers.ValidationError(errors)
        return super().to_internal_value(data)
