"""Agents link a WhatsApp number Awn could not match to an account (issue 5, item 5), through the operator API."""

from __future__ import annotations

from typing import Any

import pytest

from awn.channels.whatsapp.models import Account, Contact, PhoneNumber
from awn.core import clock
from awn.core.models import AuditEvent
from awn.helpdesk.models import Conversation
from awn.marketplace.models import CustomerIdentity
from tests.api.helpers import ApiClient, error

pytestmark = pytest.mark.django_db

CHANNEL_REF = "600000000000001:SA.777"


@pytest.fixture
def number(db: Any) -> PhoneNumber:
    account = Account.objects.create(name="souq-al-waha")
    return PhoneNumber.objects.create(account=account, phone_number_id="600000000000001",
                                      business_account_id="500000000000001", display_phone_number="966110000000",
                                      market="SA")


@pytest.fixture
def unlinked(number: PhoneNumber) -> Conversation:
    """What the WhatsApp channel leaves behind for a number it could not match: a contact and a conversation
    without a customer."""
    now = clock.now()
    Contact.objects.create(number=number, bsuid="SA.777", wa_id="966500000777", channel_ref=CHANNEL_REF, created_at=now)
    return Conversation.objects.create(channel="whatsapp", channel_ref=CHANNEL_REF, created_at=now, updated_at=now)


def path(conversation: Conversation | int) -> str:
    pk = conversation if isinstance(conversation, int) else conversation.pk
    return f"/api/v1/conversations/{pk}/link"


def test_an_agent_links_an_unknown_number_to_a_customer(operator: ApiClient, unlinked, riyadh_buyer, agent) -> None:
    r = operator.post(path(unlinked), {"customer_ref": "riyadh", "agent": "agent-amal"})
    assert r.status_code == 200
    body = r.json()
    assert (body["id"], body["customer"], body["channel"]) == (unlinked.pk, "riyadh", "whatsapp")
    unlinked.refresh_from_db()
    assert unlinked.customer == riyadh_buyer
    contact = Contact.objects.get()
    assert (contact.customer, contact.linked_by) == (riyadh_buyer, "agent:agent-amal")
    # The number's WhatsApp ids are now the customer's: the next message from it is recognised.
    assert set(CustomerIdentity.objects.filter(customer=riyadh_buyer, kind="whatsapp").values_list("value", flat=True)) \
        == {"SA.777", "966500000777"}
    audit = AuditEvent.objects.get(action="linked")
    assert (audit.subject_type, audit.subject_id) == ("conversation", unlinked.pk)
    assert (audit.actor, audit.actor_ref, audit.new_value) == ("agent", "agent-amal", "riyadh")

    again = operator.post(path(unlinked), {"customer_ref": "riyadh", "agent": "agent-amal"})  # idempotent
    assert again.status_code == 200 and again.json()["customer"] == "riyadh"
    assert AuditEvent.objects.filter(action="linked").count() == 1


def test_without_an_agent_the_api_key_is_the_actor(operator: ApiClient, unlinked, riyadh_buyer) -> None:
    r = operator.post(path(unlinked), {"customer_ref": "riyadh"})
    assert r.status_code == 200 and r.json()["customer"] == "riyadh"
    audit = AuditEvent.objects.get(action="linked")
    assert (audit.actor, audit.actor_ref) == ("operator", "orders-sync")
    assert Contact.objects.get().linked_by == "operator:orders-sync"


def test_unknown_conversation_or_customer_is_404_and_nothing_changes(operator: ApiClient, unlinked, riyadh_buyer) -> None:
    error(operator.post(path(999_999), {"customer_ref": "riyadh"}), 404, "conversation_not_found")
    body = error(operator.post(path(unlinked), {"customer_ref": "nobody"}), 404, "customer_not_found")
    assert body["details"]["field"] == "customer_ref"
    unlinked.refresh_from_db()
    assert unlinked.customer is None and Contact.objects.get().customer is None
    assert not AuditEvent.objects.filter(action="linked").exists()


def test_a_conversation_linked_to_someone_else_is_409(operator: ApiClient, unlinked, riyadh_buyer, outsider) -> None:
    assert operator.post(path(unlinked), {"customer_ref": "riyadh"}).status_code == 200
    body = error(operator.post(path(unlinked), {"customer_ref": "outsider"}), 409, "already_linked")
    assert "another customer" in body["message"]
    unlinked.refresh_from_db()
    assert unlinked.customer == riyadh_buyer and Contact.objects.get().customer == riyadh_buyer


def test_a_whatsapp_id_that_belongs_to_another_customer_is_409_and_nothing_is_linked(
        operator: ApiClient, unlinked, riyadh_buyer, outsider) -> None:
    CustomerIdentity.objects.create(customer=outsider, kind="whatsapp", value="SA.777")
    error(operator.post(path(unlinked), {"customer_ref": "riyadh"}), 409, "identity_taken")
    unlinked.refresh_from_db()
    assert unlinked.customer is None and Contact.objects.get().customer is None
    assert not CustomerIdentity.objects.filter(customer=riyadh_buyer, kind="whatsapp").exists()  # nothing half-way


def test_a_web_conversation_is_not_linked_this_way(operator: ApiClient, riyadh_buyer, outsider) -> None:
    from awn.helpdesk import services

    web = services.start_conversation(riyadh_buyer, "web")
    error(operator.post(path(web), {"customer_ref": "outsider"}), 409, "not_whatsapp")
    web.refresh_from_db()
    assert web.customer == riyadh_buyer


def test_refusals_of_the_request_itself(operator: ApiClient, unlinked, riyadh_buyer) -> None:
    error(operator.post(path(unlinked), {"customer_ref": "riyadh", "agent": "nobody"}), 422, "agent_not_found")
    error(operator.post(path(unlinked), {"customer": "riyadh"}, validate_request=False), 422, "validation_error")
    error(operator.post(path(unlinked), {"customer_ref": "no spaces allowed"}, validate_request=False), 422,
          "validation_error")
    error(operator.post(path(unlinked), raw=b"{not json"), 400, "malformed_json")
    error(ApiClient("awn_wrong_key").post(path(unlinked), {"customer_ref": "riyadh"}), 401, "invalid_api_key")
    unlinked.refresh_from_db()
    assert unlinked.customer is None and not AuditEvent.objects.filter(action="linked").exists()
