"""WhatsApp test fixtures: configured accounts and numbers, the Graph API stand-in, signed posts, a fake assistant."""

from __future__ import annotations

import json
import sys
import types
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest

from awn.channels.whatsapp.signature import sign
from tests.whatsapp.paths import PAYLOADS
from tests.whatsapp.standin import TOKEN, GraphStandIn

SECRET = "test-app-secret"  # noqa: S105
VERIFY_TOKEN = "test-verify-token"  # noqa: S105
REAL = json.loads((PAYLOADS / "21_pywa_real_signed_text.headers.json").read_text())
REAL_SECRET = REAL["app_secret_REVOKED_test_only"]
PNID_META = "106540352242922"  # Meta's examples (01–13)
PNID_PYWA = "1122334455667"  # pywa's fixtures (14–20)
PNID_REAL = "277321005464405"  # the real signed delivery (21), under its own Meta app
PNID_SA = "600000000000001"  # Awn's own test number for the personas (Saudi market)


@pytest.fixture(scope="session")
def graph_server() -> Iterator[GraphStandIn]:
    server = GraphStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def graph(graph_server: GraphStandIn, settings: Any) -> Iterator[GraphStandIn]:
    from awn.channels.whatsapp import transport

    graph_server.reset()
    settings.AWN_WHATSAPP_HTTP_TIMEOUT = 2.0
    settings.AWN_WHATSAPP_HTTP_CONNECT_TIMEOUT = 1.0
    yield graph_server
    transport.set_client(None)


@pytest.fixture
def accounts(db: Any, graph: GraphStandIn) -> dict[str, Any]:
    from awn.channels.whatsapp.models import Account, PhoneNumber
    from awn.channels.whatsapp.views import keys

    main = Account(name="souq-al-waha", app_id="1234", graph_base_url=graph.url)
    main.set_app_secret(SECRET)
    main.set_verify_token(VERIFY_TOKEN)
    main.set_access_token(TOKEN)
    main.save()
    real = Account(name="pywa-app", graph_base_url=graph.url)
    real.set_app_secret(REAL_SECRET)
    real.set_access_token(TOKEN)
    real.save()
    numbers = {
        "meta": PhoneNumber.objects.create(account=main, phone_number_id=PNID_META, business_account_id="419561257915477",
                                           display_phone_number="15550783881", market="SA"),
        "pywa": PhoneNumber.objects.create(account=main, phone_number_id=PNID_PYWA,
                                           business_account_id="1234567890987654321",
                                           display_phone_number="972123456789", market="AE"),
        "sa": PhoneNumber.objects.create(account=main, phone_number_id=PNID_SA, business_account_id="500000000000001",
                                         display_phone_number="966110000000", market="SA"),
        "real": PhoneNumber.objects.create(account=real, phone_number_id=PNID_REAL, business_account_id="264937493375603",
                                           display_phone_number="15550953877", market="SA"),
    }
    keys.clear()
    return {"main": main, "pywa_app": real, **numbers}


def post(client: Any, body: bytes, *, secret: str | None = SECRET, signature: str | None = None,
         headers: dict[str, str] | None = None) -> Any:
    extra = dict(headers or {})
    if signature is not None:
        extra["HTTP_X_HUB_SIGNATURE_256"] = signature
    elif secret is not None:
        extra["HTTP_X_HUB_SIGNATURE_256"] = sign(secret, body)
    return client.post("/webhooks/whatsapp/", data=body, content_type="application/json", **extra)


def meta_bytes(payload: dict[str, Any]) -> bytes:
    """Serialise as Meta does on the wire: compact, non-ASCII as \\uXXXX, "/" as "\\/"."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=True).replace("/", "\\/").encode()


def text_delivery(text: str, *, wa_id: str = "966500000201", wamid: str = "wamid.AWN-TEST-1", pnid: str = PNID_SA,
                  timestamp: int = 1764579600, bsuid: str | None = None, name: str = "مشتري") -> dict[str, Any]:
    """One inbound text message in Meta's envelope (1764579600 = 2025-12-01 09:00 UTC)."""
    return message_delivery({"type": "text", "text": {"body": text}}, wa_id=wa_id, wamid=wamid, pnid=pnid,
                            timestamp=timestamp, bsuid=bsuid, name=name)


