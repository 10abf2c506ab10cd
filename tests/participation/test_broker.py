"""A worker keeps taking tasks after Redis stalled while it acknowledged one.

The broker is the real one (Celery's own connection to Redis, the transport production uses);
only the stall is made: Redis's answer to the acknowledgement never comes (the client's
``TimeoutError``, as with a Redis frozen past ``socket_timeout``). kombu's own transport keeps
the worker's slot taken after such an acknowledgement, so the next task is never taken
(participation/core/broker.py).
"""

import uuid

import pytest
import redis
from kombu import Consumer, Producer, Queue

from participation.celery import app
from participation.core import broker

pytestmark = pytest.mark.needs("redis")


def stalled(*args, **kwargs):
    raise redis.exceptions.TimeoutError("Timeout reading from socket")


@pytest.mark.parametrize("answer", ["ack", "reject"])
def test_a_worker_takes_the_next_task_after_an_answer_lost_in_a_redis_stall(answer, monkeypatch):
    queue = Queue(f"test-broker-{uuid.uuid4().hex}")
    received = []
    with app.connection_for_read() as connection:
        channel = connection.default_channel
        assert isinstance(channel, broker.Channel), "production's broker transport"
        producer = Producer(channel)
        for number in (1, 2):
            producer.publish({"task": number}, routing_key=queue.name, declare=[queue])
        consumer = Consumer(
            channel, [queue], callbacks=[lambda body, message: received.append(message)]
        )
        try:
            with consumer:
                consumer.qos(prefetch_count=1)  # one slot: one lost answer would hold it
                connection.drain_events(timeout=5)
                first = received[0]
                with monkeypatch.context() as stall:
                    stall.setattr(redis.client.Pipeline, "execute", stalled)
                    # The error still reaches Celery, which logs « Couldn't ack ».
                    with pytest.raises(redis.exceptions.TimeoutError):
                        getattr(first, answer)()

                try:
                    connection.drain_events(timeout=5)
                except TimeoutError:
                    pytest.fail("the worker's slot stayed taken: the next task never came")
                assert [message.payload for message in received] == [{"task": 1}, {"task": 2}]
                received[1].ack()

                # Nothing is lost: the first message waits in Redis's index of unacknowledged
                # messages, delivered again once the visibility timeout has passed.
                client = channel.client
                assert client.hexists(channel.unacked_key, first.delivery_tag)
        finally:
            for message in received:
                channel.qos._remove_from_indices(message.delivery_tag).execute()
            queue(channel).delete()
