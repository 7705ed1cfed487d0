"""The language engine as the assistant sees it: loaded once per process, one call per turn.

``awn.nlu`` is plain Python and read-only after loading, so one engine is shared by every thread
of the process. Loading takes a couple of seconds (longer the very first time, when the core model
is trained into its cache), so it happens on the first buyer message, not at import.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from awn.core.digits import to_ascii_digits

# Below this calibrated probability the assistant treats the turn as unclear rather than guess.
CONFIDENT = 0.55

_engine: Any = None
_lock = threading.Lock()


def engine() -> Any:
    """The process's language engine (``awn.nlu.Engine``), loaded on first use."""
    global _engine
    if _engine is None:
        with _lock:
            if _engine is None:
                from awn.nlu import load_engine

                _engine = load_engine()
    return _engine


@dataclass(frozen=True)
class Entity:
    type: str
    value: Any
    text: str = ""


@dataclass(frozen=True)
class Understood:
    """What the assistant uses of the engine's answer (a narrow, stable slice of ``Understanding``)."""

    text: str
    intent: str = "out_of_scope"
    confidence: float = 0.0
    language: str = "unknown"  # ar, en, mixed, unknown
    script: str = "none"  # arabic, latin, arabizi, mixed, none
    entities: tuple[Entity, ...] = ()
    ranking: tuple[tuple[str, float], ...] = ()
    words: int = 0

    @property
    def clear(self) -> bool:
        return self.confidence >= CONFIDENT

    def first(self, kind: str) -> Any:
        for entity in self.entities:
            if entity.type == kind:
                return entity.value
        return None

    def all(self, kind: str) -> list[Any]:
        return [e.value for e in self.entities if e.type == kind]

    def probability(self, intent: str) -> float:
        return dict(self.ranking).get(intent, 0.0)


_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def understand(text: str) -> Understood:
    """Understand one buyer message (never raises for a ``str``)."""
    from awn.assistant import timing

    with timing.measure("engine"):
        u = engine().understand(text)
    return Understood(
        text=text,
        intent=u.intent,
        confidence=float(u.confidence),
        language=u.language,
        script=u.script,
        entities=tuple(Entity(e.type, e.value, e.text) for e in u.entities),
        ranking=tuple((label, float(p)) for label, p in u.ranking),
        words=len(_WORD.findall(to_ascii_digits(text))),
    )


EMPTY = Understood(text="")


@dataclass
class Signals:
    """Cheap lexical signals the engine does not give: yes/no words, anger, language requests."""

    yes: bool = False
    no: bool = False
    angry: bool = False
    wants_language: str | None = None
    no_photo: bool = False
    defective: bool = False
    address: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _words(*items: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w])(?:" + "|".join(items) + r")(?![\w])", re.IGNORECASE)


