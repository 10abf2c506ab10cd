"""A resident deletes their account: what goes, what stays anonymised, and who may do it."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from consultations import changes
from consultations.expressions import services as consultations_services
from consultations.models import Expression, Signalement, Status, Visibility
from consultations.storage import private_storage
from evenements.models import Inscription
from evenements.rgpd import ANONYMISED_NAME
from participation.accounts.models import User
from participation.audit.models import AuditEntry
from participation.audit.services import record
from participation.notifications.models import Notification
from participation.notifications.services import notify
from tests.consultations.factories import ExpressionFactory
from tests.evenements.factories import EvenementFactory, InscriptionFactory, in_days
from tests.factories import UserFactory

from .conftest import PASSWORD, attach_photo

pytestmark = pytest.mark.django_db

DELETE = reverse("accounts:delete")
API = reverse("expression-list")


def delete(client, choice="garder", password=PASSWORD):
    return client.post(DELETE, {"expressions": choice, "password": password})


@pytest.fixture
def alices_expressions(alice, rimbart):
    """Alice's named public expression (with a photo), a private one, one awaiting moderation."""
    alice.quartier = rimbart
    alice.save()
    public = ExpressionFactory(
        author=alice,
        quartier=rimbart,
        text="Il faudrait des bancs au square.",
        status=Status.PUBLIEE,
        visibility=Visibility.PUBLIC_NAMED,
    )
    attach_photo(public)
    private = ExpressionFactory(
        author=alice, quartier=rimbart, text="Mon voisin du 12.", visibility=Visibility.PRIVATE
    )
    pending = ExpressionFactory(author=alice, quartier=rimbart, text="Pas encore relu.")
    return public, private, pending


def test_a_resident_who_keeps_public_expressions_leaves_them_readable_without_her_name(
    client, client_for, alice, alices_expressions, django_capture_on_commit_callbacks
):
    public, private, pending = alices_expressions
    assert client.get(API).json()["results"][0]["author_name"] == "Alice"

    with django_capture_on_commit_callbacks(execute=True):
        response = delete(client_for(alice), "garder")

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:deleted")
    public.refresh_from_db()
    assert public.author is None
    assert public.visibility == Visibility.PUBLIC_ANONYMOUS
    assert private_storage.exists(public.photo.name)
    assert not Expression.objects.filter(pk__in=[private.pk, pending.pk]).exists()
    page = client.get(public.get_absolute_url()).content.decode()
    assert "Il faudrait des bancs au square." in page
    assert "un·e habitant·e de Rimbart a dit" in page
    assert "Alice" not in page
    listing = client.get(reverse("consultations:expression_list")).content.decode()
    assert "Alice" not in listing
    (row,) = client.get(API).json()["results"]
    assert row["author_name"] == "un·e habitant·e de Rimbart"
    assert client.get(private.get_absolute_url()).status_code == 404


def test_a_resident_who_deletes_everything_leaves_no_expression_and_no_photo(
    client, client_for, alice, alices_expressions, django_capture_on_commit_callbacks
):
    public, _private, _pending = alices_expressions
    files = [public.photo.name, public.thumbnail.name]

    with django_capture_on_commit_callbacks(execute=True):
        delete(client_for(alice), "supprimer")

    assert not Expression.objects.filter(text__in=[e.text for e in alices_expressions]).exists()
    assert not any(private_storage.exists(name) for name in files)
    assert client.get(public.get_absolute_url()).status_code == 404
    assert client.get(API).json()["count"] == 0


def test_deletion_empties_the_account_and_signs_it_out_everywhere(client_for, alice):
    notify(alice, "Votre expression est publiée.")
    other_device = Client()
    other_device.force_login(alice)
    client = client_for(alice)

    delete(client)

    alice.refresh_from_db()
    assert alice.email == f"deleted-{alice.pk}@deleted.invalid"
    assert alice.display_name == ""
    assert alice.quartier is None
    assert not alice.is_active
    assert not alice.has_usable_password()
    assert alice.is_deleted
    assert str(alice) == f"compte supprimé n° {alice.pk}"
    assert not EmailAddress.objects.filter(user=alice).exists()
    assert not Notification.objects.filter(user=alice).exists()
    for device in (client, other_device):
        assert device.get(reverse("accounts:profile")).status_code == 302
    assert not Client().login(email="alice@example.org", password=PASSWORD)
    assert "Votre compte est supprimé" in client.get(reverse("accounts:deleted")).content.decode()


