"""« Mon espace »: her expressions and where they stand, what is new since her last visit, her
registrations, her notifications and her account, one click from every page."""

import datetime as dt
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.committee import services as committee
from consultations.models import Status, Transmission, Visibility
from consultations.moderation import services as moderation
from evenements import services as evenements
from evenements.models import Evenement, Inscription
from participation.accounts import rgpd
from participation.notifications.services import notify
from tests.consultations.committee.factories import InstanceFactory, SeanceFactory, on_agenda
from tests.consultations.factories import ExpressionFactory
from tests.evenements.factories import EvenementFactory, InscriptionFactory, in_days
from tests.factories import QuartierFactory, UserFactory
from tests.queries import page_queries

pytestmark = pytest.mark.django_db

URL = "/compte/mon-espace/"


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def card_of(page: str, words: str, tag: str = "li") -> str:
    """The card (``<li>`` … ``</li>``, or another ``tag``) that holds ``words``."""
    at = page.index(words)
    return page[page.rindex(f"<{tag}", 0, at) : page.index(f"</{tag}>", at)]


def answered(author, comite, *, text="Les lampadaires seront réparés en janvier.", **instance):
    """An expression of ``author`` routed, put on a séance and answered by the instance."""
    instance = InstanceFactory(members=[comite], **instance)
    expression = ExpressionFactory(author=author, status=Status.TRANSMISE, text="Rue noire.")
    Transmission.objects.create(expression=expression, instance=instance)
    item = on_agenda(SeanceFactory(instance=instance), expression)
    committee.record_answer(item, actor=comite, decision="retenue", text=text)
    return expression


# --- Reaching it -------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/")


@pytest.mark.parametrize("who", ["alice", "mediateur"])
def test_every_page_links_to_it_from_the_account_menu(client_for, who, request):
    client = client_for(request.getfixturevalue(who))
    for path in ["/", "/evenements/", reverse("accounts:profile")]:
        page = client.get(path).content.decode()
        menu = page[page.index('class="account-nav"') :]
        assert f'href="{URL}"' in menu[: menu.index("</nav>")], path


def test_mes_expressions_and_mes_inscriptions_lead_back_to_it(client_for, alice):
    client = client_for(alice)
    for path in [reverse("consultations:my_expressions"), reverse("evenements:mine")]:
        assert f'href="{URL}"' in client.get(path).content.decode()


# --- Her expressions -----------------------------------------------------------------------


def test_her_expressions_are_cards_with_their_step_in_plain_words(client_for, alice, mediateur):
    rimbart = QuartierFactory(short_name="Rimbart")
    ExpressionFactory(author=alice, quartier=rimbart, text="Il manque des bancs au square.")
    published = ExpressionFactory(author=alice, quartier=rimbart, text="Le marché du samedi.")
    moderation.publish(published, actor=mediateur)

    page = text(client_for(alice).get(URL))

    waiting = card_of(page, "Il manque des bancs au square.")
    assert "En attente de lecture" in waiting and "Rimbart" in waiting
    assert "Publiée" in card_of(page, "Le marché du samedi.")
    assert "<table" not in page


def test_a_private_expression_is_never_called_published(client_for, alice, mediateur):
    private = ExpressionFactory(author=alice, visibility=Visibility.PRIVATE, text="Mon voisin.")
    moderation.publish(private, actor=mediateur)

    card = card_of(text(client_for(alice).get(URL)), "Mon voisin.")

    assert "Lue et gardée privée" in card and "Publiée" not in card


def test_the_answer_received_is_on_her_card(client_for, alice, comite):
    answered(alice, comite, text="Les lampadaires seront réparés en janvier.", name="COPIL")

    card = card_of(text(client_for(alice).get(URL)), "Rue noire.")

    assert "Réponse reçue" in card
    assert "Réponse de COPIL : retenue." in card
    assert "Les lampadaires seront réparés en janvier." in card


def test_another_residents_expressions_and_registrations_are_never_shown(client_for, alice, bob):
    ExpressionFactory(author=bob, text="Le secret de Bob.")
    InscriptionFactory(user=bob, evenement=EvenementFactory(title="La sortie de Bob"))
    ExpressionFactory(author=alice, text="Ce que dit Alice.")

    page = text(client_for(alice).get(URL))

    assert "Ce que dit Alice." in page
    assert "Le secret de Bob." not in page and "La sortie de Bob" not in page


# --- What is new since her last visit ----------------------------------------------------------


def test_what_someone_else_did_after_her_last_visit_is_marked_new(client_for, alice, mediateur):
    mine = ExpressionFactory(author=alice, text="Un trottoir défoncé.")
    client = client_for(alice)
    first = text(client.get(URL))
    assert "nouveau" not in card_of(first, "Un trottoir défoncé.")  # her own submission

    moderation.publish(mine, actor=mediateur)
    after = text(client.get(URL))

    assert "nouveau" in card_of(after, "Un trottoir défoncé.")
    assert "1 message a avancé depuis votre dernière visite." in after
    # Seen: the next visit no longer marks it.
    assert "nouveau" not in card_of(text(client.get(URL)), "Un trottoir défoncé.")


def test_an_answer_after_her_last_visit_is_new_and_older_news_is_not(client_for, alice, comite):
    old_news = ExpressionFactory(author=alice, status=Status.PUBLIEE, text="Déjà publiée.")
    client = client_for(alice)
    client.get(URL)
    answered(alice, comite)

    page = text(client.get(URL))

    assert "nouveau" in card_of(page, "Rue noire.")
    assert "nouveau" not in card_of(page, "Déjà publiée.")
    assert old_news.steps.count() == 2  # its publication was there before her visit


