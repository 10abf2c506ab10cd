"""Reading what others said: lists, filters, search, « moi aussi », reports, quartier pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations.models import Signalement, Source, Status, Support, Visibility
from tests.factories import EnjeuFactory, UserFactory
from tests.queries import page_queries

from .factories import ConsultationFactory, ExpressionFactory, ObjectifFactory

LIST = reverse("consultations:expression_list")


def texts(response):
    return {expression.text for expression in response.context["page"].object_list}


@pytest.mark.django_db
def test_the_list_shows_published_expressions_only(client, rimbart):
    ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE, text="Publié")
    ExpressionFactory(quartier=rimbart, status=Status.TRANSMISE, text="Transmis")
    ExpressionFactory(quartier=rimbart, status=Status.SOUMISE, text="En attente")
    ExpressionFactory(quartier=rimbart, status=Status.REJETEE, text="Rejeté")
    ExpressionFactory(quartier=rimbart, status=Status.FUSIONNEE, text="Fusionné")

    assert texts(client.get(LIST)) == {"Publié", "Transmis"}


@pytest.mark.django_db
def test_the_list_says_what_each_status_its_cards_can_show_means(client, rimbart):
    from consultations.models.expression import LISTED_STATUSES

    ExpressionFactory(quartier=rimbart, status=Status.TRANSMISE)
    page = client.get(LIST).content.decode()

    start = page.index('<details class="status-legend">')
    legend = page[start : page.index("</details>", start)]
    for status in LISTED_STATUSES:
        assert f"<dt>{status.label}</dt>" in legend, status
    # The card says the same word the legend explains.
    assert f'<span class="status status-transmise">{Status.TRANSMISE.label}</span>' in page


@pytest.mark.django_db
def test_authors_are_shown_as_they_chose(client, rimbart):
    named = UserFactory(display_name="Fatima", email="fatima@example.org")
    ExpressionFactory(
        quartier=rimbart, author=named, status=Status.PUBLIEE, visibility=Visibility.PUBLIC_NAMED
    )
    hidden = UserFactory(display_name="Gérard", email="gerard@example.org")
    ExpressionFactory(
        quartier=rimbart,
        author=hidden,
        status=Status.PUBLIEE,
        visibility=Visibility.PUBLIC_ANONYMOUS,
    )

    html = client.get(LIST).content.decode()

    assert "Fatima a dit" in html
    assert "un·e habitant·e de Rimbart a dit" in html
    assert "Gérard" not in html
    assert "@example.org" not in html


@pytest.mark.django_db
def test_filters_by_quartier_objective_enjeu_consultation_event_and_source(
    client, rimbart, cite5, mediation_rimbart
):
    enjeu3 = EnjeuFactory(number=3, title="Des quartiers à l'épreuve des transitions")
    lumiere = ObjectifFactory(
        quartier=cite5, enjeu=enjeu3, operationnel="Aménager des liaisons douces"
    )
    jeunesse = ConsultationFactory(slug="table-ronde-jeunesse", quartiers=[rimbart])
    ExpressionFactory(
        quartier=rimbart, status=Status.PUBLIEE, text="A", objectifs=[mediation_rimbart]
    )
    ExpressionFactory(quartier=cite5, status=Status.PUBLIEE, text="B", objectifs=[lumiere])
    ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE, text="C", consultation=jeunesse)
    ExpressionFactory(
        quartier=rimbart, status=Status.PUBLIEE, text="D", source=Source.STAND, author=None
    )

    assert texts(client.get(LIST, {"quartier": "cite-5"})) == {"B"}
    assert texts(client.get(LIST, {"objectif": mediation_rimbart.pk})) == {"A"}
    assert texts(client.get(LIST, {"enjeu": 3})) == {"B"}
    assert texts(client.get(LIST, {"consultation": "table-ronde-jeunesse"})) == {"C"}
    assert texts(client.get(LIST, {"source": "stand"})) == {"D"}


@pytest.mark.django_db
def test_filter_by_event(client, rimbart):
    from django.utils import timezone

    from evenements.models import Evenement  # test data only; the app itself goes through public.py

    stand = Evenement.objects.create(
        title="Stand du marché",
        place_name="Marché",
        organiser_name="Commune",
        starts_at=timezone.now() - timezone.timedelta(days=3),
        ends_at=timezone.now() - timezone.timedelta(days=3, hours=-2),
    )
    ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE, text="Au stand", evenement=stand)
    ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE, text="Ailleurs")

    response = client.get(LIST, {"evenement": stand.pk})

    assert texts(response) == {"Au stand"}
    assert "Stand du marché" in response.content.decode()


@pytest.mark.django_db
def test_the_objective_list_follows_the_chosen_quartier(client, rimbart, cite5):
    ici = ObjectifFactory(quartier=rimbart, operationnel="Ouvrir une maison de quartier")
    ailleurs = ObjectifFactory(quartier=cite5, operationnel="Éclairer la cité")
    ExpressionFactory(quartier=cite5, status=Status.PUBLIEE, text="B", objectifs=[ailleurs])

    page = client.get(LIST, {"quartier": "rimbart"}).content.decode()
    assert "Ouvrir une maison de quartier" in page and "Éclairer la cité" not in page
    assert 'name="evenement"' not in page  # the event filter is reached from an event's page

    page = client.get(LIST).content.decode()
    assert "Choisissez d&#x27;abord un quartier" in page
    assert "Ouvrir une maison de quartier" not in page

    # A link to an objective (from an expression's card) still filters and names it.
    response = client.get(LIST, {"objectif": ailleurs.pk})
    assert texts(response) == {"B"}
    assert "Éclairer la cité" in response.content.decode()
    assert "Ouvrir une maison de quartier" not in response.content.decode()
    assert ici.pk


@pytest.mark.django_db
def test_nonsense_filters_do_not_break_the_page(client, rimbart):
    ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE, text="A")

    response = client.get(
        LIST, {"quartier": "nulle-part", "objectif": "abc", "enjeu": "x", "page": "999"}
    )

    assert response.status_code == 200


@pytest.mark.django_db
def test_search_finds_words_in_the_text(client, rimbart):
    ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE, text="Plus d'éclairage dans la rue")
    ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE, text="Un banc au square")

    assert texts(client.get(LIST, {"q": "éclairage"})) == {"Plus d'éclairage dans la rue"}


@pytest.mark.django_db
@pytest.mark.needs("postgresql")  # French full-text search; SQLite uses icontains
def test_full_text_search_finds_mediation_without_accent_and_in_the_plural(client, rimbart):
    ExpressionFactory(
        quartier=rimbart, status=Status.PUBLIEE, text="Il faut renforcer la médiation sociale."
    )
    ExpressionFactory(
        quartier=rimbart,
        status=Status.PUBLIEE,
        text="Les médiations de l'été ont aidé les familles.",
    )
    ExpressionFactory(
        quartier=rimbart, status=Status.PUBLIEE, text="Les médiateurs sont passés au stand."
    )
    ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE, text="Un banc au square")

    found = texts(client.get(LIST, {"q": "mediation"}))

    assert found == {
        "Il faut renforcer la médiation sociale.",
        "Les médiations de l'été ont aidé les familles.",
    }
    assert texts(client.get(LIST, {"q": "MÉDIATIONS"})) == found


@pytest.mark.django_db
@pytest.mark.needs("postgresql")  # the GIN index
def test_the_search_can_use_the_gin_index():
    from consultations.models import Expression
    from consultations.search import search_expressions

    with connection.cursor() as cursor:
        # Neither a whole-table scan nor an ordered walk of another index filtering every row
        # (which the statistics of an earlier test's ANALYZE may make cheaper on a tiny
        # table): only an index that answers the search itself. SET LOCAL ends with the
        # test's transaction.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        sql, params = search_expressions(
            Expression.objects.all(), "mediation"
        ).query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "expression_text_search" in plan


@pytest.mark.django_db
def test_moi_aussi_counts_once_per_account_and_can_be_taken_back(client_for, alice, bob, rimbart):
    expression = ExpressionFactory(quartier=rimbart, author=alice, status=Status.PUBLIEE)
    url = reverse("consultations:expression_support", args=[expression.pk])
    client = client_for(bob)

    client.post(url)
    client.post(url)
    expression.refresh_from_db()
    assert expression.supports_count == 1
    assert Support.objects.filter(expression=expression, user=bob).count() == 1
    page = client.get(expression.get_absolute_url()).content.decode()
    assert 'aria-pressed="true"' in page

    client.post(url, {"action": "retirer"})
    expression.refresh_from_db()
    assert expression.supports_count == 0


@pytest.mark.django_db
def test_moi_aussi_returns_to_the_list_where_it_was_pressed(client_for, alice, bob, rimbart):
    expression = ExpressionFactory(quartier=rimbart, author=alice, status=Status.PUBLIEE)

    response = client_for(bob).post(
        reverse("consultations:expression_support", args=[expression.pk]),
        {"next": "/expressions/?quartier=rimbart"},
    )

    assert response["Location"] == "/expressions/?quartier=rimbart"


@pytest.mark.django_db
def test_moi_aussi_never_redirects_to_another_site(client_for, alice, bob, rimbart):
    expression = ExpressionFactory(quartier=rimbart, author=alice, status=Status.PUBLIEE)

    response = client_for(bob).post(
        reverse("consultations:expression_support", args=[expression.pk]),
        {"next": "//evil.example/"},
    )

    assert response["Location"] == expression.get_absolute_url()


@pytest.mark.django_db
def test_reporting_sends_the_expression_back_to_moderation(
    client_for, alice, bob, rimbart, live_events, django_capture_on_commit_callbacks
):
    expression = ExpressionFactory(quartier=rimbart, author=alice, status=Status.PUBLIEE)
    url = reverse("consultations:expression_report", args=[expression.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(bob).post(
            url, {"reason": "donnees_personnelles", "details": "Il cite un nom."}
        )

    assert response.status_code == 302
    expression.refresh_from_db()
    assert expression.flagged_at is not None
    assert Signalement.objects.get().reason == "donnees_personnelles"
    announced = [e for g, e in live_events if g == "moderation" and e["id"] == expression.pk]
    assert [e["type"] for e in announced] == ["expression.reported"]
    # Reporting twice changes nothing.
    client_for(bob).post(url, {"reason": "autre"})
    assert Signalement.objects.count() == 1


@pytest.mark.django_db
def test_a_report_without_reason_is_refused_in_french(client_for, alice, bob, rimbart):
    expression = ExpressionFactory(quartier=rimbart, author=alice, status=Status.PUBLIEE)

    response = client_for(bob).post(
        reverse("consultations:expression_report", args=[expression.pk]), {"details": "x"}
    )

    assert response.status_code == 200
    assert "Choisissez une raison." in response.content.decode()
    assert "x</textarea>" in response.content.decode()


def _list_queries(client) -> int:
    return page_queries(client, LIST)


def _make_expressions(count, objectifs, supporters, quartier, consultation):
    for index in range(count):
        expression = ExpressionFactory(
            quartier=quartier,
            status=Status.PUBLIEE,
            consultation=consultation,
            source=Source.STAND if index % 2 else Source.EN_LIGNE,
            objectifs=objectifs,
        )
        for supporter in supporters:
            Support.objects.create(expression=expression, user=supporter)


@pytest.mark.django_db
@pytest.mark.parametrize("logged_in", [False, True])
def test_the_list_runs_a_constant_number_of_queries(client, client_for, rimbart, logged_in):
    reader = UserFactory()
    client = client_for(reader) if logged_in else client
    consultation = ConsultationFactory(quartiers=[rimbart])
    small_objectifs = [ObjectifFactory(quartier=rimbart)]
    _make_expressions(2, small_objectifs, [], rimbart, consultation)
    small = _list_queries(client)

    many_objectifs = [ObjectifFactory(quartier=rimbart) for _ in range(6)]
    supporters = [UserFactory() for _ in range(4)] + [reader]
    _make_expressions(30, many_objectifs, supporters, rimbart, consultation)
    large = _list_queries(client)

    assert large == small


@pytest.mark.django_db
def test_the_quartier_page_counts_published_expressions_per_objective(
    client, rimbart, mediation_rimbart
):
    other = ObjectifFactory(quartier=rimbart, operationnel="Autre objectif")
    ExpressionFactory.create_batch(
        2, quartier=rimbart, status=Status.PUBLIEE, objectifs=[mediation_rimbart]
    )
    ExpressionFactory(quartier=rimbart, status=Status.SOUMISE, objectifs=[mediation_rimbart])
    ExpressionFactory(
        quartier=rimbart, status=Status.PUBLIEE, visibility=Visibility.PRIVATE, objectifs=[other]
    )

    response = client.get(reverse("territory:quartier", args=[rimbart.slug]))

    assert response.context["objectif_expression_counts"] == {mediation_rimbart.pk: 2}
    assert "Ce que disent les habitants de Rimbart" in response.content.decode()


@pytest.mark.django_db
def test_the_quartier_provider_runs_a_fixed_number_of_queries(rimbart, mediation_rimbart, rf):
    from django.contrib.auth.models import AnonymousUser

    from consultations.blocks import quartier_provider

    request = rf.get("/")
    request.user = AnonymousUser()
    ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE, objectifs=[mediation_rimbart])
    quartier_provider(request, quartier=rimbart)  # a quartier's counts start on its 1st reading
    with CaptureQueriesContext(connection) as few:
        quartier_provider(request, quartier=rimbart)
    ExpressionFactory.create_batch(
        10, quartier=rimbart, status=Status.PUBLIEE, objectifs=[mediation_rimbart]
    )
    ConsultationFactory.create_batch(3, quartiers=[rimbart])
    with CaptureQueriesContext(connection) as many:
        quartier_provider(request, quartier=rimbart)

    assert len(few) == len(many)


@pytest.mark.django_db
def test_open_consultations_show_on_the_home_and_quartier_pages(client, rimbart):
    ConsultationFactory(title="Table ronde jeunesse", quartiers=[rimbart])
    ConsultationFactory(title="Bilan Nos Quartiers d'Été 2026", closed=True, quartiers=[rimbart])

    home = client.get(reverse("core:home")).content.decode()
    quartier = client.get(reverse("territory:quartier", args=[rimbart.slug])).content.decode()

    for html in (home, quartier):
        assert "Table ronde jeunesse" in html
        assert "Bilan Nos Quartiers" not in html


@pytest.mark.django_db
def test_the_home_page_asks_for_her_opinion_before_the_events_and_the_english_line_last(
    client, rimbart
):
    """UX review #12: on a phone the first screen holds the title, a paragraph and an English
    sentence; « Donner mon avis » came after the events."""
    from tests.evenements.factories import EvenementFactory

    EvenementFactory(title="Table ronde parentalité", quartiers=[rimbart])

    home = client.get(reverse("core:home")).content.decode()

    give = home.index('href="/expressions/nouvelle/"', home.index("<main"))
    assert give < home.index("Prochains rendez-vous dans les quartiers")
    assert home.index("Table ronde parentalité") < home.index('lang="en"')
    assert home.index('lang="en"') > home.index(rimbart.get_absolute_url(), give)


@pytest.mark.django_db
def test_a_closed_consultation_stays_readable(client, rimbart):
    closed = ConsultationFactory(
        title="Bilan Nos Quartiers d'Été 2026", closed=True, quartiers=[rimbart]
    )
    ExpressionFactory(
        quartier=rimbart, status=Status.PUBLIEE, consultation=closed, text="Super été"
    )

    response = client.get(closed.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "Super été" in html
    assert "est close" in html
    assert "Répondre à cette consultation" not in html


@pytest.mark.django_db
def test_the_consultation_list_groups_open_upcoming_and_closed(client, rimbart):
    import datetime as dt

    from django.utils import timezone

    ConsultationFactory(title="Ouverte", quartiers=[rimbart])
    ConsultationFactory(title="Close", closed=True, quartiers=[rimbart])
    ConsultationFactory(
        title="Bientôt",
        opens_on=timezone.localdate() + dt.timedelta(days=5),
        closes_on=timezone.localdate() + dt.timedelta(days=30),
        quartiers=[rimbart],
    )

    response = client.get(reverse("consultations:consultation_list"))

    assert [c.title for c in response.context["open"]] == ["Ouverte"]
    assert [c.title for c in response.context["upcoming"]] == ["Bientôt"]
    assert [c.title for c in response.context["closed"]] == ["Close"]


@pytest.mark.django_db
def test_the_referent_opens_a_consultation_with_an_audit_entry(
    client_for, referent, rimbart, mediation_rimbart
):
    from participation.audit.models import AuditEntry

    response = client_for(referent).post(
        reverse("consultations:consultation_create"),
        {
            "title": "Table ronde jeunesse",
            "slug": "table-ronde-jeunesse",
            "question": "Que manque-t-il aux jeunes de Rimbart ?",
            "quartiers": [rimbart.pk],
            "objectifs": [mediation_rimbart.pk],
            "opens_on": "2026-01-01",
            "closes_on": "2026-12-31",
        },
    )

    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="consultation.ouverte", actor=referent).exists()


@pytest.mark.django_db
def test_a_consultation_closing_before_it_opens_is_refused(client_for, referent, rimbart):
    response = client_for(referent).post(
        reverse("consultations:consultation_create"),
        {
            "title": "À l'envers",
            "slug": "a-l-envers",
            "question": "?",
            "quartiers": [rimbart.pk],
            "opens_on": "2026-06-01",
            "closes_on": "2026-05-01",
        },
    )

    assert response.status_code == 200
    assert "doit suivre la date d'ouverture" in response.content.decode().replace("&#x27;", "'")


def test_her_own_waiting_expression_says_what_happens_next(client_for, alice, mediateur, rimbart):
    waiting = ExpressionFactory(quartier=rimbart, author=alice, status=Status.SOUMISE)

    own = client_for(alice).get(f"/expressions/{waiting.pk}/").content.decode()
    staff = client_for(mediateur).get(f"/expressions/{waiting.pk}/").content.decode()

    assert "<h1>Vous avez dit</h1>" in own
    assert "En attente de lecture : une fois relu par un·e médiateur·rice" in own
    assert "vous pouvez encore le modifier" in own
    assert "<h1>Vous avez dit</h1>" not in staff
    assert "Ce message n'est pas public : votre rôle vous permet de le lire." in staff
