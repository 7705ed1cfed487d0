"""One buyer turn: what came in, what the assistant knows, and the replies it is building.

Handlers receive a :class:`Turn` and call ``say`` / ``para`` / ``offer`` on it; the turn groups
paragraphs into message bubbles and attaches quick replies to the last one. Dates and amounts are
formatted here, for the buyer's language and timezone, so templates only receive finished strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from awn import policy as rules
from awn.assistant.catalog import message
from awn.assistant.state import State
from awn.assistant.understanding import EMPTY, Signals, Understood
from awn.cases.policies import policy_for
from awn.helpdesk.models import Attachment, Conversation, Message
from awn.helpdesk.services import Reply
from awn.marketplace.models import Customer, Order

QUICK_REPLY_MAX = 20  # WhatsApp cuts button titles at 20 characters
DEFAULT_MARKET = "SA"


def short(text: str, limit: int = QUICK_REPLY_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass
class _Bubble:
    paragraphs: list[str] = field(default_factory=list)
    choices: list[dict[str, str]] = field(default_factory=list)
    rule_ids: list[str] = field(default_factory=list)
    action: dict[str, Any] = field(default_factory=dict)


class Turn:
    def __init__(self, conversation: Conversation, message_: Message, now: datetime) -> None:
        self.conversation = conversation
        self.message = message_
        self.now = now
        self.customer: Customer | None = conversation.customer
        self.state = State.load(conversation.state)
        self.text = (message_.text or "").strip()
        self.choice_id = (message_.choice_id or "").strip()
        self.u: Understood = EMPTY
        self.signals = Signals()
        self.intent = ""  # the intent this turn was handled as
        self.order: Order | None = None  # the order this turn is about, once resolved
        self.decisions: list[rules.Decision] = []
        self._bubbles: list[_Bubble] = [_Bubble()]
        self._images: list[Attachment] | None = None

    # ------------------------------------------------------------------ context

    @property
    def lang(self) -> str:
        return self.conversation.language if self.conversation.language in ("ar", "en") else "ar"

    @property
    def market(self) -> str:
        if self.order is not None:
            return self.order.market
        if self.customer is not None:
            return self.customer.market
        return market_of_channel(self.conversation) or DEFAULT_MARKET

    @property
    def policy(self) -> rules.MarketPolicy:
        return policy_for(self.market)

    @property
    def tz(self) -> str:
        if self.customer is not None and self.customer.timezone:
            return self.customer.timezone
        return self.policy.timezone

    def images(self) -> list[Attachment]:
        if self._images is None:
            self._images = [a for a in self.message.attachments.all() if a.kind == "image" or
                            a.content_type.startswith("image/")] if self.message.pk else []
        return self._images

    def attachments(self) -> list[Attachment]:
        return list(self.message.attachments.all()) if self.message.pk else []

    # ------------------------------------------------------------------ formatting

    def t(self, key: str, **values: Any) -> str:
        return message(self.lang, key, **values)

    def when(self, dt: datetime) -> str:
        """Weekday, date and local time: "يوم الأحد 22 مارس الساعة 13:00"."""
        return rules.format_datetime(dt, self.tz, self.lang)

    def day(self, dt: datetime) -> str:
        return rules.format_day(dt, self.tz, self.lang)

    def money(self, amount: Decimal, currency: str) -> str:
        return rules.format_money(Decimal(amount), currency, self.lang)

    def title(self, thing: Any) -> str:
        """An item's or product's title in the reply language."""
        return str(getattr(thing, "title_ar" if self.lang == "ar" else "title_en", "") or "")

    def decision_text(self, decision: rules.Decision) -> str:
        return decision.now.get(self.lang)

    # ------------------------------------------------------------------ output

    def say(self, key: str, **values: Any) -> None:
        self.para(self.t(key, **values))

    def para(self, text: str) -> None:
        if text:
            self._bubbles[-1].paragraphs.append(text)

    def bullets(self, lines: list[str]) -> None:
        if lines:
            self.para("\n".join(f"• {line[:1].upper()}{line[1:]}" for line in lines if line))

    def bubble(self) -> None:
        """Start a new message bubble (the next ``say`` goes there)."""
        if self._bubbles[-1].paragraphs:
            self._bubbles.append(_Bubble())

    def offer(self, choices: list[tuple[str, str]]) -> None:
        """Quick replies on the current bubble: ``[(id, title), …]``; titles are cut to 20 characters."""
        self._bubbles[-1].choices = [{"id": cid, "title": short(title)} for cid, title in choices]

    def rule(self, *rule_ids: str) -> None:
        for rule_id in rule_ids:
            if rule_id and rule_id not in self._bubbles[-1].rule_ids:
                self._bubbles[-1].rule_ids.append(rule_id)

    def act(self, name: str, **data: Any) -> None:
        self._bubbles[-1].action = {"name": name, **data}

    def use(self, decision: rules.Decision, *, show: bool = True) -> rules.Decision:
        """Say what a rule decided (its ``now`` text), and remember it for a handoff summary."""
        self.decisions.append(decision)
        self.rule(decision.rule_id)
        order = self.order.order_number if self.order is not None else ""
        self.state.remember_rule(decision.rule_id, decision.state, {"en": decision.now.en, "ar": decision.now.ar}, order)
        if show:
            self.para(self.decision_text(decision))
        return decision

    def said_so_far(self) -> list[str]:
        """The replies built so far in this turn (not stored yet), one text per bubble."""
        return ["\n\n".join(b.paragraphs) for b in self._bubbles if b.paragraphs]

    def clear_output(self) -> None:
        self._bubbles = [_Bubble()]

    @property
    def has_output(self) -> bool:
        return any(b.paragraphs for b in self._bubbles)

    def replies(self) -> list[Reply]:
        out = []
        for bubble in self._bubbles:
            if not bubble.paragraphs:
                continue
            out.append(Reply(
                text="\n\n".join(bubble.paragraphs), choices=bubble.choices, intent=self.intent,
                confidence=round(self.u.confidence, 4) if self.u.text else None, rule_ids=bubble.rule_ids,
                action=bubble.action,
            ))
        return out


def market_of_channel(conversation: Conversation) -> str | None:
    """The market of an unlinked WhatsApp number, from its country code (no account to ask)."""
    ref = conversation.channel_ref or ""
    digits = ref.rsplit(":", 1)[-1]
    if not digits.isdigit():
        return None
    import phonenumbers

    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse("+" + digits))
    except phonenumbers.NumberParseException:
        return None
    return region if region in rules.MARKETS else None
