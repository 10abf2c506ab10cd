"""Moderation by commune (issue 18, point 4): a mediator or a référent given communes sees,
moderates, routes, merges, exports and hears live only the expressions of their communes'
quartiers; another commune's do not exist for them (404, absent from lists and counts). An
intercommunal quartier (Cité 5) belongs to each of its communes."""

import csv
import io
import uuid
from dataclasses import dataclass

import pytest
from asgiref.sync import sync_to_async
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from consultations import changes
from consultations.models import Expression, Status, Visibility
from consultations.moderation import aiguillage, digest
from consultations.moderation import services as moderation
from consultations.moderation.queue import text_version
from participation.accounts.models import Role
from tests.consultations.factories import ExpressionFactory
from tests.factories import CommuneFactory, QuartierFactory, UserFactory
from tests.queries import page_queries

from .factories import EtiquetteFactory, InstanceFactory
from .test_realtime import communicator, headers_for, receive_about, run


@dataclass
class Communes:
    """Auchel (A) and Lozinghem (B), with Cité 5 over both, their staff and their work."""

    a: object
    b: object
    rimbart: object  # A's
    cite_b: object  # B's
    cite5: object  # A's and B's
    mediatrice_a: object
    mediateur_b: object
    referente_b: object
    instance_a: object
    instance_b: object
    agglo: object  # an instance of the whole platform
    submitted_a: object
    submitted_b: object
    submitted_shared: object
    published_a: object
    published_b: object
    published_shared: object
    private_a: object


@pytest.fixture
def communes(db):
    a = CommuneFactory(name="Auchel", slug="auchel")
    b = CommuneFactory(name="Lozinghem", slug="lozinghem")
    rimbart = QuartierFactory(slug="rimbart", name="Rimbart", short_name="Rimbart", commune=a)
    cite_b = QuartierFactory(slug="cite-b", name="Cité B", short_name="Cité B", commune=b)
    cite5 = QuartierFactory(
        slug="cite-5", name="Cité 5", short_name="Cité 5", commune=a, communes=[a, b]
    )

    def expression(quartier, status, **fields):
        return ExpressionFactory(quartier=quartier, status=status, **fields)

    return Communes(
        a=a,
        b=b,
        rimbart=rimbart,
        cite_b=cite_b,
        cite5=cite5,
        mediatrice_a=UserFactory(
            email="mediatrice-a@example.org", role=Role.MEDIATEUR, communes=[a]
        ),
        mediateur_b=UserFactory(email="mediateur-b@example.org", role=Role.MEDIATEUR, communes=[b]),
        referente_b=UserFactory(email="referente-b@example.org", role=Role.REFERENT, communes=[b]),
        instance_a=InstanceFactory(name="Comité d'Auchel", communes=[a]),
        instance_b=InstanceFactory(name="Comité de Lozinghem", communes=[b]),
        agglo=InstanceFactory(name="Comité de l'agglomération"),
        submitted_a=expression(rimbart, Status.SOUMISE, text="SECRET-A à lire"),
        submitted_b=expression(cite_b, Status.SOUMISE, text="Travail de B à lire"),
        submitted_shared=expression(cite5, Status.SOUMISE, text="Cité 5 à lire"),
        published_a=expression(rimbart, Status.PUBLIEE, text="Publiée à Rimbart"),
        published_b=expression(cite_b, Status.PUBLIEE, text="Publiée à Cité B"),
        published_shared=expression(cite5, Status.PUBLIEE, text="Publiée à Cité 5"),
        private_a=expression(
            rimbart,
            Status.PUBLIEE,
            visibility=Visibility.PRIVATE,
            text="PRIVATE-OF-A",
            contact="06 12 34 56 78",
        ),
    )


def staff_form(expression) -> dict:
    return {"caviardage-text": expression.text, "caviardage-version": text_version(expression)}


# --- The queue -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_mediator_of_b_sees_in_the_queue_only_b_and_the_shared_quartier(client_for, communes):
    client = client_for(communes.mediateur_b)

    page = client.get("/moderation/").content.decode()
    to_route = client.get("/moderation/?vue=a-transmettre").content.decode()

    assert "Travail de B à lire" in page and "Cité 5 à lire" in page
    assert "SECRET-A" not in page
    assert "Publiée à Cité B" in to_route and "Publiée à Cité 5" in to_route
    assert "Publiée à Rimbart" not in to_route
    assert client.get("/moderation/compteur/?vue=a-transmettre").json() == {
        "count": 2,
        "view": 2,
    }


