"""The buyer's endpoints (chat token): conversations on the web channel, messages, photos, language.

A buyer reaches only their own conversations, their attachments and orders; anything else, existing
or not, is the same 404 (``conversation_not_found`` / ``attachment_not_found`` / ``order_not_found``),
so ids cannot be probed.
"""

from __future__ import annotations

import logging
import os
import time
from datetime import UTC
from typing import Any

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import File, Form, Router, Status, UploadedFile

from awn.cases.actions import PHOTO_TYPES
from awn.channels.api import present, ratelimit
from awn.channels.api import schemas as s
from awn.channels.api.errors import ApiError, ErrorOut
from awn.channels.api.tokens import ChatTokenAuth
from awn.helpdesk import services
from awn.helpdesk.models import Attachment, Conversation, ConversationStatus, Message
from awn.marketplace.access import get_order_for_customer, orders_for_customer
from awn.marketplace.models import Customer

log = logging.getLogger("awn.api")

router = Router()

BUYER_CHANNELS = ("web", "api")  # WhatsApp conversations are answered on WhatsApp, not here
COMMON = (400, 401, 413, 422)


def responses(ok: dict[int, Any], *errors: int) -> dict[int, Any]:
    return {**ok, **{code: ErrorOut for code in sorted({*COMMON, *errors})}}


# Rate-limited endpoints (awn.channels.api.ratelimit): their 429 also carries Retry-After.
_RATE_LIMITED = {"responses": {429: {
    "description": "Too many requests from this buyer (`rate_limited`): `details` = `{limit, window_seconds, "
                   "retry_after}`; the request was not carried out",
    "headers": {"Retry-After": {"schema": {"type": "integer"},
                                "description": "Seconds until a request would be accepted"}},
}}}


def _timing_enabled() -> bool:
    """``AWN_SERVER_TIMING=1`` (setting or environment): answer turns with a ``Server-Timing`` header
    (view, assistant, language engine; see ``awn.assistant.timing``). Off by default."""
    flag = getattr(settings, "AWN_SERVER_TIMING", None)
    return bool(flag) if flag is not None else os.environ.get("AWN_SERVER_TIMING", "0") == "1"


def _me(request: HttpRequest) -> Customer:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _conversation(request: HttpRequest, pk: int) -> Conversation:
    conversation = Conversation.objects.filter(pk=pk, customer=_me(request), channel__in=BUYER_CHANNELS).first()
    if conversation is None:
        raise _no_conversation()
    return conversation


def _no_conversation() -> ApiError:
    return ApiError(404, "conversation_not_found", "no such conversation")


def _messages(conversation: Conversation, after: int = 0) -> list[dict[str, Any]]:
    qs = conversation.messages.filter(pk__gt=after).prefetch_related("attachments").order_by("id")
    return [present.buyer_message(m) for m in qs[:200]]


def _conversation_out(conversation: Conversation) -> dict[str, Any]:
    return {"id": conversation.pk, "channel": conversation.channel, "language": conversation.language,
            "owner": conversation.owner, "status": conversation.status, "messages": _messages(conversation)}


def _turn(result: services.TurnResult) -> Status[dict[str, Any]]:
    if result.duplicate:
        ids = [result.message.pk, *(r.pk for r in result.replies)]
        fresh = {m.pk: m for m in Message.objects.filter(pk__in=ids).prefetch_related("attachments")}
        message, replies = fresh[result.message.pk], [fresh[r.pk] for r in result.replies]
    else:
        # Just written in this request: the rows are what the objects hold, so present them as they
        # are (times in UTC, as read back from the database) and fetch only their attachments.
        message, replies = result.message, list(result.replies)
        prefetch_related_objects([message, *replies], "attachments")
        for m in (message, *replies):
            if m.created_at is not None and m.created_at.utcoffset():
                m.created_at = m.created_at.astimezone(UTC)
    body = {"message": present.buyer_message(message), "replies": [present.buyer_message(r) for r in replies],
            "duplicate": result.duplicate}
    return Status(200 if result.duplicate else 201, body)


@router.get("/me", response=responses({200: s.MeOut}))
def me(request: HttpRequest) -> Any:
    c = _me(request)
    return {"customer": c.external_ref, "display_name": c.display_name, "market": c.market,
            "preferred_language": c.preferred_language}


@router.post("/conversations", response=responses({200: s.BuyerConversationOut, 201: s.BuyerConversationOut}),
             summary="The buyer's open conversation on this channel, or a new one")
