"""The référent's consultations and instances by commune (issue 18, point 4): a référent
given communes runs the consultations with a quartier of her communes and the instances of
her communes; an instance of the whole platform is listed but changed by a platform-wide
référent only; the instance form offers her communes, at least one."""

import html

import pytest
from django.urls import reverse

from consultations.models import Consultation, Instance
from participation.accounts.models import Role
from participation.audit.models import AuditEntry
from tests.communes import two_communes
from tests.consultations.factories import ConsultationFactory
from tests.consultations.moderation.factories import InstanceFactory
from tests.factories import UserFactory
from tests.queries import page_queries

pytestmark = pytest.mark.django_db

CONSULTATIONS = reverse("consultations:gestion_consultations")
INSTANCES = reverse("consultations:gestion_instances")
CREATE = reverse("consultations:gestion_instance_create")


def text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def instance_url(instance, name="consultations:gestion_instance") -> str:
    return reverse(name, args=[instance.slug])


@pytest.fixture
def world():
    return two_communes()


@pytest.fixture
def consultations(world):
    return {
        "a": ConsultationFactory(title="Été à Rimbart", quartiers=[world.rimbart]),
        "b": ConsultationFactory(title="Été à la Cité B", quartiers=[world.cite_b]),
        "both": ConsultationFactory(title="Été à la Cité 5", quartiers=[world.cite_5]),
    }


@pytest.fixture
def instances(world):
    return {
        "a": InstanceFactory(name="Comité d'Auchel", communes=[world.auchel]),
        "b": InstanceFactory(name="Comité de Lozinghem", communes=[world.lozinghem]),
        "agglo": InstanceFactory(name="Comité de l'agglomération"),
    }


def test_she_lists_the_consultations_of_her_communes(client_for, world, consultations):
    page = text(client_for(world.referent_b).get(CONSULTATIONS))

    assert "Été à la Cité B" in page and "Été à la Cité 5" in page
    assert "Été à Rimbart" not in page


def test_another_communes_consultation_does_not_exist_for_her(client_for, world, consultations):
    client = client_for(world.referent_b)
    slug = consultations["a"].slug
    urls = [
        reverse("consultations:consultation_edit", args=[slug]),
        reverse("consultations:gestion_consultation_open", args=[slug]),
        reverse("consultations:gestion_consultation_close", args=[slug]),
    ]

    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url
    assert (
        client.get(
            reverse("consultations:consultation_edit", args=[consultations["both"].slug])
        ).status_code
        == 200
    )


def test_the_consultation_form_offers_her_quartiers_and_refuses_another_in_french(
    client_for, world
):
    client = client_for(world.referent_b)
    data = {
        "title": "Nouvelle",
        "slug": "nouvelle",
        "question": "Alors ?",
        "quartiers": [world.rimbart.pk],
        "opens_on": "2030-01-01",
        "closes_on": "2030-02-01",
    }

    form = text(client.get(reverse("consultations:consultation_create")))
    response = client.post(reverse("consultations:consultation_create"), data)

    assert f'value="{world.cite_b.pk}"' in form and f'value="{world.rimbart.pk}"' not in form
    assert "Ce quartier n'est pas dans vos communes" in text(response)
    assert not Consultation.objects.filter(slug="nouvelle").exists()


def test_editing_a_consultation_keeps_its_quartiers_of_other_communes(client_for, world):
    consultation = ConsultationFactory(quartiers=[world.rimbart, world.cite_b])

    response = client_for(world.referent_b).post(
        reverse("consultations:consultation_edit", args=[consultation.slug]),
        {
            "title": "Titre changé",
            "slug": consultation.slug,
            "question": consultation.question,
            "quartiers": [world.cite_b.pk],
            "opens_on": consultation.opens_on.isoformat(),
            "closes_on": consultation.closes_on.isoformat(),
        },
    )

    assert response.status_code == 302
    assert set(consultation.quartiers.all()) == {world.rimbart, world.cite_b}


def test_she_lists_her_communes_instances_and_the_platforms(client_for, world, instances):
    page = text(client_for(world.referent_b).get(INSTANCES))

    assert "Comité de Lozinghem" in page and "Comité de l'agglomération" in page
    assert "Comité d'Auchel" not in page
    assert "Toutes les communes" in page


def test_another_communes_instance_does_not_exist_for_her(client_for, world, instances):
    client = client_for(world.referent_b)
    member = UserFactory(role=Role.COMITE)
    instances["a"].members.add(member)

    assert client.get(instance_url(instances["a"])).status_code == 404
    assert client.post(instance_url(instances["a"]), {}).status_code == 404
    add = instance_url(instances["a"], "consultations:gestion_instance_member_add")
    assert client.post(add, {"email": member.email}).status_code == 404
    remove = reverse(
        "consultations:gestion_instance_member_remove", args=[instances["a"].slug, member.pk]
    )
    assert client.post(remove).status_code == 404
    assert instances["a"].members.filter(pk=member.pk).exists()


