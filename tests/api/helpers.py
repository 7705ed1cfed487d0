"""Calling the API as a client would, and checking every answer against the OpenAPI schema.

Every response must be documented for its operation and status code, and its body must validate
against that documentation; request bodies meant to be valid are validated too (zulip's
``validate_against_openapi_schema`` idea, with ``jsonschema``).
"""

from __future__ import annotations

import json
import re
import sys
import types
from collections.abc import Callable
from functools import cache
from typing import Any

from django.test import Client
from jsonschema import Draft202012Validator

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf0000000301010018dd8db00000000049454e44ae426082"
)


@cache
def spec() -> dict[str, Any]:
    response = Client().get("/api/openapi.json")  # exactly what the API publishes
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


@cache
def _routes() -> list[tuple[re.Pattern[str], str]]:
    routes = []
    for template in spec()["paths"]:
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", re.escape(template).replace(r"\{", "{").replace(r"\}", "}")) + "$"
        routes.append((re.compile(pattern), template))
    return routes


def operation(method: str, path: str) -> dict[str, Any]:
    path = path.split("?", 1)[0]
    for pattern, template in _routes():
        if pattern.match(path):
            op = spec()["paths"][template].get(method.lower())
            assert op is not None, f"{method} {template} is not in the OpenAPI schema"
            return op
    raise AssertionError(f"{path} matches no path of the OpenAPI schema")


def _validate(instance: Any, schema: dict[str, Any], what: str) -> None:
    document = {**schema, "components": spec().get("components", {})}
    errors = sorted(Draft202012Validator(document).iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, f"{what} does not match the OpenAPI schema: " + "; ".join(
        f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:5])


def check_request(method: str, path: str, body: Any) -> None:
    op = operation(method, path)
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    _validate(body, schema, f"request {method} {path}")


def check_response(method: str, path: str, response: Any) -> None:
    op = operation(method, path)
    status = str(response.status_code)
    assert status in op["responses"], f"{method} {path} answered {status}, undocumented ({sorted(op['responses'])})"
    content = op["responses"][status].get("content", {}).get("application/json")
    assert content is not None, f"{method} {path} {status}: no JSON schema documented"
    _validate(response.json(), content["schema"], f"response {status} of {method} {path}")


class ApiClient:
    """A Django test client that sends a bearer credential and checks each exchange against the schema."""

    def __init__(self, credential: str | None = None) -> None:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {credential}"} if credential else {}
        self.client = Client(**headers)

    def call(self, method: str, path: str, body: Any = None, *, raw: bytes | str | None = None,
             content_type: str = "application/json", validate_request: bool = True, **extra: Any) -> Any:
        send: Callable[..., Any] = getattr(self.client, method.lower())
        if raw is not None:
            response = send(path, data=raw, content_type=content_type, **extra)
        elif body is not None:
            if validate_request:
                check_request(method, path, body)
            response = send(path, data=json.dumps(body, ensure_ascii=False), content_type=content_type, **extra)
        else:
            response = send(path, **extra)
        check_response(method, path, response)
        return response

    def get(self, path: str, **kw: Any) -> Any:
        return self.call("GET", path, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("PUT", path, body, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.call("POST", path, body, **kw)

    def upload(self, path: str, fields: dict[str, Any]) -> Any:
        response = self.client.post(path, data=fields)  # multipart
        check_response("POST", path, response)
        return response


def error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.content[:500])
    body = response.json()
    assert set(body) == {"code", "message", "details"}, body
    assert body["code"] == code, body
    return body


def fake_assistant(monkeypatch: Any, respond: Callable[..., Any] | None = None) -> list[Any]:
    """Stand in for ``awn.assistant`` (the dialogue manager, tested on its own): each buyer message
    gets one reply, with two quick-reply choices when the buyer did not pick one."""
    from awn.helpdesk.services import Reply

    calls: list[Any] = []

    def default(conversation: Any, message: Any, *, now: Any) -> list[Reply]:
        calls.append(message)
        if message.choice_id:
            return [Reply(text=f"picked {message.choice_id}", intent="affirm")]
        return [Reply(text=f"echo: {message.text}", intent="greeting",
                      choices=[{"id": "order:1", "title": "الطلب الأول"}, {"id": "order:2", "title": "الطلب الثاني"}])]

    module = types.ModuleType("awn.assistant")
    module.respond = respond or default  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "awn.assistant", module)
    return calls