def test_on_her_first_visit_what_others_did_is_new(client_for, alice, mediateur):
    mine = ExpressionFactory(author=alice, text="Avant la première visite.")
    moderation.publish(mine, actor=mediateur)
    assert alice.my_space_seen_at is None

    page = text(client_for(alice).get(URL))

    assert "nouveau" in card_of(page, "Avant la première visite.")
    assert "1 message a avancé." in page and "dernière visite" not in page
    alice.refresh_from_db()
    assert alice.my_space_seen_at is not None


def test_a_place_freed_for_her_after_her_last_visit_is_new(client_for, alice, bob):
    event = EvenementFactory(title="Atelier vélo", capacity=1)
    taken = InscriptionFactory(evenement=event, user=bob)
    waiting = InscriptionFactory(
        evenement=event, user=alice, status=Inscription.Status.ATTENTE, confirmed_at=None
    )
    client = client_for(alice)
    before = card_of(text(client.get(URL)), "Atelier vélo", "article")
    assert "Sur liste d'attente" in before and "nouveau" not in before

    evenements.cancel_inscription(taken, actor=bob)
    waiting.refresh_from_db()
    assert waiting.status == Inscription.Status.CONFIRMEE

    card = card_of(text(client.get(URL)), "Atelier vélo", "article")
    assert "Confirmée, 1 personne" in card and "nouveau" in card


# --- Registrations, notifications, account ---------------------------------------------------


def test_her_coming_registrations_come_soonest_first_with_calendar_and_cancel_links(
    client_for, alice
):
    later = EvenementFactory(title="Table ronde du mois", starts_at=in_days(20))
    sooner = EvenementFactory(title="Stand de demain", starts_at=in_days(1))
    past = EvenementFactory(
        title="Stand passé", starts_at=in_days(-3), ends_at=in_days(-3) + dt.timedelta(hours=2)
    )
    for event in (later, sooner, past):
        InscriptionFactory(evenement=event, user=alice)

    page = text(client_for(alice).get(URL))

    assert page.index("Stand de demain") < page.index("Table ronde du mois")
    assert "Stand passé" not in page
    card = card_of(page, "Stand de demain", "article")
    assert reverse("evenements:feed_event", args=[sooner.pk]) in card
    assert reverse("evenements:unregister", args=[sooner.pk]) + "?next=espace" in card


def test_empty_states_say_what_to_do_next(client_for, alice):
    page = text(client_for(alice).get(URL))

    assert "Vous n'avez encore rien dit." in page
    assert reverse("consultations:expression_create") in page
    assert "Aucune inscription à venir." in page
    assert f'href="{reverse("evenements:list")}"' in page
    assert "Aucune nouvelle notification." in page


def test_it_counts_her_unread_notifications_and_leads_to_her_account(client_for, alice):
    notify(alice, "Votre expression est publiée.")
    notify(alice, "Une place s'est libérée.")

    page = text(client_for(alice).get(URL))

    assert "2 notifications non lues." in page
    for name in ("notifications:index", "accounts:profile", "accounts:my_data"):
        assert f'href="{reverse(name)}"' in page


def test_a_staff_member_with_expressions_reads_them_too(client_for, mediateur):
    ExpressionFactory(author=mediateur, text="Dit en tant qu'habitante.")
    assert "Dit en tant qu'habitante." in text(client_for(mediateur).get(URL))


# --- Cost ---------------------------------------------------------------------------------------


def test_it_runs_the_same_number_of_queries_whatever_she_has(client_for, alice, mediateur, comite):
    client = client_for(alice)

    def grow(count):
        for index in range(count):
            expression = ExpressionFactory(author=alice, text=f"Message {index}.")
            if index % 2:
                moderation.publish(expression, actor=mediateur)
            event = EvenementFactory(starts_at=in_days(index + 1), capacity=5)
            InscriptionFactory(
                evenement=event,
                user=alice,
                status=Inscription.Status.ATTENTE if index % 3 else Inscription.Status.CONFIRMEE,
            )
        answered(alice, comite)
        notify(alice, "Nouvelle.")

    grow(2)
    few = page_queries(client, URL)
    grow(15)
    many = page_queries(client, URL)

    assert many == few
    assert many <= 12


def test_a_cancelled_event_she_registered_for_is_new_after_her_visit(client_for, alice, mediateur):
    event = EvenementFactory(title="Fête de quartier")
    InscriptionFactory(evenement=event, user=alice)
    client = client_for(alice)
    client.get(URL)

    evenements.cancel_event(event, actor=mediateur, reason="Pluie annoncée.")

    card = card_of(text(client.get(URL)), "Fête de quartier", "article")
    assert "Événement annulé" in card and "nouveau" in card
    assert Evenement.objects.get(pk=event.pk).cancelled_at <= timezone.now()


def test_her_data_export_says_when_she_last_opened_it(client_for, alice):
    client = client_for(alice)
    client.get(URL)

    alice.refresh_from_db()
    profile = rgpd.export_data(alice)["compte"]["profil"]
    assert profile["derniere_visite_de_mon_espace"] == alice.my_space_seen_at


def test_other_accounts_keep_their_own_last_visit(client_for, alice):
    other = UserFactory()
    client_for(alice).get(URL)
    other.refresh_from_db()
    assert other.my_space_seen_at is None
