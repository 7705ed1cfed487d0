"""WhatsApp channel records: configuration, the raw inbox, inbound messages, statuses, the send queue.

Exactly once is enforced by the database, never by a check-then-insert:
``InboundMessage(number, wamid)`` and ``StatusUpdate(wamid, status)`` are unique, and
``Outbound(message, part)`` is unique so an Awn message is queued once however often it is handed over.
Secrets are stored encrypted (``crypto``) and never rendered back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from awn.channels.whatsapp import crypto
from awn.helpdesk.models import Conversation, Message
from awn.marketplace.models import Customer, Market

DEFAULT_GRAPH_VERSION = "v23.0"
DEFAULT_GRAPH_URL = "https://graph.facebook.com"


class Account(models.Model):
    """An operator's Meta app + WhatsApp Business setup: app secret(s), verify token, access token, Graph version.

    Several numbers (``PhoneNumber``) hang off one account and share one webhook URL; deliveries are
    routed by ``phone_number_id``.
    """

    name = models.CharField(max_length=100, unique=True)
    app_id = models.CharField(max_length=64, blank=True, default="")
    app_secret_enc = models.TextField(blank=True, default="", editable=False)
    # The secret before a rotation, still accepted until cleared (Meta signs with one secret at a time).
    previous_app_secret_enc = models.TextField(blank=True, default="", editable=False)
    verify_token_enc = models.TextField(blank=True, default="", editable=False)
    access_token_enc = models.TextField(blank=True, default="", editable=False)
    access_token_set_at = models.DateTimeField(null=True, blank=True, editable=False)
    graph_api_version = models.CharField(max_length=10, default=DEFAULT_GRAPH_VERSION)
    graph_base_url = models.URLField(default=DEFAULT_GRAPH_URL)  # changed only for a local stand-in
    active = models.BooleanField(default=True)
    # Set by the sender on an authentication error (190 token expired, 0, 10): nothing is sent until a
    # new access token is saved, which clears it and releases the held messages.
    sending_paused_reason = models.CharField(max_length=200, blank=True, default="", editable=False)
    sending_paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:  # never the secrets
        return f"<Account {self.pk} {self.name!r}>"

    # Secrets go in through these setters and come out only where they are used.
    def set_app_secret(self, value: str, *, keep_previous: bool = True) -> None:
        if keep_previous and self.app_secret_enc:
            self.previous_app_secret_enc = self.app_secret_enc
        self.app_secret_enc = crypto.encrypt(value.strip())

    def set_verify_token(self, value: str) -> None:
        self.verify_token_enc = crypto.encrypt(value.strip())

    def set_access_token(self, value: str, *, at: object = None) -> None:
        from awn.core import clock

        self.access_token_enc = crypto.encrypt(value.strip())
        self.access_token_set_at = at or clock.now()  # type: ignore[assignment]
        self.sending_paused_reason, self.sending_paused_at = "", None

    def app_secrets(self) -> list[bytes]:
        return [crypto.decrypt(v).encode() for v in (self.app_secret_enc, self.previous_app_secret_enc) if v]

    def verify_token(self) -> str:
        return crypto.decrypt(self.verify_token_enc)

    def access_token(self) -> str:
        return crypto.decrypt(self.access_token_enc)

    @property
    def graph_url(self) -> str:
        return f"{self.graph_base_url.rstrip('/')}/{self.graph_api_version}"


class PhoneNumber(models.Model):
    """One WhatsApp business number; ``phone_number_id`` routes webhook changes and sends."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="numbers")
    phone_number_id = models.CharField(max_length=64, unique=True)
    business_account_id = models.CharField(max_length=64, blank=True, default="")  # WABA id (entry[].id)
    display_phone_number = models.CharField(max_length=32, blank=True, default="")
    market = models.CharField(max_length=2, choices=Market.choices)
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.display_phone_number or self.phone_number_id} ({self.market})"


class DeliveryState(models.TextChoices):
    PENDING = "pending"  # stored by the webhook; the worker has not read it yet
    DONE = "done"  # read: its messages, statuses and errors are rows now
    FAILED = "failed"  # could not be read (not JSON); kept for inspection, never retried


class Delivery(models.Model):
    """One signed webhook POST, stored byte for byte before anything reads it."""

    received_at = models.DateTimeField(db_index=True)
    body = models.BinaryField()
    signature = models.CharField(max_length=80)
    # Whose app secret signed it (null: a deployment-wide secret from settings).
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    processed_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)  # counts: messages, duplicates, statuses, …
    error = models.TextField(blank=True, default="")

    class Meta:
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["state", "id"], name="wa_delivery_pending_idx",
                                condition=Q(state="pending"))]


