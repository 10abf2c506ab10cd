"""Every page runs at most 12 SQL queries, and the same number on the demo data as on more.

Each page is read twice: on the demo content (``load_demo``), then after the bench's
generator has added an agglomeration's worth at a small scale (25 quartiers, hundreds of
expressions, registrations, « moi aussi », transmissions and answers). Each time the page
shows the most loaded object of its kind (the event with the most registrations, the
expression with the longest history…), so the second reading has more rows behind it.
"""

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.test import Client

from bench.budgets import MAX_QUERIES_PER_PAGE
from bench.data.driver import run as generate_data
from consultations.models import Consultation, Expression, Instance, Seance, Status
from evenements.models import Evenement
from participation.accounts.models import Role, User
from tests.queries import page_queries

# (who, URL template); objects between braces are picked by ``sample``.
PAGES = [
    (None, "/"),
    (None, "/quartiers/rimbart/"),
    (None, "/pilotage/"),
    (None, "/evenements/"),
    (None, "/evenements/?quartier=rimbart"),
    (None, "/evenements/calendrier/"),
    (None, "/evenements/carte/"),
    (None, "/evenements/{event}/"),
    (None, "/expressions/"),
    (None, "/expressions/?quartier=rimbart&q=rue&ordre=soutenues"),
    (None, "/expressions/{expression}/"),
    (None, "/consultations/"),
    (None, "/consultations/{consultation}/"),
    (None, "/vous-avez-dit-nous-avons-fait/"),
    (None, "/vous-avez-dit-nous-avons-fait/rimbart/"),
    (None, "/mediation/"),
    ("habitant", "/"),
    ("habitant", "/compte/mon-espace/"),
    ("habitant", "/mes-expressions/"),
    ("habitant", "/evenements/mes-inscriptions/"),
    ("habitant", "/expressions/nouvelle/"),
    ("habitant", "/expressions/{expression}/"),
    ("habitant", "/evenements/{event}/"),
    ("habitant", "/notifications/"),
    ("habitant", "/compte/mes-donnees/"),
    ("mediateur", "/moderation/"),
    ("mediateur", "/moderation/?vue=a-transmettre"),
    ("mediateur", "/moderation/expressions/{moderated}/"),
    ("mediateur", "/moderation/expressions/{published}/"),  # with its likely duplicates
    ("mediateur", "/moderation/expressions/{published}/regrouper/{kept}/"),
    ("mediateur", "/moderation/etiquettes/"),
    ("mediateur", "/evenements/gestion/"),
    ("mediateur", "/evenements/{event}/inscriptions/"),
    ("comite", "/comite/"),
    ("comite", "/comite/transmis/"),
    ("comite", "/comite/?quartier=rimbart"),
    ("comite", "/comite/seances/"),
    ("comite", "/comite/seances/{seance}/"),
    ("comite", "/comite/seances/{seance}/dossier/"),
    ("comite", "/comite/bilan/"),
]


def sample() -> dict:
    listed = Expression.objects.listed()
    published = listed.filter(status=Status.PUBLIEE).order_by("-supports_count", "pk")[0]
    return {
        "event": Evenement.objects.annotate(n=Count("inscriptions")).order_by("-n", "pk")[0].pk,
        "expression": listed.order_by("-supports_count", "pk")[0].pk,
        "moderated": Expression.objects.annotate(n=Count("steps")).order_by("-n", "pk")[0].pk,
        # A published expression and another of its quartier to merge it with (the preview).
        "published": published.pk,
        "kept": listed.filter(quartier_id=published.quartier_id)
        .exclude(pk=published.pk)
        .order_by("-supports_count", "pk")[0]
        .pk,
        "consultation": Consultation.objects.annotate(n=Count("expressions"))
        .order_by("-n", "pk")[0]
        .slug,
        "seance": Seance.objects.annotate(n=Count("items")).order_by("-n", "pk")[0].pk,
    }


def people() -> dict:
    habitant = (
        User.objects.filter(role=Role.HABITANT, email__endswith="@bench.invalid")
        .annotate(n=Count("expressions"))
        .order_by("-n", "pk")
        .first()
    ) or User.objects.filter(role=Role.HABITANT).annotate(n=Count("expressions")).order_by(
        "-n", "pk"
    )[0]
    comite = User.objects.filter(role=Role.COMITE).order_by("pk")[0]
    for instance in Instance.objects.all():  # the demo member sees every instance's figures
        instance.members.add(comite)
    return {
        "habitant": habitant,
        "mediateur": User.objects.filter(role=Role.MEDIATEUR).order_by("pk")[0],
        "comite": comite,
    }


def count_every_page() -> dict[tuple, int]:
    objects, users = sample(), people()
    counts = {}
    for who, template in PAGES:
        client = Client()
        if who:
            client.force_login(users[who])
        counts[(who, template)] = page_queries(client, template.format(**objects))
    return counts


@pytest.mark.slow
@pytest.mark.django_db
def test_every_page_runs_at_most_12_queries_whatever_the_amount_of_data(settings):
    settings.DEMO_ACCOUNTS_ENABLED = True  # the demo content, in a test database only
    call_command("load_referentiel", verbosity=0)
    call_command("load_demo", verbosity=0)
    on_demo = count_every_page()
    demo_expressions = Expression.objects.count()

    generate_data(seed=7, scale=0.003, write=lambda line: None)
    assert Expression.objects.count() > 2 * demo_expressions  # more rows behind each page
    on_more = count_every_page()

    over = {page: n for page, n in on_more.items() if n > MAX_QUERIES_PER_PAGE}
    assert not over, f"plus de {MAX_QUERIES_PER_PAGE} requêtes : {over}"
    changed = {page: (on_demo[page], n) for page, n in on_more.items() if n != on_demo[page]}
    assert not changed, f"le nombre de requêtes dépend des données : {changed}"
