"""Linking a WhatsApp number to a buyer's account.

A number that matches a customer's phone (or WhatsApp) identity is linked when first seen. Any
other number talks to Awn in a conversation without a customer, which can look up nothing private,
until it is linked in one of two ways:

- by the buyer: they type their account's email; a 6-digit one-time code goes to that email (the
  reply is the same whether the email exists or not); they type the code here (Arabic-Indic digits
  accepted). Codes are stored hashed, expire after 10 minutes, allow 5 attempts, are used once,
  and at most 3 are issued per number per hour;
- by an agent: :func:`link_conversation` (audited), which the operator API exposes.

These messages are handled before anything reaches the assistant: neither the email nor the code is
written into the conversation.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from awn.channels.whatsapp.models import Contact, InboundMessage, LinkChallenge
from awn.core import clock
from awn.core.audit import record
from awn.core.digits import to_ascii_digits
from awn.core.models import Actor
from awn.helpdesk.models import Conversation
from awn.marketplace.identities import InvalidIdentity, normalize_email
from awn.marketplace.models import Customer, CustomerIdentity

log = logging.getLogger("awn.whatsapp")

CODE_TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 5
MAX_CHALLENGES_PER_HOUR = 3
_CODE = re.compile(r"^\d{6}$")

TEXTS = {
    "code_sent": {
        "ar": "إذا كان هذا البريد الإلكتروني مسجّلًا لدينا فقد أرسلنا إليه رمزًا من 6 أرقام صالحًا لمدة 10 دقائق. "
              "اكتب الرمز هنا لربط رقمك بحسابك.",
        "en": "If this email belongs to an account, we have sent it a 6-digit code, valid for 10 minutes. "
              "Type the code here to link this number to your account.",
    },
    "linked": {
        "ar": "تم ربط رقمك بحسابك. يمكنك الآن السؤال عن طلباتك.",
        "en": "This number is now linked to your account. You can ask about your orders now.",
    },
    "wrong_code": {
        "ar": "الرمز غير صحيح. المحاولات المتبقية: {left}.",
        "en": "That code is not right. Attempts left: {left}.",
    },
    "code_dead": {
        "ar": "انتهت صلاحية الرمز أو استُنفدت محاولاته. اكتب بريدك الإلكتروني مرة أخرى لنرسل رمزًا جديدًا.",
        "en": "That code has expired or has no attempts left. Type your email again for a new code.",
    },
    "too_many": {
        "ar": "أرسلنا رموزًا كثيرة إلى هذا الرقم. حاول مرة أخرى بعد ساعة.",
        "en": "We have sent too many codes for this number. Please try again in an hour.",
    },
    "hint": {
        "ar": "لم نتعرّف على رقمك بعد، لذا لا نستطيع عرض طلباتك هنا. لربط رقمك بحسابك اكتب البريد الإلكتروني "
              "المسجّل في حسابك وسنرسل إليه رمز تحقق.",
        "en": "We don't recognise this number yet, so we can't show your orders here. To link it to your "
              "account, type the email address of your account and we will send it a verification code.",
    },
    "email_subject": {"ar": "رمز ربط واتساب: {code}", "en": "Your WhatsApp link code: {code}"},
    "email_body": {
        "ar": "رمز ربط رقم واتساب {number} بحسابك هو {code}. الرمز صالح لمدة 10 دقائق. "
              "إن لم تطلب هذا الرمز فتجاهل هذه الرسالة ولا تشاركه مع أحد.",
        "en": "The code to link the WhatsApp number {number} to your account is {code}. It is valid for 10 minutes. "
              "If you did not ask for it, ignore this email and do not share the code with anyone.",
    },
}


class LinkError(ValueError):
    """``code``: ``already_linked`` (to another customer), ``identity_taken`` (the WhatsApp id belongs to
    another customer), ``not_whatsapp``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def text(key: str, language: str, **params: object) -> str:
    entry = TEXTS[key]
    return entry.get(language, entry["en"]).format(**params)


def _hash(challenge_salt: str, code: str) -> str:
    key = (getattr(settings, "AWN_WHATSAPP_SECRET_KEY", "") or settings.SECRET_KEY).encode()
    return hmac.new(key, f"{challenge_salt}:{code}".encode(), hashlib.sha256).hexdigest()


