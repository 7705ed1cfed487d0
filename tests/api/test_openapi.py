"""The published OpenAPI schema: served, complete, and honest about errors."""

from __future__ import annotations

from django.test import Client

from tests.api.helpers import spec


def test_the_schema_and_the_docs_are_served(db):
    assert spec()["info"]["title"] == "Awn API"
    r = Client().get("/api/docs")
    assert r.status_code == 200 and b"openapi.json" in r.content


def test_every_operation_documents_its_errors_in_the_one_shape(db):
    paths = spec()["paths"]
    assert len(paths) >= 25
    for path, operations in paths.items():
        for method, op in operations.items():
            for code in ("401", "422"):
                schema = op["responses"][code]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, code)
            assert op.get("security"), f"{method} {path} has no authentication"
            if path.startswith("/api/v1/buyer/"):
                assert "404" in op["responses"] or path.endswith(("/me", "/conversations", "/orders")), path
