"""Script and language of a message: Arabic script, English, Arabizi, or a mixture.

The assistant answers in the buyer's language, so the decision only has to separate Arabic
(written in Arabic script or in Arabizi) from English. It is a scoring rule over the words, not a
model: a Latin word with a digit used as a letter ("3ayez", "ma7al") or a frequent Arabizi word
("fein", "msh", "bghit") is Arabizi evidence; a frequent English word is English evidence.
"""

from __future__ import annotations

import re
from typing import Literal

Language = Literal["ar", "en", "mixed", "unknown"]
Script = Literal["arabic", "latin", "arabizi", "mixed", "none"]

_ARABIC_CHAR = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN_WORD = re.compile(r"[a-z][a-z0-9']*|[0-9]+[a-z][a-z0-9']*")
_ARABIC_WORD = re.compile(r"[\u0621-\u064a\u0671-\u06d3]+")
# A digit standing for a letter, next to letters: "3ayez", "7aga", "ta2khir", "b2ali".
_ARABIZI_DIGIT = re.compile(r"(?:[a-z][2356789]|[2356789][a-z])")
# Latin words with digits that are not Arabizi.
_NOT_ARABIZI_DIGIT = re.compile(r"^(?:\d+(?:st|nd|rd|th|h|hrs?|min|d|days?|am|pm|kg|g|gb|mb|x|k|sar|egp|aed|mad|usd|dh|le)|mp3|mp4|4g|5g|3g|ps5|ps4|a\d+|s\d+)$")

ARABIZI_WORDS = frozenset(
    """
    ana enta enty enti inta inti ento into intu howa hiya hia ehna e7na i7na ne7na na7na hna
    el al il fein fen feen wein wen ween win fin wen fain fayn feyn
    leh leih lesh lech lish lei 3lach 3lash alash kif kifak kifik kefak ezay ezzay izay ezayak
    ezayik izzay shlon shlonak shlonek chlon kifash kifach kfash kayfa
    msh mesh mish mush mch mashi machi mafi mafeesh mafish mfish mafesh mesh mishan 3ashan
    3shan 3lshan 3alashan 3lashan 3ala 3la 3al 3an ma3 m3 ma3a 3and 3ndi 3andi 3endi 3ndy
    3andy 3endy 3andek 3andak 3ndk bta3 bta3i bta3y bta3ti bta3ty btaa3 taba3 taba3i tab3i
    dyal dyali dyawli diali dyali dial d'al mte3 mta3 mte3i mta3i ntaa3 ta3 ta3i
    lsa lesa lessa lissa lisa lessah ba2a ba2ali b2ali baqali ba2ali ba2alo b2alo sarli
    saarli sarlna saret sarat sarlo men mn min mnz mondo mondou
    3ayez 3ayz 3awez 3ayza 3awza biddi baddi bedi bidi biddi abgha abga abi aby abi abiy bghit
    bghina bgheet nbghi bghyt 7abeb 7abb badi beddi
    el7a2 e7na ya yaa yalla yallah ya3ni y3ni ya3ny y3ny wallah wallahi walla wala walaw
    shokran shukran chokran choukran shkran mersi merci barak baraka 3afak 3afakom afak
    tayeb tyb tayyeb tamam tmam tamem mashy mashi okay keda kda kede kida keeda kdh hek heek
    hayk hak haka hakka hadi hada hadak hadik had hadchi hadshi dah da di deh dih dol
    eh eih ey esh shu shou chou chnou chno chnu shno shnu shnw wesh wach wash ach ashnu
    kam kaam bkam b9adash bchhal bshal b2adesh be2adesh adesh 2adesh
    dlw2ty dlwa2ty delwa2ty dilwa2ti delwa2ti hala2 halla2 halla 2elli elli illi li lli yalli
    7aga 7aja 7adja shi shay shay2 chi 7ad 7add wa7ed wa7d wahed wa7da
    mawsalsh mawsalch wasal wsl wselt wasalni wasalet wasalt wsal jani jat jatni ja ja2
    el3arabi el3arbon flous flousi felous fulus floos flousy feloosi flus masari masare
    ta2khir t2khir t2khr ta5eer takhir 3atal mot2akher mt2khr tard talab talabi talabeya
    talabiya talabia talabyti tlab tlabi tlbi tlbya tlabia 2lghi lghi nlghi alghi elghi
    ilghi el8i el8a2 el2a2 2elgha2 nelghi lgha ghayar ghayer ghayyer 8ayar 8yr baddel badel
    baddal bdl nbdl nbadal 3nwan 3enwan 3onwan 3anwan el3nwan
    raga3 rag3 rj3 rja3 rajja3 erja3 nraja3 narja3 nrj3 mrtaja3 morta3 estrja3 estirja3
    7sab 7sabi 7esabi 7isabi 7esab el7esab
    mesh7a mrsl ersal ersel ersli abe3 ba3 bay3 el ba2e3 elba2e3 elbaye3 baye3 bai3
    wala7ad 7ad ma7ad m7d ma7dsh
    ahlan ahla marhaba mar7aba mr7ba salam slm sala2 salamo salamou 3alaykom 3likom
    3aleikom 3alikom sba7 saba7 sabah masa masaa mesa lkhir el5eer elkheer khir 5ir
    ma3 salama ma3salama besalama bslama yslmo ysalmo teslam tislam teslamli
    aywa aiwa aywah ah eh eeh n3am na3am iyeh eyh e7 wakha wa5a la2 la2a la2ah laa
    mabghitch bghitch mabghitsh ma3andish ma3ndish ma3andekch ma3ndksh ma3andksh
    mazal mazel mazal mazalt ba9i ba9a ba9ali 9bel 9bal 9dima
    """.split()
)

