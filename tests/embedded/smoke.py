"""Run as a script in embedded mode (SQLite, in-memory layer, eager Celery), as ``make run``
serves it: every public page of the demo, and each role's home, must answer 200.

``python -m tests.embedded.smoke`` after ``migrate``, ``load_referentiel`` and ``load_demo``
on the same ``SQLITE_PATH``; prints one line per page and exits 1 if any failed.
"""

import os
import sys

import django


def pages(quartier, event, expression) -> list[str]:
    from django.urls import reverse

    names = [
        "core:home",
        "core:sante",
        "core:accessibilite",
        "territory:pilotage",
        "territory:history",
        "evenements:list",
        "evenements:calendar",
        "evenements:map",
        "consultations:expression_list",
        "consultations:consultation_list",
        "consultations:retours",
        "account_login",
        "api-root",
        "expression-list",
        "evenement-list",
        "api-schema",
        "opendata-counts",
    ]
    return [
        *(reverse(name) for name in names),
        reverse("consultations:expression_list") + "?q=banc",
        reverse("consultations:expression_list") + f"?quartier={quartier.slug}",
        reverse("territory:quartier", kwargs={"slug": quartier.slug}),
        reverse("consultations:retours_quartier", kwargs={"slug": quartier.slug}),
        reverse("evenements:detail", kwargs={"pk": event.pk}),
        reverse("consultations:expression_detail", kwargs={"pk": expression.pk}),
    ]


SIGNED_IN = {
    "habitant": ["accounts:my_space", "consultations:my_expressions", "evenements:mine"],
    "mediateur": ["consultations:moderation_queue", "terrain:page", "evenements:manage"],
    "comite": ["consultations:committee_dashboard", "consultations:seance_list"],
    "referent": ["referent_space", "referent_roles", "consultations:bilan", "core:home"],
}


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "participation.settings")
    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from consultations.models import PUBLIC_STATUSES, Expression
    from evenements.models import Evenement
    from participation.accounts.models import Role, User
    from participation.territory.models import Quartier

    setup_test_environment()
    failed = 0
    quartier = Quartier.objects.order_by("position").first()
    event = Evenement.objects.public().order_by("starts_at").first()
    expression = (
        Expression.objects.filter(status__in=PUBLIC_STATUSES)
        .exclude(visibility="privee")
        .order_by("pk")
        .first()
    )
    anonymous = Client()
    for path in pages(quartier, event, expression):
        status = anonymous.get(path).status_code
        failed += status != 200
        print(f"{status} anonyme {path}")
    for role, names in SIGNED_IN.items():
        user = User.objects.filter(role=Role(role), is_active=True).order_by("pk").first()
        client = Client()
        client.force_login(user)
        for name in names:
            path = reverse(name)
            status = client.get(path).status_code
            failed += status != 200
            print(f"{status} {role} {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
