"""The web chat in a real headless Chromium against a live server (real HTTP, the real buyer API).

The dialogue manager is the real ``awn.assistant`` when it is installed; until then a stand-in
answers, and these tests assert only that *some* reply appears, never its wording.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

import pytest

from awn.core import clock
from awn.helpdesk.models import Attachment, Message
from awn.marketplace.demo import load_demo
from tests.api.helpers import fake_assistant
from tests.webchat.conftest import SCREENSHOTS, photo_png

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
# The e2e screenshot kept in docs/ is rewritten only on request (AWN_UPDATE_DOCS_SCREENSHOTS=1), so a
# test run does not leave a modified PNG in the working tree; otherwise it goes beside the others.
DOCS_SCREENSHOTS = (Path(__file__).resolve().parents[2] / "docs" / "screenshots"
                    if os.environ.get("AWN_UPDATE_DOCS_SCREENSHOTS") == "1" else SCREENSHOTS)
TIMEOUT = 20_000  # ms: the real assistant loads its language model on the first turn


@pytest.fixture
def demo_site(live_server: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    load_demo(clock.now())
    monkeypatch.setenv("AWN_DEMO", "1")
    try:
        importlib.import_module("awn.assistant").respond  # noqa: B018 - is the real dialogue manager there?
    except (ImportError, AttributeError):
        fake_assistant(monkeypatch)
    return str(live_server.url)


def assistant_count(page: Any) -> int:
    return int(page.locator(".msg--assistant").count())


def test_demo_buyer_chats_in_arabic_on_a_phone(browser: Any, demo_site: str) -> None:
    page = browser.new_page(viewport=PHONE, device_scale_factor=2, locale="ar-SA")
    page.set_default_timeout(TIMEOUT)
    page.goto(demo_site + "/")
    assert page.get_attribute("html", "dir") == "rtl"
    page.screenshot(path=str(SCREENSHOTS / "demo-sign-in-ar-390x844.png"))
    page.click('button[data-customer="demo-noura"]')
    page.wait_for_selector('html[data-ready="true"]')
    assert page.get_attribute("html", "dir") == "rtl" and page.get_attribute("html", "lang") == "ar"
    assert "#token=" not in page.url  # the token left the address bar
    page.evaluate("window.__sameDocument = true")

    page.fill("#text", "السلام عليكم، وصلني الطلب والشاشة مكسورة")
    page.press("#text", "Enter")
    page.wait_for_function("document.querySelectorAll('.msg--assistant').length > 0")
    assert page.evaluate("window.__sameDocument") is True  # the reply came without a reload
    assert page.locator(".msg--buyer .msg__text").first.inner_text() == "السلام عليكم، وصلني الطلب والشاشة مكسورة"

    choice = page.locator(".choices:not([aria-disabled='true']) .choice").first
    choice.wait_for()
    title = choice.inner_text()
    before = assistant_count(page)
    choice.click()
    page.wait_for_function("document.querySelectorAll('.msg--buyer:not(.msg--pending)').length >= 2")
    assert page.locator(".msg--buyer .msg__text").last.inner_text() == title
    page.wait_for_function(f"document.querySelectorAll('.msg--assistant').length > {before}")

    page.set_input_files("#photo", files=[{"name": "broken.png", "mimeType": "image/png", "buffer": photo_png()}])
    page.wait_for_selector(".msg--buyer:not(.msg--pending) img.msg__photo")
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOTS / "chat-ar-390x844.png"))
    assert page.evaluate("window.__sameDocument") is True
    page.close()

    buyer_messages = Message.objects.filter(conversation__customer__external_ref="demo-noura", author="buyer")
    assert buyer_messages.count() == 3
    assert buyer_messages.exclude(choice_id="").count() == 1
    assert Attachment.objects.filter(message__in=buyer_messages, content_type="image/png").count() == 1


def test_english_is_left_to_right_and_html_is_shown_as_text(browser: Any, demo_site: str) -> None:
    page = browser.new_page(viewport=PHONE, device_scale_factor=2, locale="en-US")
    page.set_default_timeout(TIMEOUT)
    page.goto(demo_site + "/?lang=en")
    assert page.get_attribute("html", "dir") == "ltr"
    page.click('button[data-customer="demo-sarah"]')  # prefers English
    page.wait_for_selector('html[data-ready="true"]')
    assert page.get_attribute("html", "dir") == "ltr" and page.get_attribute("html", "lang") == "en"
    hostile = '<img src=x onerror="window.__pwned=1"><b>bold</b> where is my order?'
    page.fill("#text", hostile)
    page.click("#send")
    page.wait_for_function("document.querySelectorAll('.msg--assistant').length > 0")
    assert page.locator(".msg--buyer .msg__text").first.inner_text() == hostile
    assert page.locator("#log b, #log img:not(.msg__photo)").count() == 0
    assert page.evaluate("window.__pwned") is None
    page.screenshot(path=str(SCREENSHOTS / "chat-en-390x844.png"))

    page.click("#lang-switch")  # to Arabic: the page reloads right-to-left, the conversation follows
    page.wait_for_selector('html[lang="ar"][data-ready="true"]')
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.locator(".msg--buyer").count() >= 1  # the history is still there
    page.close()
    assert Message.objects.filter(text=hostile).count() == 1
    from awn.helpdesk.models import Conversation

    assert Conversation.objects.get(customer__external_ref="demo-sarah").language == "ar"


def test_the_widget_opens_the_chat_in_an_iframe(browser: Any, demo_site: str) -> None:
    from awn.channels.api.tokens import mint
    from awn.marketplace.models import Customer

    token = mint(Customer.objects.get(external_ref="demo-mohamed")).token
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.set_default_timeout(TIMEOUT)
    page.goto(demo_site + "/?lang=en")  # any page of another site would do; this one is at hand
    page.evaluate(
        """([src, token]) => new Promise((resolve) => {
             const s = document.createElement('script');
             s.src = src; s.dataset.token = token; s.dataset.lang = 'ar'; s.dataset.open = 'true';
             s.onload = resolve; document.body.appendChild(s);
           })""",
        [demo_site + "/widget.js", token],
    )
    frame_element = page.wait_for_selector("iframe[src*='/chat/?embed=1']")
    frame = frame_element.content_frame()
    frame.wait_for_selector('html[data-ready="true"]')
    assert frame.get_attribute("html", "dir") == "rtl"
    frame.fill("#text", "وين طلبي؟")
    frame.press("#text", "Enter")
    frame.wait_for_function("document.querySelectorAll('.msg--assistant').length > 0")
    page.screenshot(path=str(SCREENSHOTS / "widget-1280x800.png"))
    frame.click("#close")
    page.wait_for_function("getComputedStyle(document.querySelector('iframe').parentNode).display === 'none'")
    page.close()


def test_a_handoff_and_the_agents_reply_arrive_without_reloading(browser: Any, demo_site: str) -> None:
    from django.contrib.auth import get_user_model

    from awn.channels.api.keys import create_key
    from awn.helpdesk.models import Conversation
    from tests.api.helpers import ApiClient

    get_user_model().objects.create_user("agent-amal", is_staff=True)
    operator = ApiClient(create_key("console").plaintext)
    real_assistant = getattr(importlib.import_module("awn.assistant"), "__file__", None) is not None  # not the stand-in

    page = browser.new_page(viewport=PHONE, device_scale_factor=2, locale="ar-EG")
    page.set_default_timeout(TIMEOUT)
    page.goto(demo_site + "/")
    page.click('button[data-customer="demo-mohamed"]')
    page.wait_for_selector('html[data-ready="true"]')
    page.evaluate("window.__sameDocument = true")
    page.fill("#text", "لو سمحت عايز أكلم موظف خدمة العملاء")
    page.press("#text", "Enter")
    page.wait_for_selector(".msg--buyer:not(.msg--pending)")
    conversation = Conversation.objects.get(customer__external_ref="demo-mohamed")
    if real_assistant:
        # An explicit request for a person is a handoff (DOMAIN.md, scenario 10): the page says so.
        page.wait_for_selector("#banner:not([hidden])")
        conversation.refresh_from_db()
        assert conversation.status == "handed_off"

    r = operator.post(f"/api/v1/conversations/{conversation.pk}/agent-messages",
                      {"agent": "agent-amal", "text": "أهلًا محمد، معك أمل من خدمة العملاء."})
    assert r.status_code == 201
    page.wait_for_selector(".msg--agent")  # by polling, no reload
    assert page.locator(".msg--agent .msg__text").inner_text() == "أهلًا محمد، معك أمل من خدمة العملاء."
    page.wait_for_selector("#banner:not([hidden])")
    assert page.evaluate("window.__sameDocument") is True
    page.screenshot(path=str(SCREENSHOTS / "chat-handoff-ar-390x844.png"))
    page.close()


def _texts_after(page: Any, count: int) -> str:
    """The text of the assistant's messages after the first ``count`` ones."""
    return "\n".join(page.locator(".msg--assistant .msg__text").all_inner_texts()[count:])


