"""Official contact channels, and numbers a buyer asks about (scenario 11).

Only the operator's ``OfficialChannel`` rows for the buyer's market are ever quoted; no number is
written in code. A number or address the buyer quotes that is not on that list gets a clear warning:
fake "support" numbers are a common way to steal codes, passwords and payments.
"""

from __future__ import annotations

import phonenumbers

from awn.assistant.turn import Turn
from awn.core.digits import to_ascii_digits
from awn.helpdesk.models import ChannelKind, OfficialChannel
from awn.marketplace.identities import InvalidIdentity, normalize_phone

PHONE_KINDS = (ChannelKind.WHATSAPP, ChannelKind.PHONE)
LRI, PDI = "\u2066", "\u2069"  # keep +966 … left-to-right inside Arabic text


def _ltr(turn: Turn, value: str) -> str:
    return f"{LRI}{value}{PDI}" if turn.lang == "ar" else value


def _pretty_phone(value: str) -> str:
    try:
        return phonenumbers.format_number(phonenumbers.parse(value), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return value


def _asked_phones(turn: Turn) -> list[tuple[str, str]]:
    """(E.164, as typed) for each phone in the message, a national number read in the buyer's market."""
    out = []
    for entity in turn.u.entities:
        if entity.type != "phone":
            continue
        typed = to_ascii_digits(entity.text or str(entity.value)).strip()
        value = str(entity.value)
        if not typed.startswith(("+", "00")):
            try:
                value = normalize_phone(typed, turn.market)
            except InvalidIdentity:
                pass
        out.append((value, entity.text or value))
    return out


def handle(turn: Turn) -> None:
    market = turn.market
    channels = list(OfficialChannel.objects.filter(market=market, active=True).order_by("kind", "id"))
    market_name = turn.t(f"market.{market}")
    asked_any = False
    for value, _typed in _asked_phones(turn):
        asked_any = True
        match = next((c for c in channels if c.kind in PHONE_KINDS and c.value == value), None)
        shown = _ltr(turn, _pretty_phone(value))
        if match is not None:
            turn.say("contact.official", value=shown, kind=_label(turn, match), market=market_name)
        else:
            turn.say("contact.not_official", value=shown, market=market_name)
            turn.say("contact.scam_warning")
    for email in turn.u.all("email"):
        asked_any = True
        address = str(email).strip().lower()
        match = next((c for c in channels if c.kind == ChannelKind.EMAIL and c.value.lower() == address), None)
        if match is not None:
            turn.say("contact.official", value=_ltr(turn, address), kind=_label(turn, match), market=market_name)
        else:
            turn.say("contact.not_official", value=_ltr(turn, address), market=market_name)
            turn.say("contact.scam_warning")
    if not channels:
        turn.say("contact.none_configured")
        return
    turn.say("contact.list_intro", market=market_name)
    turn.bullets([f"{_label(turn, c)}: {_ltr(turn, _display(c))}" for c in channels])
    if not asked_any:
        turn.say("contact.only_these")
    turn.say("contact.here")


def _display(channel: OfficialChannel) -> str:
    return _pretty_phone(channel.value) if channel.kind in PHONE_KINDS else channel.value


def _label(turn: Turn, channel: OfficialChannel) -> str:
    label = channel.label_ar if turn.lang == "ar" else channel.label_en
    return label or turn.t(f"channel.{channel.kind}")