_YES = _words(
    "yes", "yeah", "yep", "yup", "sure", "ok", "okay", "go ahead", "please do", "do it", "confirm",
    "نعم", "ايوه", "أيوه", "ايوا", "أيوا", "اه", "آه", "أجل", "اجل", "تمام", "أكيد", "اكيد", "موافق", "طيب",
    "اوكي", "أوكي", "ماشي", "يلا", "وخا", "واخا", "إيه", "ايه", "اي", "إي", "بلى",
    "aywa", "aiwa", "na3am", "n3am", "eh", "ah", "wakha", "wa5a", "tamam", "mashi", "akid", "ee",
)
_NO = _words(
    "no", "nope", "nah", "not now", "don't", "do not", "cancel that", "never mind", "keep it",
    "لا", "لأ", "كلا", "لاء", "مش عايز", "مش عاوز", "ما ابغى", "ما أبغى", "ما بدي", "ما بغيت", "بلاش", "خلاص لا",
    "la", "la2", "laa", "lla", "mabghitch",
)
# Anger and abuse. Words that also appear in a calm question about scams ("is this number a scam?")
# count only when the message is not about contact channels (the caller decides).
_ANGRY_STRONG = _words(
    "thieves", "thief", "liars", "fraudsters", "scammers", "idiots?", "stupid", "useless", "pathetic",
    "disgusting", "ridiculous", "worst", "fuck\\w*", "f\\*+k", "shit\\w*", "damn", "wtf", "i will sue", "sue you",
    "lawyer", "report you", "rip ?off",
    "حرامية", "حراميه", "حرامي", "لصوص", "نصابين", "نصّابين", "نصاب", "كذابين", "كذّابين", "كذابين",
    "مهزلة", "مهزله", "زبالة", "زباله", "قرف", "تافهين", "أغبياء", "اغبياء", "غبي", "أسوأ", "اسوأ", "اسوا",
    "حسبي الله", "الله ياخذكم", "الله يلعن\\w*", "يلعن\\w*", "منك لله", "فضيحة", "فضيحه", "سأشتكي",
    "راح اشتكيكم", "هشتكي", "هرفع قضية", "محامي", "ما عندكم ذمة", "بلا ذمة",
    "7aramiya", "7aramia", "nasabin", "nassabin", "zbala", "zebala", "khara", "5ara", "wesskh",
)
_SCAM_WORDS = _words("scam\\w*", "fraud\\w*", "نصب", "احتيال", "نصابين", "نصاب")
_LANG_EN_EXPLICIT = _words(
    "english please", "in english", "speak english", "reply in english", "بالانجليزي", "بالإنجليزي",
    "بالانجليزية", "بالإنجليزية", "بالانقليزي", "bel english", "b english", "bl english",
)
_LANG_EN_WORD = _words("english", "انجليزي", "إنجليزي", "انقليزي", "انكليزي")
_LANG_AR_EXPLICIT = _words(
    "arabic please", "in arabic", "speak arabic", "reply in arabic", "بالعربي", "بالعربية", "bel 3arabi",
    "b3arabi", "bl 3arabi",
)
_LANG_AR_WORD = _words("arabic", "عربي", "العربية", "3arabi")
_NO_PHOTO = _words(
    "no photo", "no picture", "don't have a photo", "dont have a photo", "can't take", "cant take", "no camera",
    "ما عندي صورة", "ماعندي صورة", "ما عندي صوره", "مافي صورة", "ما في صورة", "معنديش صورة", "معنديش صوره",
    "ما اقدر اصور", "ما أقدر أصور", "مش قادر اصور", "بدون صورة", "بدون صوره", "ma3andish sora", "ma 3andi sora",
)
_DEFECTIVE = _words(
    "doesn't work", "doesnt work", "does not work", "not working", "stopped working", "won't turn on",
    "wont turn on", "dead", "faulty", "defective", "broken down",
    "لا يعمل", "ما يشتغل", "مايشتغل", "ما يشتغلش", "مش شغال", "مش بيشتغل", "ما بيشتغل", "معطل", "معطوب", "خربان",
    "خربانة", "خربانه", "عطلان", "عطلانة", "عطلانه", "ما يولع", "ما بيشتغلش", "ما خدامش", "ماخدامش", "مخسر",
    "لا تعمل", "ما تشتغل", "ماتشتغل", "ما تشتغلش", "مش شغالة", "مش شغاله", "مش بتشتغل", "ما بتشتغل", "ما خدامةش",
    "ماخدامةش", "ما خدامة", "مخسرة", "ما كيخدمش", "ما كتخدمش", "ماكيخدمش", "ماكتخدمش", "بطل يشتغل", "وقف عن العمل",
    "توقف عن العمل", "تعطل", "تعطلت", "عطل", "ما يشغل", "ما تشغل", "ما يشحن", "ما تشحن",
    "mesh shaghal", "msh sha8al", "ma5damsh", "makhdamch", "khasra", "5asra", "ma yishtaghil",
)
_ADDRESS = _words(
    "address", "deliver to", "wrong address", "location", "عنوان", "العنوان", "عنواني", "العنوان غلط", "لوكيشن",
    "الموقع", "3nwan", "3enwan", "el3nwan", "adresse", "l'adresse",
)
_CONTACT_WORDS = re.compile(r"رقم|نمر|number|واتس|whats|email|e-mail|ايميل|إيميل|بريد|link|رابط", re.IGNORECASE)
_FRUSTRATED = _words("still", "again", "third time", "ما زال", "مازال", "لسه", "لسا", "مرة ثالثة", "للمرة")


def signals(text: str, u: Understood) -> Signals:
    t = to_ascii_digits(text or "")
    s = Signals()
    s.yes = bool(_YES.search(t))
    s.no = bool(_NO.search(t))
    about_contacts = bool(u.all("phone")) or bool(u.all("email")) or bool(_CONTACT_WORDS.search(t))
    strong = _ANGRY_STRONG.findall(t)
    if about_contacts:
        strong = [w for w in strong if not _SCAM_WORDS.fullmatch(w)]
    shouting = len(re.findall(r"\b[A-Z]{3,}\b", t)) >= 3 or "!!!" in t
    s.angry = bool(strong) or (shouting and bool(_FRUSTRATED.search(t)))
    short = u.words <= 4
    if _LANG_EN_EXPLICIT.search(t) or (short and _LANG_EN_WORD.search(t)):
        s.wants_language = "en"
    elif _LANG_AR_EXPLICIT.search(t) or (short and _LANG_AR_WORD.search(t)):
        s.wants_language = "ar"
    s.no_photo = bool(_NO_PHOTO.search(t))
    s.defective = bool(_DEFECTIVE.search(t))
    s.address = bool(_ADDRESS.search(t))
    return s


def mentions_address(text: str) -> bool:
    return bool(_ADDRESS.search(to_ascii_digits(text or "")))


def mentions_defect(text: str) -> bool:
    return bool(_DEFECTIVE.search(to_ascii_digits(text or "")))
