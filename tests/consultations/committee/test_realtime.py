"""The committee's live feed over Channels (Redis in CI, in memory otherwise)."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from consultations.committee import services as committee
from consultations.models import Decision, Status
from consultations.moderation import aiguillage
from participation.asgi import application
from tests.consultations.factories import ExpressionFactory

from .factories import SeanceFactory, on_agenda, routed

TIMEOUT = 3
pytestmark = pytest.mark.django_db


def headers_for(client, user=None) -> list[tuple[bytes, bytes]]:
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    if user is not None:
        client.force_login(user)
        cookie = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
        headers.append((b"cookie", cookie.encode()))
    return headers


def socket_for(headers) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, "/ws/comite/", headers=headers)


async def next_about(socket, type_: str) -> dict:
    """The next event of ``type_`` (a shared Redis may carry other tests' events)."""
    while True:
        event = await socket.receive_json_from(timeout=TIMEOUT)
        if event.get("type") == type_:
            return event


def test_a_routing_reaches_the_members_of_that_instance_only(
    client, comite, claire, mediateur, instance_a, instance_b, django_capture_on_commit_callbacks
):
    expression = ExpressionFactory(status=Status.PUBLIEE)
    paul = headers_for(client, comite)
    claire_headers = headers_for(Client(), claire)  # a second browser: logins do not mix

    def route():
        with django_capture_on_commit_callbacks(execute=True):
            aiguillage.route(expression, actor=mediateur, instances=[instance_a])

    async def scenario():
        mine, theirs = socket_for(paul), socket_for(claire_headers)
        assert (await mine.connect(timeout=TIMEOUT))[0]
        assert (await theirs.connect(timeout=TIMEOUT))[0]
        await sync_to_async(route)()
        event = await next_about(mine, "expression.routed")
        assert await theirs.receive_nothing(timeout=0.5)
        await mine.disconnect()
        await theirs.disconnect()
        return event

    event = async_to_sync(scenario)()
    assert event == {
        "type": "expression.routed",
        "id": expression.pk,
        "instances": [instance_a.pk],
        "quartiers": [expression.quartier_id],  # for a référent given communes
    }


def test_an_answer_reaches_the_members_dashboard(
    client, comite, instance_a, django_capture_on_commit_callbacks
):
    item = on_agenda(SeanceFactory(instance=instance_a), routed(instance_a))
    headers = headers_for(client, comite)

    def answer():
        with django_capture_on_commit_callbacks(execute=True):
            committee.record_answer(item, actor=comite, decision=Decision.RETENUE, text="Oui.")

    async def scenario():
        socket = socket_for(headers)
        assert (await socket.connect(timeout=TIMEOUT))[0]
        await sync_to_async(answer)()
        event = await next_about(socket, "expression.answered")
        await socket.disconnect()
        return event

    event = async_to_sync(scenario)()
    assert event["instance"] == instance_a.pk and event["decision"] == "retenue"
    assert "text" not in event  # ids only, never words or names


@pytest.mark.parametrize(("who", "code"), [(None, 4401), ("alice", 4403), ("mediateur", 4403)])
def test_anonymous_people_residents_and_mediators_cannot_listen(request, client, who, code):
    user = request.getfixturevalue(who) if who else None
    headers = headers_for(client, user)

    async def scenario():
        socket = socket_for(headers)
        connected, close_code = await socket.connect(timeout=TIMEOUT)
        # Ends the refused consumer's listening task before the loop closes: left to the
        # loop's cancellation, a read from Redis once held the worker for its timeout.
        await socket.disconnect()
        return connected, close_code

    connected, close_code = async_to_sync(scenario)()
    assert not connected and close_code == code
