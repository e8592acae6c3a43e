"""Schemathesis fuzzes every operation of the served OpenAPI document: never a 5xx.

Each operation gets generated requests — valid and invalid bodies, queries, headers and
paths — sent over HTTP to the real server with a real device token, and its answers are
checked against the document (status codes, content types, bodies). Kept short: a few
dozen examples per operation.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.support.backend import Backend

EXAMPLES = 15


@pytest.fixture
def api_schema(backend: Backend) -> Any:
    """The document the running server serves, pointed at that server."""
    return schemathesis.openapi.from_url(f"{backend.url}/openapi.json")


@pytest.fixture
def token(backend: Backend) -> str:
    """A device token of a fresh account with a few records."""
    from tests.server.helpers import push

    token = backend.new_account("fuzz")
    with backend.client(token) as http:
        push(http, 0, {f"k{i}": f"v{i}" for i in range(3)})
    return token


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_operation_fails_or_strays_from_the_document(case: Any, token: str) -> None:
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 500, (case.method, case.path, response.text)
    case.validate_response(response)
