"""The conversation actions every channel calls: web chat, the buyer API, WhatsApp and ``awn chat``.

Channels parse and authenticate, then call these; they never write ``Message`` or ``Conversation``
rows themselves. A buyer's turn is serialised per conversation (the row is locked), stored once per
client message id, answered by the assistant unless a person owns the conversation, and delivered
to the channel after commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from awn.core import clock
from awn.core.audit import record
from awn.core.models import Actor
from awn.helpdesk.models import (
    Attachment,
    Author,
    Conversation,
    ConversationStatus,
    Handoff,
    HandoffStatus,
    Message,
    Owner,
)
from awn.marketplace.models import Customer

log = logging.getLogger("awn.helpdesk")

MAX_TEXT = 4096  # characters in one message (WhatsApp's limit too); longer is refused, not cut
LANGUAGES = ("ar", "en")


class ConversationNotFound(LookupError):
    """No such conversation for this buyer and channel (or none at all: the caller cannot tell)."""


class MessageRejected(ValueError):
    """A buyer message that cannot be accepted; ``code`` is stable (``empty_message``, ``text_too_long``,
    ``conversation_closed``, ``invalid_choice``, ``invalid_language``)."""

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class IncomingAttachment:
    kind: str  # image, document, audio, video, location, contacts, sticker
    content: bytes = b""
    content_type: str = ""
    sha256: str = ""
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Reply:
    """One assistant message, as the dialogue manager produces it."""

    text: str
    choices: list[dict[str, str]] = field(default_factory=list)  # [{"id", "title"}]
    intent: str = ""
    confidence: float | None = None
    rule_ids: list[str] = field(default_factory=list)
    action: dict[str, Any] = field(default_factory=dict)


@dataclass
class TurnResult:
    message: Message  # the buyer's stored message
    replies: list[Message]  # the assistant's replies (none while a person owns the conversation)
    duplicate: bool = False  # the client message id was seen before: same message, same replies


# --------------------------------------------------------------------------- delivery to channels

_senders: dict[str, Callable[[Message], None]] = {}


def register_sender(channel: str, send: Callable[[Message], None]) -> None:
    """A channel that pushes messages (WhatsApp) registers how; pull channels (web) need nothing."""
    _senders[channel] = send


def _deliver_after_commit(messages: Sequence[Message]) -> None:
    for message in messages:
        send = _senders.get(message.conversation.channel)
        if send is not None:
            transaction.on_commit(lambda m=message, s=send: s(m))  # type: ignore[misc]


# --------------------------------------------------------------------------- conversations


def start_conversation(
    customer: Customer | None, channel: str, *, channel_ref: str = "", language: str | None = None,
    now: datetime | None = None,
) -> Conversation:
    """The buyer's open conversation on this channel (and channel address), or a new one."""
    at = now or clock.now()
    qs = Conversation.objects.filter(channel=channel, channel_ref=channel_ref).exclude(status=ConversationStatus.CLOSED)
    qs = qs.filter(customer=customer) if customer is not None else qs.filter(customer__isnull=True)
    existing = qs.order_by("-updated_at").first()
    if existing is not None:
        return existing
    lang = language or (customer.preferred_language if customer is not None else "ar")
    if lang not in LANGUAGES:
        lang = "ar"
    conversation = Conversation.objects.create(customer=customer, channel=channel, channel_ref=channel_ref,
                                               language=lang, created_at=at, updated_at=at)
    record("conversation", conversation.pk, action="started", new=ConversationStatus.OPEN, actor=Actor.BUYER, at=at,
           data={"channel": channel})
    return conversation


def set_language(conversation: Conversation, language: str, *, actor: str = Actor.BUYER, now: datetime | None = None) -> None:
    if language not in LANGUAGES:
        raise MessageRejected("invalid_language", f"language must be one of {LANGUAGES}", allowed=list(LANGUAGES))
    at = now or clock.now()
    old = conversation.language
    Conversation.objects.filter(pk=conversation.pk).update(language=language, updated_at=at)
    conversation.language = language
    record("conversation", conversation.pk, action="language", old=old, new=language, actor=actor, at=at)


def _existing_turn(conversation: Conversation, client_message_id: str | None) -> TurnResult | None:
    # Its own statement, after the lock is held: under READ COMMITTED a query that waited for the
    # lock sees only what was committed when it started, so a check folded into the locking query
    # would miss the message of the turn it waited for.
    if not client_message_id:
        return None
    message = Message.objects.filter(conversation=conversation, client_message_id=client_message_id).first()
    if message is None:
        return None
    return TurnResult(message=message, replies=list(message.replies.order_by("id")), duplicate=True)