def test_the_same_address_can_sign_up_again_after_deletion(client_for, alice):
    delete(client_for(alice))

    again = UserFactory(email="alice@example.org")

    assert again.pk != alice.pk


def test_future_registrations_are_cancelled_and_the_first_waiting_person_is_promoted(
    client_for, alice, bob, django_capture_on_commit_callbacks
):
    charlie = UserFactory(email="charlie@example.org")
    event = EvenementFactory(title="Atelier vélo", capacity=1)
    InscriptionFactory(evenement=event, user=alice)
    bobs = InscriptionFactory(evenement=event, user=bob, status=Inscription.Status.ATTENTE)
    charlies = InscriptionFactory(evenement=event, user=charlie, status=Inscription.Status.ATTENTE)
    past = EvenementFactory(starts_at=in_days(-30), title="Stand passé")
    attended = InscriptionFactory(evenement=past, user=alice, attended=True)

    with django_capture_on_commit_callbacks(execute=True):
        delete(client_for(alice))

    bobs.refresh_from_db()
    charlies.refresh_from_db()
    assert bobs.status == Inscription.Status.CONFIRMEE
    assert charlies.status == Inscription.Status.ATTENTE
    assert Notification.objects.filter(user=bob, message__contains="Atelier vélo").exists()
    assert any(message.to == ["bob@example.org"] for message in mail.outbox)
    assert event.count_places_taken() == 1
    assert not Inscription.objects.filter(user=alice).exists()
    attended.refresh_from_db()
    assert attended.user is None
    assert attended.name == ANONYMISED_NAME
    assert attended.attended is True


def test_supports_are_withdrawn_and_reports_stay_unsigned(client_for, alice, bob, rimbart):
    bobs = ExpressionFactory(author=bob, quartier=rimbart, status=Status.PUBLIEE)
    consultations_services.add_support(bobs, user=alice)
    consultations_services.report(
        bobs, reporter=alice, reason=Signalement.Reason.AUTRE, details="Alice Martin, voisine"
    )

    delete(client_for(alice), "supprimer")

    bobs.refresh_from_db()
    assert bobs.supports_count == 0
    assert not bobs.supports.exists()
    (signalement,) = Signalement.objects.filter(expression=bobs)
    assert signalement.reporter is None
    assert signalement.details == ""  # the words she typed go with her


def test_earlier_words_kept_by_the_audit_log_go_with_the_account(client_for, alice, rimbart):
    expression = ExpressionFactory(author=alice, quartier=rimbart, text="Sans nom.")
    # An entry written before edits were audited by lengths: it held the words themselves.
    record(
        actor=alice,
        action="expression.modifiee_par_auteur",
        target=expression,
        before={"text": "Mon voisin Jean Dupont crie.", "visibility": "anonyme"},
        after={"text": "Sans nom.", "visibility": "anonyme"},
    )
    generation = changes.figures_generation()

    delete(client_for(alice), "supprimer")

    entry = AuditEntry.objects.get(action="expression.modifiee_par_auteur")
    assert "Dupont" not in str(entry.before)
    assert entry.before == {"text": {"length": 28}, "visibility": "anonyme"}
    assert entry.action == "expression.modifiee_par_auteur"  # the fact stays
    assert changes.figures_generation() != generation  # the dashboard counts again


def test_the_audit_log_keeps_the_actions_of_the_account_without_its_address(
    client_for, alice, rimbart
):
    expression, _created = consultations_services.submit(
        author=alice, quartier=rimbart, text="Plus de lumière rue Jaurès."
    )
    assert AuditEntry.objects.filter(actor=alice, actor_label="alice@example.org").exists()

    delete(client_for(alice), "supprimer")

    label = f"compte supprimé n° {alice.pk}"
    entries = AuditEntry.objects.filter(actor=alice)
    assert {entry.actor_label for entry in entries} == {label}
    actions = set(entries.values_list("action", flat=True))
    assert {"expression.soumise", "expression.supprimee", "compte.suppression"} <= actions
    assert not AuditEntry.objects.filter(actor_label__icontains="alice@example.org").exists()
    assert not Expression.objects.filter(pk=expression.pk).exists()


def test_a_wrong_password_deletes_nothing_and_keeps_the_choice(client_for, alice):
    response = delete(client_for(alice), "supprimer", password="pas-le-bon")

    content = response.content.decode()
    assert response.status_code == 200
    assert "Ce mot de passe n&#x27;est pas le bon." in content
    assert re.search(r'value="supprimer"[^>]*checked', content)
    alice.refresh_from_db()
    assert alice.is_active and not alice.is_deleted