def start(request: HttpRequest, body: s.StartConversationIn) -> Status[Any]:
    before = Conversation.objects.filter(customer=_me(request), channel=body.channel).exclude(
        status=ConversationStatus.CLOSED).exists()
    conversation = services.start_conversation(_me(request), body.channel, language=body.language)
    return Status(200 if before else 201, _conversation_out(conversation))


@router.get("/conversations/{conversation_id}", response=responses({200: s.BuyerConversationOut}, 404))
def get_conversation(request: HttpRequest, conversation_id: int) -> Any:
    return _conversation_out(_conversation(request, conversation_id))


@router.get("/conversations/{conversation_id}/messages", response=responses({200: s.BuyerMessagesOut}, 404, 429),
            openapi_extra=_RATE_LIMITED, summary="Messages after a message id (poll with the last id you have)")
def new_messages(request: HttpRequest, conversation_id: int, after: int = 0) -> Any:
    if (limited := ratelimit.check(request, ratelimit.READ)) is not None:
        return limited
    conversation = _conversation(request, conversation_id)
    return {"conversation": conversation.pk, "language": conversation.language, "owner": conversation.owner,
            "status": conversation.status, "messages": _messages(conversation, after)}


@router.post("/conversations/{conversation_id}/messages",
             response=responses({200: s.TurnOut, 201: s.TurnOut}, 404, 409, 429), openapi_extra=_RATE_LIMITED,
             auth=ChatTokenAuth(load_customer=False),  # the locking query reads the buyer's row
             summary="Send text or a quick-reply choice; the same client_message_id twice is one message")
def send(request: HttpRequest, conversation_id: int, body: s.SendMessageIn,
         response: HttpResponse) -> Status[Any] | HttpResponse:
    if (limited := ratelimit.check(request, ratelimit.SEND)) is not None:  # before anything is stored
        return limited
    timed = _timing_enabled()
    if timed:
        from awn.assistant import timing  # only when asked: some tools stand in for awn.assistant

        timing.reset()
        started = time.perf_counter()
    try:  # the ownership check is the query that locks the conversation
        result = services.receive_buyer_message(conversation_id, text=body.text, choice_id=body.choice_id,
                                                client_message_id=body.client_message_id,
                                                customer_id=request.auth.pk,  # type: ignore[attr-defined]
                                                channels=BUYER_CHANNELS)
    except services.ConversationNotFound:
        raise _no_conversation() from None
    out = _turn(result)
    if timed:
        response["Server-Timing"] = timing.header({"view": time.perf_counter() - started, **timing.take()})
    return out


def sniff_image(data: bytes) -> str | None:
    """The image type from the file's first bytes (what the browser claims is not trusted)."""
    for content_type, magic in PHOTO_TYPES.items():
        if data.startswith(magic) and (content_type != "image/webp" or data[8:12] == b"WEBP"):
            return content_type
    return None


@router.post("/conversations/{conversation_id}/photos",
             response=responses({200: s.TurnOut, 201: s.TurnOut}, 404, 409, 415, 429), openapi_extra=_RATE_LIMITED,
             summary="Send a photo (JPEG, PNG or WebP, at most 10 MB), optionally with a caption")
def send_photo(request: HttpRequest, conversation_id: int, photo: File[UploadedFile],
               text: Form[str] = "", client_message_id: Form[str] = "") -> Status[Any] | HttpResponse:
    if (limited := ratelimit.check(request, ratelimit.SEND)) is not None:  # counted with messages
        return limited
    conversation = _conversation(request, conversation_id)
    limit = int(getattr(settings, "AWN_MAX_PHOTO_BYTES", 10 * 1024 * 1024))
    if photo.size is None or photo.size > limit:
        raise ApiError(413, "file_too_large", f"a photo may be at most {limit} bytes", max=limit, field="photo")
    if photo.size == 0:
        raise ApiError(422, "empty_file", "the photo is empty", field="photo")
    if "\x00" in text or "\x00" in client_message_id:
        raise ApiError(400, "invalid_characters", "the text contains a NUL character", field="text")
    if len(client_message_id) > 100:
        raise ApiError(422, "validation_error", "client_message_id has at most 100 characters",
                       fields=[{"field": "client_message_id", "location": "form"}])
    data = photo.read()
    content_type = sniff_image(data)
    if content_type is None:
        raise ApiError(415, "unsupported_media_type", "the photo must be a JPEG, PNG or WebP image",
                       allowed=sorted(PHOTO_TYPES), field="photo")
    attachment = services.IncomingAttachment(kind="image", content=data, content_type=content_type,
                                             meta={"filename": (photo.name or "")[:200]})
    try:
        result = services.receive_buyer_message(conversation, text=text, client_message_id=client_message_id or None,
                                                attachments=[attachment], customer_id=_me(request).pk,
                                                channels=BUYER_CHANNELS)
    except services.ConversationNotFound:
        raise _no_conversation() from None
    return _turn(result)


