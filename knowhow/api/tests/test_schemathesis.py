"""Property-based run of schemathesis against the live OpenAPI document, in process (WSGI).

Every operation gets a bounded number of generated requests, anonymous and with a token: no
response may be a server error or disagree with the schema the API publishes.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def in_test_transaction():
    """Keep the test's connection across requests, as Django's test client does: the WSGI
    app would otherwise close it at the end of each request (it is not in autocommit)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(db, settings, django_capture_on_commit_callbacks, in_test_transaction):
    """Some content for generated ids to hit, a token, and write limits out of the way."""
    from knowhow.accounts.services import api_token_create
    from knowhow.core.tests.factories import AnswerFactory, QuestionFactory, UserFactory

    settings.API_WRITE_LIMIT_PER_CALLER = 1_000_000
    settings.API_WRITE_LIMIT_PER_IP = 1_000_000
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(3):
            q = QuestionFactory(author=user if i == 0 else None, tags=("alpha", "beta"))
            AnswerFactory(question=q)
    _, raw = api_token_create(user=user, name="schemathesis")
    return {"Authorization": f"Bearer {raw}"}


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_api_conforms_to_its_schema(case, seeded):
    from django.core.cache import cache

    cache.clear()
    case.call_and_validate(checks=CHECKS)
    case.call_and_validate(headers=seeded, checks=CHECKS)