@pytest.mark.django_db
def test_each_commune_counts_what_waits_in_its_own_quartiers(communes, mediateur):
    assert changes.queue_count(communes.mediateur_b) == 2
    assert changes.queue_count(communes.mediatrice_a) == 2
    assert changes.queue_count(mediateur) == 3  # platform-wide
    assert changes.queue_count() == 3

    moderation.publish(communes.submitted_b, actor=communes.mediateur_b)

    assert changes.queue_count(communes.mediateur_b) == 1
    assert changes.queue_count(communes.mediatrice_a) == 2


@pytest.mark.django_db
def test_the_queue_filters_and_routing_choices_are_those_of_the_communes(client_for, communes):
    page = client_for(communes.mediateur_b).get("/moderation/").content.decode()

    assert 'value="cite-b"' in page and 'value="cite-5"' in page
    assert 'value="rimbart"' not in page
    assert "Comité de Lozinghem" in page and "Comité de l&#x27;agglomération" in page
    assert "Comité d&#x27;Auchel" not in page
    # Another commune's quartier is no filter of hers: the whole queue of hers is shown.
    filtered = client_for(communes.mediateur_b).get("/moderation/?quartier=rimbart")
    assert "SECRET-A" not in filtered.content.decode()


@pytest.mark.django_db
def test_a_queue_row_of_another_commune_does_not_exist(client_for, communes):
    client = client_for(communes.mediateur_b)

    assert client.get(f"/moderation/ligne/{communes.submitted_a.pk}/").status_code == 204
    assert client.get(f"/moderation/ligne/{communes.submitted_b.pk}/").status_code == 200


@pytest.mark.django_db
def test_a_bulk_action_leaves_another_communes_expressions_alone(client_for, communes):
    etiquette = EtiquetteFactory(name="éclairage")
    ids = [communes.published_a.pk, communes.published_b.pk]

    response = client_for(communes.mediateur_b).post(
        "/moderation/lot/", {"ids": ids, "action": "etiqueter", "etiquette": etiquette.pk}
    )

    assert response.status_code == 302
    assert list(etiquette.expressions.values_list("pk", flat=True)) == [communes.published_b.pk]


@pytest.mark.django_db
def test_a_bulk_routing_refuses_another_communes_expression_by_its_number(client_for, communes):
    ids = [communes.published_a.pk, communes.published_b.pk]

    response = client_for(communes.mediateur_b).post(
        "/moderation/lot/",
        {"ids": ids, "action": "transmettre", "instances": [communes.instance_b.pk]},
        follow=True,
    )

    told = [str(m) for m in response.context["messages"]]
    assert f"Expression n° {communes.published_a.pk} : Cette expression n'existe plus." in told
    assert communes.published_a.transmissions.count() == 0
    assert communes.published_b.transmissions.get().instance == communes.instance_b


@pytest.mark.django_db
@pytest.mark.parametrize("view", ["", "?vue=a-transmettre", "?quartier=cite-5"])
def test_the_queue_of_a_mediator_given_communes_runs_the_same_queries_for_3_or_60(
    client_for, communes, view
):
    client = client_for(communes.mediateur_b)
    url = "/moderation/" + view
    few = page_queries(client, url)

    for index in range(57):
        quartier = (communes.cite_b, communes.cite5, communes.rimbart)[index % 3]
        status = Status.SOUMISE if index % 2 else Status.PUBLIEE
        ExpressionFactory(quartier=quartier, status=status)
    many = page_queries(client, url)

    assert many == few


# --- Another commune's expression does not exist ---------------------------------------------


@pytest.mark.django_db
def test_another_communes_expression_is_404_on_every_staff_page(client_for, communes):
    client = client_for(communes.mediateur_b)
    a, duplicate = communes.published_a, communes.private_a
    private = communes.private_a

    assert client.get(f"/moderation/expressions/{private.pk}/").status_code == 404
    assert (
        client.post(
            f"/moderation/expressions/{a.pk}/", {**staff_form(a), "decision": "enregistrer"}
        ).status_code
        == 404
    )
    assert (
        client.post(f"/moderation/expressions/{communes.submitted_a.pk}/publier/").status_code
        == 404
    )
    assert (
        client.get(f"/moderation/expressions/{a.pk}/regrouper/{duplicate.pk}/").status_code == 404
    )
    assert client.get(f"/moderation/expressions/{private.pk}/journal.csv").status_code == 404
    assert (
        client.post(
            f"/moderation/expressions/{a.pk}/photo/flouter/",
            {"flou-left": "1", "flou-top": "1", "flou-width": "5", "flou-height": "5"},
        ).status_code
        == 404
    )
    assert client.get(f"/expressions/{private.pk}/").status_code == 404
    assert client.get(f"/expressions/{communes.submitted_a.pk}/").status_code == 404
    communes.submitted_a.refresh_from_db()
    assert communes.submitted_a.status == Status.SOUMISE


