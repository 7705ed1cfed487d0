"""``awn whatsapp-setup``: create or update a WhatsApp account and its numbers from the command line.

Secrets are read from environment variables (named by the options) or prompted for, never taken
as command-line values (which end up in shell history and process lists), and never printed.

    AWN_WA_APP_SECRET=… AWN_WA_VERIFY_TOKEN=… AWN_WA_ACCESS_TOKEN=… \\
      awn whatsapp-setup --account souq --number 106540352242922:419561257915477:+15550783881:SA
"""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from awn.channels.whatsapp.models import Account, PhoneNumber


class Command(BaseCommand):
    help = "Create/update a WhatsApp account (secrets from env vars or a prompt) and its numbers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--account", required=True, help="account name")
        parser.add_argument("--app-id", default=None)
        parser.add_argument("--graph-version", default=None, help="e.g. v23.0")
        parser.add_argument("--graph-url", default=None, help="Graph API base URL (only for a local stand-in)")
        parser.add_argument("--app-secret-env", default="AWN_WA_APP_SECRET")
        parser.add_argument("--verify-token-env", default="AWN_WA_VERIFY_TOKEN")
        parser.add_argument("--access-token-env", default="AWN_WA_ACCESS_TOKEN")
        parser.add_argument("--prompt", action="store_true", help="ask for secrets that are not in the environment")
        parser.add_argument("--number", action="append", default=[],
                            help="PHONE_NUMBER_ID:WABA_ID:DISPLAY_NUMBER:MARKET (repeatable)")

    def _secret(self, env: str, label: str, prompt: bool) -> str:
        value = os.environ.get(env, "")
        if not value and prompt:
            value = getpass.getpass(f"{label} (input hidden, blank to keep): ")
        return value

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        account, created = Account.objects.get_or_create(name=options["account"])
        for option, field in (("app_id", "app_id"), ("graph_version", "graph_api_version"), ("graph_url", "graph_base_url")):
            if options[option]:
                setattr(account, field, options[option])
        secret = self._secret(options["app_secret_env"], "app secret", options["prompt"])
        if secret:
            account.set_app_secret(secret)
        elif created:
            raise CommandError(f"a new account needs an app secret (set {options['app_secret_env']} or use --prompt)")
        token = self._secret(options["verify_token_env"], "verify token", options["prompt"])
        if token:
            account.set_verify_token(token)
        access = self._secret(options["access_token_env"], "access token", options["prompt"])
        if access:
            account.set_access_token(access)
        account.save()
        for spec in options["number"]:
            parts = spec.split(":")
            if len(parts) != 4 or not parts[0]:
                raise CommandError(f"--number {spec!r}: expected PHONE_NUMBER_ID:WABA_ID:DISPLAY_NUMBER:MARKET")
            pnid, waba, display, market = parts
            PhoneNumber.objects.update_or_create(phone_number_id=pnid, defaults={
                "account": account, "business_account_id": waba, "display_phone_number": display,
                "market": market.upper(), "active": True})
        self.stdout.write(f"whatsapp account {account.name!r} {'created' if created else 'updated'}: "
                          f"{account.numbers.count()} number(s); secrets set: app secret={bool(account.app_secret_enc)}, "
                          f"verify token={bool(account.verify_token_enc)}, access token={bool(account.access_token_enc)}")
