"""Merging with a preview: « Regrouper » suggests the likely duplicates of the quartier, saves
the page, then shows both expressions side by side with what will happen; only « Confirmer
le regroupement » merges."""

import html as html_module
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.urls import reverse

from consultations.models import Redaction, Signalement, Status, Support, Visibility
from consultations.moderation import services as moderation
from consultations.search import likely_duplicates
from participation.audit.models import AuditEntry
from participation.audit.services import entries_for
from participation.notifications.models import Notification
from tests.consultations.conftest import image_bytes
from tests.consultations.factories import ExpressionFactory
from tests.factories import UserFactory
from tests.queries import page_queries

from .factories import EtiquetteFactory
from .staff_form import post_staff_form

LAMPS = "Les lampadaires de la rue Pasteur sont éteints le soir, on ne voit rien."
TWIN = "Rue Pasteur : les lampadaires restent éteints tous les soirs."
COUSIN = "Rue Pasteur, les trottoirs sont pleins de feuilles."
UNRELATED = "Il manque des bancs au parc des Hirondelles."


def merge_url(duplicate, target) -> str:
    return reverse("consultations:moderation_merge", args=[duplicate.pk, target.pk])


def staff_url(expression) -> str:
    return reverse("consultations:moderation_expression", args=[expression.pk])


def messages_of(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("message", flat=True))


@pytest.fixture
def lamps(alice, rimbart):
    return ExpressionFactory(author=alice, quartier=rimbart, status=Status.PUBLIEE, text=LAMPS)


@pytest.fixture
def twin(bob, rimbart):
    return ExpressionFactory(author=bob, quartier=rimbart, status=Status.TRANSMISE, text=TWIN)


@pytest.fixture(params=["native", "embedded"])
def backend(request, monkeypatch):
    """The database's own search (PostgreSQL's full text when the tests run on it), and the
    fallback of the embedded mode (SQLite), whatever the database of the tests."""
    if request.param == "embedded":
        monkeypatch.setattr(connection, "vendor", "sqlite")
    return request.param


# --- The likely duplicates ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_likely_duplicates_are_of_the_same_quartier_closest_first(
    lamps, twin, rimbart, cite5, backend
):
    cousin = ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE, text=COUSIN)
    ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE, text=UNRELATED)
    ExpressionFactory(quartier=cite5, status=Status.PUBLIEE, text=LAMPS)  # the same words
    ExpressionFactory(quartier=rimbart, status=Status.SOUMISE, text=LAMPS)  # not published
    ExpressionFactory(quartier=rimbart, status=Status.FUSIONNEE, text=LAMPS)  # merged already

    found = likely_duplicates(lamps)

    assert found == [twin, cousin]
    assert found[0].closeness > found[1].closeness > 0


@pytest.mark.django_db
def test_an_expression_is_never_its_own_duplicate_even_with_a_twin_text(lamps, rimbart, backend):
    same = ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE, text=LAMPS.upper())

    assert likely_duplicates(lamps) == [same]
    assert likely_duplicates(same) == [lamps]


@pytest.mark.django_db
def test_the_caller_chooses_the_statuses_and_the_number(lamps, twin, rimbart, backend):
    ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE, text=TWIN)

    assert likely_duplicates(lamps, statuses=[Status.TRANSMISE]) == [twin]
    assert len(likely_duplicates(lamps, limit=1)) == 1


@pytest.mark.django_db
def test_the_likely_duplicates_cost_one_query_however_many_expressions(
    lamps, rimbart, django_assert_num_queries, backend
):
    for n in range(3):
        ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE, text=f"{TWIN} {n}")
    with django_assert_num_queries(1):
        few = likely_duplicates(lamps)
    for n in range(40):
        ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE, text=f"{COUSIN} {n}")
    with django_assert_num_queries(1):
        many = likely_duplicates(lamps)

    assert len(few) == 3
    assert len(many) == 5


# --- « Regrouper » on the staff page: suggestions, then the preview ----------------------


@pytest.mark.django_db
def test_the_staff_page_suggests_the_likely_duplicates_to_choose_from(
    client_for, mediateur, lamps, twin
):
    html = client_for(mediateur).get(staff_url(lamps)).content.decode()

    merge_part = html[html.index('id="regrouper"') :]
    assert re.search(rf'type="radio" name="fusion-suggestion" value="{twin.pk}"', merge_part)
    assert f"n° {twin.pk}, transmise, déposée le" in merge_part
    assert "Rue Pasteur : les lampadaires restent éteints" in merge_part
    assert 'name="fusion-target"' in merge_part  # a number may still be typed