class Contact(models.Model):
    """A buyer as one business number knows them: BSUID and/or phone, and the Awn customer once linked."""

    number = models.ForeignKey(PhoneNumber, on_delete=models.PROTECT, related_name="contacts")
    wa_id = models.CharField(max_length=32, null=True, blank=True)
    bsuid = models.CharField(max_length=160, null=True, blank=True)
    parent_bsuid = models.CharField(max_length=160, blank=True, default="")
    username = models.CharField(max_length=100, blank=True, default="")
    profile_name = models.CharField(max_length=200, blank=True, default="")
    # "<phone_number_id>:<bsuid or wa_id>", fixed when the contact is first seen: the conversation key.
    channel_ref = models.CharField(max_length=200, unique=True)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    linked_at = models.DateTimeField(null=True, blank=True)
    linked_by = models.CharField(max_length=40, blank=True, default="")  # phone, code, agent:<username>
    last_inbound_at = models.DateTimeField(null=True, blank=True)  # Meta's timestamp: the 24-hour window
    link_hint_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["number", "wa_id"], name="wa_contact_phone_unique",
                                    condition=Q(wa_id__isnull=False)),
            models.UniqueConstraint(fields=["number", "bsuid"], name="wa_contact_bsuid_unique",
                                    condition=Q(bsuid__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.channel_ref

    @property
    def recipient(self) -> dict[str, str]:
        """Send to the phone number when known, else to the BSUID (``recipient``)."""
        return {"to": self.wa_id} if self.wa_id else {"recipient": self.bsuid or ""}


class InboundState(models.TextChoices):
    MEDIA = "media"  # waiting for its media download, which comes before the conversation sees it
    PENDING = "pending"  # ready to hand to the conversation (in timestamp order per contact)
    DONE = "done"  # handed over: ``message`` is the conversation's row
    LINKING = "linking"  # consumed by the account-linking dialogue (an email or a code): not shown
    RECORDED = "recorded"  # kept, not a buyer turn (reaction, system notice, no sender)
    FAILED = "failed"  # refused by the conversation or out of attempts; ``error`` says why


class InboundMessage(models.Model):
    number = models.ForeignKey(PhoneNumber, on_delete=models.PROTECT, related_name="inbound")
    wamid = models.CharField(max_length=200)
    delivery = models.ForeignKey(Delivery, on_delete=models.SET_NULL, null=True, related_name="messages")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="inbound")
    type = models.CharField(max_length=32)
    supported = models.BooleanField(default=True)
    sent_at = models.DateTimeField(null=True, blank=True)  # Meta's timestamp
    received_at = models.DateTimeField()
    text = models.TextField(blank=True, default="")
    choice_id = models.CharField(max_length=256, blank=True, default="")
    reply_to = models.CharField(max_length=200, blank=True, default="")
    content = models.JSONField(default=dict, blank=True)  # normalised: media, attachment, reaction, referral…
    raw = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=InboundState.choices)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)  # media download claimed until
    error = models.TextField(blank=True, default="")
    media_file = models.FileField(upload_to="whatsapp/inbound/%Y/%m/", blank=True)
    media_sha256 = models.CharField(max_length=64, blank=True, default="")  # hex of what was downloaded
    media_size = models.PositiveIntegerField(default=0)
    media_content_type = models.CharField(max_length=100, blank=True, default="")
    conversation = models.ForeignKey(Conversation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["number", "wamid"], name="wa_inbound_unique")]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="wa_inbound_due_idx",
                         condition=Q(state__in=["media", "pending"])),
            models.Index(fields=["contact", "sent_at", "id"], name="wa_inbound_contact_idx"),
        ]


class StatusUpdate(models.Model):
    """One status Meta reported for an outbound wamid; (wamid, status) is unique, arrival order is not trusted."""

    number = models.ForeignKey(PhoneNumber, null=True, on_delete=models.PROTECT, related_name="+")
    wamid = models.CharField(max_length=200)
    status = models.CharField(max_length=16)
    at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField()
    recipient_id = models.CharField(max_length=160, blank=True, default="")
    error_code = models.IntegerField(null=True, blank=True)
    errors = models.JSONField(default=list, blank=True)
    pricing = models.JSONField(default=dict, blank=True)
    callback_data = models.CharField(max_length=512, blank=True, default="")
    raw = models.JSONField(default=dict)
    delivery = models.ForeignKey(Delivery, on_delete=models.SET_NULL, null=True, related_name="statuses")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["wamid", "status"], name="wa_status_unique")]


