"""Bad requests on purpose: each is a 4xx in the one error shape, with a stable code, storing nothing."""

from __future__ import annotations

import pytest

from awn.channels.api.api import JSON_BODY_LIMIT
from awn.marketplace.models import Customer
from tests.api.helpers import error

pytestmark = pytest.mark.django_db

PATH = "/api/v1/customers/cust-1"


def test_malformed_json_is_400_malformed_json(operator):
    body = error(operator.put(PATH, raw='{"display_name": "x",'), 400, "malformed_json")
    assert body["details"]["line"] == 1
    error(operator.put(PATH, raw='{"display_name": NaN, "market": "SA"}'), 400, "malformed_json")
    assert not Customer.objects.exists()


def test_a_body_that_is_not_utf8_is_400_invalid_utf8(operator):
    error(operator.put(PATH, raw=b'{"display_name": "\xd9", "market": "SA"}'), 400, "invalid_utf8")
    # Valid JSON, but a lone surrogate cannot be stored as text anywhere.
    error(operator.put(PATH, raw='{"display_name": "\\ud800", "market": "SA"}'), 400, "invalid_utf8")
    error(operator.put(PATH, raw='{"display_name": "a\\u0000b", "market": "SA"}'), 400, "invalid_characters")
    assert not Customer.objects.exists()


def test_a_body_over_the_limit_is_413_before_anything_else(operator):
    big = '{"display_name": "' + "x" * JSON_BODY_LIMIT + '", "market": "SA"}'
    error(operator.put(PATH, raw=big), 413, "payload_too_large")


def test_wrong_types_missing_and_unknown_fields_are_422_with_paths(operator):
    r = operator.put(PATH, {"display_name": ["x"], "identities": "none", "nickname": "x"}, validate_request=False)
    fields = {(x["field"], x["type"]) for x in error(r, 422, "validation_error")["details"]["fields"]}
    assert ("display_name", "string_type") in fields
    assert ("market", "missing") in fields
    assert ("identities", "list_type") in fields
    assert ("nickname", "extra_forbidden") in fields
    error(operator.put(PATH, raw="[1, 2]"), 422, "validation_error")


def test_unknown_endpoints_answer_in_the_error_shape(operator):
    r = operator.client.get("/api/v1/no-such-thing")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_a_wrong_method_is_405_in_the_error_shape(operator):
    r = operator.client.delete(PATH)
    assert r.status_code == 405 and r.json()["code"] == "method_not_allowed"
    assert set(r.json()["details"]["allowed"]) == {"GET", "PUT"} and "PUT" in r["Allow"]