@pytest.mark.django_db
def test_the_shared_quartier_is_each_communes_own(client_for, communes):
    for mediator in (communes.mediatrice_a, communes.mediateur_b):
        page = client_for(mediator).get(f"/moderation/expressions/{communes.submitted_shared.pk}/")
        assert page.status_code == 200


@pytest.mark.django_db
def test_a_public_expression_of_another_commune_shows_no_private_detail(client_for, communes):
    communes.published_a.contact = "06 99 88 77 66"
    communes.published_a.save()

    page = client_for(communes.mediateur_b).get(f"/expressions/{communes.published_a.pk}/")
    own = client_for(communes.mediatrice_a).get(f"/expressions/{communes.published_a.pk}/")

    assert page.status_code == 200
    assert "06 99 88 77 66" not in page.content.decode()
    assert "/moderation/expressions/" not in page.content.decode()
    assert "06 99 88 77 66" in own.content.decode()


@pytest.mark.django_db
def test_the_services_refuse_another_communes_expression(communes):
    b = communes.mediateur_b
    with pytest.raises(PermissionDenied):
        moderation.publish(communes.submitted_a, actor=b)
    with pytest.raises(PermissionDenied):
        moderation.reject(communes.submitted_a.pk, actor=b, reason="hors_sujet")
    with pytest.raises(PermissionDenied):
        moderation.set_etiquettes(communes.published_a, actor=b, etiquettes=[])
    with pytest.raises(PermissionDenied):
        moderation.redact(communes.published_a, actor=b, text="Autre", version="x")
    communes.submitted_a.refresh_from_db()
    assert communes.submitted_a.status == Status.SOUMISE


# --- Merging -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_merge_target_of_another_commune_does_not_exist(client_for, communes):
    b, a = communes.published_b, communes.published_a
    missing = f"Il n'existe pas d'expression n° {a.pk}."

    with pytest.raises(ValidationError) as preview:
        moderation.merge_preview(b, into=a.pk, actor=communes.mediateur_b)
    with pytest.raises(ValidationError) as merge:
        moderation.merge(b, into=a, actor=communes.mediateur_b)
    page = client_for(communes.mediateur_b).get(f"/moderation/expressions/{b.pk}/regrouper/{a.pk}/")

    # Not « it concerns Rimbart »: nothing of A's expression is told.
    assert preview.value.message_dict["target"] == merge.value.message_dict["target"] == [missing]
    assert page.status_code == 400
    assert "Rimbart" not in page.content.decode()


@pytest.mark.django_db
def test_a_merge_in_the_shared_quartier_is_each_communes_to_make(communes):
    duplicate = ExpressionFactory(quartier=communes.cite5, status=Status.PUBLIEE)
    outsider = UserFactory(role=Role.MEDIATEUR, communes=[CommuneFactory()])

    with pytest.raises(PermissionDenied):
        moderation.merge_preview(duplicate, into=communes.published_shared.pk, actor=outsider)
    merged = moderation.merge(
        duplicate, into=communes.published_shared, actor=communes.mediatrice_a
    )

    assert merged.status == Status.FUSIONNEE


@pytest.mark.django_db
def test_merge_suggestions_are_of_the_mediators_communes(communes):
    duplicate = communes.published_shared
    targets = moderation.merge_targets(duplicate, actor=communes.mediateur_b)

    assert set(targets.values_list("quartier", flat=True)) == {
        communes.cite5.pk,
        communes.cite_b.pk,
    }


# --- Routing -----------------------------------------------------------------------------------


# The instances of the world above (the convention's, made by a migration, serve every commune).
NAMES = {"Comité d'Auchel", "Comité de Lozinghem", "Comité de l'agglomération"}


def offered(client, expression) -> set[str]:
    """The instances of ``NAMES`` that « Transmettre » offers on the expression's staff page."""
    page = client.get(f"/moderation/expressions/{expression.pk}/")
    field = page.context["forms"]["route"].fields["instances"]
    return set(field.queryset.values_list("name", flat=True)) & NAMES


