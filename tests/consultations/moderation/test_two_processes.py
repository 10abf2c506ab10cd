"""With the Redis channel layer, an event emitted by one server process reaches a browser
connected to another: here, a separate Python process sends, the test's socket receives."""

import os
import subprocess
import sys
import textwrap

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings

from participation.asgi import application

from .test_realtime import TIMEOUT, headers_for, receive_about

pytestmark = pytest.mark.needs("redis")  # only the Redis layer is shared between processes

OTHER_PROCESS = textwrap.dedent(
    """
    import sys
    import django

    django.setup()
    from participation.core import realtime

    sent = realtime.send_now(
        realtime.MODERATION_GROUP, {"type": "expression.submitted", "id": int(sys.argv[1])}
    )
    sys.exit(0 if sent else 3)
    """
)


@pytest.mark.django_db
def test_an_event_sent_by_another_process_reaches_the_mediators_socket(client, mediateur):
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"].endswith("RedisChannelLayer")
    headers = headers_for(client, mediateur)

    async def scenario():
        socket = WebsocketCommunicator(application, "/ws/moderation/", headers=headers)
        assert (await socket.connect(timeout=TIMEOUT))[0]
        other = await _run_other_process("424242")
        event = await receive_about(socket, 424242)
        await socket.disconnect()
        return other, event

    other, event = async_to_sync(scenario)()

    assert other.returncode == 0, other.stderr
    assert event == {"type": "expression.submitted", "id": 424242}


async def _run_other_process(argument: str):
    import asyncio

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "participation.settings"}
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", OTHER_PROCESS, argument],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=settings.BASE_DIR,
    )