def _wait_for_reply(page: Any, before: int) -> str:
    """Wait for the assistant's answer to the buyer's last message (and for its typing indicator to go).

    Not waiting for ``.msg--pending`` to disappear: when a poll brings the buyer's message before the
    send's own response, chat.js keeps the "sending…" placeholder beside the delivered copy (known bug,
    reported to the web chat's owner)."""
    page.wait_for_function(f"document.querySelectorAll('.msg--assistant').length > {before}")
    page.wait_for_function("!document.querySelector('.typing')")
    page.wait_for_timeout(300)  # a turn may have several bubbles; they arrive in one response
    return _texts_after(page, before)


def test_issue_4_end_to_end_refund_dates_quick_reply_photo_and_handoff(browser: Any, demo_site: str) -> None:
    """Issue 4, as written: open the chat as a demo buyer, ask in Arabic about a delayed refund, see the
    expected dates, press a quick reply, upload a photo for a damaged item, and see the handoff (the
    real assistant, real HTTP, a real Chromium; the screenshot of the RTL chat is kept in docs/)."""
    from awn.cases.models import Case
    from awn.cases.policies import policy_for
    from awn.helpdesk.models import Conversation, Handoff
    from awn.marketplace.models import Customer
    from awn.policy import format_date

    assert getattr(importlib.import_module("awn.assistant"), "__file__", None), "the real assistant must answer"
    noura = Customer.objects.get(external_ref="demo-noura")
    tz = noura.timezone or policy_for(noura.market).timezone
    refund = Case.objects.get(order__order_number="81000006", kind="refund")
    assert refund.approved_at and refund.expected_from and refund.expected_to and refund.refunded_at is None

    page = browser.new_page(viewport=PHONE, device_scale_factor=2, locale="ar-SA", timezone_id=tz)
    page.set_default_timeout(TIMEOUT * 2)
    page.goto(demo_site + "/")
    page.click('button[data-customer="demo-noura"]')
    page.wait_for_selector('html[data-ready="true"]')
    assert page.get_attribute("html", "dir") == "rtl" and page.get_attribute("html", "lang") == "ar"
    page.evaluate("window.__sameDocument = true")

    # 1. A delayed refund, asked in Arabic: the amount, the approval date and the expected date, in Riyadh time.
    before = assistant_count(page)
    page.fill("#text", "تأخر استرجاع فلوسي للطلب 81000006، متى يوصلني المبلغ؟")
    page.press("#text", "Enter")
    said = _wait_for_reply(page, before)
    assert "استرجاع الأموال للطلب 81000006" in said, said
    assert format_date(refund.approved_at, tz, "ar") in said, said  # "تمت الموافقة … يوم <weekday> <date>"
    expected_by = format_date(refund.expected_to, tz, "ar")
    assert "ونتوقع إرسال المبلغ بحلول يوم" in said and expected_by in said, (expected_by, said)
    assert "تفاصيل استرجاع الأموال" in said
    assert not Handoff.objects.exists()  # two business days in: within the window, nothing to escalate

    # 2. A damaged item on another order: the assistant offers to open a dispute; the buyer taps "yes".
    before = assistant_count(page)
    page.fill("#text", "وصلتني الشاشة مكسورة في الطلب 81000005")
    page.press("#text", "Enter")
    said = _wait_for_reply(page, before)
    assert "هل أفتح النزاع الآن؟" in said, said
    yes = page.locator(".choices:not([aria-disabled='true']) .choice[data-choice-id='yes']")
    yes.wait_for()
    title = yes.inner_text()
    before = assistant_count(page)
    yes.click()
    said = _wait_for_reply(page, before)
    assert page.locator(".msg--buyer .msg__text").last.inner_text() == title
    assert "فتحتُ النزاع رقم" in said, said
    dispute = Case.objects.get(order__order_number="81000005", kind="dispute")
    assert dispute.status == "collecting_evidence"

    # 3. Which item: another quick reply.
    item = page.locator(".choices:not([aria-disabled='true']) .choice[data-choice-id='item:P-100001']")
    item.wait_for()
    before = assistant_count(page)
    item.click()
    said = _wait_for_reply(page, before)
    assert "يُرجى إرسال صورة واضحة" in said, said

    # 4. The photo of the damage.
    before = assistant_count(page)
    page.set_input_files("#photo", files=[{"name": "broken-screen.png", "mimeType": "image/png", "buffer": photo_png()}])
    page.wait_for_selector(".msg--buyer:not(.msg--pending) img.msg__photo")
    said = _wait_for_reply(page, before)
    assert "وصلت الصورة" in said and "يُرجى وصف المشكلة" in said, said

    # 5. The description completes the dispute: the seller's 48 hours, and the disputes team takes over.
    before = assistant_count(page)
    page.fill("#text", "وصلت الشاشة وفيها كسر كبير في الزاوية اليسرى ولا تعمل أبدًا")
    page.press("#text", "Enter")
    said = _wait_for_reply(page, before)
    assert "اكتملت بيانات النزاع" in said and "أحلتُ محادثتك إلى فريق النزاعات" in said, said
    # The page learns the conversation's new owner from the turn's answer or the next poll.
    page.wait_for_function("""() => {
        const b = document.querySelector('#banner');
        return !b.hidden && b.textContent === 'حُوّلت محادثتك إلى موظف خدمة العملاء، وسيرد عليك هنا.';
    }""")
    assert page.evaluate("window.__sameDocument") is True  # every reply came without a reload
    assert page.locator(".msg--failed").count() == 0

    page.screenshot(path=str(SCREENSHOTS / "chat-e2e-ar-390x844.png"))
    # For docs/: the same page made tall enough to show the whole conversation at once.
    extra = page.evaluate("(() => { const log = document.querySelector('#log'); "
                          "return log.scrollHeight - log.clientHeight; })()")
    page.set_viewport_size({"width": PHONE["width"], "height": min(PHONE["height"] + int(extra) + 8, 6000)})
    page.evaluate("document.querySelector('#log').scrollTop = 0")
    page.wait_for_timeout(200)
    page.screenshot(path=str(DOCS_SCREENSHOTS / "chat-e2e-ar.png"))
    page.close()

    conversation = Conversation.objects.get(customer=noura)
    assert conversation.status == "handed_off"
    handoff = Handoff.objects.get(conversation=conversation)
    assert (handoff.queue, handoff.reason, handoff.order.order_number) == ("disputes", "damaged_or_defective", "81000005")
    dispute.refresh_from_db()
    assert dispute.status == "awaiting_seller"
    assert dispute.evidence.filter(kind="photo").count() == 1


