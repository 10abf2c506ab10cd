"""Mobile numbers as residents type them, stored in E.164 (« +33612345678 »).

Only French mobile numbers (06 and 07, metropolitan France) are accepted: the codes and
notices go through a French SMS provider paid by the commune, and the platform serves
residents of French quartiers prioritaires. Numbers of other countries, even in the EU,
are refused with a reason; an email address remains possible for them.
"""

import re

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

REGION = "FR"
MOBILE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)
# What people put between digits: spaces (also non-breaking), dots, dashes, brackets.
SEPARATORS = re.compile(r"[\s.\-()/\u00a0\u202f]")

MALFORMED = _(
    "Ce numéro n'est pas complet ou contient autre chose que des chiffres : "
    "tapez les 10 chiffres de votre mobile, par exemple 06 12 34 56 78."
)
NOT_FRENCH = _(
    "Seuls les numéros de mobile français sont acceptés (06 ou 07, ou +33 6 et +33 7). "
    "Sans numéro français, créez votre compte avec une adresse électronique."
)
NOT_MOBILE = _(
    "Ce numéro n'est pas un numéro de mobile : il faut un numéro en 06 ou 07 "
    "pour recevoir les codes par SMS."
)


NUMBER_MALFORMED = _(
    "Ce numéro n'est pas complet ou contient autre chose que des chiffres : "
    "tapez ses 10 chiffres, par exemple 03 21 12 34 56."
)
NUMBER_NOT_FRENCH = _("Seuls les numéros français sont acceptés (10 chiffres, ou +33).")


def _parse_french(raw: str, malformed, not_french) -> phonenumbers.PhoneNumber:
    compact = SEPARATORS.sub("", raw or "")
    if not re.fullmatch(r"\+?\d{6,15}", compact):
        raise ValidationError(malformed, code="malformed")
    try:
        number = phonenumbers.parse(compact, REGION)
    except phonenumbers.NumberParseException as error:
        raise ValidationError(malformed, code="malformed") from error
    if number.country_code != phonenumbers.country_code_for_region(REGION):
        raise ValidationError(not_french, code="not_french")
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(malformed, code="malformed")
    return number


def parse_french_mobile(raw: str) -> str:
    """``raw`` as typed (« 06 12 34 56 78 », « 06.12.34.56.78 », « +33 6 12… », « 0033… »)
    in E.164; ValidationError with a French reason when it is malformed, not French, or not
    a mobile."""
    number = _parse_french(raw, MALFORMED, NOT_FRENCH)
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise ValidationError(NOT_MOBILE, code="not_mobile")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_french_number(raw: str) -> str:
    """Any French number (a desk's landline, a mobile, an 0 800 line) as typed, in E.164;
    ValidationError with a French reason when it is malformed or not French."""
    number = _parse_french(raw, NUMBER_MALFORMED, NUMBER_NOT_FRENCH)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str | None) -> str:
    """« +33612345678 » as a French reader writes it: « 06 12 34 56 78 »."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, REGION)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


class FrenchMobileField(forms.CharField):
    """The one form field for a mobile number; ``clean`` gives E.164."""

    def __init__(self, *, label=None, help_text=None, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        )
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault(
            "error_messages", {"required": _("Tapez votre numéro de mobile (06 ou 07).")}
        )
        super().__init__(
            label=label or _("Numéro de mobile"),
            help_text=help_text or _("Un numéro en 06 ou 07, par exemple 06 12 34 56 78."),
            **kwargs,
        )

    def clean(self, value):
        value = super().clean(value)
        return parse_french_mobile(value) if value else value