def message_delivery(content: dict[str, Any], *, wa_id: str | None = "966500000201", wamid: str = "wamid.AWN-TEST-1",
                     pnid: str = PNID_SA, timestamp: int = 1764579600, bsuid: str | None = None,
                     name: str = "مشتري") -> dict[str, Any]:
    contact: dict[str, Any] = {"profile": {"name": name}}
    message: dict[str, Any] = {"id": wamid, "timestamp": str(timestamp), **content}
    if wa_id:
        contact["wa_id"] = wa_id
        message["from"] = wa_id
    if bsuid:
        contact["user_id"] = bsuid
        message["from_user_id"] = bsuid
    return envelope({"contacts": [contact], "messages": [message]}, pnid=pnid)


def envelope(value: dict[str, Any], *, pnid: str = PNID_SA) -> dict[str, Any]:
    return {"object": "whatsapp_business_account", "entry": [{"id": "500000000000001", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp", "metadata": {"display_phone_number": "966110000000", "phone_number_id": pnid},
        **value}}]}]}


def status_delivery(wamid: str, status: str, *, timestamp: int = 1764579700, pnid: str = PNID_SA,
                    errors: list[dict[str, Any]] | None = None, callback: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"id": wamid, "status": status, "timestamp": str(timestamp), "recipient_id": "966500000201"}
    if errors:
        item["errors"] = errors
    if callback:
        item["biz_opaque_callback_data"] = callback
    return envelope({"statuses": [item]}, pnid=pnid)


@pytest.fixture
def deliver(client: Any, accounts: dict[str, Any]) -> Callable[..., Any]:
    def _deliver(payload: dict[str, Any] | bytes, **kwargs: Any) -> Any:
        body = payload if isinstance(payload, bytes) else meta_bytes(payload)
        response = post(client, body, **kwargs)
        assert response.status_code == 200, response.content
        return response

    return _deliver


@pytest.fixture
def work(graph: GraphStandIn) -> Callable[[datetime], int]:
    """Run the WhatsApp worker tasks until nothing is left to do at ``now``."""
    from awn.channels.whatsapp import tasks

    def _work(now: datetime, *, passes: int = 10) -> int:
        total = 0
        for _ in range(passes):
            done = tasks.inbound(now) + tasks.outbound(now)
            total += done
            if not done:
                break
        return total

    return _work


class FakeAssistant:
    """Stands in for ``awn.assistant`` in unit tests: answers every turn with ``reply`` (+ choices)."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, Any]] = []
        self.text = "أهلًا! كيف أساعدك؟"
        self.choices: list[dict[str, str]] = []
        self.fail_with: Exception | None = None

    def respond(self, conversation: Any, message: Any, *, now: datetime) -> list[Any]:
        from awn.helpdesk.services import Reply

        if self.fail_with is not None:
            raise self.fail_with
        self.calls.append((conversation.pk, message.pk))
        return [Reply(text=self.text, choices=list(self.choices), intent="greeting")]


@pytest.fixture
def assistant(monkeypatch: pytest.MonkeyPatch) -> FakeAssistant:
    fake = FakeAssistant()
    module = types.ModuleType("awn.assistant")
    module.respond = fake.respond  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "awn.assistant", module)
    return fake


def replies(graph: GraphStandIn, assistant: FakeAssistant) -> list[dict[str, Any]]:
    """The assistant's answers as they reached the stand-in (linking hints and notices excluded)."""
    return [b for b in graph.sent() if b.get("type") == "text" and b["text"]["body"] == assistant.text]