@pytest.mark.django_db
def test_routing_offers_the_instances_of_the_mediators_communes_that_review_the_quartier(
    client_for, communes, mediateur
):
    b = client_for(communes.mediateur_b)
    assert offered(b, communes.published_shared) == {
        "Comité de Lozinghem",
        "Comité de l'agglomération",
    }
    platform = client_for(mediateur)
    assert offered(platform, communes.published_a) == {
        "Comité d'Auchel",
        "Comité de l'agglomération",
    }
    assert offered(platform, communes.published_shared) == {
        "Comité d'Auchel",
        "Comité de Lozinghem",
        "Comité de l'agglomération",
    }


@pytest.mark.django_db
def test_the_service_refuses_an_instance_that_does_not_review_the_quartier(communes, mediateur):
    with pytest.raises(ValidationError) as refused:
        aiguillage.route(communes.published_a, actor=mediateur, instances=[communes.instance_b])

    assert refused.value.message_dict["instances"] == [
        "Comité de Lozinghem n'examine pas les expressions de Rimbart : choisissez une instance "
        "de ses communes."
    ]
    assert communes.published_a.transmissions.count() == 0


@pytest.mark.django_db
def test_a_mediator_routes_neither_to_nor_from_another_commune(communes):
    b = communes.mediateur_b
    with pytest.raises(ValidationError) as refused:
        aiguillage.route(communes.published_shared, actor=b, instances=[communes.instance_a])
    assert refused.value.message_dict["instances"] == ["Choisissez les instances dans la liste."]
    with pytest.raises(PermissionDenied):
        aiguillage.route(communes.published_a, actor=b, instances=[communes.agglo])

    rows = aiguillage.route(communes.published_shared, actor=b, instances=[communes.instance_b])
    assert [row.instance for row in rows] == [communes.instance_b]


@pytest.mark.django_db
def test_a_forged_routing_on_the_staff_page_is_refused_with_its_reason(client_for, communes):
    expression = communes.published_shared
    response = client_for(communes.mediateur_b).post(
        f"/moderation/expressions/{expression.pk}/",
        {
            **staff_form(expression),
            "decision": "transmettre",
            "transmission-instances": [communes.instance_a.pk],
        },
    )

    assert response.status_code == 400
    assert expression.transmissions.count() == 0


# --- The live feed -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_live_queue_of_a_mediator_of_b_hears_nothing_of_a(
    client, communes, django_capture_on_commit_callbacks
):
    headers = headers_for(client, communes.mediateur_b)
    platform = UserFactory(role=Role.MEDIATEUR)

    def publish_both():
        with django_capture_on_commit_callbacks(execute=True):
            moderation.publish(communes.submitted_a, actor=platform)
        with django_capture_on_commit_callbacks(execute=True):
            moderation.publish(communes.submitted_b, actor=platform)

    async def scenario():
        socket = communicator(headers)
        assert (await socket.connect(timeout=3))[0]
        await sync_to_async(publish_both)()
        heard = []
        while True:
            event = await socket.receive_json_from(timeout=3)
            heard.append(event["id"])
            if event["id"] == communes.submitted_b.pk:
                break
        await socket.disconnect()
        return heard

    heard = run(scenario)

    assert communes.submitted_a.pk not in heard
    assert heard[-1] == communes.submitted_b.pk


@pytest.mark.django_db
def test_every_moderation_event_names_the_quartier_of_its_expression(
    communes, live_events, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        moderation.publish(communes.submitted_shared, actor=communes.mediateur_b)

    events = [event for group, event in live_events if group == "moderation"]
    assert events and all(event["quartier"] == communes.cite5.pk for event in events)


@pytest.mark.django_db
def test_the_live_queue_of_a_mediator_of_a_hears_the_shared_quartier(
    client, communes, django_capture_on_commit_callbacks
):
    headers = headers_for(client, communes.mediatrice_a)

    def publish():
        with django_capture_on_commit_callbacks(execute=True):
            moderation.publish(communes.submitted_shared, actor=communes.mediateur_b)

    async def scenario():
        socket = communicator(headers)
        assert (await socket.connect(timeout=3))[0]
        await sync_to_async(publish)()
        event = await receive_about(socket, communes.submitted_shared.pk)
        await socket.disconnect()
        return event

    assert run(scenario)["quartier"] == communes.cite5.pk


# --- The daily digest ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_mediator_is_told_of_what_waits_in_her_communes(
    communes, django_capture_on_commit_callbacks
):
    elsewhere = UserFactory(
        email="mediateur-c@example.org", role=Role.MEDIATEUR, communes=[CommuneFactory()]
    )
    ExpressionFactory(quartier=communes.rimbart, status=Status.SOUMISE)

    with django_capture_on_commit_callbacks(execute=True):
        sent = digest.send_digest()

    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert sent == 2
    assert set(bodies) == {communes.mediatrice_a.email, communes.mediateur_b.email}
    assert elsewhere.email not in bodies
    assert "3 expressions à lire avant publication" in bodies[communes.mediatrice_a.email]
    assert "2 expressions à lire avant publication" in bodies[communes.mediateur_b.email]
    assert "2 expressions publiées à transmettre" in bodies[communes.mediateur_b.email]