@pytest.mark.django_db
def test_regrouper_saves_the_page_then_shows_the_preview_and_merges_nothing(
    client_for, mediateur, alice, bob, lamps, twin
):
    client = client_for(mediateur)
    tag = EtiquetteFactory(name="éclairage")

    response = post_staff_form(
        client,
        lamps,
        "fusionner",
        caviardage__text="Les lampadaires de la rue sont éteints le soir.",
        caviardage__reason="nom de la rue",
        etiquettes__etiquettes=[tag.pk],
        fusion__suggestion=str(twin.pk),
    )

    assert response.status_code == 302
    assert response["Location"] == f"{merge_url(lamps, twin)}#contenu"
    # What was edited on the page is saved, as every decision saves it.
    lamps.refresh_from_db()
    assert lamps.text == "Les lampadaires de la rue sont éteints le soir."
    assert list(lamps.etiquettes.all()) == [tag]
    assert Redaction.objects.filter(expression=lamps).exists()
    # Nothing merged, nobody told.
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Le texte est modifié" in html
    assert "Confirmer le regroupement" in html
    lamps.refresh_from_db()
    assert lamps.status == Status.PUBLIEE
    assert lamps.merged_into is None
    assert not [m for m in messages_of(alice) if "regroupée" in m]  # told of the redaction only
    assert not messages_of(bob)
    assert "expression.fusionnee" not in [e.action for e in entries_for(lamps)]


@pytest.mark.django_db
def test_a_typed_number_leads_to_the_preview_too(client_for, mediateur, lamps, rimbart):
    other = ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE, text=UNRELATED)

    response = post_staff_form(client_for(mediateur), lamps, "fusionner", fusion__target=other.pk)

    assert response.status_code == 302
    assert response["Location"] == f"{merge_url(lamps, other)}#contenu"


@pytest.mark.django_db
def test_the_preview_shows_both_side_by_side_with_what_will_happen(
    client_for, mediateur, alice, bob, lamps, twin
):
    twin.visibility = Visibility.PUBLIC_NAMED
    twin.photo.save("photo.jpg", ContentFile(image_bytes("JPEG")), save=False)
    twin.thumbnail.save("miniature.jpg", ContentFile(image_bytes("JPEG")), save=False)
    twin.save()
    both, only_lamps = UserFactory(), UserFactory()
    for user, expression in ((both, lamps), (both, twin), (only_lamps, lamps)):
        Support.objects.create(user=user, expression=expression)
    Signalement.objects.create(expression=lamps, reporter=UserFactory(), reason="autre")

    response = client_for(mediateur).get(merge_url(lamps, twin))

    assert response.status_code == 200
    html = response.content.decode()
    sides = re.findall(r'<section class="merge-side[^"]*"(.*?)</section>', html, re.S)
    assert len(sides) == 2
    duplicate_side, kept_side = sides
    assert f"N° {lamps.pk} : sera regroupée" in duplicate_side
    assert "lampadaires de la rue Pasteur" in duplicate_side
    assert "Alice" in duplicate_side and "publiée" in duplicate_side
    assert f"N° {twin.pk} : reste" in kept_side
    assert "restent éteints tous les soirs" in kept_side
    assert "Bob" in kept_side and "transmise" in kept_side and "Rimbart" in kept_side
    assert f"/expressions/{twin.pk}/photo/miniature/" in kept_side
    consequences = html[html.index('id="consequences"') :]
    # only_lamps and Alice (who said the same thing) come over; « both » was there already.
    assert "comptera 3 « moi aussi » : 2 de plus" in consequences
    assert f"L'auteur·rice de la n° {lamps.pk} est prévenu·e" in consequences
    assert f"L'auteur·rice de la n° {twin.pk} est prévenu·e" in consequences
    assert "Le signalement en attente" in consequences
    assert f'action="{merge_url(lamps, twin)}"' in consequences
    assert f'href="{staff_url(lamps)}#regrouper">Annuler' in consequences


@pytest.mark.django_db
def test_confirming_merges_audits_and_comes_back_to_the_expression(
    client_for, mediateur, alice, bob, lamps, twin
):
    response = client_for(mediateur).post(merge_url(lamps, twin))

    assert response.status_code == 302
    assert response["Location"] == f"{staff_url(lamps)}#resultat"
    lamps.refresh_from_db(), twin.refresh_from_db()
    assert (lamps.status, lamps.merged_into) == (Status.FUSIONNEE, twin)
    assert twin.supports_count == 1  # Alice said the same thing
    assert AuditEntry.objects.filter(action="expression.fusionnee", actor=mediateur).exists()
    assert AuditEntry.objects.filter(action="expression.regroupement_recu").exists()
    # Alice is told where her words went; Bob, that his expression gained a « moi aussi ».
    assert f"regroupée avec l'expression n° {twin.pk}" in messages_of(alice)[0]
    assert "1 « moi aussi »" in messages_of(bob)[0]
    page = client_for(mediateur).get(response["Location"]).content.decode()
    assert f"est regroupée avec la n° {twin.pk}" in page
    assert "Regroupée avec" in page


