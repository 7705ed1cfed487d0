"""Turning one Awn message (text, quick-reply choices, attachments) into Graph API message bodies.

Plain Python. Limits are Meta's (``NOTES.md`` §2): reply buttons ≤ 3 with titles ≤ 20 and a body
≤ 1024; lists ≤ 10 rows with row titles ≤ 24, descriptions ≤ 72, a button label ≤ 20 and a body
≤ 4096; ids ≤ 256 (buttons) / 200 (rows); text ≤ 4096. A choice id too long for WhatsApp is sent
as ``awn:<n>`` and mapped back through the message it answers (``choice_for_reply``).
Recipients are added at send time, so a body is the same whoever it goes to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from awn.channels.whatsapp.text import fit, unique_titles

TEXT_MAX = 4096
BUTTONS_MAX, BUTTON_TITLE_MAX, BUTTON_BODY_MAX, BUTTON_ID_MAX = 3, 20, 1024, 256
ROWS_MAX, ROW_TITLE_MAX, ROW_DESC_MAX, ROW_ID_MAX, LIST_BUTTON_MAX, LIST_BODY_MAX = 10, 24, 72, 200, 20, 4096
LIST_BUTTON = {"ar": "الخيارات", "en": "Options"}
MORE_OPTIONS = {"ar": "خيارات أخرى", "en": "More options"}
CHOSEN_PREFIX = "awn:"


@dataclass(frozen=True)
class Part:
    kind: str  # text, buttons, list, image, document, template, mark_read, reaction
    body: dict[str, Any]  # the Graph API JSON without "to" / "recipient"
    free_form: bool = True  # needs the 24-hour window (everything but templates and read receipts)


def _choice_id(choice_id: str, index: int, limit: int) -> str:
    return choice_id if 0 < len(choice_id) <= limit and not choice_id.startswith(CHOSEN_PREFIX) else f"{CHOSEN_PREFIX}{index}"


def choice_for_reply(reply_id: str, choices: list[dict[str, str]]) -> str:
    """The Awn choice id a button/row reply stands for (``awn:<n>`` → the n-th choice offered)."""
    if reply_id.startswith(CHOSEN_PREFIX):
        try:
            return str(choices[int(reply_id[len(CHOSEN_PREFIX):])].get("id", ""))
        except (ValueError, IndexError):
            return ""
    return reply_id


def _envelope(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "type": kind, kind: payload}


def text_part(text: str, *, reply_to: str = "") -> Part:
    body = _envelope("text", {"body": text[:TEXT_MAX], "preview_url": False})
    if reply_to:
        body["context"] = {"message_id": reply_to}
    return Part("text", body)


def buttons_part(text: str, choices: list[dict[str, str]], offset: int = 0) -> Part:
    titles = unique_titles([str(c.get("title", "")) for c in choices], BUTTON_TITLE_MAX)
    buttons = [{"type": "reply", "reply": {"id": _choice_id(str(c.get("id", "")), offset + i, BUTTON_ID_MAX),
                                           "title": titles[i]}} for i, c in enumerate(choices)]
    return Part("buttons", _envelope("interactive", {"type": "button", "body": {"text": text},
                                                     "action": {"buttons": buttons}}))


def list_part(text: str, choices: list[dict[str, str]], language: str, offset: int = 0) -> Part:
    titles = unique_titles([str(c.get("title", "")) for c in choices], ROW_TITLE_MAX)
    rows = []
    for i, c in enumerate(choices):
        row = {"id": _choice_id(str(c.get("id", "")), offset + i, ROW_ID_MAX), "title": titles[i]}
        full = " ".join(str(c.get("title", "")).split())
        description = str(c.get("description", "")) or (full if full != titles[i] else "")
        if description:
            row["description"] = fit(description, ROW_DESC_MAX)
        rows.append(row)
    action = {"button": fit(LIST_BUTTON.get(language, LIST_BUTTON["en"]), LIST_BUTTON_MAX), "sections": [{"rows": rows}]}
    return Part("list", _envelope("interactive", {"type": "list", "body": {"text": text[:LIST_BODY_MAX]},
                                                  "action": action}))


def media_part(kind: str, *, media_id: str = "", link: str = "", caption: str = "", filename: str = "") -> Part:
    payload: dict[str, Any] = {"id": media_id} if media_id else {"link": link}
    if caption and kind in ("image", "document", "video"):
        payload["caption"] = caption[:1024]
    if filename and kind == "document":
        payload["filename"] = filename[:240]
    return Part(kind, _envelope(kind, payload))


def template_part(name: str, language: str, components: list[dict[str, Any]] | None = None) -> Part:
    template: dict[str, Any] = {"name": name, "language": {"code": language}}
    if components:
        template["components"] = components
    return Part("template", _envelope("template", template), free_form=False)


def mark_read_part(wamid: str, *, typing: bool = True) -> Part:
    body: dict[str, Any] = {"messaging_product": "whatsapp", "status": "read", "message_id": wamid}
    if typing:
        body["typing_indicator"] = {"type": "text"}
    return Part("mark_read", body, free_form=False)


def message_parts(text: str, choices: list[dict[str, str]], language: str,
                  attachments: list[dict[str, Any]] | None = None) -> list[Part]:
    """Every body needed to show one Awn message on WhatsApp, in order.

    Choices → reply buttons (≤ 3 and a body ≤ 1024), else lists of ≤ 10 rows (several lists when
    there are more choices; the first carries the text). Attachments (``{"kind", "media_id"|"link",
    "caption", "filename"}``) follow the text.
    """
    parts: list[Part] = []
    text = text.strip()
    if choices:
        body = text or "…"
        if len(choices) <= BUTTONS_MAX and len(body) <= BUTTON_BODY_MAX:
            parts.append(buttons_part(body, choices))
        else:
            if len(body) > LIST_BODY_MAX:
                parts.append(text_part(body))
                body = MORE_OPTIONS.get(language, MORE_OPTIONS["en"])
            for start in range(0, len(choices), ROWS_MAX):
                parts.append(list_part(body, choices[start:start + ROWS_MAX], language, offset=start))
                body = MORE_OPTIONS.get(language, MORE_OPTIONS["en"])
    elif text:
        for start in range(0, len(text), TEXT_MAX):
            parts.append(text_part(text[start:start + TEXT_MAX]))
    for item in attachments or []:
        kind = "image" if item.get("kind") == "image" else "document"
        parts.append(media_part(kind, media_id=str(item.get("media_id", "")), link=str(item.get("link", "")),
                                caption=str(item.get("caption", "")), filename=str(item.get("filename", ""))))
    return parts
