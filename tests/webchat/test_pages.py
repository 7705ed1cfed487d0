"""The chat page, the widget script and the demo sign-in, through Django's test client."""

from __future__ import annotations

import gettext
import json
import re
from pathlib import Path

import pytest
from django.test import Client

from awn.channels.api.tokens import verify
from awn.core import clock
from awn.marketplace.demo import load_demo

pytestmark = pytest.mark.django_db

LOCALE = Path(__file__).parents[2] / "src/awn/channels/webchat/locale/ar/LC_MESSAGES"


@pytest.fixture
def demo(monkeypatch: pytest.MonkeyPatch) -> None:
    load_demo(clock.now())
    monkeypatch.setenv("AWN_DEMO", "1")


def test_the_chat_page_is_arabic_and_right_to_left_by_default(db):
    r = Client().get("/chat/")
    assert r.status_code == 200
    html = r.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "اكتب رسالتك…" in html and "خدمة العملاء" in html  # the Arabic catalog is compiled and used
    assert 'accept="image/jpeg,image/png,image/webp"' in html
    assert 'name="viewport"' in html
    assert "X-Frame-Options" not in r  # the widget frames it


def test_the_chat_page_in_english_is_left_to_right(db):
    html = Client().get("/chat/?lang=en").content.decode()
    assert '<html lang="en" dir="ltr">' in html and "Write your message…" in html
    assert re.search(r'"langExplicit": true', html)


def test_frame_ancestors_can_be_restricted(db, monkeypatch):
    monkeypatch.setenv("AWN_WIDGET_ORIGINS", "https://shop.example")
    r = Client().get("/chat/?embed=1")
    assert r["Content-Security-Policy"] == "frame-ancestors 'self' https://shop.example"


def test_demo_sign_in_lists_demo_buyers_and_opens_the_chat_with_a_token(demo):
    page = Client().get("/").content.decode()
    assert "نورة العتيبي" in page and "Sarah Haddad" in page and "81000001" in page
    r = Client().post("/demo/sign-in", {"customer": "demo-sarah"})
    assert r.status_code == 302
    location = r["Location"]
    assert location.startswith("/chat/?lang=en#token=")
    assert verify(location.split("#token=")[1]).external_ref == "demo-sarah"


def test_demo_sign_in_refuses_customers_outside_the_demo(demo, riyadh_buyer):
    assert Client().post("/demo/sign-in", {"customer": "riyadh"}).status_code == 404


def test_no_demo_sign_in_when_demo_mode_is_off(db, monkeypatch):
    load_demo(clock.now())
    monkeypatch.setenv("AWN_DEMO", "0")
    assert "نورة العتيبي" not in Client().get("/").content.decode()
    assert Client().post("/demo/sign-in", {"customer": "demo-noura"}).status_code == 404


def test_never_in_production_even_when_asked(demo, settings):
    settings.PRODUCTION = True
    assert "نورة العتيبي" not in Client().get("/").content.decode()
    assert Client().post("/demo/sign-in", {"customer": "demo-noura"}).status_code == 404


def test_demo_mode_follows_debug_when_not_set(db, monkeypatch, settings):
    from awn.channels.webchat.views import demo_enabled

    monkeypatch.delenv("AWN_DEMO", raising=False)
    settings.DEBUG = True
    assert demo_enabled()
    settings.DEBUG = False
    assert not demo_enabled()


def test_the_widget_script_knows_its_origin_and_both_languages(db):
    r = Client().get("/widget.js")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/javascript")
    js = r.content.decode()
    assert 'var ORIGIN = "http://testserver";' in js
    escaped = re.search(r'JSON\.parse\("(.*)"\)', js).group(1)  # type: ignore[union-attr]
    labels = json.loads(escaped.encode().decode("unicode_escape"))
    assert labels["ar"]["open"] == "تحدّث معنا" and labels["en"]["open"] == "Chat with us"


def _po_entries(path: Path) -> dict[str, str]:
    entries: dict[str, str] = {}
    msgid = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgid "):
            msgid = line[7:-1]
        elif line.startswith("msgstr ") and msgid:
            entries[msgid.encode().decode("unicode_escape").encode("latin-1").decode()] = (
                line[8:-1].encode().decode("unicode_escape").encode("latin-1").decode())
    return entries


def test_the_arabic_catalog_is_complete_and_compiled():
    """Every string has an Arabic translation, and the committed .mo says the same as the .po."""
    entries = _po_entries(LOCALE / "django.po")
    assert len(entries) > 40
    assert all(entries.values()), [k for k, v in entries.items() if not v]
    with (LOCALE / "django.mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for msgid, msgstr in entries.items():
        assert compiled.gettext(msgid) == msgstr, msgid


def test_every_chat_script_string_is_arabic_in_arabic():
    """Each string the chat script can show (a refused send, a rate limit, …) has its Arabic text."""
    from django.utils import translation

    from awn.channels.webchat.views import chat_strings

    with translation.override("ar"):
        arabic = chat_strings()
    with translation.override("en"):
        english = chat_strings()
    assert arabic.keys() == english.keys() and "too_fast" in arabic
    untranslated = [key for key, text in arabic.items() if not any("\u0600" <= ch <= "\u06ff" for ch in text)]
    assert untranslated == []
