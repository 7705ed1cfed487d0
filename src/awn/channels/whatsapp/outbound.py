"""The send queue: Awn messages → ``Outbound`` rows → one HTTP request each, exactly once on Awn's side.

Enqueueing only writes rows (``enqueue_message`` is what the helpdesk calls after commit); the worker
sends. A row is claimed (``sending`` with a lease and a ``SendAttempt``) in one short transaction,
the request goes out with no transaction open, and the outcome is written with a conditional UPDATE.
A retry after a timeout never resends blindly: the row turns ``uncertain`` and waits for Meta's
status webhook, which carries the row id back in ``biz_opaque_callback_data``; only when nothing is
heard within the grace period is it sent again. Per buyer, rows go out in order: a row waits while
an older one to the same contact is still unfinished.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Min, Q

from awn.channels.whatsapp import render, transport
from awn.channels.whatsapp.models import (
    Account,
    ChannelEvent,
    Contact,
    EventKind,
    Outbound,
    OutboundState,
    SendAttempt,
    StatusUpdate,
)
from awn.channels.whatsapp.parse import STATUS_RANK
from awn.channels.whatsapp.window import is_open
from awn.core import clock
from awn.core.audit import record
from awn.core.models import Actor
from awn.helpdesk.models import Author, Conversation, Message

log = logging.getLogger("awn.whatsapp")

S = OutboundState
ACTIVE = (S.QUEUED, S.RETRY, S.SENDING, S.UNCERTAIN)
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.QUEUED: (S.SENDING, S.REFUSED, S.HELD),
    S.RETRY: (S.SENDING, S.REFUSED, S.HELD),
    S.SENDING: (S.SENT, S.RETRY, S.UNCERTAIN, S.FAILED, S.HELD, S.REFUSED),
    S.UNCERTAIN: (S.SENT, S.RETRY, S.FAILED),
    S.HELD: (S.QUEUED,),
    S.SENT: (), S.FAILED: (), S.REFUSED: (),
}
CALLBACK_PREFIX = "awn:"


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, f"AWN_WHATSAPP_{name}", default))


def max_attempts() -> int:
    return int(_setting("MAX_SEND_ATTEMPTS", 5))


def backoff(attempt: int, code: int | None = None) -> timedelta:
    """Exponential with ±20 % jitter, capped; the pair rate limit (131056, ~1 message per 6 s) waits longer."""
    base = _setting("RETRY_BASE_SECONDS", 2.0)
    if code == 131056:
        base = max(base, _setting("PAIR_RATE_BASE_SECONDS", 6.0))
    seconds = min(base * 2 ** max(attempt - 1, 0), _setting("RETRY_MAX_SECONDS", 300.0))
    return timedelta(seconds=seconds * random.uniform(0.8, 1.2))  # noqa: S311 - jitter, not security


# --------------------------------------------------------------------------- enqueueing


def _contact_for(conversation: Conversation) -> Contact | None:
    return Contact.objects.select_related("number").filter(channel_ref=conversation.channel_ref).first()


def _insert(row: Outbound) -> Outbound | None:
    """Insert once: a conflict on (message, part) or dedupe_key means it is queued already."""
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        return None
    return row


def _new_row(contact: Contact, conversation: Conversation | None, part: render.Part, *, message: Message | None,
             index: int, choices: list[dict[str, str]] | None = None, dedupe_key: str | None = None,
             now: datetime) -> Outbound:
    payload = dict(part.body)
    if part.kind != "mark_read":
        payload.update(contact.recipient)
    return Outbound(number=contact.number, contact=contact, conversation=conversation, message=message, part=index,
                    dedupe_key=dedupe_key, kind=part.kind, free_form=part.free_form, payload=payload,
                    choices=choices or [], next_attempt_at=now, created_at=now, updated_at=now)


def _attachments(message: Message) -> list[dict[str, Any]]:
    items = []
    for att in message.attachments.all():
        if att.file and att.kind in ("image", "document"):
            items.append({"kind": att.kind, "link": "", "media_id": "", "awn_attachment": att.pk,
                          "caption": str(att.meta.get("caption", "")) if isinstance(att.meta, dict) else "",
                          "filename": str(att.meta.get("filename", "")) if isinstance(att.meta, dict) else ""})
    return items


def enqueue_message(message: Message, *, now: datetime | None = None) -> list[Outbound]:
    """The helpdesk's sender for the WhatsApp channel: queue the bodies that show ``message``. No HTTP.

    Idempotent: calling it twice for one message queues nothing the second time.
    """
    conversation = message.conversation
    if conversation.channel != "whatsapp" or message.author == Author.BUYER:
        return []
    at = now or clock.now()
    contact = _contact_for(conversation)
    if contact is None:
        log.error("whatsapp: conversation %s has no WhatsApp contact (%r); message %s not sent",
                  conversation.pk, conversation.channel_ref, message.pk)
        return []
    attachments = _attachments(message)
    parts = render.message_parts(message.text, list(message.choices or []), conversation.language,
                                 [{k: v for k, v in a.items() if k != "awn_attachment"} for a in attachments])
    rows = []
    first_media = len(parts) - len(attachments)
    for index, part in enumerate(parts):
        row = _new_row(contact, conversation, part, message=message, index=index,
                       choices=list(message.choices or []) if part.kind in ("buttons", "list") else None, now=at)
        if index >= first_media:  # uploaded at send time, then the media id is kept for retries
            row.payload[part.kind]["awn_attachment"] = attachments[index - first_media]["awn_attachment"]
            row.payload[part.kind].pop("link", None)
            row.payload[part.kind].pop("id", None)
        inserted = _insert(row)
        if inserted is not None:
            rows.append(inserted)
    return rows


def enqueue_mark_read(contact: Contact, wamid: str, *, typing: bool = True, now: datetime | None = None) -> Outbound | None:
    """Blue ticks for a buyer message, with the typing indicator while Awn prepares the answer."""
    at = now or clock.now()
    row = _new_row(contact, None, render.mark_read_part(wamid, typing=typing), message=None, index=0,
                   dedupe_key=f"read:{contact.number.phone_number_id}:{wamid}"[:250], now=at)
    return _insert(row)


def enqueue_template(conversation: Conversation, name: str, language: str, components: list[dict[str, Any]] | None = None,
                     *, actor: str = Actor.AGENT, actor_ref: str = "", dedupe_key: str | None = None,
                     now: datetime | None = None) -> Outbound:
    """Queue an approved template: the only kind of message allowed outside the 24-hour window."""
    at = now or clock.now()
    contact = _contact_for(conversation)
    if contact is None:
        raise ValueError(f"conversation {conversation.pk} is not a WhatsApp conversation with a known contact")
    row = _new_row(contact, conversation, render.template_part(name, language, components), message=None, index=0,
                   dedupe_key=dedupe_key, now=at)
    inserted = _insert(row)
    if inserted is None:
        return Outbound.objects.get(dedupe_key=dedupe_key)
    record("conversation", conversation.pk, action="whatsapp_template_queued", new=name, actor=actor,
           actor_ref=actor_ref, at=at, data={"outbound": inserted.pk, "language": language})
    return inserted


def release_held(account: Account, *, now: datetime | None = None) -> int:
    """A new access token was saved: messages held since the token failed go back to the queue."""
    at = now or clock.now()
    return Outbound.objects.filter(state=S.HELD, number__account=account).update(
        state=S.QUEUED, next_attempt_at=at, updated_at=at)


# --------------------------------------------------------------------------- claiming


def recover(now: datetime) -> int:
    """Rows a dead worker left ``sending`` (lease over) may have gone out: treat them as uncertain."""
    grace = timedelta(seconds=_setting("UNCERTAIN_GRACE_SECONDS", 60))
    stale = Outbound.objects.filter(state=S.SENDING, lease_until__lt=now)
    n = stale.update(state=S.UNCERTAIN, next_attempt_at=now + grace, lease_until=None, updated_at=now)
    # Nothing heard about an uncertain row within the grace period: it did not go out; send again.
    gave_up = Outbound.objects.filter(state=S.UNCERTAIN, next_attempt_at__lte=now, attempts__gte=max_attempts())
    for row in gave_up:
        _finish_failed(row, now, code=None, title="no answer from WhatsApp after the last attempt", detail="", event=True)
    n += Outbound.objects.filter(state=S.UNCERTAIN, next_attempt_at__lte=now).update(state=S.RETRY, updated_at=now)
    return n


def claim(now: datetime, *, limit: int = 50, worker: str = "") -> list[tuple[Outbound, SendAttempt]]:
    """Claim due rows (``SELECT … FOR UPDATE SKIP LOCKED``), oldest first, at most one in flight per buyer."""
    lease = timedelta(seconds=_setting("SEND_LEASE_SECONDS", 120))
    with transaction.atomic():
        candidates = list(
            Outbound.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("number__account")
            .filter(state__in=(S.QUEUED, S.RETRY), next_attempt_at__lte=now).order_by("id")[: limit * 2]
        )
        if not candidates:
            return []
        contacts = {r.contact_id for r in candidates if r.contact_id and r.kind != "mark_read"}
        first = dict(Outbound.objects.filter(contact_id__in=contacts, state__in=ACTIVE).exclude(kind="mark_read")
                     .values("contact_id").annotate(first=Min("id")).values_list("contact_id", "first"))
        claimed: list[tuple[Outbound, SendAttempt]] = []
        for row in candidates:
            if row.kind != "mark_read" and row.contact_id and first.get(row.contact_id) != row.pk:
                continue  # an older message to the same buyer is not finished yet
            account = row.number.account
            if account.sending_paused_reason or not account.active:
                Outbound.objects.filter(pk=row.pk).update(state=S.HELD, updated_at=now)
                continue
            row.state, row.lease_until, row.attempts, row.updated_at = S.SENDING, now + lease, row.attempts + 1, now
            row.save(update_fields=["state", "lease_until", "attempts", "updated_at"])
            attempt = SendAttempt.objects.create(outbound=row, number=row.attempts, started_at=now, worker=worker[:100])
            claimed.append((row, attempt))
            if len(claimed) >= limit:
                break
        return claimed


# --------------------------------------------------------------------------- sending


def _upload_if_needed(row: Outbound, account: Account, token: str) -> None:
    body = row.payload.get(row.kind)
    if not isinstance(body, dict) or "awn_attachment" not in body:
        return
    from awn.helpdesk.models import Attachment

    att = Attachment.objects.get(pk=body["awn_attachment"])
    with att.file.open("rb") as fh:
        content = fh.read()
    filename = str(body.get("filename") or att.file.name.rsplit("/", 1)[-1])
    media_id = transport.upload_media(account.graph_url, token, row.number.phone_number_id, content,
                                      att.content_type or "application/octet-stream", filename)
    body.pop("awn_attachment")
    body["id"] = media_id
    Outbound.objects.filter(pk=row.pk).update(payload=row.payload)  # a retry reuses the uploaded media


def send_one(row: Outbound, attempt: SendAttempt, now: datetime) -> str:
    """Send one claimed row and record the outcome; returns the new state."""
    account = row.number.account
    if row.free_form and row.conversation_id is not None:
        conversation = Conversation.objects.get(pk=row.conversation_id)
        if not is_open(conversation, now):
            return _finish(row, attempt, now, S.REFUSED, code=None, title="window_closed",
                           detail="outside the 24-hour customer-service window: only templates may be sent")
    if row.kind != "mark_read" and not (row.payload.get("to") or row.payload.get("recipient")):
        return _finish(row, attempt, now, S.REFUSED, code=None, title="no_recipient", detail="the contact has no address")
    try:
        token = account.access_token()
        _upload_if_needed(row, account, token)
        body = dict(row.payload)
        if row.kind != "mark_read":  # echoed in status webhooks: how an uncertain send is recognised
            body["biz_opaque_callback_data"] = f"{CALLBACK_PREFIX}{row.pk}"
        data = transport.send_message(account.graph_url, token, row.number.phone_number_id, body)
    except transport.GraphError as error:
        return _on_error(row, attempt, now, error)
    if row.kind == "mark_read":
        return _finish(row, attempt, now, S.SENT, http_status=200)
    messages = data.get("messages") if isinstance(data.get("messages"), list) else []
    wamid = str(messages[0].get("id", "")) if messages and isinstance(messages[0], dict) else ""
    if not wamid:
        return _on_error(row, attempt, now, transport.GraphError("uncertain", "accepted without a message id", 200))
    return _finish(row, attempt, now, S.SENT, wamid=wamid, http_status=200)


def _on_error(row: Outbound, attempt: SendAttempt, now: datetime, error: transport.GraphError) -> str:
    common = {"code": error.code, "title": error.title or error.message, "detail": error.details,
              "http_status": error.http_status, "fbtrace_id": error.fbtrace_id}
    if row.kind == "mark_read" and error.kind in ("retryable", "uncertain") and row.attempts >= 2:
        return _finish(row, attempt, now, S.FAILED, **common)  # a read receipt is not worth more tries
    if error.kind == "retryable":
        if row.attempts >= max_attempts():
            return _finish(row, attempt, now, S.FAILED, **common, gave_up=True)
        return _finish(row, attempt, now, S.RETRY, next_at=now + backoff(row.attempts, error.code), **common)
    if error.kind == "uncertain":
        grace = timedelta(seconds=_setting("UNCERTAIN_GRACE_SECONDS", 60))
        return _finish(row, attempt, now, S.UNCERTAIN, next_at=now + grace, **common)
    if error.kind == "auth":
        Account.objects.filter(pk=row.number.account_id).update(
            sending_paused_reason=f"{error.code}: {error.title or error.message}"[:200], sending_paused_at=now)
        ChannelEvent.objects.create(kind=EventKind.AUTH_FAILED, at=now, number=row.number, code=error.code,
                                    phone_number_id=row.number.phone_number_id,
                                    summary=f"access token refused ({error.code}): sending paused until a new token is saved",
                                    raw={"http_status": error.http_status, "fbtrace_id": error.fbtrace_id})
        log.error("whatsapp: account %s access token refused (code %s); sending paused", row.number.account_id, error.code)
        return _finish(row, attempt, now, S.HELD, **common)
    return _finish(row, attempt, now, S.FAILED, **common)  # window (131047) and every permanent error


def _finish(row: Outbound, attempt: SendAttempt, now: datetime, state: str, *, wamid: str = "",
            next_at: datetime | None = None, code: int | None = None, title: str = "", detail: str = "",
            http_status: int | None = None, fbtrace_id: str = "", gave_up: bool = False) -> str:
    fields: dict[str, Any] = {"state": state, "lease_until": None, "updated_at": now}
    if wamid:
        fields.update(wamid=wamid, sent_at=now)
    if next_at is not None:
        fields["next_attempt_at"] = next_at
    if code is not None or title:
        fields.update(error_code=code, error_title=title[:300], error_detail=detail)
    with transaction.atomic():
        # Only the claim that owns the row may finish it (a lease taken over by recover() has moved on),
        # except that a success always records its wamid so statuses can find it.
        owned = Outbound.objects.filter(pk=row.pk, attempts=row.attempts)
        owned = owned.filter(state__in=(S.SENDING, S.UNCERTAIN, S.RETRY)) if state == S.SENT else owned.filter(state=S.SENDING)
        changed = owned.update(**fields)
        SendAttempt.objects.filter(pk=attempt.pk).update(
            finished_at=clock.now(), outcome=state if changed else f"{state}-late", http_status=http_status,
            error_code=code, error_message=(title + (f": {detail}" if detail else ""))[:2000], fbtrace_id=fbtrace_id[:64])
        if not changed:
            return str(Outbound.objects.values_list("state", flat=True).get(pk=row.pk))
        for key, value in fields.items():
            setattr(row, key, value)
        if state == S.SENT and wamid:
            apply_known_statuses(row)
        elif state in (S.FAILED, S.REFUSED):
            _surface(row, now, code=code, title=title, detail=detail, gave_up=gave_up)
    return state


def _finish_failed(row: Outbound, now: datetime, *, code: int | None, title: str, detail: str, event: bool) -> None:
    if Outbound.objects.filter(pk=row.pk, state=row.state).update(state=S.FAILED, error_code=code, error_title=title,
                                                                  error_detail=detail, updated_at=now):
        _surface(row, now, code=code, title=title, detail=detail, gave_up=True)


def _surface(row: Outbound, now: datetime, *, code: int | None, title: str, detail: str, gave_up: bool) -> None:
    """A message that will not reach the buyer: an audit row on the conversation and a channel event."""
    reason = "window_closed" if code == 131047 or title == "window_closed" else (title or "send_failed")
    log.warning("whatsapp: outbound %s not delivered: %s %s", row.pk, code or "", reason)
    if row.kind == "mark_read":
        return
    ChannelEvent.objects.create(kind=EventKind.SEND_FAILED, at=now, number_id=row.number_id, code=code,
                                phone_number_id=row.number.phone_number_id, summary=f"{reason}"[:300],
                                raw={"outbound": row.pk, "message": row.message_id, "detail": detail, "gave_up": gave_up})
    if row.conversation_id:
        record("conversation", row.conversation_id, action="whatsapp_not_sent", old=row.kind, new=str(code or reason)[:64],
               actor=Actor.SYSTEM, at=now, reason=f"{reason}: {detail}"[:1000],
               data={"outbound": row.pk, "message": row.message_id, "code": code, "templates_only": reason == "window_closed"})


def send_due(now: datetime, *, limit: int = 50, worker: str = "") -> int:
    recover(now)
    handled = 0
    for row, attempt in claim(now, limit=limit, worker=worker):
        try:
            send_one(row, attempt, now)
        except Exception as exc:  # a bug must not leave the row claimed forever: it turns uncertain at lease end
            log.exception("whatsapp: sending outbound %s crashed", row.pk)
            SendAttempt.objects.filter(pk=attempt.pk).update(finished_at=clock.now(), outcome="crashed",
                                                             error_message=repr(exc)[:2000])
        handled += 1
    return handled


# --------------------------------------------------------------------------- statuses


def _rank_below(status: str) -> list[str]:
    rank = STATUS_RANK[status]
    return ["", *[s for s, r in STATUS_RANK.items() if r < rank]]


def apply_status(update: StatusUpdate) -> int:
    """Move the outbound row forward (never back) and record failures, whatever the arrival order."""
    rows = Outbound.objects.filter(wamid=update.wamid)
    if update.number_id is not None:
        rows = rows.filter(number_id=update.number_id)
    at = update.at or update.received_at
    if update.callback_data.startswith(CALLBACK_PREFIX) and not rows.exists():
        # The answer to an uncertain send: Meta did accept it. Learn its wamid instead of sending again.
        pk = update.callback_data[len(CALLBACK_PREFIX):]
        if pk.isdigit():
            Outbound.objects.filter(pk=int(pk), wamid__isnull=True, state__in=(S.UNCERTAIN, S.SENDING, S.RETRY)).update(
                state=S.SENT, wamid=update.wamid, sent_at=at, lease_until=None, updated_at=update.received_at)
            rows = Outbound.objects.filter(wamid=update.wamid)
    changed = 0
    if update.status in STATUS_RANK:
        changed = rows.filter(delivery_status__in=_rank_below(update.status)).update(delivery_status=update.status)
        # Times keep the earliest report of each step; "read" implies "delivered" (Meta may skip it).
        steps = {"delivered": ("delivered_at",), "read": ("read_at", "delivered_at"), "played": ("read_at", "delivered_at")}
        for name in steps.get(update.status, ()):
            rows.filter(Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gt": at})).update(**{name: at})
    elif update.status == "failed":
        error = update.errors[0] if update.errors else {}
        details = error.get("error_data", {}).get("details", "") if isinstance(error.get("error_data"), dict) else ""
        for row in rows.filter(failed_at__isnull=True).select_related("number"):
            Outbound.objects.filter(pk=row.pk).update(failed_at=at, error_code=update.error_code,
                                                      error_title=str(error.get("title", ""))[:300], error_detail=details)
            _surface(row, update.received_at, code=update.error_code, title=str(error.get("title", "")), detail=details,
                     gave_up=False)
            changed += 1
    return changed


def apply_known_statuses(row: Outbound) -> None:
    """Statuses that arrived before the send response was recorded (they race) are applied now."""
    for update in StatusUpdate.objects.filter(wamid=row.wamid).order_by("id"):
        apply_status(update)


def delivery_report(conversation: Conversation) -> list[dict[str, Any]]:
    """What happened to each WhatsApp send of a conversation (for the agent console and API)."""
    out = []
    for row in Outbound.objects.filter(conversation=conversation).exclude(kind="mark_read").order_by("id"):
        out.append({"id": row.pk, "message_id": row.message_id, "kind": row.kind, "state": row.state,
                    "delivery_status": row.delivery_status, "failed": row.failed_at is not None or row.state == S.FAILED,
                    "error_code": row.error_code, "error": row.error_title, "wamid": row.wamid,
                    "templates_only": row.error_code == 131047 or row.error_title == "window_closed"})
    return out