# --- The référent's whole journal ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_journal_of_a_referent_of_b_holds_only_her_communes_expressions(
    client_for, communes, mediateur
):
    for expression in (communes.submitted_a, communes.submitted_b, communes.submitted_shared):
        moderation.publish(expression, actor=mediateur)
    EtiquetteFactory(name="propreté")
    moderation.create_etiquette("voirie", actor=mediateur)

    response = client_for(communes.referente_b).get("/moderation/journal.csv")

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    targets = {(row[3], row[4]) for row in rows[1:]}
    assert targets == {
        ("consultations.expression", str(communes.submitted_b.pk)),
        ("consultations.expression", str(communes.submitted_shared.pk)),
    }


@pytest.mark.django_db
def test_the_journal_of_a_platform_referent_holds_everything(client_for, communes, referent):
    moderation.publish(communes.submitted_a, actor=referent)
    moderation.create_etiquette("voirie", actor=referent)

    response = client_for(referent).get("/moderation/journal.csv")

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "etiquette.creee" in body and "expression.publiee" in body


# --- Field mode ------------------------------------------------------------------------------------


def field_entry(quartier) -> dict:
    return {
        "uuid": str(uuid.uuid4()),
        "quartier": quartier.slug,
        "text": "Les jeux du square sont cassés depuis l'hiver.",
        "source": "stand",
    }


@pytest.mark.django_db
def test_field_entries_for_another_commune_are_refused_one_by_one(communes):
    api = APIClient()
    api.force_login(communes.mediateur_b)
    outside, shared = field_entry(communes.rimbart), field_entry(communes.cite5)

    body = api.post(
        "/api/terrain/synchronisation/", {"entrees": [outside, shared]}, format="json"
    ).json()

    assert (body["envoyees"], body["refusees"]) == (1, 1)
    refused = body["resultats"][0]
    assert refused["etat"] == "refusee"
    assert refused["champs"]["quartier"] == [
        "Rimbart n'est pas un quartier de vos communes : choisissez l'un des vôtres, puis renvoyez."
    ]
    assert body["resultats"][1]["etat"] == "envoyee"
    assert not Expression.objects.filter(idempotency_key=outside["uuid"]).exists()


@pytest.mark.django_db
def test_the_field_mode_offers_the_quartiers_of_the_communes(client_for, communes, mediateur):
    page = client_for(communes.mediateur_b).get("/terrain/")
    session = APIClient()
    session.force_login(communes.mediateur_b)

    assert set(page.context["quartiers_in_scope"]) == {"cite-b", "cite-5"}
    assert set(session.get("/api/terrain/session/").json()["quartiers"]) == {"cite-b", "cite-5"}
    assert client_for(mediateur).get("/terrain/").context["quartiers_in_scope"] is None


@pytest.mark.django_db
def test_the_field_form_offers_only_the_quartiers_of_the_communes(client_for, communes):
    form = client_for(communes.mediateur_b).get("/expressions/terrain/").context["form"]

    assert {q.slug for q in form.quartiers} == {"cite-b", "cite-5"}


@pytest.mark.django_db
def test_a_tag_counts_only_the_expressions_of_the_mediators_communes(client_for, communes):
    etiquette = EtiquetteFactory(name="éclairage")
    etiquette.expressions.add(communes.published_a, communes.published_b, communes.published_shared)

    def count(user):
        rows = client_for(user).get("/moderation/etiquettes/").context["rows"]
        return next(row.count for row, _form in rows if row.pk == etiquette.pk)

    assert count(communes.mediateur_b) == 2
    assert count(communes.mediatrice_a) == 2
    assert count(UserFactory(role=Role.MEDIATEUR)) == 3