@pytest.mark.django_db
def test_cancelling_merges_nothing(client_for, mediateur, alice, lamps, twin):
    client = client_for(mediateur)
    html = client.get(merge_url(lamps, twin)).content.decode()
    cancel = re.search(r'<a class="button button-secondary" href="([^"]+)">Annuler', html)[1]

    assert client.get(cancel.split("#")[0]).status_code == 200
    lamps.refresh_from_db()
    assert lamps.status == Status.PUBLIEE
    assert not messages_of(alice)


@pytest.mark.django_db
def test_the_author_of_the_kept_expression_is_not_told_when_nothing_changes_for_her(
    mediateur, alice, bob, rimbart
):
    kept = ExpressionFactory(author=bob, quartier=rimbart, status=Status.PUBLIEE)
    duplicate = ExpressionFactory(author=alice, quartier=rimbart, status=Status.PUBLIEE)
    Support.objects.create(user=alice, expression=kept)  # she already supports it

    preview = moderation.merge_preview(duplicate, into=kept.pk, actor=mediateur)
    moderation.merge(duplicate, into=kept, actor=mediateur)

    assert (preview.supports_gained, preview.tells_target_author) == (0, False)
    assert not messages_of(bob)
    assert f"n° {kept.pk}" in messages_of(alice)[0]


# --- What cannot be merged -----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("target", "error"),
    [
        ("elsewhere", "concerne Cité 5 : on ne regroupe que des expressions du même quartier"),
        ("waiting", "on ne regroupe qu&#x27;avec une expression publiée"),
        ("itself", "ne peut pas être regroupée avec elle-même"),
        ("unknown", "Il n&#x27;existe pas d&#x27;expression n° 999999."),
        ("none", "Choisissez une expression dans la liste ou indiquez son numéro."),
        ("both", "gardez l&#x27;un des deux"),
    ],
)
def test_an_expression_that_cannot_be_merged_gets_a_french_error_and_nothing_is_saved(
    client_for, mediateur, lamps, twin, rimbart, cite5, target, error
):
    """On the staff page, and on the preview when its address is typed."""
    client = client_for(mediateur)
    numbers = {
        "elsewhere": {
            "fusion__target": ExpressionFactory(quartier=cite5, status=Status.PUBLIEE).pk
        },
        "waiting": {"fusion__target": ExpressionFactory(quartier=rimbart).pk},
        "itself": {"fusion__target": lamps.pk},
        "unknown": {"fusion__target": 999999},
        "none": {},
        "both": {"fusion__suggestion": str(twin.pk), "fusion__target": lamps.pk + 1000},
    }

    response = post_staff_form(
        client, lamps, "fusionner", caviardage__text="Un texte corrigé.", **numbers[target]
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert error in html
    assert re.search(r'id="resultat"[^>]*>.*À corriger', html, re.S)
    lamps.refresh_from_db()
    assert (lamps.status, lamps.text) == (Status.PUBLIEE, LAMPS)  # the redaction waits too
    if "fusion__target" in numbers[target] and "fusion__suggestion" not in numbers[target]:
        url = f"{staff_url(lamps)}regrouper/{numbers[target]['fusion__target']}/"
        for preview in (client.get(url), client.post(url)):
            assert preview.status_code == 400
            assert error in preview.content.decode()
            assert "Confirmer le regroupement" not in preview.content.decode()
        lamps.refresh_from_db()
        assert lamps.status == Status.PUBLIEE


@pytest.mark.django_db
def test_the_preview_says_so_when_a_colleague_merged_it_meanwhile(
    client_for, mediateur, referent, lamps, twin, rimbart
):
    other = ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE, text=TWIN)
    moderation.merge(lamps, into=other, actor=referent)
    client = client_for(mediateur)

    shown = client.get(merge_url(lamps, twin))
    confirmed = client.post(merge_url(lamps, twin))

    for response in (shown, confirmed):
        assert response.status_code == 409
        html = response.content.decode()
        assert "Quelqu&#x27;un l&#x27;a peut-être traitée entre-temps" in html
        assert "Rien n'a été regroupé." in html
        assert "Confirmer le regroupement" not in html
    lamps.refresh_from_db()
    assert lamps.merged_into == other


@pytest.mark.django_db
def test_a_preview_of_a_number_beyond_any_id_is_refused_in_french(client_for, mediateur, lamps):
    url = f"/moderation/expressions/{lamps.pk}/regrouper/99999999999999999999999/"

    response = client_for(mediateur).post(url)

    assert response.status_code == 400
    assert "Il n&#x27;existe pas d&#x27;expression n° 99999999999999999999999." in (
        response.content.decode()
    )


