"""``awn``: the one entry point for the project's verbs.

``awn run``, ``awn worker``, ``awn demo`` … are Django management commands of Awn's apps; any other
Django command passes through (``awn migrate``, ``awn shell``). ``awn nlu …`` goes straight to the
language engine, which does not need Django.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "nlu":
        from awn.nlu.cli import main as nlu_main

        return nlu_main(args[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "awn.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    if not args:
        args = ["help"]
    execute_from_command_line(["awn", *args])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
