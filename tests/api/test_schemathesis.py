"""Schemathesis against /api/schema/ on a live test server: no server error, nothing the
schema does not say (status codes, content types, bodies, headers).

Reads are tried anonymously on every operation; writes with a signed-in session and its CSRF
token: creating an expression as a verified resident, the field sync as a mediator. The
number of examples is kept small (the whole module takes well under a minute).
"""

import pytest
import requests
import schemathesis
from django.contrib.sessions.backends.db import SessionStore
from django.middleware.csrf import _get_new_csrf_string
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from consultations.models import Status, Visibility
from participation.accounts.models import Role
from tests.consultations.factories import ExpressionFactory, ObjectifFactory, QuartierFactory
from tests.evenements.factories import EvenementFactory, InscriptionFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.slow

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
BOUNDED = hypothesis_settings(
    max_examples=12,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def platform_data(transactional_db, settings):
    settings.EXPRESSION_RATE_LIMIT = "10000/h"
    settings.FIELD_EXPRESSION_RATE_LIMIT = "10000/h"
    rimbart = QuartierFactory(slug="rimbart", name="Rimbart", short_name="Rimbart")
    objectif = ObjectifFactory(quartier=rimbart)
    event = EvenementFactory(quartiers=[rimbart], capacity=10)
    InscriptionFactory(evenement=event)
    ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE, objectifs=[objectif])
    ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE, visibility=Visibility.PUBLIC_NAMED)
    return rimbart


@pytest.fixture
def api_schema(live_server, platform_data):
    return schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")


def signed_in(user) -> requests.Session:
    """A requests session carrying a Django session cookie for ``user`` and a CSRF token."""
    store = SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store.create()
    token = _get_new_csrf_string()
    session = requests.Session()
    session.cookies.set("sessionid", store.session_key)
    session.cookies.set("csrftoken", token)
    session.headers["X-CSRFToken"] = token
    return session


def run_operations(schema, *, session=None) -> list[str]:
    """Every operation of ``schema``, valid then invalid data; the failures, one line each.

    (Schemathesis' own pytest plugin does not run on this pytest; its strategies and checks
    are used directly with Hypothesis.)
    """
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, "no operation matched"
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @BOUNDED
            @given(case=operation.as_strategy(generation_mode=mode))
            def check(case):
                case.call_and_validate(session=session, checks=CHECKS)

            try:
                check()
            except Unsatisfiable:
                continue  # no invalid data can be made for this operation (a slug in the path)
            except Exception as exc:  # noqa: BLE001 - reported together below
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    return failures


def test_anonymous_reads_never_fail_nor_contradict_the_schema(api_schema):
    failures = run_operations(api_schema.include(method="GET"))

    assert not failures, "\n\n".join(failures)


def test_creating_an_expression_never_fails_nor_contradicts_the_schema(api_schema):
    resident = UserFactory(role=Role.HABITANT, display_name="Camille")
    with signed_in(resident) as session:
        failures = run_operations(
            api_schema.include(method="POST", path="/api/expressions/"), session=session
        )

    assert not failures, "\n\n".join(failures)


def test_the_field_sync_never_fails_nor_contradicts_the_schema(api_schema):
    mediator = UserFactory(role=Role.MEDIATEUR)
    with signed_in(mediator) as session:
        failures = run_operations(api_schema.include(path_regex="^/api/terrain/"), session=session)

    assert not failures, "\n\n".join(failures)