def test_a_photo_the_buyer_sent_is_shown_again_after_a_reload(browser: Any, demo_site: str) -> None:
    """The history brings only the photo's id: the page fetches the bytes with the chat token and shows
    them in the same ``msg__photo`` element as the live preview, not the "📷 photo" placeholder."""
    page = browser.new_page(viewport=PHONE, device_scale_factor=2, locale="ar-SA")
    page.set_default_timeout(TIMEOUT)
    page.goto(demo_site + "/")
    page.click('button[data-customer="demo-noura"]')
    page.wait_for_selector('html[data-ready="true"]')
    page.set_input_files("#photo", files=[{"name": "broken.png", "mimeType": "image/png", "buffer": photo_png()}])
    page.wait_for_selector(".msg--buyer:not(.msg--pending) img.msg__photo")
    attachment = Attachment.objects.get(message__conversation__customer__external_ref="demo-noura")

    page.reload()
    page.wait_for_selector('html[data-ready="true"]')
    photo = page.wait_for_selector(f".msg--buyer img.msg__photo[data-attachment-id='{attachment.pk}']")
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=photo)
    assert photo.evaluate("(img) => img.naturalWidth") == 160
    assert photo.get_attribute("src").startswith("blob:")
    assert page.locator(".msg--buyer .msg__file").count() == 0  # the placeholder made way for the photo
    assert page.get_attribute("html", "dir") == "rtl"
    page.close()
