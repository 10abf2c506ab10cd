"""Personal data held by the events app: export, erasure, retention (see participation.accounts.rgpd).

Registrations made by a signed-in resident point to their account; a mediator may also
register a person without account with a name and, with consent, a phone or an email.
"""

from django.utils import timezone

from . import services
from .models import Inscription

# What a registration's name becomes once its person is erased or its contact purged; the
# row stays (it counts in the attendance of past events), the person does not.
ANONYMISED_NAME = "Personne anonymisée"


def export(user) -> dict:
    inscriptions = (
        Inscription.objects.filter(user=user)
        .select_related("evenement")
        .order_by("requested_at", "pk")
    )
    return {
        "inscriptions": [
            {
                "evenement": inscription.evenement.title,
                "page": inscription.evenement.get_absolute_url(),
                "debut": inscription.evenement.starts_at,
                "fin": inscription.evenement.ends_at,
                "lieu": inscription.evenement.place_name,
                "adresse": inscription.evenement.address,
                "statut": inscription.get_status_display(),
                "adultes": inscription.adults,
                "enfants": inscription.children,
                "demandee_le": inscription.requested_at,
                "confirmee_le": inscription.confirmed_at,
                "annulee_le": inscription.cancelled_at,
                "present": inscription.attended,
                "rappel_envoye_le": inscription.reminder_sent_at,
            }
            for inscription in inscriptions
        ]
    }


def erase(user, *, keep_public_expressions: bool) -> None:
    """Free the places of events to come (the waiting list moves up), then detach the person.

    Registrations to events that have started or ended stay, without anyone's name, so that
    the attendance figures of past events do not change.
    """
    now = timezone.now()
    coming = (
        Inscription.objects.filter(user=user, evenement__starts_at__gt=now)
        .exclude(status=Inscription.Status.ANNULEE)
        .order_by("pk")
    )
    for inscription in coming:
        # The service locks the event and promotes the first waiting people who now fit.
        services.cancel_inscription(inscription, actor=user)
    Inscription.objects.filter(user=user).update(
        user=None,
        name=ANONYMISED_NAME,
        phone="",
        email="",
        contact_consent=False,
        contact_consent_at=None,
    )


def purge_contacts(before) -> int:
    """Forget the name and contact of people without account registered before ``before``.

    Only registrations to events that have also ended before ``before``: a person
    registered long ago to an event still to come must still be told if it changes.
    """
    stale = Inscription.objects.filter(
        user__isnull=True, created_at__lt=before, evenement__ends_at__lt=before
    ).exclude(name=ANONYMISED_NAME, phone="", email="", contact_consent=False)
    return stale.update(
        name=ANONYMISED_NAME, phone="", email="", contact_consent=False, contact_consent_at=None
    )
