"""``awn apikey create NAME`` (prints the key once) · ``awn apikey list`` · ``awn apikey revoke PREFIX``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from awn.channels.api.keys import create_key, revoke_key
from awn.channels.api.models import ApiKey


class Command(BaseCommand):
    help = "Create, list and revoke the operator's API keys (only a key's hash is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create", help="create a key and print it once")
        create.add_argument("name", help="who holds the key, e.g. orders-sync")
        sub.add_parser("list", help="list keys (prefix, name, created, last used, revoked)")
        revoke = sub.add_parser("revoke", help="revoke a key by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        verb = options["verb"]
        if verb == "create":
            try:
                new = create_key(options["name"])
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(new.plaintext)
            self.stderr.write(f"API key {new.key.prefix} for {new.key.name!r}: store it now, it is not shown again.")
        elif verb == "list":
            for key in ApiKey.objects.order_by("created_at"):
                self.stdout.write("\t".join([
                    key.prefix, key.name, key.created_at.isoformat(),
                    key.last_used_at.isoformat() if key.last_used_at else "never",
                    f"revoked {key.revoked_at.isoformat()}" if key.revoked_at else "active",
                ]))
        else:
            try:
                key = revoke_key(options["prefix"])
            except ApiKey.DoesNotExist as exc:
                raise CommandError(f"no API key with prefix {options['prefix']!r}") from exc
            self.stdout.write(f"revoked {key.prefix} ({key.name})")