def test_the_choice_about_expressions_must_be_made(client_for, alice):
    response = client_for(alice).post(DELETE, {"password": PASSWORD})

    assert "Choisissez ce que deviennent vos expressions publiées." in response.content.decode()
    alice.refresh_from_db()
    assert alice.is_active


def test_repeated_wrong_passwords_are_slowed_down(client_for, alice):
    client = client_for(alice)
    for _attempt in range(5):
        delete(client, password="essai")

    response = delete(client)

    assert "Trop d&#x27;essais" in response.content.decode()
    alice.refresh_from_db()
    assert alice.is_active


def test_deletion_needs_a_post_with_the_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    assert client.get(DELETE, {"expressions": "garder", "password": PASSWORD}).status_code == 200
    assert delete(client).status_code == 403
    alice.refresh_from_db()
    assert alice.is_active


@pytest.mark.parametrize("role", ["mediateur", "comite", "referent"])
def test_staff_cannot_delete_their_own_account_here(request, client_for, role):
    user = request.getfixturevalue(role)
    client = client_for(user)

    page = client.get(DELETE).content.decode()
    response = delete(client)

    assert "Demandez au référent Politique de la Ville de la commune de le désactiver" in page
    assert 'name="password"' not in page
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.is_active and not user.is_deleted


def test_an_account_without_password_confirms_with_a_code_sent_by_email(client_for, alice):
    alice.set_unusable_password()
    alice.save()
    client = client_for(alice)
    assert "Recevoir un code par courriel" in client.get(DELETE).content.decode()

    client.post(DELETE, {"action": "code"})

    (message,) = mail.outbox
    assert message.to == ["alice@example.org"]
    code = re.search(r"^\s*(\d{6})\s*$", message.body, re.MULTILINE).group(1)
    wrong = "000000" if code != "000000" else "111111"
    refused = client.post(DELETE, {"expressions": "garder", "code": wrong})
    assert "Ce code n&#x27;est pas le bon" in refused.content.decode()
    alice.refresh_from_db()
    assert alice.is_active

    client.post(DELETE, {"expressions": "garder", "code": code})

    alice.refresh_from_db()
    assert alice.is_deleted


def test_a_deleted_account_cannot_be_reactivated_by_the_referent(client_for, alice, referent):
    delete(client_for(alice))
    client = client_for(referent)

    response = client.post(
        reverse("admin:accounts_user_change", args=[alice.pk]),
        {"display_name": "", "role": "habitant", "is_active": "on"},
    )

    assert response.status_code == 200
    assert "ne peut pas être réactivé" in response.content.decode()
    alice.refresh_from_db()
    assert not alice.is_active
    assert User.objects.get(pk=alice.pk).is_deleted


def test_deletion_only_ever_concerns_the_signed_in_account(client_for, alice, bob):
    client = client_for(alice)

    client.post(
        f"{DELETE}?user={bob.pk}",
        {"expressions": "supprimer", "password": PASSWORD, "user": bob.pk, "pk": bob.pk},
    )

    bob.refresh_from_db()
    alice.refresh_from_db()
    assert alice.is_deleted
    assert bob.is_active and not bob.is_deleted
    assert EmailAddress.objects.filter(user=bob).exists()


def test_anonymous_people_cannot_post_a_deletion(client, alice):
    response = client.post(DELETE, {"expressions": "garder", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    alice.refresh_from_db()
    assert alice.is_active


def cached_texts() -> bytes:
    """Every value in the cache, as the bytes stored (Redis in CI, the local cache otherwise)."""
    from django.core.cache import cache

    if hasattr(cache, "_cache") and hasattr(cache._cache, "get_client"):
        client = cache._cache.get_client()
        return b"".join(client.get(key) or b"" for key in client.scan_iter(match="*"))
    return b"".join(value for value in cache._cache.values())


def test_rows_drawn_from_erased_words_leave_the_cache_at_once(
    client_for, alice, alices_expressions, mediateur, django_capture_on_commit_callbacks
):
    from django.test import Client

    assert client_for(alice).get(reverse("consultations:my_expressions")).status_code == 200
    staff = Client()
    staff.force_login(mediateur)
    assert staff.get(reverse("consultations:moderation_queue")).status_code == 200
    assert b"Pas encore relu." in cached_texts()

    with django_capture_on_commit_callbacks(execute=True):
        delete(client_for(alice), "supprimer")

    cached = cached_texts()
    for words in ("Il faudrait des bancs au square.", "Mon voisin du 12.", "Pas encore relu."):
        assert words.encode() not in cached
