"""Awn's support assistant: the dialogue manager behind every channel.

``respond(conversation, message, now=...)`` is called by ``awn.helpdesk.services.receive_buyer_message``
for each buyer message while the assistant owns the conversation. It understands the message with
the language engine, finds the order in question through ``awn.marketplace.access``, asks the
policy rules what is true, performs confirmed actions through ``awn.cases.actions`` and returns the
replies; it may change ``conversation.state`` and ``conversation.language`` (services saves them) and
hand the conversation to people (``awn.assistant.handoff``). See docs/assistant.md and ADR 0005.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction

if TYPE_CHECKING:  # the catalog and the rules import without Django set up
    from awn.helpdesk.models import Conversation, Message
    from awn.helpdesk.services import Reply

log = logging.getLogger("awn.assistant")

# Tests turn this on so that a bug fails the test instead of becoming a polite handoff.
RAISE_ERRORS = False

__all__ = ["respond"]


def respond(conversation: Conversation, message: Message, *, now: datetime) -> list[Reply]:
    """The assistant's replies to one buyer message (possibly none)."""
    from awn.assistant import dialogue, timing
    from awn.assistant.turn import Turn

    with timing.measure("assistant"):
        turn = Turn(conversation, message, now)
        try:
            with transaction.atomic():  # a savepoint: a fault leaves no half-done action behind
                dialogue.run(turn)
        except Exception:
            if RAISE_ERRORS:
                raise
            log.exception("assistant failed on conversation %s message %s", conversation.pk, message.pk)
            general_fault(turn)
        conversation.state = turn.state.dump()
        return turn.replies()


def general_fault(turn: object) -> None:
    """A fault in the assistant: apologise and hand the conversation to people."""
    from awn.assistant import handoff
    from awn.assistant.state import State
    from awn.assistant.turn import Turn
    from awn.cases.models import Priority

    assert isinstance(turn, Turn)
    turn.clear_output()
    turn.state = State.load(turn.conversation.state)
    turn.state.pending = None
    handoff.hand_off(turn, reason="assistant_error", queue=handoff.GENERAL, priority=Priority.HIGH, tell="handoff.error")
