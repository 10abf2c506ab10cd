"""How the referential's figures are read from the data files and written for people."""

import re
from decimal import Decimal

from django.template.defaultfilters import floatformat

FRENCH_DECIMAL = re.compile(r"^\d+(,\d+)?$")


def parse_french_decimal(text: str) -> Decimal:
    """``"45,4"`` → ``Decimal("45.4")``; raises ValueError on anything else (``"45.4"``, ``"n/a"``)."""
    if not FRENCH_DECIMAL.match(text):
        raise ValueError(text)
    return Decimal(text.replace(",", "."))


def format_figure(value, unit: str = "") -> str:
    """``45.4, "%"`` → ``"45,4 %"`` in French; no trailing ``,0``; a no-break space before the unit."""
    number = floatformat(value, -1)
    return f"{number}\u00a0{unit}" if unit else str(number)