def receive_buyer_message(
    conversation: Conversation | int,
    *,
    text: str = "",
    choice_id: str = "",
    client_message_id: str | None = None,
    attachments: Sequence[IncomingAttachment] = (),
    external_id: str = "",
    now: datetime | None = None,
    customer_id: int | None = None,
    channels: Sequence[str] = (),
) -> TurnResult:
    """Store a buyer's message once and, unless a person owns the conversation, let the assistant answer.

    The same ``client_message_id`` twice returns the first message and its replies, unchanged.
    With ``customer_id`` (and ``channels``), the conversation (or its id) is taken only if it is that
    buyer's on one of those channels, checked by the same query that locks it; otherwise
    :class:`ConversationNotFound`, whether or not it exists.
    """
    at = now or clock.now()
    text = text or ""
    if len(text) > MAX_TEXT:
        raise MessageRejected("text_too_long", f"a message may have at most {MAX_TEXT} characters", max=MAX_TEXT)
    if not text.strip() and not choice_id and not attachments:
        raise MessageRejected("empty_message", "the message has no text, choice or attachment")
    with transaction.atomic():
        # One query locks the conversation, checks whose it is and brings the customer along (the
        # assistant reads it on every turn).
        pk = conversation if isinstance(conversation, int) else conversation.pk
        locked = Conversation.objects.select_for_update(of=("self",)).select_related("customer").filter(pk=pk)
        if customer_id is not None:
            locked = locked.filter(customer_id=customer_id)
        if channels:
            locked = locked.filter(channel__in=channels)
        found = locked.first()
        if found is None:
            raise ConversationNotFound(pk)
        conversation = found
        seen = _existing_turn(conversation, client_message_id)
        if seen is not None:
            return seen
        if conversation.status == ConversationStatus.CLOSED:
            raise MessageRejected("conversation_closed", "this conversation is closed; start a new one")
        message = Message.objects.create(
            conversation=conversation, author=Author.BUYER, text=text, choice_id=choice_id[:100],
            client_message_id=client_message_id or None, external_id=external_id, created_at=at,
        )
        stored = [_store_attachment(message, item) for item in attachments]
        _known_attachments(message, stored)
        conversation.last_buyer_message_at = at
        conversation.updated_at = at
        replies: list[Message] = []
        if conversation.owner == Owner.ASSISTANT:
            from awn.assistant import respond  # the dialogue manager; imported late: it loads the engine

            for reply in respond(conversation, message, now=at):
                replies.append(_store_reply(conversation, message, reply, at))
            conversation.save(update_fields=["state", "language", "owner", "status", "last_buyer_message_at",
                                             "updated_at"])
        else:
            conversation.save(update_fields=["last_buyer_message_at", "updated_at"])
        _deliver_after_commit(replies)
        return TurnResult(message=message, replies=replies)


def _store_attachment(message: Message, item: IncomingAttachment) -> Attachment:
    import hashlib

    digest = item.sha256 or (hashlib.sha256(item.content).hexdigest() if item.content else "")
    attachment = Attachment(message=message, kind=item.kind, content_type=item.content_type, size=len(item.content),
                            sha256=digest, meta=item.meta)
    if item.content:
        ext = (item.content_type.split("/")[-1] or "bin").replace("jpeg", "jpg")[:8]
        attachment.file.save(f"{digest}.{ext}", ContentFile(item.content), save=False)
    attachment.save()
    return attachment


def _known_attachments(message: Message, attachments: list[Attachment]) -> None:
    """``message.attachments.all()`` served from what was just stored, without reading it back
    (the assistant and the API read it on every turn)."""
    qs = Attachment.objects.filter(pk__in=[a.pk for a in attachments])
    qs._result_cache = attachments
    qs._prefetch_done = True
    message._prefetched_objects_cache = {"attachments": qs}


def _store_reply(conversation: Conversation, to: Message, reply: Reply, at: datetime) -> Message:
    stored = Message.objects.create(
        conversation=conversation, author=Author.ASSISTANT, text=reply.text, choices=reply.choices,
        intent=reply.intent, confidence=reply.confidence, rule_ids=reply.rule_ids, action=reply.action,
        reply_to=to, created_at=at,
    )
    _known_attachments(stored, [])  # the assistant sends text and choices only
    return stored


