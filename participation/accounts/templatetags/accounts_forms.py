"""Template helpers for the account pages (allauth's and ours)."""

import copy

from django import template

from participation.accounts.phone import display_phone

register = template.Library()


@register.simple_tag
def field_widget(bound_field, numeric_code=False):
    """Render a field's widget without allauth's placeholder: our labels are always visible.

    A placeholder that repeats the label disappears as soon as one types and is read twice
    by screen readers; the label above the field is enough. ``numeric_code`` brings up the
    digit keypad on phones for authenticator codes.
    """
    widget = copy.copy(bound_field.field.widget)
    widget.attrs = {key: value for key, value in widget.attrs.items() if key != "placeholder"}
    if numeric_code and bound_field.name == "code":
        widget.attrs.update({"inputmode": "numeric", "autocomplete": "one-time-code"})
    elif bound_field.name == "code":
        # Email codes are letters: no auto-correction, capitals as in the email.
        widget.attrs.update({"autocapitalize": "characters", "spellcheck": "false"})
    return bound_field.as_widget(widget=widget)


@register.filter
def grouped(value, size=4):
    """``JBSWY3DPEHPK3PXP`` → ``JBSW Y3DP EHPK 3PXP``: a secret one can copy by hand."""
    text = str(value)
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


@register.filter
def french_phone(e164) -> str:
    """« +33612345678 » written as a French reader expects it: « 06 12 34 56 78 »."""
    return display_phone(e164)
