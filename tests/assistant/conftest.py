"""Fixtures for the assistant's tests.

The demo marketplace is loaded once for this package (about a second) at a fixed instant, ``NOW``;
each test then runs in its own transaction, rolled back at the end, so tests cannot see each
other's conversations, cases or cancellations. The language engine is loaded once per session.
Tests here must not use ``transactional_db`` (it would wipe the shared demo data).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

# Tuesday 1 December 2026, 09:00 UTC: 12:00 in Riyadh, 11:00 in Cairo, 13:00 in Dubai, 10:00 in
# Casablanca. A plain business day everywhere; the 30-business-hour payment crosses the Saudi weekend.
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

# A 1×1 PNG and a few bad files, as a channel would hand them over.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf0000000301010018dd8db00000000049454e44ae426082"
)
PDF = b"%PDF-1.4\n% not an image\n"
_BIDI = re.compile("[\u200e\u200f\u2066-\u2069\u061c]")


@pytest.fixture(scope="session")
def nlu_engine() -> Any:
    from awn.assistant.understanding import engine

    return engine()


@pytest.fixture(scope="package")
def _demo_marketplace(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory,
                      nlu_engine: Any) -> Iterator[None]:
    from django.core.management import call_command
    from django.test import override_settings

    from awn.cases.policies import clear_cache
    from awn.marketplace.demo import load_demo

    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("demo-media"))), django_db_blocker.unblock():
        clear_cache()
        load_demo(NOW)
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo(_demo_marketplace: None, db: None) -> datetime:
    """The demo marketplace, loaded at ``NOW`` (returned)."""
    return NOW


@pytest.fixture(autouse=True)
def _assistant_errors_fail_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    import awn.assistant

    monkeypatch.setattr(awn.assistant, "RAISE_ERRORS", True)


def plain(text: str) -> str:
    """Reply text without bidi isolation marks (they keep phone numbers left-to-right in Arabic)."""
    return _BIDI.sub("", text)


@dataclass
class Chat:
    """A buyer talking to the assistant through ``services.receive_buyer_message`` (the web's path)."""

    conversation: Any
    now: datetime
    step: timedelta = timedelta(minutes=1)
    replies: list[Any] = field(default_factory=list)

    def __call__(self, text: str = "", *, choice: str = "", photo: bytes | None = None,
                 content_type: str = "image/png", kind: str = "image", after: timedelta | None = None) -> str:
        from awn.helpdesk import services

        self.now = self.now + (after if after is not None else self.step)
        attachments = [services.IncomingAttachment(kind=kind, content=photo, content_type=content_type)] \
            if photo is not None else []
        result = services.receive_buyer_message(self.conversation, text=text, choice_id=choice,
                                                attachments=attachments, now=self.now)
        self.conversation.refresh_from_db()
        self.replies = list(result.replies)
        return self.text

    @property
    def text(self) -> str:
        return plain("\n".join(r.text for r in self.replies))

    @property
    def choices(self) -> list[str]:
        return [c["id"] for r in self.replies for c in r.choices]

    @property
    def choice_titles(self) -> list[str]:
        return [c["title"] for r in self.replies for c in r.choices]

    @property
    def actions(self) -> list[dict[str, Any]]:
        return [r.action for r in self.replies if r.action]

    @property
    def handoff(self) -> Any:
        return self.conversation.handoffs.order_by("-id").first()


@pytest.fixture
def chat(demo: datetime):  # type: ignore[no-untyped-def]
    """``chat("demo-noura")`` → a :class:`Chat` on a new web conversation for that demo buyer."""
    from awn.helpdesk import services
    from awn.marketplace.models import Customer

    def start(buyer: str | None, *, language: str | None = None, channel: str = "web", channel_ref: str = "",
              at: datetime | None = None) -> Chat:
        customer = Customer.objects.get(external_ref=buyer) if buyer else None
        when = at or demo
        conversation = services.start_conversation(customer, channel, channel_ref=channel_ref, language=language,
                                                   now=when)
        return Chat(conversation=conversation, now=when)

    return start
