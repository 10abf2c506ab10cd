"""Where events take place: the box a place must fall in, and the quartiers' approximate
centres that help to pick a place on a map without tiles.

The territory's referential holds no coordinates (the convention gives none), so the centres
below are approximate points of each quartier, keyed by its official code; a quartier
without one is simply not drawn. The box is generous: Auchel and the neighbouring communes
its quartiers reach (Burbure, Calonne-Ricouart, Cauchy-à-la-Tour, Marles-les-Mines).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Auchel's town hall: where a map opens when nothing else is known.
CENTRE = (Decimal("50.5085"), Decimal("2.4740"))
MIN_LATITUDE, MAX_LATITUDE = Decimal("50.47"), Decimal("50.55")
MIN_LONGITUDE, MAX_LONGITUDE = Decimal("2.40"), Decimal("2.54")

QUARTIER_CENTRES = {
    "QP 06 20 04": (Decimal("50.5084"), Decimal("2.4736")),  # Centre-ville
    "QP 06 20 05": (Decimal("50.5012"), Decimal("2.4853")),  # Cité 5
    "QP 06 20 15": (Decimal("50.5036"), Decimal("2.4640")),  # Provinces - Longues Trinques
    "QP 06 20 06": (Decimal("50.5146"), Decimal("2.4621")),  # Rimbart
}

LATITUDE_ERROR = _(
    "Ce point est loin des quartiers d'Auchel : la latitude doit être comprise entre "
    "%(min)s et %(max)s. Cliquez sur la carte, ou vérifiez le chiffre."
)
LONGITUDE_ERROR = _(
    "Ce point est loin des quartiers d'Auchel : la longitude doit être comprise entre "
    "%(min)s et %(max)s. Cliquez sur la carte, ou vérifiez le chiffre."
)


def _french(number: Decimal) -> str:
    return str(number).replace(".", ",")


def check_latitude(value) -> None:
    if value is not None and not MIN_LATITUDE <= value <= MAX_LATITUDE:
        raise ValidationError(
            LATITUDE_ERROR, params={"min": _french(MIN_LATITUDE), "max": _french(MAX_LATITUDE)}
        )


def check_longitude(value) -> None:
    if value is not None and not MIN_LONGITUDE <= value <= MAX_LONGITUDE:
        raise ValidationError(
            LONGITUDE_ERROR, params={"min": _french(MIN_LONGITUDE), "max": _french(MAX_LONGITUDE)}
        )


def quartier_centres(quartiers) -> list[dict]:
    """``[{"id", "name", "lat", "lng"}]`` of the quartiers whose centre is known."""
    found = []
    for quartier in quartiers:
        centre = QUARTIER_CENTRES.get(quartier.code)
        if centre:
            found.append(
                {
                    "id": quartier.pk,
                    "name": quartier.short_name,
                    "lat": float(centre[0]),
                    "lng": float(centre[1]),
                }
            )
    return found
