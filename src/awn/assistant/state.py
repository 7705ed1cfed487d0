"""The dialogue manager's memory between turns, kept in ``Conversation.state`` (JSON).

Only ids and small facts are stored (never a buyer's orders themselves): the order being talked
about, what the assistant is waiting for (a choice, a yes/no, a piece of evidence), how many turns
in a row it did not understand, and what it collected and concluded, for a handoff summary.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

VERSION = 1
MAX_RULES = 6  # decisions remembered for the handoff summary
MAX_COLLECTED = 12


@dataclass
class Pending:
    """What the last reply asked for. ``kind``:

    - ``choose_order``: pick one of ``orders`` for ``intent``
    - ``confirm``: yes/no before ``action`` (cancel_order, open_dispute, request_return, reject_answer)
    - ``evidence``: the next missing piece of dispute ``case`` (``asked``: product_number, photo, description)
    - ``choose_reason``: what went wrong, before offering a dispute
    """

    kind: str
    intent: str = ""
    action: str = ""
    order: str = ""
    reason: str = ""
    case: int | None = None
    asked: str = ""
    orders: list[str] = field(default_factory=list)
    retries: int = 0

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None) -> Pending | None:
        if not raw or "kind" not in raw:
            return None
        known = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass
class State:
    order: str = ""  # the order number being talked about
    topic: str = ""  # the last intent handled
    topic_text: str = ""  # the buyer's words that started the topic (for summaries and case descriptions)
    pending: Pending | None = None
    unclear: int = 0  # unclear turns in a row
    photo: int | None = None  # an attachment received before a dispute needed it
    rules: list[dict[str, Any]] = field(default_factory=list)  # recent decisions: rule id, state, text
    collected: dict[str, Any] = field(default_factory=dict)  # evidence and facts given by the buyer

    @classmethod
    def load(cls, raw: dict[str, Any] | None) -> State:
        raw = dict(raw or {})
        if raw.get("v") != VERSION:
            return cls()
        return cls(
            order=str(raw.get("order") or ""),
            topic=str(raw.get("topic") or ""),
            topic_text=str(raw.get("topic_text") or ""),
            pending=Pending.from_dict(raw.get("pending")),
            unclear=int(raw.get("unclear") or 0),
            photo=raw.get("photo"),
            rules=list(raw.get("rules") or [])[-MAX_RULES:],
            collected=dict(raw.get("collected") or {}),
        )

    def dump(self) -> dict[str, Any]:
        data: dict[str, Any] = {"v": VERSION}
        for key in ("order", "topic", "topic_text", "unclear", "photo"):
            value = getattr(self, key)
            if value:
                data[key] = value
        if self.pending is not None:
            data["pending"] = {k: v for k, v in asdict(self.pending).items() if v not in ("", None, [], 0)}
        if self.rules:
            data["rules"] = self.rules[-MAX_RULES:]
        if self.collected:
            data["collected"] = dict(list(self.collected.items())[-MAX_COLLECTED:])
        return data

    def remember_rule(self, rule_id: str, state: str, says: dict[str, str], order: str = "") -> None:
        entry = {"rule_id": rule_id, "state": state, "order": order,
                 "says": {lang: text[:600] for lang, text in says.items()}}
        self.rules = [r for r in self.rules if not (r.get("rule_id") == rule_id and r.get("order") == order)]
        self.rules.append(entry)
        self.rules = self.rules[-MAX_RULES:]
