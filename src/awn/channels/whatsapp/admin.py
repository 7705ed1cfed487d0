"""Operator screens: channel configuration (secrets are write-only) and read-only views of the traffic."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from awn.channels.whatsapp.models import (
    Account,
    ChannelEvent,
    Contact,
    Delivery,
    InboundMessage,
    LinkChallenge,
    Outbound,
    PhoneNumber,
    SendAttempt,
    StatusUpdate,
)
from django import forms

_SECRET = forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})


class AccountForm(forms.ModelForm):
    """Secrets are typed in, stored encrypted, and never shown again: blank keeps the saved value."""

    app_secret = forms.CharField(required=False, widget=_SECRET, strip=True,
                                 help_text="Meta app secret (signs webhooks). Blank keeps the saved one. "
                                           "A new one is saved next to the old, which stays accepted until cleared.")
    graph_base_url = forms.URLField(assume_scheme="https", initial="https://graph.facebook.com",
                                    help_text="Meta's Graph API; change only for a local stand-in.")
    clear_previous_app_secret = forms.BooleanField(required=False, help_text="Stop accepting the previous app secret.")
    verify_token = forms.CharField(required=False, widget=_SECRET, strip=True,
                                   help_text="The verify token typed in Meta's dashboard. Blank keeps the saved one.")
    access_token = forms.CharField(required=False, widget=_SECRET, strip=True,
                                   help_text="System-user access token. Blank keeps the saved one; saving a new one "
                                             "resumes a sender paused by an expired token.")

    class Meta:
        model = Account
        fields = ["name", "app_id", "graph_api_version", "graph_base_url", "active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk is None and not data.get("app_secret"):
            self.add_error("app_secret", "required for a new account")
        return data

    def save(self, commit: bool = True) -> Account:
        account: Account = super().save(commit=False)
        if self.cleaned_data.get("app_secret"):
            account.set_app_secret(self.cleaned_data["app_secret"])
        if self.cleaned_data.get("clear_previous_app_secret"):
            account.previous_app_secret_enc = ""
        if self.cleaned_data.get("verify_token"):
            account.set_verify_token(self.cleaned_data["verify_token"])
        if self.cleaned_data.get("access_token"):
            account.set_access_token(self.cleaned_data["access_token"])
        if commit:
            account.save()
        return account


class PhoneNumberInline(admin.TabularInline):
    model = PhoneNumber
    extra = 0


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    form = AccountForm
    inlines = [PhoneNumberInline]
    list_display = ["name", "app_id", "graph_api_version", "active", "sending_paused_reason"]
    readonly_fields = ["secrets_configured", "access_token_set_at", "sending_paused_reason", "sending_paused_at"]

    @admin.display(description="secrets")
    def secrets_configured(self, obj: Account) -> str:
        def state(value: str) -> str:
            return "set" if value else "not set"

        return (f"app secret: {state(obj.app_secret_enc)}; previous app secret: {state(obj.previous_app_secret_enc)}; "
                f"verify token: {state(obj.verify_token_enc)}; access token: {state(obj.access_token_enc)}")


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = ["id", "received_at", "state", "account", "summary"]
    list_filter = ["state"]
    exclude = ["body"]
    readonly_fields = ["raw_body"]

    @admin.display(description="body")
    def raw_body(self, obj: Delivery) -> str:
        return bytes(obj.body).decode("utf-8", "replace")


@admin.register(InboundMessage)
class InboundAdmin(ReadOnly):
    list_display = ["id", "number", "wamid", "type", "supported", "state", "sent_at", "contact", "conversation"]
    list_filter = ["state", "type", "supported"]
    search_fields = ["wamid", "text"]


@admin.register(StatusUpdate)
class StatusAdmin(ReadOnly):
    list_display = ["id", "wamid", "status", "error_code", "at", "received_at"]
    list_filter = ["status"]
    search_fields = ["wamid"]


class AttemptInline(admin.TabularInline):
    model = SendAttempt
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Outbound)
class OutboundAdmin(ReadOnly):
    list_display = ["id", "number", "kind", "state", "delivery_status", "attempts", "error_code", "error_title", "created_at"]
    list_filter = ["state", "kind", "delivery_status"]
    search_fields = ["wamid"]
    inlines = [AttemptInline]


@admin.register(ChannelEvent)
class EventAdmin(ReadOnly):
    list_display = ["id", "kind", "at", "phone_number_id", "code", "summary"]
    list_filter = ["kind"]


@admin.register(Contact)
class ContactAdmin(ReadOnly):
    list_display = ["channel_ref", "wa_id", "bsuid", "profile_name", "customer", "linked_by", "last_inbound_at"]
    search_fields = ["wa_id", "bsuid", "channel_ref"]


@admin.register(LinkChallenge)
class ChallengeAdmin(ReadOnly):
    list_display = ["contact", "email_masked", "created_at", "expires_at", "attempts", "used_at"]
    exclude = ["code_hash"]
