"""``awn run``: migrate, load the demo marketplace if the database is empty, and serve."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Migrate, load the demo marketplace into an empty database, and start the web server."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000", help="address:port to listen on")
        parser.add_argument("--no-demo", action="store_true", help="do not load the demo marketplace")

    def handle(self, *args: Any, **options: Any) -> None:
        from awn.marketplace.models import Customer

        call_command("migrate", interactive=False, verbosity=0)
        if not options["no_demo"] and not Customer.objects.exists():
            call_command("demo")
        self.stdout.write(self.style.SUCCESS(f"Awn is running at http://{options['addrport']}/  (Ctrl+C to stop)"))
        call_command("runserver", options["addrport"], use_reloader=False)
