"""Awn's language engine (plain Python, no Django): normalisation, script and language,
entities, and a trained intent classifier.

    from awn.nlu import load_engine
    engine = load_engine()                 # Awn's own model; load once and share
    u = engine.understand("وين طلبي ٨١٢٣٤٥٦٧؟")
    u.intent, u.confidence, u.entities     # "track_order", 0.97, [Entity(type="order_number", …)]
"""

from awn.nlu.data import INTENTS, VARIETIES
from awn.nlu.engine import MAX_CHARS, Engine, Understanding, load_engine
from awn.nlu.entities import Entity, EntityConfig, extract_entities
from awn.nlu.normalize import normalize

__all__ = [
    "INTENTS",
    "MAX_CHARS",
    "VARIETIES",
    "Engine",
    "Entity",
    "EntityConfig",
    "Understanding",
    "extract_entities",
    "load_engine",
    "normalize",
]
