"""The web chat page, the embeddable widget, and the demo sign-in.

The page is static HTML plus a small script that talks to the buyer API with a chat token; the
server never renders a conversation, so the page and the widget need nothing but the token. The
token arrives in the URL fragment (never sent to a server or written to logs) or by ``postMessage``
from the widget, and lives in the tab's ``sessionStorage``.
"""

from __future__ import annotations

import json
import os
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_POST

from awn.helpdesk import services
from awn.marketplace.models import Customer, Order

LANGUAGES = ("ar", "en")


def demo_enabled() -> bool:
    """Demo sign-in is on with ``AWN_DEMO=1`` or in DEBUG, and never when ``AWN_PRODUCTION=1``."""
    if getattr(settings, "PRODUCTION", False):
        return False
    flag = os.environ.get("AWN_DEMO", "")
    if flag in ("0", "1"):
        return flag == "1"
    return bool(settings.DEBUG)


def _lang(request: HttpRequest) -> tuple[str, bool]:
    """The page language from ``?lang=`` (explicit) or Arabic (the default)."""
    lang = request.GET.get("lang", "")
    if lang in LANGUAGES:
        return lang, True
    return "ar", False


def _page(lang: str) -> dict[str, Any]:
    other = "en" if lang == "ar" else "ar"
    return {"lang": lang, "dir": "rtl" if lang == "ar" else "ltr", "other_lang": other,
            "other_lang_name": "English" if other == "en" else "العربية"}


def chat_strings() -> dict[str, str]:
    """What the chat script shows, in the active language (one catalog: Django's)."""
    return {
        "you": _("You"),
        "assistant": _("Awn assistant"),
        "agent": _("Customer care agent"),
        "system": _("Notice"),
        "sending": _("Sending…"),
        "failed": _("Not sent."),
        "retry": _("Try again"),
        "photo": _("Photo"),
        "typing": _("Awn is typing…"),
        "no_session": _("Your chat session is missing. Open the chat again from the marketplace."),
        "expired": _("Your chat session has expired. Open the chat again from the marketplace to continue."),
        "sign_in_again": _("Sign in again"),
        "offline": _("Connection lost. Retrying…"),
        "too_large": _("The photo is larger than 10 MB."),
        "not_image": _("Please send a JPEG, PNG or WebP photo."),
        "too_long": _("The message is too long (at most 4,096 characters)."),
        "too_fast": _("You are sending messages very quickly. Please wait a moment, then try again."),
        "closed": _("This conversation has ended. Write to start a new one."),
        "waiting_agent": _("You have been transferred to a customer care agent. They will reply here."),
        "with_agent": _("A customer care agent is with you."),
        "error": _("Something went wrong. Please try again."),
        "choose": _("Choose an option"),
    }


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Demo mode: pick a demo buyer. Otherwise a short page that says where things are."""
    lang, _explicit = _lang(request)
    with translation.override(lang):
        context = {**_page(lang), "demo": demo_enabled(), "buyers": _demo_buyers(lang) if demo_enabled() else []}
        return render(request, "webchat/home.html", context)


def _status_label(status: str) -> str:
    return {
        "pending_payment": _("Payment under verification"), "confirmed": _("Confirmed"),
        "processing": _("Being prepared"), "shipped": _("Shipped"), "delivered": _("Delivered"),
        "cancelled": _("Cancelled"), "closed": _("Closed"),
    }.get(status, status)


def _demo_buyers(lang: str) -> list[dict[str, Any]]:
    from awn.marketplace.demo import BUYERS

    refs = [b["ref"] for b in BUYERS]
    customers = {c.external_ref: c for c in Customer.objects.filter(external_ref__in=refs)}
    out = []
    for ref in refs:
        customer = customers.get(ref)
        if customer is None:
            continue
        orders = Order.objects.filter(customer=customer).prefetch_related("items").order_by("-placed_at")[:12]
        out.append({
            "ref": ref, "name": customer.display_name, "market": customer.market,
            "login": customer.identities.filter(kind="email").values_list("value", flat=True).first() or "",
            "language": customer.preferred_language,
            "orders": [{"number": o.order_number, "status": _status_label(o.status),
                        "title": ", ".join((i.title_ar if lang == "ar" else i.title_en) for i in o.items.all())}
                       for o in orders],
        })
    return out


@require_POST
def demo_sign_in(request: HttpRequest) -> HttpResponse:
    """Sign in as a demo buyer: mint a chat token and open the chat in the buyer's language."""
    if not demo_enabled():
        raise Http404("demo sign-in is off")
    from awn.channels.api.tokens import mint
    from awn.marketplace.demo import BUYERS

    ref = request.POST.get("customer", "")
    customer = Customer.objects.filter(external_ref=ref).first() if ref in {b["ref"] for b in BUYERS} else None
    if customer is None:
        raise Http404("no such demo buyer")
    token = mint(customer).token
    lang = request.POST.get("lang") if request.POST.get("lang") in LANGUAGES else customer.preferred_language
    return HttpResponseRedirect(f"{reverse('webchat:chat')}?lang={lang}#token={token}")


@require_GET
@xframe_options_exempt
def chat(request: HttpRequest) -> HttpResponse:
    lang, explicit = _lang(request)
    embed = request.GET.get("embed") == "1"
    with translation.override(lang):
        config = {
            "lang": lang, "langExplicit": explicit, "embed": embed, "api": "/api/v1/buyer",
            "demo": demo_enabled(), "signIn": reverse("webchat:home") + f"?lang={lang}",
            "maxPhotoBytes": int(getattr(settings, "AWN_MAX_PHOTO_BYTES", 10 * 1024 * 1024)),
            "maxText": services.MAX_TEXT, "pollMs": 2500, "strings": chat_strings(),
        }
        response = render(request, "webchat/chat.html",
                          {**_page(lang), "embed": embed, "config": config, "max_text": services.MAX_TEXT})
    ancestors = os.environ.get("AWN_WIDGET_ORIGINS", "").split()
    if ancestors:
        # Only the operator's own sites may frame the chat (clickjacking); unset: any site may.
        response["Content-Security-Policy"] = "frame-ancestors 'self' " + " ".join(ancestors)
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
@cache_control(public=True, max_age=300)
def widget_js(request: HttpRequest) -> HttpResponse:
    """The embeddable widget: a launcher button that opens the chat page in an iframe."""
    origin = request.build_absolute_uri("/").rstrip("/")
    labels = {}
    for lang in LANGUAGES:
        with translation.override(lang):
            labels[lang] = {"open": _("Chat with us"), "close": _("Close"), "title": _("Customer care chat")}
    return render(request, "webchat/widget.js", {"origin": origin, "labels_json": json.dumps(labels)},
                  content_type="application/javascript; charset=utf-8")
