"""Normalising the ways buyers are known (email, phone, WhatsApp id) so one person maps to one row."""

from __future__ import annotations

import re

import phonenumbers

from awn.core.digits import to_ascii_digits

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class InvalidIdentity(ValueError):
    def __init__(self, kind: str, value: str, why: str) -> None:
        super().__init__(f"invalid {kind} {value!r}: {why}")
        self.kind = kind
        self.value = value


def normalize_email(value: str) -> str:
    email = value.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise InvalidIdentity("email", value, "not an email address")
    return email


def normalize_phone(value: str, region: str | None = None) -> str:
    """Return the E.164 form of a phone number typed in any common way (Arabic-Indic digits included)."""
    text = to_ascii_digits(value).strip()
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidIdentity("phone", value, str(exc)) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidIdentity("phone", value, "not a valid number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_whatsapp(value: str) -> str:
    wa = to_ascii_digits(value).strip()
    if not wa or len(wa) > 128 or any(c.isspace() for c in wa):
        raise InvalidIdentity("whatsapp", value, "empty or malformed WhatsApp id")
    return wa


def normalize_identity(kind: str, value: str, region: str | None = None) -> str:
    if kind == "email":
        return normalize_email(value)
    if kind == "phone":
        return normalize_phone(value, region)
    if kind == "whatsapp":
        return normalize_whatsapp(value)
    raise InvalidIdentity(kind, value, "unknown identity kind")
