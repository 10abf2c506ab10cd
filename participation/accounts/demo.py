"""Demo accounts of the embedded mode (never production), created idempotently.

``manage.py load_demo`` calls :func:`load`; running it twice changes nothing. The demo
content of the other apps may use the accounts below, and :func:`resident_email` for the
one demo resident of each quartier.
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings

from participation.territory.models import Commune, Quartier

from .models import Role, User

RIMBART_CODE = "QP 06 20 06"

# email → (display name, role); the habitant lives in Rimbart when the referential is loaded.
ACCOUNTS = {
    "habitant@demo.auchel.fr": ("Camille", Role.HABITANT),
    "mediateur@demo.auchel.fr": ("Nadia", Role.MEDIATEUR),
    "comite@demo.auchel.fr": ("Bernard", Role.COMITE),
    "referent@demo.auchel.fr": ("Sophie", Role.REFERENT),
    "mediateur.marles@demo.auchel.fr": ("Léa", Role.MEDIATEUR),
}
# Staff who work for some communes only (participation.accounts.scope); the others work for
# the whole platform. Marles-les-Mines shares Cité 5 with Auchel: Léa sees Cité 5's work only.
COMMUNES = {"mediateur.marles@demo.auchel.fr": ["marles-les-mines"]}

# One more resident per quartier, by quartier code, for demo expressions and registrations.
RESIDENT_NAMES = {
    "QP 06 20 04": "Karima",
    "QP 06 20 05": "Jean-Marc",
    "QP 06 20 15": "Sandrine",
    "QP 06 20 06": "Mehdi",
}


def resident_email(quartier: Quartier) -> str:
    return f"habitant.{quartier.slug}@demo.auchel.fr"


def load(stdout) -> None:
    quartiers = list(Quartier.objects.order_by("position", "name"))
    rimbart = next((q for q in quartiers if q.code == RIMBART_CODE), None)
    if rimbart is None:
        rimbart = next((q for q in quartiers if q.slug == "rimbart"), None)
    if not quartiers:
        stdout.write(
            "Référentiel absent : comptes de démonstration sans quartier "
            "(lancez d'abord manage.py load_referentiel)."
        )

    created = 0
    for email, (name, role) in ACCOUNTS.items():
        quartier = rimbart if role == Role.HABITANT else None
        created += _ensure_account(email, name, role, quartier)
    for email, slugs in COMMUNES.items():
        communes = Commune.objects.filter(slug__in=slugs)
        if communes:
            User.objects.get(email=email).communes.set(communes)
    for quartier in quartiers:
        name = RESIDENT_NAMES.get(quartier.code, f"Habitant·e de {quartier.short_name}")
        created += _ensure_account(resident_email(quartier), name, Role.HABITANT, quartier)

    total = len(ACCOUNTS) + len(quartiers)
    stdout.write(
        f"Comptes de démonstration : {created} créé(s), {total - created} déjà présent(s) ; "
        f"mot de passe « {settings.DEMO_PASSWORD} », "
        f"double authentification des comptes d'équipe sur la clé {settings.DEMO_TOTP_SECRET}."
    )


def _ensure_account(email: str, name: str, role: str, quartier: Quartier | None) -> bool:
    """Create the account as the demo needs it, or leave it alone; True if created."""
    user = User.objects.filter(email=email).first()
    created = user is None
    if created:
        user = User(email=email, display_name=name, role=role, quartier=quartier)
        user.set_password(settings.DEMO_PASSWORD)
        user.save()
    else:
        changed = []
        if user.display_name != name:
            user.display_name = name
            changed.append("display_name")
        if user.role != role:
            user.role = role
            changed.append("role")
        if quartier is not None and user.quartier_id != quartier.pk:
            user.quartier = quartier
            changed.append("quartier")
        if changed:
            user.save(update_fields=changed)

    address, _ = EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    if not (address.verified and address.primary):
        address.verified = address.primary = True
        address.save(update_fields=["verified", "primary"])

    if (
        role in {Role.MEDIATEUR, Role.COMITE, Role.REFERENT}
        and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    ):
        TOTP.activate(user, settings.DEMO_TOTP_SECRET)
    return created
