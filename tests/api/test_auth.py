"""API keys (operator) and chat tokens (buyer): who may call what, and what a refusal looks like."""

from __future__ import annotations

import hashlib
import io

import pytest
import time_machine
from django.core.management import call_command

from awn.channels.api.keys import create_key
from awn.channels.api.models import ApiKey
from awn.channels.api.tokens import mint
from tests.api.helpers import ApiClient, error

pytestmark = pytest.mark.django_db


def test_operator_endpoints_refuse_missing_malformed_and_unknown_keys(riyadh_buyer):
    for credential in (None, "nonsense", "awn_00000000_" + "x" * 43):
        r = ApiClient(credential).get("/api/v1/customers/riyadh")
        body = error(r, 401, "invalid_api_key")
        assert r["WWW-Authenticate"].startswith("Bearer")
        assert "riyadh" not in str(body)


def test_a_valid_key_reads_and_records_its_last_use(operator, api_key, riyadh_buyer):
    assert ApiKey.objects.get().last_used_at is None
    r = operator.get("/api/v1/customers/riyadh")
    assert r.status_code == 200 and r.json()["external_ref"] == "riyadh"
    first = ApiKey.objects.get().last_used_at
    assert first is not None
    operator.get("/api/v1/customers/riyadh")
    assert ApiKey.objects.get().last_used_at == first  # at most one write a minute


def test_a_revoked_key_is_refused_with_its_own_code(operator, riyadh_buyer):
    out = io.StringIO()
    call_command("apikey", "revoke", ApiKey.objects.get().prefix, stdout=out)
    assert "revoked" in out.getvalue()
    error(operator.get("/api/v1/customers/riyadh"), 401, "api_key_revoked")


def test_a_key_with_a_known_prefix_but_wrong_secret_is_refused(api_key, riyadh_buyer):
    forged = api_key[:-1] + ("A" if api_key[-1] != "A" else "B")
    error(ApiClient(forged).get("/api/v1/customers/riyadh"), 401, "invalid_api_key")


def test_apikey_create_prints_the_key_once_and_stores_only_its_hash(db):
    out, err = io.StringIO(), io.StringIO()
    call_command("apikey", "create", "orders-sync", stdout=out, stderr=err)
    plaintext = out.getvalue().strip()
    key = ApiKey.objects.get()
    assert plaintext.startswith(f"awn_{key.prefix}_")
    assert key.hashed_secret == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext not in key.hashed_secret and key.name == "orders-sync"
    listing = io.StringIO()
    call_command("apikey", "list", stdout=listing)
    assert key.prefix in listing.getvalue() and plaintext not in listing.getvalue()


def test_chat_tokens_are_minted_for_known_customers(operator, riyadh_buyer):
    r = operator.post("/api/v1/chat-tokens", {"customer": "riyadh"})
    assert r.status_code == 201
    body = r.json()
    assert body["customer"] == "riyadh"
    me = ApiClient(body["token"]).get("/api/v1/buyer/me")
    assert me.status_code == 200 and me.json()["customer"] == "riyadh"
    error(operator.post("/api/v1/chat-tokens", {"customer": "nobody"}), 422, "customer_not_found")
    error(operator.post("/api/v1/chat-tokens", {"customer": "riyadh", "ttl_seconds": 5}, validate_request=False), 422, "validation_error")


def test_a_chat_token_expires_after_its_lifetime(operator, riyadh_buyer):
    with time_machine.travel("2026-12-01T09:00:00Z", tick=False):
        token = operator.post("/api/v1/chat-tokens", {"customer": "riyadh", "ttl_seconds": 1800}).json()["token"]
    client = ApiClient(token)
    with time_machine.travel("2026-12-01T09:29:59Z", tick=False):
        assert client.get("/api/v1/buyer/me").status_code == 200
    with time_machine.travel("2026-12-01T09:30:01Z", tick=False):
        error(client.get("/api/v1/buyer/me"), 401, "token_expired")


def test_tampered_and_foreign_credentials_are_refused(riyadh_buyer, outsider, api_key):
    token = mint(riyadh_buyer).token
    payload, stamp, signature = token.split(":")
    # The same signature over another customer's id does not verify.
    other = mint(outsider).token.split(":")[0]
    error(ApiClient(f"{other}:{stamp}:{signature}").get("/api/v1/buyer/me"), 401, "invalid_token")
    error(ApiClient(token + "x").get("/api/v1/buyer/me"), 401, "invalid_token")
    error(ApiClient(None).get("/api/v1/buyer/me"), 401, "invalid_token")
    # Each credential opens only its own door.
    error(ApiClient(api_key).get("/api/v1/buyer/me"), 401, "invalid_token")
    error(ApiClient(token).get("/api/v1/customers/riyadh"), 401, "invalid_api_key")


def test_a_token_signed_with_another_secret_is_refused(riyadh_buyer, settings):
    token = mint(riyadh_buyer).token
    settings.SECRET_KEY = "another-secret-" + "x" * 40
    error(ApiClient(token).get("/api/v1/buyer/me"), 401, "invalid_token")


def test_create_key_needs_a_name(db):
    with pytest.raises(ValueError):
        create_key("  ")
