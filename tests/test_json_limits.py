"""Hostile JSON bodies (nested 100,000 levels, numbers with thousands of digits, 1e999, NaN) answer 400 with the
API's JSON error on every endpoint that reads JSON, anonymous or signed in, and nothing is logged as a crash."""

from __future__ import annotations

import json
import logging

import pytest

from kinerja import json_input
from kinerja.api.tokens import issue as issue_token
from tests.factories import PASSWORD

DEEP = "[" * 100_000 + "]" * 100_000
LONG_INT = '{"quantity": ' + "7" * 5_000 + "}"
LONG_FLOAT = '{"quantity": 1.' + "5" * 5_000 + "}"
HOSTILE = {"deep": DEEP, "deep-object": '{"a":' * 50_000 + "1" + "}" * 50_000, "long-int": LONG_INT,
           "long-float": LONG_FLOAT, "infinite": '{"quantity": 1e999}', "nan": '{"quantity": NaN}'}


def post_raw(client, path: str, body: str, **headers):
    return client.post(path, data=body, content_type="application/json", headers=headers)


def assert_bad_request(response, caplog) -> None:
    assert response.status_code == 400
    assert response.get_json() == {"error": {"code": "bad_request", "message": "Permintaan tidak valid.",
                                             "fields": {}}}
    assert [record for record in caplog.records if record.exc_info or record.levelno >= logging.ERROR] == []


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
def test_token_request_refuses_hostile_json_with_400(client, org, caplog, body):
    caplog.set_level(logging.DEBUG)
    assert_bad_request(post_raw(client, "/api/v1/tokens", body), caplog)


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
def test_signed_in_endpoint_refuses_hostile_json_with_400(client, org, caplog, body):
    token = issue_token(org.staff_a.id_number, PASSWORD, "uji").secret
    caplog.set_level(logging.DEBUG)
    response = post_raw(client, "/api/v1/activities", body, Authorization=f"Bearer {token}")
    assert_bad_request(response, caplog)


def test_a_token_request_nested_just_under_the_stack_limit_is_refused_too(client, org, caplog):
    """900 levels parse without RecursionError; the limit on depth keeps them from reaching the sign-in's keys."""
    caplog.set_level(logging.DEBUG)
    body = '{"nip": ' + "[" * 900 + "]" * 900 + ', "password": "x", "name": "HP"}'
    assert_bad_request(post_raw(client, "/api/v1/tokens", body), caplog)


def test_ordinary_json_still_works_after_refusals(client, org):
    assert post_raw(client, "/api/v1/tokens", DEEP).status_code == 400
    response = client.post("/api/v1/tokens", json={"nip": org.staff_a.id_number, "password": PASSWORD,
                                                   "name": "HP Android"})
    assert response.status_code == 201


def test_limits_at_their_edges():
    at_limit = "[" * json_input.MAX_DEPTH + "]" * json_input.MAX_DEPTH
    assert json_input.depth(json_input.loads(at_limit)) == json_input.MAX_DEPTH
    with pytest.raises(json_input.JSONLimitError):
        json_input.loads("[" + at_limit + "]")
    longest = "9" * json_input.MAX_NUMBER_LENGTH
    assert json_input.loads(f"[{longest}, -1.5, 2e10]") == [int(longest), -1.5, 2e10]
    with pytest.raises(json_input.JSONLimitError):
        json_input.loads("9" + longest)


def test_flask_get_json_uses_the_limits(app):
    """Any page that reads request.get_json() gets the same refusal: a 400, or None when silent."""
    with app.test_request_context("/", method="POST", data=DEEP, content_type="application/json") as context:
        assert context.request.get_json(silent=True) is None
    with app.test_request_context("/", method="POST", data=LONG_INT, content_type="application/json") as context:
        from werkzeug.exceptions import BadRequest
        with pytest.raises(BadRequest):
            context.request.get_json()
    assert app.json.loads(json.dumps({"a": [1, 2.5, "x"]})) == {"a": [1, 2.5, "x"]}