class EventKind(models.TextChoices):
    VALUE_ERROR = "value_error"  # value.errors[]: Meta reports a problem out of band (e.g. 130429)
    OTHER_CHANGE = "other_change"  # another webhook field or a shape not acted on; raw kept
    UNKNOWN_NUMBER = "unknown_number"  # a phone_number_id not configured here
    FOREIGN_NUMBER = "foreign_number"  # signed by one account's secret, for another account's number
    NO_SENDER = "no_sender"  # a message with neither phone number nor BSUID
    NO_ID = "no_id"  # a message or status without an id: cannot be de-duplicated, not acted on
    UNREADABLE = "unreadable"  # the body is not a JSON object
    SEND_FAILED = "send_failed"  # an outbound message failed for good (surfaced to agents)
    AUTH_FAILED = "auth_failed"  # the access token was refused (190/0/10): sending paused


class ChannelEvent(models.Model):
    """Something worth an operator's eye that is neither a message nor a status. Kept raw."""

    kind = models.CharField(max_length=20, choices=EventKind.choices)
    at = models.DateTimeField()
    delivery = models.ForeignKey(Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    number = models.ForeignKey(PhoneNumber, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    phone_number_id = models.CharField(max_length=64, blank=True, default="")
    code = models.IntegerField(null=True, blank=True)
    summary = models.CharField(max_length=300, blank=True, default="")
    raw = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "at"], name="wa_event_kind_idx")]


class OutboundState(models.TextChoices):
    """The send state machine. Allowed moves (``outbound.TRANSITIONS``):
    queued → sending → sent | retry | uncertain | failed | held;  retry → sending;
    uncertain → sent (a status names it) | retry (nothing heard within the grace period);
    held → queued (a new access token);  queued/retry → refused (window closed)."""

    QUEUED = "queued"  # waiting for a worker
    SENDING = "sending"  # claimed by one worker until lease_until; the HTTP request may be in flight
    RETRY = "retry"  # a retryable error; due again at next_attempt_at
    UNCERTAIN = "uncertain"  # the request may have reached Meta (timeout after sending): wait for a status
    SENT = "sent"  # Meta accepted it: wamid is set
    FAILED = "failed"  # a permanent error, or out of attempts: error_code says why (surfaced)
    REFUSED = "refused"  # never sent: free-form outside the 24-hour window (or no recipient)
    HELD = "held"  # the account's token was refused; released when a new token is saved


class Outbound(models.Model):
    number = models.ForeignKey(PhoneNumber, on_delete=models.PROTECT, related_name="outbound")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="outbound")
    conversation = models.ForeignKey(Conversation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    part = models.PositiveSmallIntegerField(default=0)  # n-th body of the same Awn message
    # Read receipts and other sends not tied to an Awn message are keyed by this instead.
    dedupe_key = models.CharField(max_length=250, null=True, blank=True, unique=True)
    kind = models.CharField(max_length=16)
    free_form = models.BooleanField(default=True)
    payload = models.JSONField()  # the Graph API body, recipient included
    choices = models.JSONField(default=list, blank=True)  # what the buttons/rows stood for
    state = models.CharField(max_length=10, choices=OutboundState.choices, default=OutboundState.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    wamid = models.CharField(max_length=200, null=True, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Delivery progress from status webhooks, only ever forward: "", sent, delivered, read, played.
    delivery_status = models.CharField(max_length=10, blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)  # a "failed" status, recorded even after "sent"
    error_code = models.IntegerField(null=True, blank=True)
    error_title = models.CharField(max_length=300, blank=True, default="")
    error_detail = models.TextField(blank=True, default="")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "part"], name="wa_outbound_message_part_unique",
                                    condition=Q(message__isnull=False)),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="wa_outbound_due_idx",
                         condition=Q(state__in=["queued", "retry", "sending", "uncertain"])),
            models.Index(fields=["contact", "id"], name="wa_outbound_contact_idx"),
        ]


class SendAttempt(models.Model):
    """One HTTP request for an outbound row (append-only): when, what came back, how it was judged."""

    outbound = models.ForeignKey(Outbound, on_delete=models.CASCADE, related_name="send_attempts")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=12, blank=True, default="")  # sent, retry, uncertain, failed, held
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error_code = models.IntegerField(null=True, blank=True)
    error_message = models.TextField(blank=True, default="")
    fbtrace_id = models.CharField(max_length=64, blank=True, default="")
    worker = models.CharField(max_length=100, blank=True, default="")


class LinkChallenge(models.Model):
    """A one-time code sent to an account's email so an unknown WhatsApp number can be linked to it.

    The code is stored hashed; it expires, allows a few attempts, and is used at most once. A challenge
    is created even for an unknown email (``customer`` null) so the buyer cannot tell which emails exist.
    """

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="link_challenges")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    email_masked = models.CharField(max_length=254, blank=True, default="")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=5)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["contact", "created_at"], name="wa_challenge_contact_idx")]


def media_limit() -> int:
    return int(getattr(settings, "AWN_WHATSAPP_MAX_MEDIA_BYTES", getattr(settings, "AWN_MAX_PHOTO_BYTES",
                                                                            10 * 1024 * 1024)))
