"""The live moderation queue over Channels, against the configured channel layer (Redis in
CI, in memory otherwise): who may listen, and that a submission reaches the mediators."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings

from consultations.expressions import services
from consultations.models import Status
from consultations.moderation import services as moderation
from participation.asgi import application
from participation.core import realtime
from tests.consultations.factories import ExpressionFactory
from tests.factories import UserFactory

TIMEOUT = 3


def headers_for(client, user=None) -> list[tuple[bytes, bytes]]:
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    if user is not None:
        client.force_login(user)
        cookie = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
        headers.append((b"cookie", cookie.encode()))
    return headers


def communicator(headers) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, "/ws/moderation/", headers=headers)


def run(coroutine_function):
    return async_to_sync(coroutine_function)()


async def receive_about(socket, expression_id: int) -> dict:
    """The next event about ``expression_id`` (a shared Redis may carry others' events)."""
    while True:
        event = await socket.receive_json_from(timeout=TIMEOUT)
        if event.get("id") == expression_id:
            return event


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["mediateur", "referent"])
def test_a_submission_reaches_a_connected_mediators_socket(
    request, role, client, alice_in_rimbart, rimbart, django_capture_on_commit_callbacks
):
    staff = request.getfixturevalue(role)
    headers = headers_for(client, staff)

    def submit():
        with django_capture_on_commit_callbacks(execute=True):
            expression, _created = services.submit(
                author=alice_in_rimbart, quartier=rimbart, text="Les trottoirs sont défoncés."
            )
        return expression

    async def scenario():
        socket = communicator(headers)
        connected, _ = await socket.connect(timeout=TIMEOUT)
        assert connected
        expression = await sync_to_async(submit)()
        event = await receive_about(socket, expression.pk)
        await socket.disconnect()
        return expression, event

    expression, event = run(scenario)

    # What the open queues announce of it: its quartier, its first words, its filters' values.
    assert event == {
        "type": "expression.submitted",
        "id": expression.pk,
        "quartier": rimbart.pk,  # who hears of it: the staff of its communes
        "arrival": {
            "quartier": "Rimbart",
            "excerpt": "Les trottoirs sont défoncés.",
            "filters": {
                "quartier": "rimbart",
                "source": "en_ligne",
                "consultation": "",
                "etiquette": [],
            },
        },
    }


@pytest.mark.django_db
def test_a_colleagues_publication_reaches_the_open_queue(
    client, mediateur, referent, alice, django_capture_on_commit_callbacks
):
    expression = ExpressionFactory(author=alice, status=Status.SOUMISE)
    headers = headers_for(client, mediateur)

    def publish():
        with django_capture_on_commit_callbacks(execute=True):
            moderation.publish(expression, actor=referent)

    async def scenario():
        socket = communicator(headers)
        assert (await socket.connect(timeout=TIMEOUT))[0]
        await sync_to_async(publish)()
        event = await receive_about(socket, expression.pk)
        await socket.disconnect()
        return event

    assert run(scenario) == {
        "type": "expression.status",
        "id": expression.pk,
        "status": Status.PUBLIEE,
        "before": Status.SOUMISE,
        "by": referent.pk,  # the open queues say « traitée par un·e collègue »
        "quartier": expression.quartier_id,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "habitant", "comite", "mediateur_without_totp"])
def test_a_socket_without_the_moderating_role_is_closed(request, client, role):
    users = {
        "anonymous": None,
        "habitant": lambda: request.getfixturevalue("bob"),
        "comite": lambda: request.getfixturevalue("comite"),
        "mediateur_without_totp": lambda: UserFactory(role="mediateur", totp=False),
    }
    user = users[role]() if users[role] else None
    headers = headers_for(client, user)

    async def scenario():
        socket = communicator(headers)
        connected, code = await socket.connect(timeout=TIMEOUT)
        await socket.disconnect()
        return connected, code

    connected, code = run(scenario)

    assert not connected
    assert code in (4401, 4403)


@pytest.mark.django_db
def test_a_closed_socket_never_receives_what_is_sent_to_the_moderation_group(client, bob):
    headers = headers_for(client, bob)

    async def scenario():
        socket = communicator(headers)
        connected, _ = await socket.connect(timeout=TIMEOUT)
        await get_channel_layer().group_send(
            realtime.MODERATION_GROUP, {"type": "expression.submitted", "id": 1}
        )
        nothing = await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()
        return connected, nothing

    assert run(scenario) == (False, True)


@pytest.mark.django_db
def test_moderation_still_works_when_the_channel_layer_is_down(
    monkeypatch, mediateur, alice, django_capture_on_commit_callbacks
):
    class BrokenLayer:
        async def group_send(self, group, event):
            raise ConnectionError("redis down")

    monkeypatch.setattr(realtime, "get_channel_layer", lambda: BrokenLayer())
    expression = ExpressionFactory(author=alice, status=Status.SOUMISE)

    with django_capture_on_commit_callbacks(execute=True):
        moderation.publish(expression, actor=mediateur)

    expression.refresh_from_db()
    assert expression.status == Status.PUBLIEE


@pytest.mark.django_db
def test_an_event_type_the_consumer_does_not_know_is_forwarded_without_closing_the_socket(
    client, mediateur
):
    headers = headers_for(client, mediateur)

    async def scenario():
        socket = communicator(headers)
        assert (await socket.connect(timeout=TIMEOUT))[0]
        layer = get_channel_layer()
        await layer.group_send(realtime.MODERATION_GROUP, {"type": "expression.archived", "id": 7})
        await layer.group_send(realtime.MODERATION_GROUP, {"type": "expression.deleted", "id": 8})
        first = await receive_about(socket, 7)
        second = await receive_about(socket, 8)
        await socket.disconnect()
        return first, second

    assert run(scenario) == (
        {"type": "expression.archived", "id": 7},
        {"type": "expression.deleted", "id": 8},
    )