def _no_attachment() -> ApiError:
    return ApiError(404, "attachment_not_found", "no such attachment")


_ATTACHMENT_200 = {
    "description": "The stored bytes. A photo (JPEG, PNG or WebP, as the photo endpoint stored it) is served "
                   "inline with its type; anything else as an `application/octet-stream` download.",
    "content": {t: {"schema": {"type": "string", "format": "binary"}}
                for t in (*sorted(PHOTO_TYPES), "application/octet-stream")},
    "headers": {
        "Cache-Control": {"schema": {"type": "string"}, "description": "`private, max-age=3600`"},
        "Content-Disposition": {"schema": {"type": "string"},
                                "description": '`inline; filename="photo-<id>.png"` (a photo) or `attachment; …`'},
        "X-Content-Type-Options": {"schema": {"type": "string"}, "description": "`nosniff`"},
    },
}


@router.get("/conversations/{conversation_id}/attachments/{attachment_id}",
            response={200: None, **responses({}, 404)},
            openapi_extra={"responses": {200: _ATTACHMENT_200}},
            summary="The bytes of an attachment (a photo the buyer sent) in one of the buyer's conversations")
def get_attachment(request: HttpRequest, conversation_id: int, attachment_id: int) -> HttpResponse:
    """404 ``conversation_not_found`` for a conversation that is not the buyer's, and 404
    ``attachment_not_found`` for an attachment that is not on one of that conversation's messages,
    has no stored file, or whose file is gone (the same answer whether or not it exists elsewhere)."""
    conversation = _conversation(request, conversation_id)
    attachment = Attachment.objects.filter(pk=attachment_id, message__conversation=conversation).first()
    if attachment is None or not attachment.file:
        raise _no_attachment()
    try:
        handle = attachment.file.storage.open(attachment.file.name, "rb")
    except OSError as exc:  # FileNotFoundError, a permission problem, a storage backend's I/O error
        log.warning("attachment %s of conversation %s: its file %r cannot be read (%s)",
                    attachment.pk, conversation.pk, attachment.file.name, exc.__class__.__name__)
        raise _no_attachment() from None
    photo = attachment.kind == "image" and attachment.content_type in PHOTO_TYPES
    if photo:
        content_type = attachment.content_type
        filename = f"photo-{attachment.pk}.{content_type.split('/')[1].replace('jpeg', 'jpg')}"
    else:
        content_type, filename = "application/octet-stream", f"attachment-{attachment.pk}.bin"
    # The file name is made here from the id, never the buyer's: nothing of theirs reaches a header.
    response = FileResponse(handle, content_type=content_type, as_attachment=not photo, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Vary"] = "Authorization"  # a browser's cache must not hand one token's answer to another
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@router.put("/conversations/{conversation_id}/language", response=responses({200: s.BuyerMessagesOut}, 404),
            summary="Switch the reply language (ar or en)")
def language(request: HttpRequest, conversation_id: int, body: s.LanguageIn) -> Any:
    conversation = _conversation(request, conversation_id)
    services.set_language(conversation, body.language)
    return {"conversation": conversation.pk, "language": conversation.language, "owner": conversation.owner,
            "status": conversation.status, "messages": []}


@router.get("/orders", response=responses({200: list[s.BuyerOrderOut]}))
def my_orders(request: HttpRequest) -> Any:
    return [_order_out(o) for o in orders_for_customer(_me(request), include_archived=False)[:20]]


@router.get("/orders/{order_number}", response=responses({200: s.BuyerOrderOut}, 404),
            summary="One of the buyer's orders (Arabic-Indic digits accepted); another buyer's is 404")
def my_order(request: HttpRequest, order_number: str) -> Any:
    return _order_out(get_order_for_customer(_me(request), order_number))


def _order_out(o: Any) -> dict[str, Any]:
    return {"order_number": o.order_number, "status": o.status, "placed_at": o.placed_at, "currency": o.currency,
            "total": o.total, "items": present.order_items(o)}
