"""Conversations with buyers (every channel), their messages, and handoffs to people.

A conversation belongs to one buyer and one channel. The assistant answers while it owns the
conversation; once a person takes over (``owner = agent``) the assistant stays silent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from awn.cases.models import Escalation
from awn.marketplace.models import Customer, Order


class Channel(models.TextChoices):
    WEB = "web"  # the web chat page and widget
    WHATSAPP = "whatsapp"  # WhatsApp Business (Cloud API)
    API = "api"  # the buyer API used by the operator's own apps
    TERMINAL = "terminal"  # `awn chat`, for demos and support staff


class Owner(models.TextChoices):
    ASSISTANT = "assistant"  # Awn answers
    AGENT = "agent"  # a person has taken over; the assistant is silent
    NOBODY = "nobody"  # closed, or waiting in a queue with the assistant told to stay silent


class ConversationStatus(models.TextChoices):
    OPEN = "open"  # in progress with the assistant
    HANDED_OFF = "handed_off"  # waiting for or with a person
    CLOSED = "closed"  # ended; a new message starts a new conversation


class Conversation(models.Model):
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="conversations")  # null: an unlinked WhatsApp number
    channel = models.CharField(max_length=16, choices=Channel.choices)
    # The channel's address of the buyer, e.g. "<phone_number_id>:<wa_id>" on WhatsApp; "" on web.
    channel_ref = models.CharField(max_length=200, blank=True, default="")
    language = models.CharField(max_length=5, default="ar")  # reply language, pinned; switchable
    owner = models.CharField(max_length=16, choices=Owner.choices, default=Owner.ASSISTANT)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="conversations")
    status = models.CharField(max_length=16, choices=ConversationStatus.choices, default=ConversationStatus.OPEN)
    # The dialogue manager's memory between turns (current order, pending confirmation, evidence step, …).
    state = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    last_buyer_message_at = models.DateTimeField(null=True, blank=True)  # WhatsApp's 24-hour window

    class Meta:
        indexes = [
            models.Index(fields=["customer", "channel", "status"], name="conv_customer_channel_idx"),
            models.Index(fields=["channel", "channel_ref"], name="conv_channel_ref_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} conversation #{self.pk} ({self.status}, {self.owner})"


class Author(models.TextChoices):
    BUYER = "buyer"
    ASSISTANT = "assistant"
    AGENT = "agent"
    SYSTEM = "system"  # notices such as "an agent joined"


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    author = models.CharField(max_length=16, choices=Author.choices)
    text = models.TextField(blank=True, default="")
    # Quick-reply choices offered with this message: [{"id": "order:81000001", "title": "…"}]
    choices = models.JSONField(default=list, blank=True)
    choice_id = models.CharField(max_length=100, blank=True, default="")  # the choice a buyer picked
    # What the assistant understood and which rules its reply rests on.
    intent = models.CharField(max_length=40, blank=True, default="")
    confidence = models.FloatField(null=True, blank=True)
    rule_ids = models.JSONField(default=list, blank=True)
    action = models.JSONField(default=dict, blank=True)  # an action performed: {"name", "case_id", …}
    # Idempotency: the client's id for a buyer message; the same id twice is one message.
    client_message_id = models.CharField(max_length=100, null=True, blank=True)
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    external_id = models.CharField(max_length=200, blank=True, default="")  # e.g. WhatsApp's wamid
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "client_message_id"], name="message_client_id_unique",
                                    condition=Q(client_message_id__isnull=False)),
        ]
        indexes = [models.Index(fields=["conversation", "id"], name="message_conversation_idx")]


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=16)  # image, document, audio, video, location, contacts, sticker
    file = models.FileField(upload_to="attachments/%Y/%m/", blank=True)
    content_type = models.CharField(max_length=100, blank=True, default="")
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    meta = models.JSONField(default=dict, blank=True)  # e.g. location coordinates, file name, caption


class HandoffStatus(models.TextChoices):
    WAITING = "waiting"  # in the queue, no person yet
    ASSIGNED = "assigned"  # a person has it
    RESOLVED = "resolved"  # done; the conversation may go back to the assistant


class Handoff(models.Model):
    """A conversation handed to people: which queue, how urgent, by when a person must reply, and a
    summary good enough that nobody has to ask the buyer again."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="handoffs")
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    escalation = models.ForeignKey(Escalation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    queue = models.CharField(max_length=32)  # payments, disputes, refunds, orders, accounts, general
    priority = models.PositiveSmallIntegerField(default=3)  # 1 urgent … 4 low (cases.models.Priority)
    reason = models.CharField(max_length=40)  # escalation rule, "asked_for_human", "not_understood", "angry"
    rule_id = models.CharField(max_length=64, blank=True, default="")
    # {"who", "order", "wants", "rules", "collected", "history"}: see awn.assistant.handoff
    summary = models.JSONField(default=dict)
    summary_text = models.TextField(blank=True, default="")  # the same, as text for the agent (English + Arabic)
    status = models.CharField(max_length=16, choices=HandoffStatus.choices, default=HandoffStatus.WAITING)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="handoffs")
    created_at = models.DateTimeField()
    due_at = models.DateTimeField()  # first human reply due (SLA)
    first_reply_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "priority", "due_at"], name="handoff_queue_idx")]


class ChannelKind(models.TextChoices):
    WHATSAPP = "whatsapp"
    PHONE = "phone"
    EMAIL = "email"
    HELP_CENTER = "help_center"
    LIVE_CHAT = "live_chat"


class OfficialChannel(models.Model):
    """The operator's own contact channels per market: the only numbers and addresses the assistant
    quotes. A number a buyer quotes that is not here is not official (support-number scams)."""

    market = models.CharField(max_length=2)
    kind = models.CharField(max_length=16, choices=ChannelKind.choices)
    value = models.CharField(max_length=254)  # E.164 for phone and WhatsApp, an address or a URL otherwise
    label_ar = models.CharField(max_length=200, blank=True, default="")
    label_en = models.CharField(max_length=200, blank=True, default="")
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["market", "kind", "value"], name="official_channel_unique")]

    def __str__(self) -> str:
        return f"{self.market} {self.kind} {self.value}"
