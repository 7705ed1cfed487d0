"""One of two processes racing over the same WhatsApp deliveries (see test_concurrency_pg.py).

    python -m tests.whatsapp.race_worker START_EPOCH ROUNDS SECRET

At START_EPOCH + i * 0.5 s it POSTs round i's signed delivery to the webhook (Django's test client,
same code path as a server) and runs the WhatsApp worker tasks until they are idle. The assistant is
a stub so the count of replies is exact.
"""

from __future__ import annotations

import os
import sys
import time
import types


def main() -> int:
    start, rounds, secret = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "awn.settings")
    import django

    django.setup()
    from django.test import Client

    from awn.channels.whatsapp import tasks
    from awn.core import clock
    from awn.helpdesk.services import Reply
    from tests.whatsapp.conftest import meta_bytes, post, text_delivery

    stub = types.ModuleType("awn.assistant")
    stub.respond = lambda conversation, message, *, now: [Reply(text=f"رد على {message.text}")]  # type: ignore[attr-defined]
    sys.modules["awn.assistant"] = stub
    client = Client()
    statuses = []
    for i in range(rounds):
        body = meta_bytes(text_delivery(f"رسالة {i}", wamid=f"wamid.RACE-{i}", timestamp=int(time.time())))
        while time.time() < start + i * 0.5:
            time.sleep(0.001)
        statuses.append(post(client, body, secret=secret).status_code)
        while tasks.inbound(clock.now()) + tasks.outbound(clock.now()):
            pass
    print("statuses", statuses)
    return 0 if set(statuses) == {200} else 1


if __name__ == "__main__":
    raise SystemExit(main())
