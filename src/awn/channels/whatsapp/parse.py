"""Reading a webhook delivery into plain events: messages, statuses, value-level errors, other fields.

No Django here. Nothing is assumed present (Meta's own examples omit ``contacts``, timestamps and
ids; usernames may arrive without a phone number) and nothing is dropped: a shape this module does
not understand becomes an unsupported message or an ``OtherChange`` that keeps its raw JSON.
Every entry, change, message and status of a delivery is read, not only the first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

MEDIA_TYPES = ("image", "video", "audio", "sticker", "document")
# Types handed to the conversation as a buyer turn; reactions and system notices are only recorded.
TURN_TYPES = ("text", "interactive", "button", "location", "contacts", *MEDIA_TYPES)
RECORDED_TYPES = ("reaction", "system")
STATUS_RANK = {"sent": 1, "delivered": 2, "read": 3, "played": 4}  # "failed" is recorded beside the rank


class PayloadError(ValueError):
    """The body is not a JSON object: stored, marked failed, never retried."""


@dataclass(frozen=True)
class Sender:
    wa_id: str = ""  # phone number as digits, no "+"; may be missing for username users
    bsuid: str = ""  # business-scoped user id, e.g. "US.13491208655302741918"
    parent_bsuid: str = ""
    username: str = ""
    name: str = ""

    @property
    def key(self) -> str:
        """How Awn knows this buyer on a number: the BSUID when present, else the phone number."""
        return self.bsuid or self.wa_id


@dataclass(frozen=True)
class Media:
    kind: str  # image, video, audio, sticker, document
    media_id: str = ""
    mime_type: str = ""
    sha256: str = ""  # as Meta sent it (base64 in webhooks, hex from the media endpoint)
    caption: str = ""
    filename: str = ""
    url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # voice, animated, …


@dataclass(frozen=True)
class InboundEvent:
    phone_number_id: str
    display_phone_number: str
    waba_id: str
    wamid: str
    type: str
    timestamp: datetime | None
    sender: Sender
    text: str = ""  # body, caption, or the title of the picked button / row
    choice_id: str = ""  # id of the picked reply button / list row / template quick reply (payload)
    media: Media | None = None
    attachment: dict[str, Any] | None = None  # {"kind": "location"|"contacts"|"unsupported", "meta": {…}}
    reaction: dict[str, Any] | None = None  # {"message_id", "emoji", "removed"}
    system: dict[str, Any] | None = None
    reply_to: str = ""  # context.id: the wamid being replied to
    context: dict[str, Any] = field(default_factory=dict)
    referral: dict[str, Any] | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    supported: bool = True
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def is_turn(self) -> bool:
        """Handed to the conversation (a buyer turn), as opposed to only recorded."""
        return self.type not in RECORDED_TYPES


@dataclass(frozen=True)
class StatusEvent:
    phone_number_id: str
    wamid: str
    status: str
    timestamp: datetime | None
    recipient_id: str = ""
    recipient_bsuid: str = ""
    errors: list[dict[str, Any]] = field(default_factory=list)
    pricing: dict[str, Any] = field(default_factory=dict)
    conversation: dict[str, Any] = field(default_factory=dict)
    callback_data: str = ""  # biz_opaque_callback_data: Awn puts its outbound row id there
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def error_code(self) -> int | None:
        return _int(self.errors[0].get("code")) if self.errors else None


@dataclass(frozen=True)
class ErrorEvent:
    """A value-level ``errors[]`` item: a problem Meta reports out of band (no message, no status)."""

    phone_number_id: str
    code: int | None
    title: str
    message: str
    details: str
    raw: dict[str, Any]


@dataclass(frozen=True)
class OtherChange:
    """A change Awn does not act on (another ``field``, or a shape it cannot read): kept raw."""

    field: str
    waba_id: str
    reason: str
    raw: Any


@dataclass
class Delivery:
    object: str = ""
    messages: list[InboundEvent] = field(default_factory=list)
    statuses: list[StatusEvent] = field(default_factory=list)
    errors: list[ErrorEvent] = field(default_factory=list)
    others: list[OtherChange] = field(default_factory=list)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def parse_timestamp(value: Any) -> datetime | None:
    """Meta sends unix seconds as a string ("1749416383"), sometimes as a number."""
    seconds = _int(value)
    if seconds is None or seconds <= 0 or seconds > 32503680000:  # beyond year 3000: not a timestamp
        return None
    return datetime.fromtimestamp(seconds, UTC)


def parse_body(body: bytes) -> Delivery:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadError(f"not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise PayloadError("the delivery is not a JSON object")
    if b"\\u0000" in body:  # PostgreSQL refuses NUL in text and jsonb: drop it, keep the rest
        data = _without_nul(data)
    return parse_delivery(data)


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    return value


def parse_delivery(data: dict[str, Any]) -> Delivery:
    delivery = Delivery(object=_str(data.get("object")))
    entries = data.get("entry")
    if not isinstance(entries, list):
        delivery.others.append(OtherChange("", "", "no entry array", data))
        return delivery
    for entry in entries:
        if not isinstance(entry, dict):
            delivery.others.append(OtherChange("", "", "entry is not an object", entry))
            continue
        waba_id = _str(entry.get("id"))
        changes = entry.get("changes")
        if not isinstance(changes, list):
            delivery.others.append(OtherChange("", waba_id, "no changes array", entry))
            continue
        for change in changes:
            if not isinstance(change, dict):
                delivery.others.append(OtherChange("", waba_id, "change is not an object", change))
                continue
            name = _str(change.get("field"))
            value = change.get("value")
            if name != "messages" or not isinstance(value, dict):
                delivery.others.append(OtherChange(name, waba_id, "field not handled" if name != "messages"
                                                   else "value is not an object", change))
                continue
            _read_value(delivery, waba_id, value, change)
    return delivery


def _read_value(delivery: Delivery, waba_id: str, value: dict[str, Any], change: dict[str, Any]) -> None:
    metadata = _dict(value.get("metadata"))
    pnid = _str(metadata.get("phone_number_id"))
    display = _str(metadata.get("display_phone_number"))
    contacts = [c for c in _list(value.get("contacts")) if isinstance(c, dict)]
    known = {"messaging_product", "metadata", "contacts", "messages", "statuses", "errors"}
    for message in _list(value.get("messages")):
        if isinstance(message, dict):
            delivery.messages.append(_message(pnid, display, waba_id, message, contacts))
        else:
            delivery.others.append(OtherChange("messages", waba_id, "message is not an object", message))
    for status in _list(value.get("statuses")):
        if isinstance(status, dict):
            delivery.statuses.append(_status(pnid, status))
        else:
            delivery.others.append(OtherChange("messages", waba_id, "status is not an object", status))
    for error in _list(value.get("errors")):
        error = _dict(error)
        delivery.errors.append(ErrorEvent(pnid, _int(error.get("code")), _str(error.get("title")),
                                          _str(error.get("message")),
                                          _str(_dict(error.get("error_data")).get("details")), error))
    unknown = set(value) - known
    if unknown or not any(value.get(k) for k in ("messages", "statuses", "errors")):
        # e.g. "message_echoes", "calls", or an empty value: nothing to act on, but keep it.
        delivery.others.append(OtherChange("messages", waba_id, "unknown keys: " + ", ".join(sorted(unknown))
                                           if unknown else "no messages, statuses or errors", change))


def _sender(message: dict[str, Any], contacts: list[dict[str, Any]]) -> Sender:
    wa_id = _str(message.get("from"))
    bsuid = _str(message.get("from_user_id"))
    contact: dict[str, Any] = {}
    for c in contacts:
        if (wa_id and _str(c.get("wa_id")) == wa_id) or (bsuid and _str(c.get("user_id")) == bsuid):
            contact = c
            break
    else:
        if len(contacts) == 1:
            contact = contacts[0]
    profile = _dict(contact.get("profile"))
    return Sender(
        wa_id=wa_id or _str(contact.get("wa_id")),
        bsuid=bsuid or _str(contact.get("user_id")),
        parent_bsuid=_str(message.get("from_parent_user_id")) or _str(contact.get("parent_user_id")),
        username=_str(profile.get("username")),
        name=_str(profile.get("name")),
    )


def _message(pnid: str, display: str, waba_id: str, m: dict[str, Any], contacts: list[dict[str, Any]]) -> InboundEvent:
    kind = _str(m.get("type")) or "unknown"
    context = _dict(m.get("context"))
    base: dict[str, Any] = {
        "phone_number_id": pnid, "display_phone_number": display, "waba_id": waba_id, "wamid": _str(m.get("id")),
        "type": kind, "timestamp": parse_timestamp(m.get("timestamp")), "sender": _sender(m, contacts),
        "reply_to": _str(context.get("id")), "context": context,
        "referral": _dict(m.get("referral")) or None,
        "errors": [e for e in _list(m.get("errors")) if isinstance(e, dict)], "raw": m,
    }
    body = _dict(m.get(kind))
    if kind == "text" and "body" in body:
        return InboundEvent(**base, text=_str(body.get("body")))
    if kind in MEDIA_TYPES and body:
        extra = {k: v for k, v in body.items() if k not in ("id", "mime_type", "sha256", "caption", "filename", "url")}
        media = Media(kind=kind, media_id=_str(body.get("id")), mime_type=_str(body.get("mime_type")),
                      sha256=_str(body.get("sha256")), caption=_str(body.get("caption")),
                      filename=_str(body.get("filename")), url=_str(body.get("url")), extra=extra)
        return InboundEvent(**base, text=media.caption, media=media)
    if kind == "location" and body:
        meta = {k: body.get(k) for k in ("latitude", "longitude", "name", "address", "url") if k in body}
        return InboundEvent(**base, text=_str(body.get("name")), attachment={"kind": "location", "meta": meta})
    if kind == "contacts" and isinstance(m.get("contacts"), list):
        cards = [c for c in m["contacts"] if isinstance(c, dict)]
        names = [_str(_dict(c.get("name")).get("formatted_name")) for c in cards]
        return InboundEvent(**base, attachment={"kind": "contacts", "meta": {"contacts": cards, "names": names}})
    if kind == "interactive" and body:
        sub = _str(body.get("type"))
        reply = _dict(body.get(sub))
        if sub in ("button_reply", "list_reply") and reply.get("id") is not None:
            return InboundEvent(**base, text=_str(reply.get("title")), choice_id=_str(reply.get("id")))
    if kind == "button" and body:
        return InboundEvent(**base, text=_str(body.get("text")), choice_id=_str(body.get("payload")))
    if kind == "reaction" and body:
        emoji = _str(body.get("emoji"))
        return InboundEvent(**base, reaction={"message_id": _str(body.get("message_id")), "emoji": emoji,
                                              "removed": not emoji})
    if kind == "system" and body:
        return InboundEvent(**base, text=_str(body.get("body")), system=body)
    # unsupported (131051), unknown, order, nfm_reply, edits, revokes, future types: kept, shown as unsupported.
    detail = {"type": kind, "errors": base["errors"]}
    if kind == "interactive":
        detail["interactive_type"] = _str(body.get("type"))
    return InboundEvent(**base, supported=False, attachment={"kind": "unsupported", "meta": detail})


def _status(pnid: str, s: dict[str, Any]) -> StatusEvent:
    return StatusEvent(
        phone_number_id=pnid, wamid=_str(s.get("id")), status=_str(s.get("status")),
        timestamp=parse_timestamp(s.get("timestamp")), recipient_id=_str(s.get("recipient_id")),
        recipient_bsuid=_str(s.get("recipient_user_id")),
        errors=[e for e in _list(s.get("errors")) if isinstance(e, dict)], pricing=_dict(s.get("pricing")),
        conversation=_dict(s.get("conversation")), callback_data=_str(s.get("biz_opaque_callback_data")), raw=s,
    )
