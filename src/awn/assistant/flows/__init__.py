"""One module per family of scenarios. Each handler takes a :class:`~awn.assistant.turn.Turn`,
finds what it needs through ``awn.marketplace.access``, asks ``awn.policy`` what is true, and
answers; actions that change something are only offered here and performed once confirmed."""
