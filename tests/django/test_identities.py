from __future__ import annotations

import pytest
from django.db import IntegrityError

from awn.core import clock
from awn.marketplace.identities import InvalidIdentity, normalize_identity
from awn.marketplace.models import CustomerIdentity


@pytest.mark.parametrize(
    ("kind", "raw", "region", "expected"),
    [
        ("phone", "+966 50 000 0101", None, "+966500000101"),
        ("phone", "٠٥٠٠٠٠٠١٠١", "SA", "+966500000101"),  # Arabic-Indic digits, national format
        ("phone", "۰۱۰۰۰۰۰۰۱۰۲", "EG", "+201000000102"),  # Persian digits
        ("email", "  Noura@Example.COM ", None, "noura@example.com"),
        ("whatsapp", "966500000101", None, "966500000101"),
    ],
)
def test_identities_are_normalised(kind, raw, region, expected):
    assert normalize_identity(kind, raw, region) == expected


@pytest.mark.parametrize(("kind", "raw"), [("phone", "12"), ("phone", "call me"), ("email", "no-at-sign"),
                                           ("email", ""), ("whatsapp", " "), ("fax", "1")])
def test_bad_identities_are_refused(kind, raw):
    with pytest.raises(InvalidIdentity):
        normalize_identity(kind, raw, "SA")


def test_an_identity_belongs_to_one_buyer(riyadh_buyer, cairo_buyer):
    with pytest.raises(IntegrityError):
        CustomerIdentity.objects.create(customer=cairo_buyer, kind="phone", value="+966500000201")


def test_rehearsal_clock(monkeypatch, settings):
    monkeypatch.setenv("AWN_NOW", "2026-04-02T12:00:00+03:00")
    assert clock.now().isoformat() == "2026-04-02T09:00:00+00:00"
    monkeypatch.setenv("AWN_NOW", "garbage")
    with pytest.raises(Exception, match="not an ISO 8601 instant"):
        clock.now()
    monkeypatch.delenv("AWN_NOW")
    assert clock.now().tzinfo is not None
