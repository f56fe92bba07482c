"""Schemathesis against the served OpenAPI document: the real server over loopback with the
seeded test data, signed in as each role. Any 5xx, any answer that does not match its
documented schema and any status the document does not list for the operation fails the test.

Derandomized (the same examples every run) and bounded: ``EXAMPLES`` per operation, role and
mode keep it to about a minute on a busy CI machine."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.server.helpers import served

EXAMPLES = 20
ROLES = {"homeroom": "gvcn", "subject": "gv-toan", "parent": "ph1", "principal": "hieutruong"}
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """The base URL and a bearer header per role, all signed in before any fuzzing: fuzzed
    logins soon reach the address's failure limit."""
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('fuzz')) / 'server.sqlite3'}"
    with served(url) as (_store, _seeded, api):
        tokens = {role: api.token(username) for role, username in ROLES.items()}
        yield str(api.http.base_url).rstrip("/"), tokens


@pytest.mark.parametrize("role", list(ROLES))
def test_the_server_answers_what_it_documents(
    server: tuple[str, dict[str, str]], role: str
) -> None:
    base_url, tokens = server
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    auth = {"Authorization": f"Bearer {tokens[role]}"}
    statuses: Counter[int] = Counter()
    print(f"schemathesis derandomized, {EXAMPLES} examples per operation and mode, as {role}")
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            )
            def fuzz(case: schemathesis.Case) -> None:
                response = case.call(base_url=base_url, headers=auth, timeout=30)
                statuses[response.status_code] += 1
                # A failure names the check and prints a curl command that reproduces it.
                case.validate_response(response, checks=CHECKS)

            fuzz()
    print("answers by status:", dict(sorted(statuses.items())))
    assert sum(statuses.values()) > 100  # the fuzzing ran