def test_she_reads_a_platform_wide_instance_but_cannot_change_it(client_for, world, instances):
    client = client_for(world.referent_b)
    agglo = instances["agglo"]

    page = text(client.get(instance_url(agglo)))
    response = client.post(instance_url(agglo), {"name": "Renommée", "slug": agglo.slug})

    assert "seul·e un·e référent·e de toutes ces communes peut la modifier" in page
    assert "Enregistrer l'instance" not in page
    assert response.status_code == 403
    add = instance_url(agglo, "consultations:gestion_instance_member_add")
    assert client.post(add, {"email": world.referent_a.email}).status_code == 403


def test_the_instance_form_offers_her_communes_and_asks_for_one(client_for, world):
    client = client_for(world.referent_b)

    form = text(client.get(CREATE))
    empty = client.post(CREATE, {"name": "Conseil", "slug": "conseil", "kind": "autre"})
    other = client.post(
        CREATE,
        {"name": "Conseil", "slug": "conseil", "kind": "autre", "communes": [world.auchel.pk]},
    )

    assert f'value="{world.lozinghem.pk}"' in form and f'value="{world.auchel.pk}"' not in form
    assert "Cochez au moins une de vos communes" in text(empty)
    assert "Cette commune n'est pas l'une des vôtres" in text(other)
    assert not Instance.objects.filter(slug="conseil").exists()


def test_she_creates_an_instance_of_her_commune_audited_with_its_communes(client_for, world):
    response = client_for(world.referent_b).post(
        CREATE,
        {"name": "Conseil", "slug": "conseil", "kind": "autre", "communes": [world.lozinghem.pk]},
    )

    assert response.status_code == 302
    instance = Instance.objects.get(slug="conseil")
    assert list(instance.communes.all()) == [world.lozinghem]
    entry = AuditEntry.objects.get(action="instance.creee")
    assert entry.after["communes"] == ["lozinghem"]


def test_a_platform_wide_referent_makes_a_platform_wide_instance(client_for, world):
    response = client_for(world.referent_all).post(
        CREATE, {"name": "Conseil", "slug": "conseil", "kind": "autre"}
    )

    assert response.status_code == 302
    assert not Instance.objects.get(slug="conseil").communes.exists()


def test_a_resident_she_seats_works_for_the_instances_communes(client_for, world, instances):
    alice = UserFactory(email="alice@example.org")

    client_for(world.referent_b).post(
        instance_url(instances["b"], "consultations:gestion_instance_member_add"),
        {"email": alice.email, "give_comite_role": "on"},
    )

    alice.refresh_from_db()
    assert alice.role == Role.COMITE
    assert list(alice.communes.all()) == [world.lozinghem]
    assert instances["b"].members.filter(pk=alice.pk).exists()


def test_she_cannot_seat_a_member_working_for_other_communes(client_for, world, instances):
    member_a = UserFactory(email="membre-a@example.org", role=Role.COMITE, communes=[world.auchel])

    response = client_for(world.referent_b).post(
        instance_url(instances["b"], "consultations:gestion_instance_member_add"),
        {"email": member_a.email},
    )

    assert "membre d'instance pour d'autres communes que les vôtres" in text(response)
    assert not instances["b"].members.filter(pk=member_a.pk).exists()


def test_the_referent_space_shows_her_consultations_and_instances(
    client_for, world, consultations, instances
):
    page = text(client_for(world.referent_b).get("/gestion/"))

    assert "Été à la Cité B" in page and "Comité de Lozinghem" in page
    assert "Été à Rimbart" not in page and "Comité d'Auchel" not in page


def test_her_pages_run_a_constant_number_of_queries(client_for, world, instances):
    client = client_for(world.referent_b)
    ConsultationFactory(quartiers=[world.cite_b])
    instances["b"].members.add(UserFactory(role=Role.COMITE, communes=[world.lozinghem]))
    urls = [CONSULTATIONS, INSTANCES, instance_url(instances["b"]), "/gestion/"]
    few = [page_queries(client, url) for url in urls]
    for number in range(5):
        ConsultationFactory(quartiers=[world.cite_b, world.cite_5])
        ConsultationFactory(quartiers=[world.rimbart])
        InstanceFactory(communes=[world.lozinghem, world.auchel][: number % 2 + 1])
        instances["b"].members.add(UserFactory(role=Role.COMITE, communes=[world.lozinghem]))

    assert [page_queries(client, url) for url in urls] == few
