"""Celery's Redis transport, with a worker that never stops taking tasks after a Redis stall.

kombu's Redis transport acknowledges a task in two steps: it removes the message from Redis's
index of unacknowledged messages, then frees the worker's slot (its prefetch count). When
Redis does not answer the first step (a stall longer than ``socket_timeout``), the second is
skipped: the slot stays taken for good. With ``worker_prefetch_multiplier = 1`` a worker has as
many slots as processes (two), so two acknowledgements lost in a stall stop it from taking any
task until it is restarted, while beat keeps queuing the email sweep it never runs (seen in
``tests/faults/test_redis_outage.py``; kombu 5.7, ``kombu/transport/redis.py``, ``QoS.ack``).

Here the slot is freed whatever Redis answered; the error still reaches Celery, which logs
« Couldn't ack ». The message stays in Redis's index and is delivered again once the
visibility timeout has passed, as a task whose worker died already is
(``CELERY_TASK_ACKS_LATE``): the tasks are written to be run twice (an email is sent once).

Used by ``CELERY_BROKER_TRANSPORT`` (settings) whenever the broker is Redis.
"""

from kombu.transport import redis, virtual


class QoS(redis.QoS):
    def ack(self, delivery_tag):
        try:
            self._remove_from_indices(delivery_tag).execute()
        finally:
            virtual.QoS.ack(self, delivery_tag)

    def reject(self, delivery_tag, requeue=False):
        try:
            if requeue:
                self.restore_by_tag(delivery_tag, leftmost=True)
            else:
                self._remove_from_indices(delivery_tag).execute()
        finally:
            virtual.QoS.ack(self, delivery_tag)


class Channel(redis.Channel):
    QoS = QoS


class Transport(redis.Transport):
    Channel = Channel