# --- Into a private expression ---------------------------------------------------------------


@pytest.fixture
def kept_private(rimbart, bob):
    """Bob's expression, kept private (read by the staff only), saying the same thing."""
    return ExpressionFactory(
        author=bob, quartier=rimbart, status=Status.PUBLIEE, text=TWIN,
        visibility=Visibility.PRIVATE,
    )  # fmt: skip


@pytest.mark.django_db
def test_a_public_expression_is_never_merged_into_a_private_one(
    mediateur, alice, lamps, kept_private
):
    supporter = UserFactory()
    Support.objects.create(user=supporter, expression=lamps)

    with pytest.raises(ValidationError) as refused:
        moderation.merge(lamps, into=kept_private, actor=mediateur)
    with pytest.raises(ValidationError):
        moderation.merge_preview(lamps, into=kept_private.pk, actor=mediateur)

    assert f"L'expression n° {kept_private.pk} est privée" in str(refused.value)
    lamps.refresh_from_db(), kept_private.refresh_from_db()
    assert (lamps.status, lamps.merged_into) == (Status.PUBLIEE, None)
    assert list(Support.objects.filter(user=supporter).values_list("expression", flat=True)) == [
        lamps.pk
    ]
    assert not Notification.objects.filter(user=alice).exists()


@pytest.mark.django_db
def test_the_preview_refuses_a_merge_into_a_private_expression_and_says_why(
    client_for, mediateur, lamps, kept_private
):
    client = client_for(mediateur)

    for response in (
        client.get(merge_url(lamps, kept_private)),
        client.post(merge_url(lamps, kept_private)),
    ):
        assert response.status_code == 400
        html = html_module.unescape(response.content.decode())
        assert f"L'expression n° {kept_private.pk} est privée" in html
        assert "ferait disparaître de la vue de tous ses mots et ses « moi aussi »" in html
        assert "Rien n'a été regroupé." in html
        assert "Confirmer le regroupement" not in html
    lamps.refresh_from_db()
    assert lamps.status == Status.PUBLIEE


@pytest.mark.django_db
def test_the_staff_page_neither_suggests_nor_accepts_a_private_target_for_a_public_one(
    client_for, mediateur, lamps, kept_private
):
    client = client_for(mediateur)
    html = client.get(staff_url(lamps)).content.decode()
    assert f'value="{kept_private.pk}"' not in html[html.index('id="regrouper"') :]

    response = post_staff_form(client, lamps, "fusionner", fusion__target=kept_private.pk)

    assert response.status_code == 400
    assert "est privée" in html_module.unescape(response.content.decode())


@pytest.mark.django_db
def test_a_private_expression_may_still_be_merged_into_a_public_one(mediateur, lamps, rimbart, bob):
    private = ExpressionFactory(
        author=bob, quartier=rimbart, status=Status.PUBLIEE, text=TWIN,
        visibility=Visibility.PRIVATE,
    )  # fmt: skip

    merged = moderation.merge(private, into=lamps, actor=mediateur)

    assert (merged.status, merged.merged_into) == (Status.FUSIONNEE, lamps)


# --- Who may ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_mediators_and_the_referent_see_or_confirm_a_merge(
    client, client_for, alice, comite, referent, lamps, twin
):
    url = merge_url(lamps, twin)
    assert client.get(url).status_code == 302  # to sign in
    for user in (alice, comite):
        assert client_for(user).get(url).status_code == 403
        assert client_for(user).post(url).status_code == 403
    lamps.refresh_from_db()
    assert lamps.status == Status.PUBLIEE

    assert client_for(referent).get(url).status_code == 200
    assert client_for(referent).post(url).status_code == 302
    lamps.refresh_from_db()
    assert lamps.status == Status.FUSIONNEE


# --- Constant queries ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_preview_runs_the_same_queries_however_many_supports_and_reports(
    client_for, mediateur, lamps, twin
):
    client = client_for(mediateur)
    few = page_queries(client, merge_url(lamps, twin))
    for _n in range(10):
        Support.objects.create(user=UserFactory(), expression=lamps)
        Support.objects.create(user=UserFactory(), expression=twin)
        Signalement.objects.create(expression=lamps, reporter=UserFactory(), reason="autre")

    assert page_queries(client, merge_url(lamps, twin)) == few


@pytest.mark.django_db
def test_the_staff_page_runs_the_same_queries_however_many_likely_duplicates(
    client_for, mediateur, lamps, rimbart
):
    client = client_for(mediateur)
    ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE, text=TWIN)
    few = page_queries(client, staff_url(lamps))
    for n in range(30):
        ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE, text=f"{TWIN} {n}")

    assert page_queries(client, staff_url(lamps)) == few
    html = client.get(staff_url(lamps)).content.decode()
    assert html.count('name="fusion-suggestion"') == 5
