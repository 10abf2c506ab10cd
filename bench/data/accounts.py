"""Accounts: résidents spread over the quartiers, and the staff with TOTP."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth.hashers import make_password

from participation.accounts.models import NotifyBy, Role, User

from . import BENCH_PASSWORD, EMAIL_DOMAIN, Generator, volume
from .bulk import CHUNK, bulk, chunked

FIRST_NAMES = [
    "Nadia",
    "Samia",
    "Karim",
    "Sophie",
    "Paul",
    "Inès",
    "Yanis",
    "Julie",
    "Mehdi",
    "Camille",
    "Lucas",
    "Fatima",
    "Hugo",
    "Léa",
    "Nathan",
    "Chloé",
    "Sofiane",
    "Manon",
    "Théo",
    "Aïcha",
    "Louis",
    "Emma",
    "Rayan",
    "Sarah",
    "Jules",
    "Amina",
    "Tom",
    "Lina",
    "Enzo",
    "Zoé",
    "Bilal",
    "Jade",
    "Maxime",
    "Yasmine",
    "Antoine",
    "Clara",
    "Hamid",
    "Élodie",
    "Kevin",
    "Malika",
    "Bruno",
    "Sylvie",
    "Didier",
    "Martine",
    "Jean-Pierre",
    "Nathalie",
    "Farid",
    "Brigitte",
    "Mohamed",
    "Chantal",
]


def generated_users():
    return User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")


def make_accounts(gen: Generator) -> int:
    rng = gen.rng("comptes")
    password = make_password(BENCH_PASSWORD)  # hashed once: hashing 50,000 times takes hours
    staff = (
        ("referent", Role.REFERENT, volume("referents", gen.scale)),
        ("comite", Role.COMITE, volume("comite", gen.scale, 3)),
        ("mediateur", Role.MEDIATEUR, volume("mediateurs", gen.scale, 3)),
    )
    total = volume("accounts", gen.scale, 20)
    specs: list[tuple[str, str]] = []
    for prefix, role, number in staff:
        specs.extend((f"{prefix}{n:03d}@{EMAIL_DOMAIN}", role) for n in range(1, number + 1))
    specs.extend(
        (f"habitant{n:05d}@{EMAIL_DOMAIN}", Role.HABITANT)
        for n in range(1, max(total - len(specs), 10) + 1)
    )
    made = 0
    by_role = {
        Role.HABITANT: gen.habitants,
        Role.MEDIATEUR: gen.mediateurs,
        Role.COMITE: gen.comite,
        Role.REFERENT: gen.referents,
    }
    for chunk in chunked(specs, CHUNK):
        users = []
        for email, role in chunk:
            users.append(
                User(
                    email=email,
                    password=password,
                    role=role,
                    display_name=rng.choice(FIRST_NAMES) if rng.random() < 0.7 else "",
                    quartier_id=rng.choice(gen.quartier_ids) if role == Role.HABITANT else None,
                    notify_by=NotifyBy.EMAIL if rng.random() < 0.8 else NotifyBy.NONE,
                    date_joined=gen.days_ago(rng, 730),
                )
            )
        users = bulk(User, users, returning=True)
        bulk(
            EmailAddress,
            [EmailAddress(user_id=u.pk, email=u.email, verified=True, primary=True) for u in users],
        )
        for user in users:
            by_role[user.role].append(user.pk)
            if user.quartier_id:
                gen.residents[user.quartier_id].append(user.pk)
        made += len(users)
    _activate_totp(gen, [*gen.referents, *gen.comite, *gen.mediateurs])
    return made


def _activate_totp(gen: Generator, user_ids: list[int]) -> None:
    """Staff must have TOTP before any staff page; they share the public demo secret."""
    for user in User.objects.filter(pk__in=user_ids).order_by("pk"):
        TOTP.activate(user, settings.DEMO_TOTP_SECRET)
    gen.count("staff_totp", len(user_ids))


def delete_generated() -> None:
    Authenticator.objects.filter(user__in=generated_users()).delete()
    generated_users().delete()