def _mask(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def match_customer(contact: Contact) -> tuple[Customer | None, str]:
    """The customer whose WhatsApp id (BSUID or wa_id) or phone identity is this contact's, if any."""
    ids = [v for v in (contact.bsuid, contact.wa_id) if v]
    if ids:
        identity = CustomerIdentity.objects.select_related("customer").filter(kind="whatsapp", value__in=ids).first()
        if identity is not None:
            return identity.customer, "whatsapp_id"
    if contact.wa_id:
        identity = (CustomerIdentity.objects.select_related("customer").filter(kind="phone", value=f"+{contact.wa_id}")
                    .first())
        if identity is not None:
            return identity.customer, "phone"
    return None, ""


def link_contact(contact: Contact, customer: Customer, *, method: str, now: datetime) -> None:
    """Attach the customer to the contact and remember the WhatsApp ids as the customer's identities."""
    for value in (contact.bsuid, contact.wa_id):
        if not value:
            continue
        try:
            with transaction.atomic():
                CustomerIdentity.objects.create(customer=customer, kind="whatsapp", value=value, verified=True)
        except IntegrityError:
            owner = CustomerIdentity.objects.filter(kind="whatsapp", value=value).values_list("customer_id", flat=True).first()
            if owner != customer.pk:
                raise LinkError("identity_taken", "this WhatsApp id belongs to another customer") from None
    Contact.objects.filter(pk=contact.pk).update(customer=customer, linked_at=now, linked_by=method[:40])
    contact.customer, contact.linked_at, contact.linked_by = customer, now, method[:40]


def link_conversation(conversation: Conversation, customer: Customer, *, actor: str = Actor.AGENT,
                      actor_ref: str = "", now: datetime | None = None) -> Conversation:
    """Link an unlinked WhatsApp conversation (and its number) to ``customer``; idempotent; audited.

    Raises :class:`LinkError` when the conversation or the number already belongs to another customer.
    """
    at = now or clock.now()
    if conversation.channel != "whatsapp":
        raise LinkError("not_whatsapp", "only WhatsApp conversations are linked this way")
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if conversation.customer_id is not None and conversation.customer_id != customer.pk:
            raise LinkError("already_linked", "this conversation belongs to another customer")
        contact = Contact.objects.select_for_update().filter(channel_ref=conversation.channel_ref).first()
        if contact is not None:
            if contact.customer_id is not None and contact.customer_id != customer.pk:
                raise LinkError("already_linked", "this WhatsApp number is linked to another customer")
            if contact.customer_id is None:
                method = "code" if actor == Actor.BUYER else f"{actor}:{actor_ref}" if actor_ref else actor
                link_contact(contact, customer, method=method, now=at)
        if conversation.customer_id == customer.pk:
            return conversation
        Conversation.objects.filter(pk=conversation.pk).update(customer=customer, updated_at=at)
        conversation.customer = customer
        record("conversation", conversation.pk, action="linked", old="", new=customer.external_ref[:64], actor=actor,
               actor_ref=actor_ref, at=at, data={"customer": customer.pk, "channel_ref": conversation.channel_ref,
                                                  "method": "code" if actor == Actor.BUYER else actor})
    return conversation


# --------------------------------------------------------------------------- the buyer's dialogue

Effect = Callable[[], None]


def handle(contact: Contact, conversation: Conversation, row: InboundMessage, now: datetime,
           reply: Callable[[str], None], effects: list[Effect]) -> bool:
    """Consume the message when it is part of linking (an email, or a code while one is pending)."""
    if contact.customer_id is not None or row.type != "text":
        return False
    typed = row.text.strip()
    language = conversation.language
    digits = re.sub(r"[\s\-]", "", to_ascii_digits(typed))
    challenge = (LinkChallenge.objects.select_for_update().filter(contact=contact, used_at__isnull=True)
                 .order_by("-created_at").first())
    if challenge is not None and _CODE.match(digits):
        if challenge.expires_at <= now or challenge.attempts >= challenge.max_attempts:
            reply(text("code_dead", language))
            return True
        challenge.attempts += 1
        ok = challenge.customer_id is not None and hmac.compare_digest(
            _hash(str(challenge.pk), digits).encode(), challenge.code_hash.encode())
        if ok:
            challenge.used_at = now
            challenge.save(update_fields=["attempts", "used_at"])
            customer = Customer.objects.get(pk=challenge.customer_id)
            try:
                link_conversation(conversation, customer, actor=Actor.BUYER, actor_ref=contact.channel_ref, now=now)
            except LinkError as exc:
                log.warning("whatsapp: linking %s failed: %s", contact.channel_ref, exc.code)
                reply(text("code_dead", language))
                return True
            conversation.customer = customer
            reply(text("linked", language))
            return True
        challenge.save(update_fields=["attempts"])
        left = challenge.max_attempts - challenge.attempts
        reply(text("wrong_code", language, left=left) if left > 0 else text("code_dead", language))
        return True
    try:
        email = normalize_email(typed)
    except InvalidIdentity:
        return False
    recent = LinkChallenge.objects.filter(contact=contact, created_at__gt=now - timedelta(hours=1)).count()
    if recent >= MAX_CHALLENGES_PER_HOUR:
        reply(text("too_many", language))
        return True
    # Earlier codes die when a new one is asked for.
    LinkChallenge.objects.filter(contact=contact, used_at__isnull=True).update(used_at=now)
    identity = CustomerIdentity.objects.select_related("customer").filter(kind="email", value=email).first()
    code = f"{secrets.randbelow(10**6):06d}"
    challenge = LinkChallenge.objects.create(contact=contact, customer=identity.customer if identity else None,
                                             email_masked=_mask(email), code_hash="-", created_at=now,
                                             expires_at=now + CODE_TTL, max_attempts=MAX_ATTEMPTS)
    LinkChallenge.objects.filter(pk=challenge.pk).update(code_hash=_hash(str(challenge.pk), code))
    record("conversation", conversation.pk, action="link_code_requested", actor=Actor.BUYER, actor_ref=contact.channel_ref,
           at=now, data={"challenge": challenge.pk, "email": _mask(email), "known": identity is not None})
    if identity is not None:
        mail_language = identity.customer.preferred_language or language
        number = contact.number.display_phone_number or contact.number.phone_number_id

        def mail() -> None:
            try:
                send_mail(text("email_subject", mail_language, code=code),
                          text("email_body", mail_language, code=code, number=f"+{contact.wa_id}" if contact.wa_id else
                               (contact.username or contact.bsuid or "")),
                          getattr(settings, "AWN_WHATSAPP_LINK_EMAIL_FROM", None), [email])
            except Exception:  # the buyer can ask again; never fail the message over mail
                log.exception("whatsapp: could not send the link code email for %s (number %s)", _mask(email), number)

        effects.append(mail)
    reply(text("code_sent", language))
    return True
