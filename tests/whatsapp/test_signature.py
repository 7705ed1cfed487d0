"""The webhook's front door: handshake, signature over raw bytes, header abuse, size cap."""

from __future__ import annotations

import json

import pytest

from awn.channels.whatsapp.models import Delivery
from awn.channels.whatsapp.signature import SignatureError, sign, verify
from tests.whatsapp.conftest import REAL, REAL_SECRET, SECRET, VERIFY_TOKEN, meta_bytes, post, text_delivery
from tests.whatsapp.paths import PAYLOADS

RAW = (PAYLOADS / "21_pywa_real_signed_text.raw.json").read_bytes()


def test_the_real_delivery_verifies_with_its_secret_golden_vector():
    assert sign(REAL_SECRET, RAW) == REAL["X-Hub-Signature-256"]
    assert verify(RAW, REAL["X-Hub-Signature-256"], [b"other", REAL_SECRET.encode()]) == 1


def test_the_real_delivery_is_accepted_and_stored_byte_for_byte(client, accounts):
    response = post(client, RAW, signature=REAL["X-Hub-Signature-256"])
    assert response.status_code == 200
    delivery = Delivery.objects.get()
    assert bytes(delivery.body) == RAW
    assert delivery.account == accounts["pywa_app"]


def test_one_changed_byte_fails(client, accounts):
    tampered = RAW.replace(b"Hey there", b"Hey There")
    assert post(client, tampered, signature=REAL["X-Hub-Signature-256"]).status_code == 403
    assert not Delivery.objects.exists()


def test_reserialised_arabic_body_fails_verification(client, accounts):
    wire = meta_bytes(text_delivery("وين طلبي؟ الطلب رقم ٨١٠٠٠٠٠١"))
    assert b"\\u0648" in wire and "و".encode() not in wire  # Meta escapes non-ASCII as \uXXXX
    signature = sign(SECRET, wire)
    assert post(client, wire, signature=signature).status_code == 200
    reserialised = json.dumps(json.loads(wire), ensure_ascii=False).encode()  # what a framework's parser would give
    assert reserialised != wire
    assert post(client, reserialised, signature=signature).status_code == 403
    assert post(client, json.dumps(json.loads(wire)).encode(), signature=signature).status_code == 403
    assert Delivery.objects.count() == 1


@pytest.mark.parametrize("header, status", [
    (None, 401),
    ("", 401),
    ("sha256=", 401),
    ("sha1=" + "0" * 40, 401),
    ("sha256=" + "z" * 64, 401),
    ("sha256=" + "0" * 63, 401),
    ("sha256=" + "0" * 64, 403),
    ("sha256=é" + "0" * 63, 401),
    ("sha256=" + "٠" * 64, 401),  # Arabic-Indic zeros: non-ASCII "digits"
    ("sha256=\u202e" + "0" * 64, 401),
    ("sha256=" + "0" * 64 + "\x00", 401),
    ("garbage 💥", 401),
])
def test_missing_malformed_or_non_ascii_signature_is_401_or_403_never_500(client, accounts, header, status):
    body = meta_bytes(text_delivery("hello"))
    response = post(client, body, secret=None, signature=header)
    assert response.status_code == status
    assert not Delivery.objects.exists()


def test_non_ascii_header_as_raw_bytes_never_raises():
    with pytest.raises(SignatureError) as info:
        verify(b"{}", "sha256=ü".encode("latin-1"), [b"k"])
    assert info.value.status == 401
    with pytest.raises(SignatureError) as info:
        verify(b"{}", "sha256=" + "ü" * 64, [b"k"])
    assert info.value.status == 401


def test_uppercase_hex_is_accepted(client, accounts):
    body = meta_bytes(text_delivery("hello"))
    assert post(client, body, signature=sign(SECRET, body).upper().replace("SHA256=", "sha256=")).status_code == 200


def test_rotated_secret_previous_still_accepted_until_cleared(client, accounts):
    from awn.channels.whatsapp.views import keys

    account = accounts["main"]
    account.set_app_secret("new-secret")
    account.save()
    keys.clear()
    body = meta_bytes(text_delivery("hello"))
    assert post(client, body, secret="new-secret").status_code == 200
    assert post(client, body, secret=SECRET).status_code == 200
    account.previous_app_secret_enc = ""
    account.save()
    assert post(client, body, secret=SECRET).status_code == 403


def test_body_over_the_cap_is_413_before_any_check(client, accounts, settings):
    settings.AWN_WHATSAPP_MAX_BODY_BYTES = 1000
    body = meta_bytes(text_delivery("x" * 2000))
    assert post(client, body).status_code == 413
    assert not Delivery.objects.exists()


def test_a_3_mb_delivery_fits_the_default_cap(client, accounts):
    body = meta_bytes(text_delivery("x" * (3 * 1024 * 1024 - 1000)))
    assert post(client, body).status_code == 200


def test_other_methods_are_refused(client, accounts):
    assert client.put("/webhooks/whatsapp/", data=b"{}").status_code == 405


# --------------------------------------------------------------------------- GET handshake


def test_handshake_returns_the_challenge_as_plain_text(client, accounts):
    response = client.get("/webhooks/whatsapp/", {"hub.mode": "subscribe", "hub.challenge": "1158201444",
                                                  "hub.verify_token": VERIFY_TOKEN})
    assert response.status_code == 200
    assert response.content == b"1158201444"
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize("params", [
    {"hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": "wrong"},
    {"hub.mode": "unsubscribe", "hub.challenge": "1", "hub.verify_token": VERIFY_TOKEN},
    {"hub.challenge": "1", "hub.verify_token": VERIFY_TOKEN},
    {"hub.mode": "subscribe", "hub.challenge": "<script>alert(1)</script>", "hub.verify_token": VERIFY_TOKEN},
    {"hub.mode": "subscribe", "hub.challenge": "1" * 500, "hub.verify_token": VERIFY_TOKEN},
    {"hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": "تحقق"},
    {"hub.mode": "subscribe", "hub.challenge": "1"},
])
def test_handshake_refuses_wrong_mode_token_or_challenge(client, accounts, params):
    response = client.get("/webhooks/whatsapp/", params)
    assert response.status_code == 403
    assert b"script" not in response.content
