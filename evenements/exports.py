"""CSV export of the registrants, for Excel: UTF-8 with BOM, « ; » separator, safe cells."""

import csv

from django.utils import timezone
from django.utils.translation import gettext as _

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value):
        return value


def safe_cell(value) -> str:
    """A cell a spreadsheet will never run as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _attended(inscription) -> str:
    if inscription.attended is None:
        return ""
    return _("oui") if inscription.attended else _("non")


def registrants_csv_rows(inscriptions):
    """Yield the lines of the file, one registration at a time (streamed)."""
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff"
    yield writer.writerow(
        [
            _("Nom"),
            _("Courriel"),
            _("Téléphone"),
            _("Adultes"),
            _("Enfants"),
            _("Statut"),
            _("Demandée le"),
            _("Inscrit·e par"),
            _("Présent·e"),
        ]
    )
    for inscription in inscriptions.iterator(chunk_size=500):
        yield writer.writerow(
            [
                safe_cell(value)
                for value in (
                    inscription.person_name,
                    inscription.contact_email,
                    inscription.phone,
                    inscription.adults,
                    inscription.children,
                    inscription.get_status_display(),
                    timezone.localtime(inscription.requested_at).strftime("%d/%m/%Y %H:%M"),
                    inscription.registered_by.email if inscription.registered_by_id else "",
                    _attended(inscription),
                )
            ]
        )
