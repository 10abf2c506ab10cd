"""A live feed checks access while it lives, not only at connect: a sign-out, a staff session
left idle, a lost role, a deactivated account or a left instance closes it before it hands on
another event."""

import time

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from participation.accounts import idle
from participation.accounts.models import Role, User
from participation.asgi import application
from participation.core import realtime
from participation.core.consumers import GroupFeedConsumer
from tests.consultations.committee.factories import InstanceFactory
from tests.consultations.moderation.test_realtime import TIMEOUT, headers_for

EVENT = {"type": "expression.submitted", "id": 424242}


@pytest.fixture(autouse=True)
def _check_at_every_event(monkeypatch):
    # In production at most every few seconds; here at every event, to see the rule itself.
    monkeypatch.setattr(GroupFeedConsumer, "recheck_seconds", 0, raising=False)


def open_feed_then(path, headers, change, group, event):
    """Connect, check an event arrives, apply ``change``, send ``event``: what comes out
    (None when nothing does)."""

    async def scenario():
        socket = WebsocketCommunicator(application, path, headers=headers)
        connected, _ = await socket.connect(timeout=TIMEOUT)
        assert connected
        layer = get_channel_layer()
        await layer.group_send(group, event)
        assert (await socket.receive_json_from(timeout=TIMEOUT))["id"] == event["id"]
        await sync_to_async(change)()
        await layer.group_send(group, event)
        if await socket.receive_nothing(timeout=TIMEOUT):
            output = None
        else:
            output = await socket.receive_output(timeout=TIMEOUT)
        await socket.disconnect()
        return output

    return async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_a_mediator_who_loses_the_role_stops_receiving_the_queue(client, mediateur):
    headers = headers_for(client, mediateur)

    output = open_feed_then(
        "/ws/moderation/",
        headers,
        lambda: User.objects.filter(pk=mediateur.pk).update(role=Role.HABITANT),
        realtime.MODERATION_GROUP,
        EVENT,
    )

    assert output == {"type": "websocket.close", "code": 4403}


@pytest.mark.django_db(transaction=True)
def test_signing_out_closes_the_open_feed(client, mediateur):
    headers = headers_for(client, mediateur)

    output = open_feed_then(
        "/ws/moderation/", headers, client.logout, realtime.MODERATION_GROUP, EVENT
    )

    assert output == {"type": "websocket.close", "code": 4401}


@pytest.mark.django_db(transaction=True)
def test_a_deactivated_account_is_cut_off(client, mediateur):
    headers = headers_for(client, mediateur)

    output = open_feed_then(
        "/ws/moderation/",
        headers,
        lambda: User.objects.filter(pk=mediateur.pk).update(is_active=False),
        realtime.MODERATION_GROUP,
        EVENT,
    )

    assert output["type"] == "websocket.close"


@pytest.mark.django_db(transaction=True)
def test_a_member_who_leaves_the_instance_no_longer_follows_its_routings(client, comite):
    instance = InstanceFactory(members=[comite])
    headers = headers_for(client, comite)
    routed = {"type": "expression.routed", "id": 424243, "instances": [instance.pk]}

    output = open_feed_then(
        "/ws/comite/",
        headers,
        lambda: instance.members.remove(comite),
        realtime.COMITE_GROUP,
        routed,
    )

    # Still a comité member (of no instance now): the feed stays open and passes nothing on.
    assert output is None


@pytest.mark.django_db(transaction=True)
def test_a_staff_session_left_idle_closes_its_open_feed(client, mediateur, settings):
    """The moderation page's socket does not keep an unattended screen following the queue
    once the staff session has passed its idle limit (participation/accounts/idle.py)."""
    headers = headers_for(client, mediateur)

    def leave_idle():
        session = client.session
        session[idle.LAST_SEEN] = int(time.time()) - settings.STAFF_IDLE_TIMEOUT_MINUTES * 60 - 5
        session.save()

    output = open_feed_then(
        "/ws/moderation/", headers, leave_idle, realtime.MODERATION_GROUP, EVENT
    )

    assert output == {"type": "websocket.close", "code": 4401}
