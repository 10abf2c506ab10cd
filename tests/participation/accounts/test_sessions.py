"""A sign-out ends the session for good, even when Redis is out of reach at that moment."""

import pytest
from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

pytestmark = [pytest.mark.django_db, pytest.mark.needs("redis")]


def redis_out_of_reach(*args, **kwargs):
    raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_a_sign_out_during_a_redis_outage_stays_signed_out_once_redis_is_back(
    client, alice, monkeypatch
):
    client.force_login(alice)
    profile = reverse("accounts:profile")
    assert client.get(profile).status_code == 200
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    with monkeypatch.context() as outage:
        outage.setattr(RedisCache, "delete", redis_out_of_reach)
        client.post(reverse("account_logout"))
    # Redis is back; someone replays the cookie the browser had before signing out.
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie
    response = client.get(profile)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_an_ordinary_sign_out_ends_only_that_session(client, alice, django_user_model):
    from django.test import Client

    other_device = Client()
    other_device.force_login(alice)
    client.force_login(alice)

    client.post(reverse("account_logout"))

    assert django_user_model.objects.get(pk=alice.pk).session_epoch == 0
    assert other_device.get(reverse("accounts:profile")).status_code == 200