def post_system_message(conversation: Conversation, text: str, *, now: datetime | None = None) -> Message:
    at = now or clock.now()
    message = Message.objects.create(conversation=conversation, author=Author.SYSTEM, text=text, created_at=at)
    _deliver_after_commit([message])
    return message


# --------------------------------------------------------------------------- people


@transaction.atomic
def hand_off(
    conversation: Conversation, *, queue: str, priority: int, reason: str, summary: dict[str, Any],
    summary_text: str, rule_id: str = "", order: Any = None, escalation: Any = None,
    first_reply_within: timedelta = timedelta(hours=1), now: datetime | None = None,
) -> Handoff:
    """Put the conversation in a queue for people; the assistant stays silent from now on."""
    at = now or clock.now()
    open_handoff = conversation.handoffs.exclude(status=HandoffStatus.RESOLVED).first()
    if open_handoff is not None:
        return open_handoff
    handoff = Handoff.objects.create(
        conversation=conversation, order=order, escalation=escalation, queue=queue, priority=priority, reason=reason,
        rule_id=rule_id, summary=summary, summary_text=summary_text, created_at=at, due_at=at + first_reply_within,
    )
    old = conversation.owner
    conversation.owner = Owner.NOBODY
    conversation.status = ConversationStatus.HANDED_OFF
    conversation.updated_at = at
    Conversation.objects.filter(pk=conversation.pk).update(owner=Owner.NOBODY, status=ConversationStatus.HANDED_OFF,
                                                           updated_at=at)
    record("conversation", conversation.pk, action="handed_off", old=old, new=Owner.NOBODY, actor=Actor.ASSISTANT, at=at,
           rule_id=rule_id, reason=reason, data={"handoff": handoff.pk, "queue": queue, "priority": priority})
    return handoff


@transaction.atomic
def take_over(conversation: Conversation, agent: Any, *, now: datetime | None = None) -> Conversation:
    at = now or clock.now()
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    old = conversation.owner
    conversation.owner, conversation.agent, conversation.status = Owner.AGENT, agent, ConversationStatus.HANDED_OFF
    conversation.updated_at = at
    conversation.save(update_fields=["owner", "agent", "status", "updated_at"])
    conversation.handoffs.filter(status=HandoffStatus.WAITING).update(status=HandoffStatus.ASSIGNED, assigned_to=agent)
    record("conversation", conversation.pk, action="taken_over", old=old, new=Owner.AGENT, actor=Actor.AGENT,
           actor_ref=str(agent), at=at)
    return conversation


@transaction.atomic
def post_agent_message(conversation: Conversation, agent: Any, text: str, *, now: datetime | None = None) -> Message:
    """A person's reply. Taking over is implicit: once an agent writes, the assistant is silent."""
    at = now or clock.now()
    if not text.strip():
        raise MessageRejected("empty_message", "the reply is empty")
    if len(text) > MAX_TEXT:
        raise MessageRejected("text_too_long", f"a message may have at most {MAX_TEXT} characters", max=MAX_TEXT)
    if conversation.owner != Owner.AGENT or conversation.agent_id != getattr(agent, "pk", None):
        conversation = take_over(conversation, agent, now=at)
    message = Message.objects.create(conversation=conversation, author=Author.AGENT, text=text, agent=agent, created_at=at)
    conversation.handoffs.filter(first_reply_at__isnull=True).exclude(status=HandoffStatus.RESOLVED).update(
        first_reply_at=at)
    _deliver_after_commit([message])
    return message


@transaction.atomic
def hand_back(conversation: Conversation, agent: Any, *, now: datetime | None = None) -> Conversation:
    """The person is done: resolve open handoffs and let the assistant answer again."""
    at = now or clock.now()
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    old = conversation.owner
    conversation.owner, conversation.status, conversation.agent = Owner.ASSISTANT, ConversationStatus.OPEN, None
    conversation.state = {}
    conversation.updated_at = at
    conversation.save(update_fields=["owner", "status", "agent", "state", "updated_at"])
    conversation.handoffs.exclude(status=HandoffStatus.RESOLVED).update(status=HandoffStatus.RESOLVED, resolved_at=at)
    record("conversation", conversation.pk, action="handed_back", old=old, new=Owner.ASSISTANT, actor=Actor.AGENT,
           actor_ref=str(agent), at=at)
    return conversation
