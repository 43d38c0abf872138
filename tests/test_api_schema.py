"""The OpenAPI document against a live server: schemathesis calls every operation with generated requests,
authenticated with a token; no server errors, and every response conforms to the document."""

from __future__ import annotations

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import PASSWORD

pytestmark = pytest.mark.slow

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 12


def test_document_lists_every_api_route(client, app):
    document = client.get("/api/v1/openapi.json").get_json()
    documented = [(path, method) for path, item in document["paths"].items() for method in item
                  if method != "parameters"]
    routes = [(rule.rule, method) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1") and rule.endpoint.split(".")[0] not in ("api-docs", "api_meta")
              for method in rule.methods - {"HEAD", "OPTIONS"}]
    assert len(documented) == len(routes) >= 35
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert document["paths"]["/api/v1/tokens"]["post"]["security"] == []


def run_operation(operation, base_url: str, headers: dict) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), derandomize=True)
    def check(case) -> None:
        case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)

    check()


def test_every_operation_conforms_to_the_document(live_server, org):
    answer = requests.post(f"{live_server}/api/v1/tokens", timeout=10,
                           json={"nip": org.appraiser_a.id_number, "password": PASSWORD, "name": "schemathesis"})
    assert answer.status_code == 201
    headers = {"Authorization": f"Bearer {answer.json()['token']}"}
    schema = schemathesis.openapi.from_url(f"{live_server}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    # Revoking tokens last, so that the run keeps its own token as long as possible.
    operations.sort(key=lambda op: (op.method.upper() == "DELETE" and op.path.startswith("/api/v1/tokens"), op.path))
    assert len(operations) >= 35
    for operation in operations:
        run_operation(operation, live_server, headers)
