"""What the rest of Awn calls: the registered sender and the worker tasks (each safe in parallel)."""

from __future__ import annotations

import os
import socket
from datetime import datetime
from typing import Any

from awn.helpdesk.models import Message


def send_message(message: Message) -> None:
    """``register_sender("whatsapp", …)``: only queue rows; the worker does the HTTP."""
    from awn.channels.whatsapp.outbound import enqueue_message

    enqueue_message(message)


def inbound(now: datetime) -> int:
    from awn.channels.whatsapp.inbound import process

    return process(now)


def outbound(now: datetime) -> int:
    from awn.channels.whatsapp.outbound import send_due

    return send_due(now, worker=f"{socket.gethostname()}:{os.getpid()}")


def account_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    """New secrets take effect at once in this process; a new token releases held messages."""
    from awn.channels.whatsapp.outbound import release_held
    from awn.channels.whatsapp.views import keys

    keys.clear()
    if instance.access_token_enc and not instance.sending_paused_reason:
        release_held(instance)
