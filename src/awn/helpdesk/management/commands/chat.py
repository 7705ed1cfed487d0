"""``awn chat --customer <external ref, id, phone or email>``: talk to the assistant in a terminal.

Every line goes through ``services.receive_buyer_message`` on the "terminal" channel, exactly like a
web chat or WhatsApp message. Quick replies are printed numbered; typing the number picks one.
``/photo <path>`` sends an image; ``/quit`` (or end of input) leaves. Works with piped input too:

    printf 'وين فلوسي؟\\n1\\n' | awn chat --customer demo-mohamed
"""

from __future__ import annotations

import mimetypes
import sys
import uuid
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from awn.core import clock
from awn.core.digits import to_ascii_digits
from awn.helpdesk import services
from awn.helpdesk.models import Channel, Conversation, Owner
from awn.marketplace.identities import InvalidIdentity, normalize_identity
from awn.marketplace.models import Customer, CustomerIdentity


def find_customer(ref: str) -> Customer:
    """A buyer by external ref, database id, phone number (any format) or email."""
    ref = ref.strip()
    customer = Customer.objects.filter(external_ref=ref).first()
    if customer is not None:
        return customer
    digits = to_ascii_digits(ref)
    if digits.isdigit():
        customer = Customer.objects.filter(pk=int(digits)).first()
        if customer is not None:
            return customer
    for kind in ("phone", "email"):
        try:
            value = normalize_identity(kind, ref)
        except InvalidIdentity:
            continue
        identity = CustomerIdentity.objects.filter(kind=kind, value=value).select_related("customer").first()
        if identity is not None:
            return identity.customer
    raise CommandError(f"--customer: no buyer with external ref, id, phone or email {ref!r}")


class Command(BaseCommand):
    help = "Chat with the assistant as a buyer, in the terminal (reads lines from standard input)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customer", required=True, help="the buyer: external ref, id, phone or email")
        parser.add_argument("--language", choices=["ar", "en"], help="reply language (default: the buyer's)")
        parser.add_argument("--session", default="",
                            help="a name to resume the same conversation later (default: a new conversation)")

    def handle(self, *args: Any, **options: Any) -> None:
        customer = find_customer(options["customer"])
        session = options["session"] or f"tty-{uuid.uuid4().hex[:12]}"
        conversation = services.start_conversation(customer, Channel.TERMINAL, channel_ref=session,
                                                   language=options.get("language"), now=clock.now())
        if options.get("language") and conversation.language != options["language"]:
            services.set_language(conversation, options["language"], now=clock.now())
        interactive = sys.stdin.isatty()
        self.stdout.write(self.style.MIGRATE_HEADING(
            f"{customer.display_name} ({customer.external_ref}, {customer.market}) · conversation "
            f"#{conversation.pk} · /photo <file>, /quit"))
        choices: list[dict[str, str]] = []
        while True:
            if interactive:
                self.stdout.write("> ", ending="")
                self.stdout.flush()
            line = sys.stdin.readline()
            if not line:
                break
            line = line.strip()
            if not line:
                continue
            if line in ("/quit", "/exit"):
                break
            if not interactive:
                self.stdout.write(f"> {line}")
            text, choice_id, attachments = line, "", []
            picked = to_ascii_digits(line)
            if picked.isdigit() and choices and 1 <= int(picked) <= len(choices):
                choice = choices[int(picked) - 1]
                text, choice_id = choice["title"], choice["id"]
            elif line.startswith("/photo"):
                attachment = self._photo(line[len("/photo"):].strip())
                if attachment is None:
                    continue
                text, attachments = "", [attachment]
            try:
                result = services.receive_buyer_message(conversation, text=text, choice_id=choice_id,
                                                        attachments=attachments, now=clock.now())
            except services.MessageRejected as exc:
                self.stderr.write(f"({exc.code}: {exc})")
                continue
            choices = []
            for reply in result.replies:
                self.stdout.write(self.style.SUCCESS("عون › ") + reply.text)
                for i, choice in enumerate(reply.choices, start=1):
                    self.stdout.write(f"   [{i}] {choice['title']}")
                choices = list(reply.choices) or choices
            conversation = Conversation.objects.get(pk=conversation.pk)
            if conversation.owner != Owner.ASSISTANT:
                handoff = conversation.handoffs.order_by("-id").first()
                where = f" · {handoff.queue}, due {handoff.due_at:%Y-%m-%d %H:%M} UTC" if handoff else ""
                self.stdout.write(self.style.WARNING(f"(with people now{where}; the assistant stays silent)"))

    def _photo(self, path: str) -> services.IncomingAttachment | None:
        file = Path(path).expanduser()
        if not file.is_file():
            self.stderr.write(f"(no such file: {path})")
            return None
        content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        kind = "image" if content_type.startswith("image/") else "document"
        return services.IncomingAttachment(kind=kind, content=file.read_bytes(), content_type=content_type,
                                           meta={"file_name": file.name})
