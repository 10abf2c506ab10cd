"""A live feed that waits longer than Redis' read timeout keeps its connection.

A consumer waits for its messages with a blocking read of 5 s (channels_redis' BZPOPMIN);
redis-py 8 cuts reads at 5 s unless told otherwise, so a quiet feed crashed its handler
(« Timeout reading from … ») and the mediator's page lost its live queue.
"""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers

pytestmark = pytest.mark.needs("redis")  # the in-memory layer has no socket to time out


def test_a_message_sent_after_a_quiet_moment_still_arrives():
    # A layer of its own, closed in the loop that opened it (the shared one serves other tests).
    layer = channel_layers.make_backend("default")

    async def scenario():
        channel = await layer.new_channel()

        async def later():
            await asyncio.sleep(7)  # longer than one blocking read and than redis-py's default
            await layer.send(channel, {"type": "expression.submitted", "id": 1})

        sender = asyncio.ensure_future(later())
        message = await asyncio.wait_for(layer.receive(channel), timeout=20)
        await sender
        await layer.close_pools()
        return message

    assert async_to_sync(scenario)() == {"type": "expression.submitted", "id": 1}
