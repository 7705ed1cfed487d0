"""``python -m awn.nlu …`` runs the same command line as ``awn nlu …``."""

from awn.nlu.cli import main

raise SystemExit(main())
