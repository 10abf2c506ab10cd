"""CSV export of the registrants, for Excel: UTF-8 with BOM, « ; » separator, safe cells."""

from django.utils import timezone
from django.utils.translation import gettext as _

from participation.core.spreadsheets import csv_lines


def _attended(inscription) -> str:
    if inscription.attended is None:
        return ""
    return _("oui") if inscription.attended else _("non")


def _rows(inscriptions):
    for inscription in inscriptions.iterator(chunk_size=500):
        yield [
            inscription.person_name,
            inscription.contact_email,
            inscription.phone,
            inscription.adults,
            inscription.children,
            inscription.get_status_display(),
            timezone.localtime(inscription.requested_at).strftime("%d/%m/%Y %H:%M"),
            inscription.registered_by.email if inscription.registered_by_id else "",
            _attended(inscription),
        ]


def registrants_csv_lines(inscriptions):
    """The lines of the file, one registration at a time (streamed)."""
    header = [
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
    return csv_lines(header, _rows(inscriptions))
