"""The moderation pages: who reaches them, the queue and its filters, the staff page of an
expression, two mediators at once, the audit log and its CSV, the header counter."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.models import Instance, Signalement, Source, Status
from consultations.moderation import queue as moderation_queue
from consultations.moderation import services as moderation
from participation.audit.models import AuditEntry
from participation.audit.services import record
from tests.consultations.factories import ConsultationFactory, ExpressionFactory

from .factories import EtiquetteFactory, TransmissionFactory
from .staff_form import post_staff_form, shown_fields

QUEUE = "/moderation/"


@pytest.fixture
def as_role(client, client_for, bob, comite, mediateur, referent):
    users = {"habitant": bob, "comite": comite, "mediateur": mediateur, "referent": referent}

    def login(role):
        if role == "anonymous":
            client.logout()
            return client
        return client_for(users[role])

    return login


def ago(days=0, hours=0):
    return timezone.now() - dt.timedelta(days=days, hours=hours)


# --- Who reaches what -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("habitant", 403), ("comite", 403), ("mediateur", 200), ("referent", 200)],
)
def test_moderation_pages_are_for_mediators_and_the_referent(as_role, alice, role, expected):
    expression = ExpressionFactory(author=alice)
    client = as_role(role)
    urls = [
        QUEUE,
        f"{QUEUE}?vue=a-transmettre",
        reverse("consultations:moderation_counter"),
        reverse("consultations:moderation_etiquettes"),
        reverse("consultations:moderation_row", args=[expression.pk]),
        reverse("consultations:moderation_expression", args=[expression.pk]),
        reverse("consultations:moderation_audit_csv", args=[expression.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == expected, url
    publish = reverse("consultations:moderation_publish", args=[expression.pk])
    assert client.post(publish).status_code == (302 if expected == 200 else expected)
    expression.refresh_from_db()
    assert (expression.status == Status.PUBLIEE) == (expected == 200)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("habitant", 403), ("comite", 403), ("mediateur", 403), ("referent", 200)],
)
def test_the_whole_audit_log_is_exported_by_the_referent_only(as_role, role, expected):
    assert as_role(role).get("/moderation/journal.csv").status_code == expected


@pytest.mark.django_db
def test_a_staff_account_without_totp_is_sent_to_set_it_up(client_for):
    from tests.factories import UserFactory

    response = client_for(UserFactory(role="mediateur", totp=False)).get(QUEUE)

    assert response.status_code == 302
    assert "/comptes/" in response["Location"]


# --- The queue --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_queue_shows_submitted_and_reported_expressions_oldest_first(
    client_for, mediateur, alice, bob
):
    recent = ExpressionFactory(author=alice, status=Status.SOUMISE, created_at=ago(hours=2))
    oldest = ExpressionFactory(author=alice, status=Status.SOUMISE, created_at=ago(days=3))
    reported = ExpressionFactory(
        author=alice, status=Status.PUBLIEE, created_at=ago(days=30), flagged_at=ago(days=1)
    )
    Signalement.objects.create(expression=reported, reporter=bob, reason="autre")
    ExpressionFactory(author=alice, status=Status.PUBLIEE, text="Déjà publiée, rien à faire.")
    ExpressionFactory(author=alice, status=Status.REJETEE, text="Rejetée, rien à faire.")

    page = client_for(mediateur).get(QUEUE)

    ids = [e.pk for e in page.context["page"].object_list]
    assert ids == [oldest.pk, reported.pk, recent.pk]
    html = page.content.decode()
    assert "signalée une fois" in html
    assert "Déjà publiée" not in html and "Rejetée, rien" not in html
    assert "3</span> expressions attendent" in html


@pytest.mark.django_db
def test_the_queue_says_the_live_feed_is_paused_until_the_socket_opens(client_for, mediateur):
    html = client_for(mediateur).get(QUEUE).content.decode()

    assert "Flux en direct en pause — rechargez la page" in html
    assert "js/moderation." in html  # hashed name in production mode


@pytest.mark.django_db
def test_the_queue_filters_by_quartier_source_consultation_and_tag(
    client_for, mediateur, alice, rimbart, cite5
):
    consultation = ConsultationFactory(quartiers=[rimbart])
    tag = EtiquetteFactory(name="éclairage")
    stand = ExpressionFactory(author=None, quartier=rimbart, source=Source.STAND)
    online = ExpressionFactory(author=alice, quartier=rimbart, consultation=consultation)
    other = ExpressionFactory(author=alice, quartier=cite5)
    tag.expressions.add(other)
    client = client_for(mediateur)

    def shown(query):
        response = client.get(f"{QUEUE}?{query}")
        return {e.pk for e in response.context["page"].object_list}

    assert shown("quartier=rimbart") == {stand.pk, online.pk}
    assert shown("source=stand") == {stand.pk}
    assert shown(f"consultation={consultation.slug}") == {online.pk}
    assert shown(f"etiquette={tag.pk}") == {other.pk}
    assert shown("quartier=rimbart&source=en_ligne") == {online.pk}


@pytest.mark.django_db
def test_a_nonsense_filter_is_ignored_with_a_message(client_for, mediateur, alice):
    ExpressionFactory(author=alice)

    response = client_for(mediateur).get(f"{QUEUE}?quartier=atlantide&source=<script>")

    assert response.status_code == 200
    assert "pas été compris" in response.content.decode()
    assert "<script>" not in response.content.decode()


@pytest.mark.django_db
def test_published_expressions_wait_to_be_routed_in_their_own_view(
    client_for, mediateur, alice, copil
):
    to_route = ExpressionFactory(author=alice, status=Status.PUBLIEE)
    TransmissionFactory(expression__author=alice, instance=copil)

    response = client_for(mediateur).get(f"{QUEUE}?vue=a-transmettre")

    assert [e.pk for e in response.context["page"].object_list] == [to_route.pk]


@pytest.mark.django_db
def test_publishing_from_the_queue_comes_back_to_the_queue(client_for, mediateur, alice):
    expression = ExpressionFactory(author=alice)
    client = client_for(mediateur)

    response = client.post(
        reverse("consultations:moderation_publish", args=[expression.pk]),
        {"next": f"{QUEUE}?quartier={expression.quartier.slug}"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == f"{QUEUE}?quartier={expression.quartier.slug}"
    assert f"L'expression n° {expression.pk} est publiée." in response.content.decode().replace(
        "&#x27;", "'"
    )
    assert expression.pk not in [e.pk for e in response.context["page"].object_list]


@pytest.mark.django_db
def test_an_outside_next_address_is_not_followed(client_for, mediateur, alice):
    expression = ExpressionFactory(author=alice)

    response = client_for(mediateur).post(
        reverse("consultations:moderation_publish", args=[expression.pk]),
        {"next": "https://ailleurs.example/"},
    )

    assert response["Location"] == f"/moderation/expressions/{expression.pk}/"


# --- Bulk from the queue ----------------------------------------------------------------


@pytest.mark.django_db
def test_bulk_routing_from_the_queue_reports_each_refusal(client_for, mediateur, alice, copil):
    published = ExpressionFactory(author=alice, status=Status.PUBLIEE)
    waiting = ExpressionFactory(author=alice, status=Status.SOUMISE)

    response = client_for(mediateur).post(
        "/moderation/lot/",
        {
            "ids": [published.pk, waiting.pk],
            "action": "transmettre",
            "instances": [copil.pk],
            "note": "Pour la séance de mars",
            "next": f"{QUEUE}?vue=a-transmettre",
        },
        follow=True,
    )

    html = response.content.decode()
    assert "1 expression(s) transmise(s)." in html
    assert f"Expression n° {waiting.pk} : Cette expression est « soumise »" in html
    assert published.transmissions.get().note == "Pour la séance de mars"


@pytest.mark.django_db
def test_bulk_tagging_from_the_queue(client_for, mediateur, alice):
    expressions = [ExpressionFactory(author=alice) for _ in range(2)]
    tag = EtiquetteFactory(name="propreté")

    client_for(mediateur).post(
        "/moderation/lot/",
        {"ids": [e.pk for e in expressions], "action": "etiqueter", "etiquette": tag.pk},
    )

    assert tag.expressions.count() == 2


@pytest.mark.django_db
def test_an_incomplete_bulk_form_keeps_the_boxes_checked(client_for, mediateur, alice):
    expressions = [ExpressionFactory(author=alice) for _ in range(2)]

    response = client_for(mediateur).post(
        "/moderation/lot/", {"ids": [expressions[0].pk], "action": "etiqueter"}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Choisissez l&#x27;étiquette à ajouter." in html
    assert f'value="{expressions[0].pk}" id="choisir-{expressions[0].pk}" checked' in html
    assert f'value="{expressions[1].pk}" id="choisir-{expressions[1].pk}">' in html


# --- Two mediators at once --------------------------------------------------------------


@pytest.mark.django_db
def test_the_second_mediator_is_told_and_keeps_what_they_typed(
    client_for, mediateur, referent, alice
):
    expression = ExpressionFactory(author=alice)
    tag = EtiquetteFactory(name="propreté")
    client = client_for(mediateur)
    url = reverse("consultations:moderation_expression", args=[expression.pk])
    typed = shown_fields(client.get(url).content.decode())
    client_for(referent).post(reverse("consultations:moderation_publish", args=[expression.pk]))

    response = client.post(
        url,
        {
            **typed,
            "etiquettes-etiquettes": [tag.pk],
            "rejet-reason": "autre",
            "rejet-details": "Merci de reformuler sans le nom.",
            "decision": "rejeter",
        },
    )

    assert response.status_code == 409
    html = response.content.decode().replace("&#x27;", "'")
    assert "Cette expression est « publiée » : elle ne peut pas devenir « rejetée »" in html
    assert "Merci de reformuler sans le nom." in html  # read back: « Ne pas publier » is gone
    assert "rien n'est perdu" in html
    assert f'value="{tag.pk}" id="id_etiquettes-etiquettes_0" checked' in html
    assert 'class="result" id="resultat"' in html
    expression.refresh_from_db()
    assert expression.status == Status.PUBLIEE
    assert not expression.etiquettes.exists()  # the whole form was refused


@pytest.mark.django_db
def test_a_redaction_on_a_text_changed_meanwhile_shows_both_texts(
    client_for, mediateur, referent, alice
):
    expression = ExpressionFactory(author=alice, text="Le fils Martin casse les vitres.")
    version = moderation_queue.text_version(expression)
    moderation.redact(
        expression, actor=referent, text="Un jeune casse les vitres.", version=version
    )

    response = client_for(mediateur).post(
        reverse("consultations:moderation_expression", args=[expression.pk]),
        {
            "caviardage-text": "Le fils M. casse les vitres.",
            "caviardage-version": version,
            "decision": "publier",
        },
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "Un jeune casse les vitres." in html  # the text as it is now
    assert "Le fils M. casse les vitres." in html  # what this mediator typed
    assert 'class="form-errors" role="alert" id="resultat"' in html  # at the redaction
    # Saving again, having compared, writes this version over the new one.
    assert f'value="{moderation_queue.text_token("Un jeune casse les vitres.")}"' in html
    expression.refresh_from_db()
    assert expression.text == "Un jeune casse les vitres."
    assert expression.status == Status.SOUMISE  # nothing decided


@pytest.mark.django_db
def test_an_invalid_form_comes_back_with_what_was_typed(client_for, mediateur, alice):
    expression = ExpressionFactory(author=alice, status=Status.PUBLIEE)

    response = post_staff_form(
        client_for(mediateur), expression, "transmettre", transmission__note="Note gardée"
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Choisissez au moins une instance." in html
    assert "Note gardée" in html


@pytest.mark.django_db
def test_merging_from_the_staff_page_with_an_unknown_number(client_for, mediateur, alice):
    expression = ExpressionFactory(author=alice, status=Status.PUBLIEE)

    response = post_staff_form(
        client_for(mediateur), expression, "fusionner", fusion__target="999999"
    )

    assert response.status_code == 400
    assert "Il n&#x27;existe pas d&#x27;expression n° 999999." in response.content.decode()


@pytest.mark.django_db
def test_an_unknown_action_is_not_found_and_an_unknown_decision_decides_nothing(
    client_for, mediateur, alice
):
    expression = ExpressionFactory(author=alice)
    client = client_for(mediateur)

    assert client.post(f"/moderation/expressions/{expression.pk}/supprimer/").status_code == 404
    response = post_staff_form(client, expression, "supprimer")

    assert response.status_code == 400
    assert "Cette décision n&#x27;existe pas." in response.content.decode()
    expression.refresh_from_db()
    assert expression.status == Status.SOUMISE


# --- Staff page, tags page --------------------------------------------------------------


@pytest.mark.django_db
def test_the_staff_page_creates_a_tag_and_shows_the_audit_log(client_for, mediateur, alice):
    expression = ExpressionFactory(author=alice)
    client = client_for(mediateur)

    post_staff_form(client, expression, etiquettes__new="Stationnement")

    assert [e.name for e in expression.etiquettes.all()] == ["Stationnement"]
    html = client.get(f"/moderation/expressions/{expression.pk}/").content.decode()
    assert "expression.etiquetee" in html
    assert "etiquettes : Stationnement" in html
    assert "mediatrice@example.org" in html


@pytest.mark.django_db
def test_tags_are_renamed_on_their_page(client_for, mediateur):
    tag = EtiquetteFactory(name="eclairage")
    other = EtiquetteFactory(name="propreté")
    client = client_for(mediateur)

    refused = client.post(
        "/moderation/etiquettes/", {"etiquette": tag.pk, f"e{tag.pk}-name": "Propreté"}
    )
    done = client.post(
        "/moderation/etiquettes/", {"etiquette": tag.pk, f"e{tag.pk}-name": "éclairage"}
    )

    assert refused.status_code == 400
    assert "existe déjà" in refused.content.decode()
    assert done.status_code == 302
    tag.refresh_from_db(), other.refresh_from_db()
    assert (tag.name, other.name) == ("éclairage", "propreté")


# --- The audit log as CSV, and no way to change it --------------------------------------


def read_csv(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=";"))


@pytest.mark.django_db
def test_the_audit_csv_is_streamed_and_neutralises_formulas(client_for, mediateur, alice):
    expression = ExpressionFactory(author=alice)
    record(
        actor=mediateur,
        action="expression.publiee",
        target=expression,
        before={"status": "soumise"},
        after={"status": "publiee"},
        reason='=HYPERLINK("http://mal.example","clic")',
    )
    record(actor=mediateur, action="expression.rejetee", target=expression, reason="+33 6 12")

    response = client_for(mediateur).get(f"/moderation/expressions/{expression.pk}/journal.csv")

    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == ["date", "par", "action", "objet", "identifiant", "avant", "après", "motif"]
    assert rows[1][1:5] == [
        "mediatrice@example.org",
        "expression.publiee",
        "consultations.expression",
        str(expression.pk),
    ]
    assert rows[1][5] == '{"status": "soumise"}'
    assert rows[1][7] == '\'=HYPERLINK("http://mal.example","clic")'
    assert rows[2][7] == "'+33 6 12"


@pytest.mark.django_db
def test_the_mediators_never_read_the_address_of_an_author_or_of_who_reported(
    client_for, mediateur, referent, alice, bob, rimbart
):
    from consultations.expressions import services as expression_services

    expression, _created = expression_services.submit(
        author=alice, quartier=rimbart, text="Le square est sale.", visibility="anonyme"
    )
    expression = moderation.publish(expression, actor=mediateur)
    expression_services.report(expression, reporter=bob, reason=Signalement.Reason.AUTRE)
    client = client_for(mediateur)

    page = client.get(reverse("consultations:moderation_expression", args=[expression.pk]))
    journal = client.get(reverse("consultations:moderation_audit_csv", args=[expression.pk]))
    text = page.content.decode() + b"".join(journal.streaming_content).decode()

    for address in ("alice@example.org", "bob@example.org"):
        assert address not in text
    assert f"habitant·e n° {alice.pk}" in text and f"habitant·e n° {bob.pk}" in text
    assert "mediatrice@example.org" in text  # staff act under their name
    # The référent's whole export, for the commune's records, keeps who it was.
    whole = b"".join(client_for(referent).get("/moderation/journal.csv").streaming_content)
    assert "alice@example.org" in whole.decode()


@pytest.mark.django_db
def test_the_whole_audit_log_is_exported_in_order(client_for, referent, alice):
    first, second = ExpressionFactory(author=alice), ExpressionFactory(author=alice)
    record(actor=referent, action="expression.publiee", target=first)
    record(actor=referent, action="expression.rejetee", target=second)

    rows = read_csv(client_for(referent).get("/moderation/journal.csv"))

    assert [row[2] for row in rows[1:]] == ["expression.publiee", "expression.rejetee"]


@pytest.mark.django_db
def test_no_one_edits_or_deletes_the_audit_log_not_even_the_referent(client_for, referent, alice):
    entry = record(actor=referent, action="expression.publiee", target=ExpressionFactory())
    client = client_for(referent)
    change = f"/gestion/admin/audit/auditentry/{entry.pk}/change/"

    assert client.post(change, {"reason": "effacé"}).status_code == 403
    assert (
        client.post(
            f"/gestion/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    entry.refresh_from_db()
    assert entry.reason == ""
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="x")


# --- The header counter -----------------------------------------------------------------


@pytest.mark.django_db
def test_every_staff_page_shows_the_queue_counter_to_mediators(
    client_for, mediateur, comite, alice
):
    ExpressionFactory(author=alice)
    ExpressionFactory(author=alice, status=Status.PUBLIEE, flagged_at=ago(hours=1))
    ExpressionFactory(author=alice, status=Status.PUBLIEE)

    for url in ("/", "/evenements/gestion/", "/expressions/terrain/"):
        html = client_for(mediateur).get(url).content.decode()
        assert '<span class="badge" data-moderation-count>2</span>' in html, url
    assert "data-moderation-count" not in client_for(comite).get("/").content.decode()
    assert client_for(mediateur).get("/moderation/compteur/").json() == {"count": 2}


@pytest.mark.django_db
def test_the_counter_costs_one_query(client_for, mediateur, alice, django_assert_num_queries):
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = mediateur
    for _ in range(5):
        ExpressionFactory(author=alice)

    with django_assert_num_queries(1):
        html = Template(
            "{% load moderation_tags %}{% moderation_queue_count as n %}{{ n }}"
        ).render(Context({"request": request}))

    assert html == "5"


# --- Instances, by the référent in the admin --------------------------------------------


@pytest.mark.django_db
def test_the_convention_instances_exist_and_the_referent_adds_a_partner(
    client_for, referent, comite, copil, conseil_pre
):
    client = client_for(referent)

    response = client.post(
        "/gestion/admin/consultations/instance/add/",
        {
            "name": "Maisons & Cités",
            "slug": "maisons-et-cites",
            "kind": "bailleur",
            "description": "Bailleur social",
            "is_active": "on",
            "members": [comite.pk],
        },
    )

    assert response.status_code == 302
    partner = Instance.objects.get(slug="maisons-et-cites")
    assert list(partner.members.all()) == [comite]
    entry = AuditEntry.objects.get(action="instance.creee")
    assert entry.actor == referent
    assert entry.after["members"] == [comite.email]
    assert {copil.kind, conseil_pre.kind} == {"comite_pilotage", "conseil_consultatif"}


@pytest.mark.django_db
def test_changing_members_is_audited_and_an_instance_with_history_is_not_deleted(
    client_for, referent, comite, copil
):
    client = client_for(referent)
    TransmissionFactory(instance=copil)

    client.post(
        f"/gestion/admin/consultations/instance/{copil.pk}/change/",
        {
            "name": copil.name,
            "slug": copil.slug,
            "kind": copil.kind,
            "description": copil.description,
            "is_active": "on",
            "members": [comite.pk],
        },
    )

    entry = AuditEntry.objects.get(action="instance.modifiee")
    assert entry.before["members"] == [] and entry.after["members"] == [comite.email]
    assert (
        client.get(f"/gestion/admin/consultations/instance/{copil.pk}/delete/").status_code == 403
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["mediateur", "comite"])
def test_only_the_referent_reaches_the_instance_admin(client_for, request, role):
    user = request.getfixturevalue(role)

    response = client_for(user).get("/gestion/admin/consultations/instance/")

    # The administration's own sign-in, which only the referent's account passes.
    assert response.status_code == 302
    assert response["Location"].startswith("/gestion/admin/login/")


@pytest.mark.django_db
def test_the_public_page_of_an_expression_links_mediators_to_its_staff_page(
    client_for, mediateur, bob, alice
):
    expression = ExpressionFactory(author=alice, status=Status.PUBLIEE)
    staff_page = f'href="/moderation/expressions/{expression.pk}/"'

    assert staff_page in client_for(mediateur).get(expression.get_absolute_url()).content.decode()
    assert staff_page not in client_for(bob).get(expression.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_the_queue_offers_publier_only_for_what_its_row_shows_whole(client_for, mediateur, alice):
    from django.core.files.base import ContentFile

    from consultations.models.expression import QUEUE_TEXT_CHARS
    from tests.consultations.conftest import image_bytes

    short = ExpressionFactory(author=alice, text="Le lampadaire de la rue Basly est éteint.")
    long = ExpressionFactory(author=alice, text="Madame Durand, 12 rue Basly. " * 20)
    assert len(long.text) > QUEUE_TEXT_CHARS
    pictured = ExpressionFactory(author=alice, text="Regardez la photo.")
    pictured.photo.save("photo.jpg", ContentFile(image_bytes("JPEG")))
    client = client_for(mediateur)

    page = client.get(QUEUE).content.decode()

    def row(expression) -> str:
        start = page.index(f'id="expression-{expression.pk}"')
        return page[start : page.index("</li>", start)]

    publish = 'formaction="{}"'.format
    assert publish(reverse("consultations:moderation_publish", args=[short.pk])) in row(short)
    for unread in (long, pictured):
        assert publish(reverse("consultations:moderation_publish", args=[unread.pk])) not in page
        assert "Lire en entier et décider" in row(unread)
    assert long.text[: QUEUE_TEXT_CHARS - 1] in row(long) and long.text not in row(long)

    # Sent anyway (an old page, a forged form): read on its page first, nothing published.
    audited = AuditEntry.objects.count()
    for unread in (long, pictured):
        response = client.post(reverse("consultations:moderation_publish", args=[unread.pk]))
        assert response.status_code == 302
        assert response["Location"] == reverse(
            "consultations:moderation_expression", args=[unread.pk]
        )
        unread.refresh_from_db()
        assert unread.status == Status.SOUMISE
    assert AuditEntry.objects.count() == audited
    assert (
        "lisez-la en entier ici avant de la publier"
        in client.get(response["Location"]).content.decode()
    )