ENGLISH_WORDS = frozenset(
    """
    a an the i me my mine you your yours he she it its we our they their them this that these
    those is are was were be been being am do does did done have has had having will would
    shall should can could may might must not no yes yeah yep nope ok okay please thanks thank
    thx ty hi hello hey bye goodbye morning evening good bad great fine sure of to in on at by
    for with from about into over after before since ago until up down out off again still yet
    already just only also very too so but or and if then than when where why how what which
    who whom whose there here now today tomorrow yesterday week weeks day days hour hours month
    months year years minute minutes order orders ordered parcel package packages delivery
    delivered deliver arrive arrived arriving came come coming never track tracking status
    shipped shipping shipment courier refund refunds refunded money back return returned
    returning cancel cancelled canceled cancellation change changed modify address size color
    colour quantity wrong item items product broken damaged defective seller sellers reply
    replied answer answered respond responding payment paid pay charged card verify verified
    verification pending account login log password locked email phone number whatsapp
    official contact call chat agent human person someone speak talk talking need want help
    thanks partial missing find found dispute claim case open opened complaint issue problem
    still waiting wait where's what's it's i'm don't didn't doesn't haven't hasn't can't
    cannot won't isn't wasn't any some all none more less much many get got give gave send
    sent show tell know see let make made take taken one two three four five amount fee fees
    customs less short shorter than expected real someone representative support service
    customer live please asap urgent why whats wheres im dont didnt cant wont isnt
    """.split()
)


_ENGLISH_SUFFIX = re.compile(r"^[a-z]{3,}(?:ed|ing|tion|ment|ness|ly|able|ful|less)$")


def _score_latin(words: list[str]) -> tuple[int, int]:
    arabizi = english = 0
    for w in words:
        if w in ENGLISH_WORDS or (_ENGLISH_SUFFIX.match(w) and w not in ARABIZI_WORDS):
            english += 1
        elif w in ARABIZI_WORDS:
            arabizi += 1
        elif _ARABIZI_DIGIT.search(w) and not _NOT_ARABIZI_DIGIT.match(w):
            arabizi += 1
    return arabizi, english


def detect(normalized: str) -> tuple[Language, Script]:
    """Language and script of a *normalised* message (see :func:`awn.nlu.normalize`)."""
    arabic_words = _ARABIC_WORD.findall(normalized)
    latin_words = _LATIN_WORD.findall(normalized)
    if not arabic_words and not latin_words:
        return "unknown", "none"
    arabizi, english = _score_latin(latin_words)
    if arabic_words and latin_words:
        # Arabic script with a few Latin words (brand names, "order", "refund") is mixed.
        # The buyer's language is the one most of the words are in.
        if english > 0 and 2 * english > len(arabic_words) + arabizi:
            return "mixed", "mixed"
        return "ar", "mixed"
    if arabic_words:
        return "ar", "arabic"
    if arabizi > 0 and arabizi >= english:
        return "ar", "arabizi"
    if arabizi > 0:
        return "mixed", "arabizi"
    if english > 0:
        return "en", "latin"
    return "unknown", "latin"


def has_arabic(text: str) -> bool:
    """True if any Arabic-block character occurs in ``text``."""
    return bool(_ARABIC_CHAR.search(text))
