"""Where the shared WhatsApp test data lives: ``../shared/whatsapp`` beside the repository (as in CI)."""

from __future__ import annotations

import os
from pathlib import Path

_REPO = Path(__file__).resolve().parents[2]
_CANDIDATES = [Path(os.environ["AWN_WHATSAPP_SHARED"])] if os.environ.get("AWN_WHATSAPP_SHARED") else []
_CANDIDATES += [_REPO.parent / "shared" / "whatsapp", Path("/work/shared/whatsapp")]
SHARED = next((p for p in _CANDIDATES if (p / "payloads").is_dir()), _CANDIDATES[0])
PAYLOADS = SHARED / "payloads"
OUTBOUND_EXAMPLES = SHARED / "outbound_examples"
