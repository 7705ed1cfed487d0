"""Background processing of stored deliveries: rows first, then buyer turns, in order, once.

Step 1 (``read_deliveries``): each pending ``Delivery`` is parsed and becomes rows:
``InboundMessage`` (unique per number and wamid: a duplicate, inside one delivery or across
deliveries or workers, is an insert that conflicts and is counted, nothing else), ``StatusUpdate``
(unique per wamid and status; applied forward only), and ``ChannelEvent`` for errors and unknowns.

Step 2 (``media.download_due``): images and documents are fetched.

Step 3 (``hand_over``): per contact (the row locked, so one worker per buyer), pending messages in
WhatsApp timestamp order go to ``awn.helpdesk.services.receive_buyer_message`` with the wamid as
the client message id. The assistant's replies are queued in the same transaction.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from awn.channels.whatsapp import linking, media, outbound, parse, render
from awn.channels.whatsapp.models import (
    ChannelEvent,
    Contact,
    Delivery,
    DeliveryState,
    EventKind,
    InboundMessage,
    InboundState,
    Outbound,
    PhoneNumber,
    StatusUpdate,
)
from awn.core import clock
from awn.helpdesk import services
from awn.helpdesk.models import Conversation

log = logging.getLogger("awn.whatsapp")


# --------------------------------------------------------------------------- step 1: deliveries → rows


def read_deliveries(now: datetime, *, limit: int = 50) -> int:
    with transaction.atomic():
        deliveries = list(Delivery.objects.select_for_update(skip_locked=True).filter(state=DeliveryState.PENDING)
                          .order_by("id")[:limit])
        for delivery in deliveries:
            try:
                with transaction.atomic():
                    summary = read_delivery(delivery, now)
                Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.DONE, processed_at=now, summary=summary)
            except Exception as exc:  # one bad delivery must not block the others; it is kept for inspection
                if not isinstance(exc, parse.PayloadError):
                    log.exception("whatsapp: delivery %s could not be read", delivery.pk)
                Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.FAILED, processed_at=now,
                                                               error=repr(exc)[:2000])
                ChannelEvent.objects.create(kind=EventKind.UNREADABLE, at=now, delivery=delivery, summary=repr(exc)[:300])
    return len(deliveries)


def read_delivery(delivery: Delivery, now: datetime) -> dict[str, int]:
    parsed = parse.parse_body(bytes(delivery.body))
    wanted = {m.phone_number_id for m in parsed.messages} | {s.phone_number_id for s in parsed.statuses}
    numbers = {n.phone_number_id: n for n in PhoneNumber.objects.filter(phone_number_id__in=wanted)}
    counts = {"messages": 0, "duplicates": 0, "statuses": 0, "status_duplicates": 0, "errors": 0, "others": 0,
              "ignored": 0}
    for event in parsed.messages:
        counts[_store_message(delivery, event, numbers, now)] += 1
    for status in parsed.statuses:
        counts[_store_status(delivery, status, numbers, now)] += 1
    for error in parsed.errors:
        number = numbers.get(error.phone_number_id) or PhoneNumber.objects.filter(phone_number_id=error.phone_number_id).first()
        ChannelEvent.objects.create(kind=EventKind.VALUE_ERROR, at=now, delivery=delivery, number=number,
                                    phone_number_id=error.phone_number_id, code=error.code,
                                    summary=f"{error.code} {error.title}: {error.details}"[:300], raw=error.raw)
        log.warning("whatsapp: Meta reports error %s (%s) for number %s", error.code, error.title, error.phone_number_id)
        counts["errors"] += 1
    for other in parsed.others:
        ChannelEvent.objects.create(kind=EventKind.OTHER_CHANGE, at=now, delivery=delivery,
                                    summary=f"{other.field or '?'}: {other.reason}"[:300],
                                    raw=other.raw if isinstance(other.raw, dict) else {"value": other.raw})
        counts["others"] += 1
    return counts


def _route(delivery: Delivery, pnid: str, numbers: dict[str, PhoneNumber], raw: dict[str, Any],
           now: datetime) -> PhoneNumber | None:
    number = numbers.get(pnid)
    if number is None or not number.active:
        ChannelEvent.objects.create(kind=EventKind.UNKNOWN_NUMBER, at=now, delivery=delivery, phone_number_id=pnid[:64],
                                    summary=f"phone_number_id {pnid!r} is not configured (or inactive)", raw=raw)
        return None
    if delivery.account_id is not None and number.account_id != delivery.account_id:
        # Signed with one operator's app secret for another operator's number: never cross tenants.
        ChannelEvent.objects.create(kind=EventKind.FOREIGN_NUMBER, at=now, delivery=delivery, number=number,
                                    phone_number_id=pnid, summary="signed by another account's app secret", raw=raw)
        return None
    return number


def _lookup_contact(number: PhoneNumber, sender: parse.Sender) -> Contact | None:
    contact = None
    if sender.bsuid:
        contact = Contact.objects.filter(number=number, bsuid=sender.bsuid).first()
    if contact is None and sender.wa_id:
        contact = Contact.objects.filter(number=number, wa_id=sender.wa_id).first()
    if contact is None:  # e.g. first known by a phone number that has since changed
        contact = Contact.objects.filter(channel_ref=f"{number.phone_number_id}:{sender.key}"[:200]).first()
    return contact


def find_or_create_contact(number: PhoneNumber, sender: parse.Sender, now: datetime) -> Contact:
    """The contact for this sender: by BSUID, else by phone; learns the other id when it appears."""
    contact = _lookup_contact(number, sender)
    if contact is None:
        contact = Contact(number=number, wa_id=sender.wa_id or None, bsuid=sender.bsuid or None,
                          parent_bsuid=sender.parent_bsuid, username=sender.username[:100],
                          profile_name=sender.name[:200], channel_ref=f"{number.phone_number_id}:{sender.key}"[:200],
                          created_at=now)
        try:
            with transaction.atomic():
                contact.save(force_insert=True)
        except IntegrityError:  # created meanwhile by another worker
            existing = _lookup_contact(number, sender)
            if existing is None:
                raise
            return existing
        customer, method = linking.match_customer(contact)
        if customer is not None:
            linking.link_contact(contact, customer, method=method, now=now)
        return contact
    changed: dict[str, Any] = {}
    if sender.bsuid and contact.bsuid != sender.bsuid:
        changed["bsuid"] = sender.bsuid
    if sender.wa_id and contact.wa_id != sender.wa_id:
        changed["wa_id"] = sender.wa_id
    if sender.parent_bsuid and contact.parent_bsuid != sender.parent_bsuid:
        changed["parent_bsuid"] = sender.parent_bsuid
    if sender.name and contact.profile_name != sender.name[:200]:
        changed["profile_name"] = sender.name[:200]
    if sender.username and contact.username != sender.username[:100]:
        changed["username"] = sender.username[:100]
    if changed:
        try:
            with transaction.atomic():
                Contact.objects.filter(pk=contact.pk).update(**changed)
            for key, value in changed.items():
                setattr(contact, key, value)
        except IntegrityError:  # the new id already names another contact row: keep both as they are
            log.warning("whatsapp: contact %s: ids %s already used by another contact", contact.pk, sorted(changed))
    return contact


def _state_for(event: parse.InboundEvent, contact: Contact | None) -> str:
    if contact is None or not event.is_turn:
        return InboundState.RECORDED
    if event.media is not None and event.media.media_id and event.media.kind in media.download_kinds():
        return InboundState.MEDIA
    return InboundState.PENDING


def _content(event: parse.InboundEvent) -> dict[str, Any]:
    content: dict[str, Any] = {}
    if event.media is not None:
        content["media"] = {"kind": event.media.kind, "media_id": event.media.media_id, "mime_type": event.media.mime_type,
                            "sha256": event.media.sha256, "caption": event.media.caption, "filename": event.media.filename,
                            **({"extra": event.media.extra} if event.media.extra else {})}
    for key in ("attachment", "reaction", "system", "referral"):
        value = getattr(event, key)
        if value:
            content[key] = value
    if event.context:
        content["context"] = event.context
    if event.errors:
        content["errors"] = event.errors
    if event.sender.username:
        content["username"] = event.sender.username
    return content


def _store_message(delivery: Delivery, event: parse.InboundEvent, numbers: dict[str, PhoneNumber], now: datetime) -> str:
    number = _route(delivery, event.phone_number_id, numbers, event.raw, now)
    if number is None:
        return "ignored"
    if not event.wamid:
        ChannelEvent.objects.create(kind=EventKind.NO_ID, at=now, delivery=delivery, number=number,
                                    phone_number_id=number.phone_number_id, summary="message without id", raw=event.raw)
        return "ignored"
    contact = find_or_create_contact(number, event.sender, now) if event.sender.key else None
    sent_at = event.timestamp or now
    row = InboundMessage(
        number=number, wamid=event.wamid[:200], delivery=delivery, contact=contact, type=event.type[:32],
        supported=event.supported, sent_at=sent_at, received_at=now, text=event.text, choice_id=event.choice_id[:256],
        reply_to=event.reply_to[:200], content=_content(event), raw=event.raw, state=_state_for(event, contact),
        next_attempt_at=now,
    )
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        return "duplicates"
    if contact is None:
        ChannelEvent.objects.create(kind=EventKind.NO_SENDER, at=now, delivery=delivery, number=number,
                                    phone_number_id=number.phone_number_id, summary="message without phone number or BSUID",
                                    raw=event.raw)
        return "messages"
    if event.is_turn:  # the 24-hour window restarts at the buyer's message; only forward
        Contact.objects.filter(Q(pk=contact.pk), Q(last_inbound_at__isnull=True) | Q(last_inbound_at__lt=sent_at)).update(
            last_inbound_at=sent_at)
    if event.system and event.system.get("type") == "user_changed_number" and event.system.get("wa_id"):
        new = str(event.system["wa_id"])
        try:
            with transaction.atomic():
                Contact.objects.filter(pk=contact.pk).update(wa_id=new)
        except IntegrityError:
            log.warning("whatsapp: contact %s changed number to one already known here", contact.pk)
    return "messages"


def _store_status(delivery: Delivery, status: parse.StatusEvent, numbers: dict[str, PhoneNumber], now: datetime) -> str:
    number = _route(delivery, status.phone_number_id, numbers, status.raw, now)
    if number is None:
        return "ignored"
    if not status.wamid or not status.status:
        ChannelEvent.objects.create(kind=EventKind.NO_ID, at=now, delivery=delivery, number=number,
                                    phone_number_id=number.phone_number_id, summary="status without id", raw=status.raw)
        return "ignored"
    update = StatusUpdate(number=number, wamid=status.wamid[:200], status=status.status[:16], at=status.timestamp,
                          received_at=now, recipient_id=(status.recipient_id or status.recipient_bsuid)[:160],
                          error_code=status.error_code, errors=status.errors, pricing=status.pricing,
                          callback_data=status.callback_data[:512], raw=status.raw, delivery=delivery)
    try:
        with transaction.atomic():
            update.save(force_insert=True)
    except IntegrityError:
        return "status_duplicates"
    outbound.apply_status(update)
    return "statuses"


# --------------------------------------------------------------------------- step 3: rows → conversation

Effect = Callable[[], None]


def _max_attempts() -> int:
    return int(getattr(settings, "AWN_WHATSAPP_MAX_HANDLE_ATTEMPTS", 8))


def client_message_id(wamid: str) -> str:
    """``Message.client_message_id`` holds 100 characters; longer wamids are hashed (stably)."""
    return wamid if len(wamid) <= 100 else "wamid-sha256:" + hashlib.sha256(wamid.encode()).hexdigest()


def hand_over(now: datetime, *, limit: int = 50) -> int:
    due = (InboundMessage.objects.filter(state=InboundState.PENDING, next_attempt_at__lte=now)
           .order_by("sent_at", "id").values_list("contact_id", flat=True)[: limit * 4])
    contact_ids = list(dict.fromkeys(c for c in due if c is not None))[:limit]
    handled = 0
    for contact_id in contact_ids:
        effects: list[Effect] = []
        with transaction.atomic():
            contact = (Contact.objects.select_for_update(skip_locked=True, of=("self",))
                       .select_related("number", "customer").filter(pk=contact_id).first())
            if contact is None:
                continue  # another worker is on this buyer
            rows = (InboundMessage.objects.filter(contact=contact, state__in=(InboundState.MEDIA, InboundState.PENDING))
                    .order_by("sent_at", "id"))
            for row in rows:
                if row.state == InboundState.MEDIA or (row.next_attempt_at and row.next_attempt_at > now):
                    break  # keep the buyer's order: wait for the earlier message
                if not _hand_one_safely(contact, row, now, effects):
                    break
                handled += 1
        for effect in effects:
            effect()
    return handled


def _hand_one_safely(contact: Contact, row: InboundMessage, now: datetime, effects: list[Effect]) -> bool:
    local: list[Effect] = []
    try:
        with transaction.atomic():
            _hand_one(contact, row, now, local)
    except Exception as exc:
        attempts = row.attempts + 1
        final = attempts >= _max_attempts()
        log.log(logging.ERROR if final else logging.WARNING, "whatsapp: handing %s to the conversation failed (%s/%s): %r",
                row.wamid, attempts, _max_attempts(), exc, exc_info=final)
        InboundMessage.objects.filter(pk=row.pk).update(
            attempts=attempts, error=repr(exc)[:2000], state=InboundState.FAILED if final else InboundState.PENDING,
            next_attempt_at=now + timedelta(seconds=min(5 * 2 ** attempts, 3600)))
        return final  # a message given up on no longer holds back the ones after it
    effects.extend(local)
    return True


def _attachments(row: InboundMessage) -> list[services.IncomingAttachment]:
    items = []
    m = row.content.get("media")
    if m:
        meta = {k: v for k, v in m.items() if k in ("media_id", "caption", "filename", "error", "sha256_verified")}
        meta["wamid"] = row.wamid
        content = b""
        if row.media_file:
            with row.media_file.open("rb") as fh:
                content = fh.read()
        items.append(services.IncomingAttachment(kind=m.get("kind", "document"), content=content,
                                                 content_type=row.media_content_type or m.get("mime_type", ""),
                                                 sha256=row.media_sha256, meta=meta))
    attachment = row.content.get("attachment")
    if attachment:
        items.append(services.IncomingAttachment(kind=str(attachment.get("kind", "unsupported"))[:16],
                                                 meta={**attachment.get("meta", {}), "wamid": row.wamid}))
    return items


def _choice_id(row: InboundMessage) -> str:
    if not row.choice_id:
        return ""
    if row.choice_id.startswith(render.CHOSEN_PREFIX) and row.reply_to:
        sent = Outbound.objects.filter(wamid=row.reply_to, number=row.number).values_list("choices", flat=True).first()
        return render.choice_for_reply(row.choice_id, list(sent or []))
    return row.choice_id


def _post(conversation: Conversation, text: str, now: datetime) -> None:
    message = services.post_system_message(conversation, text, now=now)
    outbound.enqueue_message(message, now=now)  # now, in this transaction (the after-commit call is a no-op)


def _hand_one(contact: Contact, row: InboundMessage, now: datetime, effects: list[Effect]) -> None:
    if contact.customer_id is None:
        customer, method = linking.match_customer(contact)
        if customer is not None:
            linking.link_contact(contact, customer, method=method, now=now)
    conversation = services.start_conversation(contact.customer, "whatsapp", channel_ref=contact.channel_ref, now=now)
    fields: dict[str, Any] = {"conversation": conversation, "handled_at": now, "error": ""}
    if linking.handle(contact, conversation, row, now, lambda text: _post(conversation, text, now), effects):
        InboundMessage.objects.filter(pk=row.pk).update(state=InboundState.LINKING, **fields)
        return
    outbound.enqueue_mark_read(contact, row.wamid, now=now)
    text = row.text
    attachments = _attachments(row)
    if len(text) > services.MAX_TEXT:
        text = text[: services.MAX_TEXT - 1] + "…"  # WhatsApp allows 4096; the full text stays on the row
    try:
        result = services.receive_buyer_message(
            conversation, text=text, choice_id=_choice_id(row), client_message_id=client_message_id(row.wamid),
            attachments=attachments, external_id=row.wamid, now=now)
    except services.MessageRejected as exc:
        InboundMessage.objects.filter(pk=row.pk).update(state=InboundState.FAILED, error=f"{exc.code}: {exc}", **fields)
        return
    for reply in result.replies:
        outbound.enqueue_message(reply, now=now)
    InboundMessage.objects.filter(pk=row.pk).update(state=InboundState.DONE, message=result.message, **fields)
    if row.media_file:
        name, storage = row.media_file.name, row.media_file.storage
        InboundMessage.objects.filter(pk=row.pk).update(media_file="")
        effects.append(lambda: storage.delete(name))  # the conversation's attachment holds the file now
    if contact.customer_id is None and contact.link_hint_sent_at is None:
        Contact.objects.filter(pk=contact.pk).update(link_hint_sent_at=now)
        contact.link_hint_sent_at = now
        _post(conversation, linking.text("hint", conversation.language), now)


def process(now: datetime | None = None) -> int:
    """One pass of everything inbound (what ``awn worker`` runs)."""
    at = now or clock.now()
    return read_deliveries(at) + media.download_due(at) + hand_over(at)
