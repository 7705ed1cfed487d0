"""A multi-dialect concept lexicon: the same idea written in MSA, dialects, Arabizi and English.

Training sentences are few per intent, and a buyer in Rabat says "الكوموند" where the training
sentence from Riyadh said "الطلب". The classifier therefore also sees *concept tokens*: every
word that belongs to a concept below ("order", "cancel", "money", "not", "still", …) adds the
concept's token, in sentence order, and the model learns n-grams of them ("NEG ARRIVE" is
order_not_arrived's signature, "MONEY WHEN" refund_status's). The lexicon only says which
words mean the same; which concepts make which intent is learnt from the data, so this is a
feature, not a rule.

Words are matched after light stemming: common proclitics (و ف ب ل ال، and the dialect verb
prefixes ب ح ه غ ك ت ي ن ا م) and enclitics (ي ك ه ها نا كم هم ني لي ش …) are stripped in up
to two layers, and Arabizi's "el"/"l"/"w"/"b" are split off. Stems of two letters only match
whole words.

Entity-derived tokens (an order number, an amount, two amounts, a duration, a phone …) are
added by :func:`entity_tokens`, since "350 instead of 400" is a partial refund whatever the
dialect.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from awn.nlu.arabizi import skeleton_word

# Concept -> stems (already in normalize() form: ا for أإآ, ه for ة, ي for ى, lower-case Latin).
CONCEPTS: dict[str, tuple[str, ...]] = {
    "ORDER": (
        "طلب", "طلبيه", "طلبات", "طلبيات", "اوردر", "اوردرات", "اردر", "كوموند", "كومند", "كومندا",
        "order", "orders", "ordered", "commande", "commandes", "cmd", "talab", "talabi", "tlab",
        "tlabi", "talabiya", "talabia", "talabeya", "otlob", "purchase", "achat",
    ),
    "BUY": (
        "اشتري", "اشتريت", "اشتريته", "شريت", "شاري", "شراء", "شريتها", "buy", "bought", "purchase",
        "shareit", "chrit", "chrite", "eshtarait", "ishtarait",
    ),
    "PARCEL": (
        "طرد", "شحنه", "كرتونه", "كرتون", "باكيج", "باكو", "كوليا", "كولي", "كولية", "بضاعه",
        "parcel", "package", "packages", "shipment", "box", "colis", "coli", "sho7na", "shu7na",
        "tard", "kartona", "lcolis",
    ),
    "ITEM": (
        "غرض", "اغراض", "منتج", "سلعه", "قطعه", "حاجه", "حاجات", "المنتج", "item", "items",
        "product", "article", "produit", "7aga", "7aja", "montaj", "9i6a", "9ete3a",
    ),
    "SHIP": (
        "شحن", "انشحن", "يتشحن", "ينشحن", "اتشحن", "شحنت", "توصيل", "مندوب", "ship", "shipped",
        "shipping", "courier", "livraison", "livreur", "sha7n", "ta9im", "delivery", "tawsil",
        "المستودع", "مستودع", "مخزن", "warehouse",
    ),
    "WHERE": (
        "=وين", "=فين", "=اين", "=وينه", "=فينه", "=وينو", "=وينها", "=فينها", "=لوين", "=لفين",
        "=where", "=wheres", "=fein", "=fen", "=feen", "=wein", "=wen", "=win", "=fin", "=ween",
        "=فيناهو", "=فاين", "=وينهي", "=ou", "=fayn", "=wayn",
    ),
    "WHEN": (
        "=متي", "=امتي", "=امته", "=ايمتي", "=يمتي", "=وقتاش", "=فوقاش", "=شوكت", "=امتا",
        "=when", "=emta", "=imta", "=emte", "=waqtach", "=w9tach", "=fou9ach", "=shwakt",
        "=shwekit", "=imteh", "=emtaa", "=quand", "=eta", "=eimta", "=aymta",
    ),
    "STATUS": (
        "=happening", "=going_on", "=status_of", "=any_news", "=update_on", "=progress_on",
        "حاله", "وضع", "تحديث", "اخبار", "جديد", "status", "update", "updates", "news", "progress",
        "statut", "7ala", "ta7dith", "=صار", "=صاير", "=sar", "=sayer", "=happened",
    ),
    "TRACK": (
        "تتبع", "تعقب", "تراك", "تراكينج", "تراكنج", "اتابع", "نتبع", "تابع", "track", "tracking",
        "suivi", "follow", "trace", "tetba3", "atabe3", "tatabbu3", "traking",
    ),
    "ARRIVE": (
        "وصل", "وصلت", "وصلني", "وصلتني", "يوصل", "توصل", "يوصلني", "وصلات", "يصل", "تصل", "يصلني",
        "=جا", "=اجا", "=اجه", "=جه", "=جات", "جاني", "جاتني", "اجاني", "جالي", "مجاش", "جاش",
        "ماجاتش", "يجي", "=اجتني", "استلم", "استلمت", "تسلم", "تسلمت", "receive", "received",
        "arrive", "arrived", "came", "=come", "=got", "wsal", "wasal", "wesl", "wsel", "wasel",
        "wsalni", "wasalni", "yewsal", "yowsal", "tewsal", "wasalet", "wselt", "mgash", "=ja",
        "jani", "jatni", "=jat", "recu", "reçu", "arrivé", "estalamt", "astalam", "wasalsh",
        "mawsalsh", "mawsalch",
    ),
    "DELIVERED": (
        "=التسليم", "=اتسلم", "=انسلم", "=مسلم", "=مستلم", "=تم_التسليم", "delivered", "livré",
        "livre", "=tasleem", "=et-sallem", "=etsallem",
    ),
    "NEG": (
        "=ما", "=مش", "=مو", "=ماش", "=لم", "=لن", "=ليس", "=مب", "=مافي", "=مفيش", "=ماكو",
        "=ماكاين", "=والو", "=ولا", "=بلا", "=بدون", "=walo", "=not", "=never", "=no", "=msh",
        "=mesh", "=mish", "=mush", "=ma", "=mafi", "=mafish", "=mafesh", "=makayn", "=mako",
        "=didnt", "=didn't", "=didn", "=havent", "=haven't", "=hasnt", "=hasn't", "=isnt",
        "=isn't", "=doesnt", "=doesn't", "=dont", "=don't", "=cant", "=can't", "=wont", "=won't",
        "=nothing", "=nobody", "=لا", "=la", "=pas", "=without", "=mch", "=mashi", "=machi",
        "=مو", "=موب", "=مازال_ما", "=محد", "=ماحد", "=حتي_واحد", "=walou",
    ),
    "STILL": (
        "=لسه", "=لسا", "=لسي", "=للحين", "=لهلق", "=لهسه", "=لتوا", "=لدابا", "=مازال", "=لازال",
        "=باقي", "=بعد", "=بعدو", "=بعده", "=لحد", "=لليوم", "=حتي", "=yet", "=still", "=lesa",
        "=lessa", "=lissa", "=lisa", "=lsa", "=ba3d", "=ba3do", "=mazal", "=mazel", "=encore",
        "=lel7een", "=lal7in", "=hala2", "=lhal2",
    ),
    "LATE": (
        "تاخر", "تاخير", "متاخر", "اتاخر", "متعطل", "تعطلات", "late", "delay", "delayed", "overdue",
        "retard", "t2akhar", "ta2khir", "m2akhar", "mt2akhar", "=فات", "=عدي", "=long", "=طول",
        "=طولت", "=slow", "=بطيء", "ميعاد", "موعد", "=supposed", "=المفروض", "=كان_لازم",
        "=expected", "=deadline", "=ma3ad", "=me3ad",
    ),
    "WAIT": (
        "انتظر", "انتظار", "بانتظار", "مستني", "مستنيه", "استني", "نستني", "كنتسني", "ناطر", "ناطره",
        "نطرت", "wait", "waiting", "waited", "attente", "attends", "mestany", "mestanni", "nater",
        "natra", "nstanna", "kantsna", "ntsna", "=ينتظر", "=intazar",
    ),
    "CANCEL": (
        "=stop_the", "=call_off", "=cancelled", "=cancelling", "=canceling", "=انهاء", "=ما_ابيه", "=مش_عايزه", "=ما_بدي_ياه",
        "elghu", "elgho", "alghu", "lghu", "ilghu", "el8o", "el8u", "elghi", "كنسلو",
        "الغاء", "الغي", "لغي", "لغيو", "ملغي", "ملغيه", "الملغي", "تلغات", "كنسل", "كانسل", "كنسله",
        "ابطل", "تبطل", "نبطل", "تبطلت", "cancel", "cancelled", "canceled", "cancellation", "annuler",
        "annule", "annulé", "annulation", "el8i", "l8i", "lghi", "nlghi", "alghi", "elghi", "ilghi",
        "el8a2", "ilgha2", "el2a2", "2elgha2", "cansel", "kansel", "=التراجع", "=اتراجع",
        "=تراجع", "=back_out",
    ),
    "MODIFY": (
        "=update_the", "=swap", "=replace_the", "=increase", "=decrease", "=reduce", "=upgrade", "=tbdel", "=nbeddel", "=نبدل", "=نعدل", "=nzid", "=nn9es",
        "اغير", "غير", "نغير", "تغيير", "غيرت", "تعديل", "اعدل", "عدل", "عدلو", "اعدله", "بدل",
        "نبدل", "ابدل", "تبديل", "بدلو", "صحح", "اصحح", "تصلحو", "اضيف", "نزيد", "ازيد", "انقص",
        "change", "changed", "modify", "modification", "edit", "switch", "correct", "add",
        "ghayar", "ghayer", "ghayyer", "aghayer", "8ayar", "baddel", "badel", "nbdl", "nbadal",
        "modifier", "changer", "3adel", "a3del",
    ),
    "ADDRESS": (
        "عنوان", "العنوان", "لوكيشن", "الشارع", "شارع", "الشقه", "شقه", "الحي", "المدينه", "انتقلت",
        "نقلت", "address", "adresse", "location", "street", "3nwan", "3enwan", "3onwan", "enwan",
        "3anwan", "moved",
    ),
    "ATTRIBUTE": (
        "مقاس", "المقاس", "قياس", "القياس", "حجم", "لون", "اللون", "الالوان", "كميه", "الكميه",
        "العدد", "عدد", "موديل", "نمره", "لارج", "ميديم", "سمول", "اسود", "ابيض", "احمر", "ازرق",
        "كحلي", "بيج", "اخضر", "size", "color", "colour", "quantity", "qty", "model", "taille",
        "couleur", "xl", "xxl", "large", "medium", "small", "black", "white", "red", "blue", "lon",
        "ma9as", "mi2as", "2yas",
    ),
    "RETURN": (
        "=returns", "=return_it", "=send_it_back", "=give_back", "=take_back", "=exchange", "=استبدال", "=ارجاعه", "=نرجعها", "=ارجعها", "=رجعها",
        "ارجاع", "الارجاع", "ارجع", "ارجعه", "نرجع", "نرجعو", "رجع", "رجعت", "رجعته", "رجعتها",
        "رجعتو", "ترجيع", "مرتجع", "المرتجع", "المرجع", "روتور", "الروتور", "اعاده", "اعيد",
        "اعدته", "رديت", "رديته", "ارد", "return", "returned", "returning", "retour", "renvoyer",
        "rj3", "raja3", "rajja3", "arajje3", "nraja3", "narja3", "rage3", "rj3t", "rajja3t",
        "send_back", "=back", "=dazzet", "=دزيت", "=sent_back",
    ),
    "MONEY": (
        "=my_money", "=refund_status", "=riyals", "=pounds", "=dirhams", "=dinars", "=مصرياتي", "=فلوساتي",
        "فلوس", "فلوسي", "الفلوس", "مصاري", "المصاري", "مصريات", "مبلغ", "المبلغ", "مبلغي", "اموال",
        "اموالي", "الاموال", "نقود", "دراهم", "money", "refund", "refunds", "refunded",
        "reimbursement", "remboursement", "ريمبورسمون", "الريمبورسمون", "flous", "floos", "floosi",
        "flousi", "lflous", "masari", "mablagh", "fulus", "cash", "=ريال", "=جنيه", "=درهم",
        "=دينار", "=دولار", "استرداد", "الاسترداد", "استرجاع", "الاسترجاع", "المسترد", "يسترد",
        "استرد", "استرددت", "رصيد", "credit", "=pay_back", "refound", "rembourse",
    ),
    "PARTIAL": (
        "ناقص", "ناقصه", "ناقصين", "نقص", "جزء", "جزيي", "جزييا", "الباقي", "باقي_المبلغ", "فرق",
        "الفرق", "خصم", "الخصم", "انخصم", "انخصمت", "اتخصم", "اتخصمت", "خصمت", "مخصوم", "مخصومه",
        "اقل", "=بس", "=فقط", "=غير", "=الا", "=سوي", "كامل", "=نص", "=بدل", "=بدال", "=فبلاصه",
        "partial", "partially", "part", "less", "short", "rest", "difference", "deducted",
        "deduction", "only", "instead", "full", "half", "na9es", "naqes", "far2", "farq",
        "=bas", "=ghir", "ba2y", "=goz2", "in5isam", "khasm", "=nos", "=nus", "=badal",
        "يطابق", "مطابق", "=match", "=matches", "كيساويش", "=مظبوط",
    ),
    "FEES": (
        "رسوم", "الرسوم", "جمارك", "الجمارك", "جمركيه", "مصاريف", "ضريبه", "الضريبه", "عموله",
        "fee", "fees", "customs", "charge", "charges", "tax", "duty", "duties", "frais", "فرايس",
        "rosoom", "rsoum",
    ),
    "PAY": (
        "دفع", "الدفع", "دفعت", "ادفع", "دافع", "ندفع", "خلصت", "نخلص", "الخلاص", "خلاص_الفلوس",
        "سداد", "payment", "pay", "paid", "paying", "charged", "checkout", "transaction",
        "paiement", "payer", "daf3", "dafa3t", "adfa3", "dafe3", "lkhlas", "khalast", "عمليه",
        "العمليه", "معامله", "المعامله", "اتخصم_من",
    ),
    "CARD": (
        "بطاقه", "بطاقتي", "البطاقه", "كارت", "الكارت", "كارط", "الكارط", "فيزا", "مدي", "ماستر",
        "بنك", "البنك", "المصرف", "حسابي_البنكي", "card", "visa", "mastercard", "bank", "mada",
        "carte", "lcarte", "apple", "wallet", "محفظه",
    ),
    "FAIL": (
        "فشل", "فشلت", "فاشل", "مرفوض", "مرفوضه", "رفض", "رفضت", "تنرفض", "انرفض", "خطا", "ايرور",
        "error", "failed", "fail", "declined", "rejected", "refused", "erreur", "refusé", "=twice",
        "=مرتين", "=double", "مكرر", "انسحب", "انسحبت", "اتسحب", "=marteen", "=mrtin",
    ),
    "VERIFY": (
        "تحقق", "التحقق", "بالتحقق", "التاكد", "يتاكد", "التاكيد", "تاكيد", "مراجعه", "المراجعه",
        "=قيد", "معلق", "معلقه", "verification", "verify", "verified", "pending", "review",
        "processing", "vérification", "confirmation", "confirm", "confirmed", "ta7a2o2", "=under",
        "awaiting", "attente", "المعالجه", "معالجه",
    ),
    "SELLER": (
        "=merchant", "=supplier", "=البايعه", "=المتجر_اللي", "=vendor's", "=seller's",
        "بائع", "البائع", "بايع", "البايع", "بياع", "البياع", "تاجر", "التاجر", "متجر", "المتجر",
        "=المحل", "=محل", "سيلر", "السيلر", "seller", "vendor", "store", "shop", "vendeur",
        "bayi3", "baye3", "ba2e3", "bay3", "elbaye3", "lbay3", "sahb", "صاحب",
    ),
    "REPLY": (
        "messaged", "contacted", "=got_nothing", "=heard",
        "=رد", "يرد", "بيرد", "يردش", "كيردش", "ردو", "جواب", "يجاوب", "يجاوبش", "اجابه", "يجيب",
        "ساكت", "مطنش", "مطنشني", "تجاهل", "يتجاهل", "رسايل", "رسايلي", "الرسايل", "رساله",
        "راسلت", "اراسل", "reply", "replied", "replies", "respond", "responding", "responds",
        "response", "answer", "answering", "ignore", "ignoring", "silent", "messages", "message",
        "répond", "repond", "yrod", "beyrod", "yrd", "jawab", "yjaweb", "=ghost", "ghosting",
    ),
    "DAMAGED": (
        "=faulty", "=malfunction", "=stopped", "=won't_turn", "=doesn't_work", "=not_working", "=leaking", "=leak", "=shattered", "=dented", "=ripped", "=مخربط", "=منتهي_الصلاحيه", "=expired", "=مهترئ", "=مشروخ", "=مقشور", "=مفكوك", "=ما_يشتغل", "=مش_شغال", "=ما_بيشتغل",
        "مكسور", "مكسوره", "مكسره", "كسر", "كسور", "مكسر", "تالف", "تالفه", "خربان", "خربانه",
        "معطوب", "معطل", "عاطل", "عطلان", "بايظ", "بايظه", "مضروب", "مهرس", "مهرسه", "مقطوع",
        "مشقوق", "مخدوش", "عيب", "معيوب", "مبلول", "ريحه", "يشتغل", "شغال", "كيخدمش", "خدام",
        "يشحن", "damaged", "broken", "defective", "faulty", "cracked", "torn", "scratched",
        "stain", "dead", "working", "works", "smell", "cassé", "casse", "mkasar", "mkassar",
        "5arban", "khorban", "bayez", "3atlan", "m3attal", "tale3",
    ),
    "WRONG": (
        "=mismatch", "=غلطانين", "=مو_هو", "=مش_هو", "=ماشي_هو", "=not_what", "=not_the", "=غير_اللي",
        "غلط", "خطا", "مختلف", "مختلفه", "ثاني", "تاني", "اخري", "اخر", "=غير", "=بدل", "=بدال",
        "=فبلاصه", "=بلاصه", "الصوره", "الوصف", "wrong", "different", "another", "other", "instead",
        "picture", "description", "ghalat", "8alat", "mokhtalef", "=blast", "=blasst",
        "=mashi_huwa", "=مش_هو",
    ),
    "MISSING": (
        "ekhtafa", "ekhtafet", "ikhtafa", "disappear", "yetla3", "yitla3", "ybayen", "ybanch", "ma_yetla3",
        "اختفي", "اختفا", "انمسح", "تمسح", "مختفي", "ضايع", "ضاع", "مش_لاقي", "لاقي", "لاقيه",
        "لقيت", "لقيتش", "لقيته", "نلقي", "الاقي", "دورت", "موجود", "موجوده", "ظاهر", "يظهر",
        "يبان", "كايناش", "فاضيه", "فارغه", "missing", "disappeared", "vanished", "gone", "find",
        "found", "showing", "shows", "empty", "visible", "=lost", "l9it", "nl9a", "ma_l9itch",
        "tmas7at", "=archive", "=archived", "ارشيف", "مؤرشف", "=filter", "فلتر", "طلباتي",
        "مشترياتي", "=list", "قايمه", "القايمه", "=history", "سجل",
    ),
    "ACCOUNT": (
        "حسابات", "بحسابي", "لحسابي", "accounts", "=profile", "=my_account",
        "حساب", "حسابي", "الحساب", "اكونت", "الاكونت", "كونط", "الكونط", "account", "compte",
        "profile", "7sab", "7sabi", "7esabi", "7esab", "el7esab", "مستخدم", "user",
    ),
    "LOGIN": (
        "سجل_دخول", "تسجيل", "=log_in", "=sign_in", "=logged_out", "=locked_out", "=2fa", "=verification_code", "=رمز_التحقق", "=كود_التحقق", "=otp", "كلمه_السر", "=pin",
        "logging", "logged", "logout", "signed", "=barra", "=برا", "يطلعني", "ytla3ni", "fout", "=فوت",
        "دخول", "الدخول", "ادخل", "ندخل", "يدخل", "تسجيل_الدخول", "لوجين", "باسورد", "الباسورد",
        "الباسوورد", "كلمه", "السر", "المرور", "رمز", "الرمز", "كود", "الكود", "otp", "code",
        "login", "log", "sign", "signin", "password", "passe", "mot", "locked", "blocked", "hacked",
        "انقفل", "مقفول", "موقوف", "محظور", "انهكر", "مهكر", "اختراق", "نسيت", "forgot", "reset",
        "verification_code", "sms", "pass", "dkhol", "nedkhol", "ad5ol",
    ),
    "DISPUTE": (
        "=اعتراض", "=اعتراضي", "=شكواي", "=بلاغي", "نزاعي", "شكوتي", "=appeal", "=mediation", "=protection", "=buyer_protection",
        "نزاع", "النزاع", "بالنزاع", "شكوي", "الشكوي", "شكايه", "الشكايه", "اعتراض", "بلاغ",
        "قضيه", "القضيه", "ملف", "تذكره", "مطالبه", "dispute", "disputes", "complaint", "claim",
        "case", "ticket", "litige", "réclamation", "reclamation", "dossier", "niza3", "shakwa",
        "chikaya", "i3tirad", "9adiya", "قرار", "القرار", "حكم", "تحكيم", "decision", "verdict",
        "اشتكي", "نشتكي", "=escalate", "تصعيد", "اصعد",
    ),
    "OPEN": (
        "افتح", "فتح", "نفتح", "فتحت", "افتحلي", "ارفع", "رفع", "نرفع", "اقدم", "قدمت", "سجل",
        "اسجل", "open", "opened", "file", "filed", "lodge", "raise", "submit", "start", "ouvrir",
        "aftah", "ftah", "nfta7", "aft7", "=button", "=زر", "زرار",
    ),
    "RESULT": (
        "نتيجه", "النتيجه", "قرار", "القرار", "ينحل", "انحل", "اتحل", "تحل", "مفتوح", "اتقفل",
        "تسكر", "اتسكر", "result", "outcome", "decision", "resolved", "closed", "favor", "favour",
        "lsali7i", "لصالحي", "صالحي",
    ),
    "HUMAN": (
        "=بشر", "=موظفين", "=ادمي", "=زول", "=واحد_حقيقي", "=شخص_حقيقي", "=real_person", "=actual_person", "=human_being", "=customer_care", "=live_agent", "=ensan", "=bashar",
        "موظف", "الموظف", "الموظفين", "موظفه", "انسان", "بشري", "شخص", "لشخص", "حقيقي", "ممثل",
        "مسوول", "المسوول", "بالمسوول", "مشرف", "المدير", "بنادم", "ادمي", "=حد", "=حدا", "=احد",
        "agent", "human", "person", "someone", "somebody", "representative", "operator", "real",
        "conseiller", "responsable", "mowazaf", "mwazaf", "insan", "=7ad", "=7ada", "manager",
        "supervisor", "staff", "live",
    ),
    "BOT": (
        "روبوت", "روبو", "بوت", "الالي", "الي", "اوتوماتيك", "bot", "robot", "automated", "machine",
        "ai", "chatbot",
    ),
    "TALK": (
        "nhder", "nhdar", "nahder", "7ke", "a7ke", "=احكي",
        "اكلم", "اتكلم", "نتكلم", "كلم", "احكي", "نحكي", "احجي", "نهضر", "هضر", "التحدث", "اتحدث",
        "حولني", "تحولني", "حول", "وصلني_ب", "talk", "speak", "chat", "transfer", "connect",
        "akalem", "kalem", "a7ki", "ne7ki", "nehdar", "parler",
    ),
    "CONTACT": (
        "رقمكم", "تلفونكم", "هاتفكم", "ايميلكم", "بريدكم", "واتسابكم", "حسابكم", "صفحتكم", "=hotline", "=helpline", "=number_for", "=رقم_الدعم", "=رقم_خدمه", "=tel", "=whats", "=wa",
        "telephone", "telefon", "tilifoun", "at9asal", "atisil", "itasil", "ettasel", "atwasal", "=call_you",
        "رقم", "الرقم", "رقمكم", "نمره", "النمره", "تلفون", "تليفون", "هاتف", "هاتفي", "جوال",
        "موبايل", "واتساب", "الواتساب", "واتس", "الواتس", "ايميل", "الايميل", "بريد", "البريد",
        "التواصل", "تواصل", "اتصل", "اتصال", "الخط", "خط", "مكتب", "فرع", "رابط", "لينك", "موقع",
        "number", "phone", "whatsapp", "email", "mail", "contact", "call", "hotline", "line",
        "office", "branch", "link", "channel", "channels", "raqam", "ra9m", "nemra", "numéro",
        "numero", "tel", "instagram", "facebook", "twitter", "social",
    ),
    "OFFICIAL": (
        "رسمي", "رسميه", "موثوق", "حقيقي", "صحيح", "مزيف", "نصب", "احتيال", "نصاب", "غريب",
        "official", "legit", "genuine", "real", "fake", "scam", "fraud", "trusted", "trust",
        "suspicious", "rasmi", "officiel", "مجاني",
    ),
    "SUPPORT": (
        "الدعم", "دعم", "خدمه", "العملاء", "الزباين", "المساعده", "مساعده", "مركز", "support",
        "service", "customer", "help", "helpdesk", "center", "centre", "سيرفس",
    ),
    "GREET": (
        "=صباح_الخير", "=مساء_الخير", "=صباحكم", "=مساكم", "=يا_هلا", "=هاي", "=hii", "=heyy", "=good_morning", "=good_evening", "=السلام_عليكم", "=سلامات", "=مرحبتين", "=اهلين", "=ahla", "=sup",
        "=👋", "=greetings", "=yo", "=slm", "=masa2", "=kifkon",
        "=مرحبا", "=اهلا", "=اهلين", "=هلا", "=هلو", "=السلام", "=سلام", "=صباح", "=مساء", "=مسا",
        "=صباحو", "=هاي", "=كيفك", "=كيفكن", "=شلونك", "=شلونكم", "=ازيك", "=لاباس", "=hi",
        "=hello", "=hey", "=salam", "=ahlan", "=marhaba", "=mar7aba", "=hala", "=labas",
        "=bonjour", "=morning", "=evening", "=السلام_عليكم", "=عليكم", "=الخير", "=النور",
        "=salut", "=sba7", "=sabah", "=masa", "=kifak", "=ezayak", "=shlonak",
    ),
    "THANKS": (
        "=شكرا_جزيلا", "=الف_شكر", "=مشكوره", "=مشكورين", "=يعطيكم", "=تسلمو", "=تسلم_ايدك", "=بارك_الله", "=الله_يعطيك", "=ربي_يحفظك", "=grazie", "=appreciated", "=see_you", "=take_care", "=salamtak", "=نشوفك", "=وداعا", "=بالتوفيق",
        "=🙏", "=❤", "=❤️", "=🌹", "=mashkoor", "=mashkour", "=salama", "=ty", "=nice_day",
        "=شكرا", "=مشكور", "=مشكورين", "=يعطيك", "=العافيه", "=تسلم", "=يسلمو", "=تسلمي", "=ميرسي",
        "=مرسي", "=thanks", "=thank", "=thx", "=merci", "=shokran", "=shukran", "=choukran",
        "=يخليك", "=يحفظك", "=بارك", "=جزاك", "=باي", "=bye", "=goodbye", "=السلامه",
        "=tislam", "=teslam", "=yslmo", "=mersi", "=يكثر_خيرك", "=كتر", "=خيرك", "=عاشت",
        "=ايدك", "=idak", "=appreciate", "=cheers", "=بسلامه", "=besslama", "=yatik",
    ),
    "YES": (
        "=wa5a", "=sa7", "=tayeb", "=kammel", "=kamel", "=تفضل", "=اوكي", "=👍", "=👌", "=✅",
        "=نعم", "=اي", "=ايوه", "=ايوا", "=اه", "=اكيد", "=تمام", "=ماشي", "=اوكي", "=اوك", "=ok",
        "=okay", "=yes", "=yeah", "=yep", "=sure", "=wakha", "=واخا", "=صح", "=صحيح", "=بالضبط",
        "=موافق", "=agree", "=absolutely", "=yup", "=طبعا", "=طيب", "=زين", "=باهي", "=كمل",
        "=aywa", "=akid", "=tamam", "=eh", "=ايه", "=هيك", "=هيج", "=كده", "=correct", "=exactly",
        "=يلا", "=yalla", "=d'accord", "=daccord", "=oui", "=na3am", "=iyeh", "=aah", "=اوكيه",
        "=go", "=ahead", "=proceed", "=confirm",
    ),
    "NO_WORD": (
        "=👎", "=❌", "=🚫",
        "=لا", "=لأ", "=لاء", "=لاا", "=no", "=nope", "=nah", "=non", "=la2", "=la", "=بلاش",
        "=خليها", "=داعي", "=mashi", "=ماشي_هكا", "=مو", "=مش", "=never", "=cancel_that",
    ),
    "WANT": (
        "عايز", "عايزه", "عاوز", "ابي", "ابغي", "بدي", "بغيت", "نبغي", "اريد", "واريد", "اود",
        "ارغب", "محتاج", "احتاج", "نحب", "حاب", "want", "wanna", "like", "need", "would",
        "3ayez", "3awez", "bghit", "biddi", "baddi", "abi", "abgha", "areed", "=ريت",
    ),
    "HOW": (
        "=كيف", "=ازاي", "=كيفاش", "=شلون", "=how", "=ezay", "=kif", "=kifash", "=shlon",
        "=comment", "=الخطوات", "=خطوات", "=steps", "=طريقه", "=way",
    ),
    "WHY": (
        "=ليش", "=ليه", "=لماذا", "=علاش", "=لاش", "=why", "=leh", "=lesh", "=leish", "=3lach",
        "=pourquoi", "=شنو_السبب", "=سبب", "=السبب", "=reason",
    ),
    "CAN": (
        "=ينفع", "=اقدر", "=نقدر", "=اكدر", "=فيني", "=بقدر", "=ممكن", "=يمكن", "=يمكنني",
        "=استطيع", "=can", "=could", "=possible", "=momken", "=a9dar", "=ne9der", "=fini",
        "=يحق", "=allowed", "=still",
    ),
    "TIME_UNIT": (
        "يوم", "ايام", "يومين", "اسبوع", "اسبوعين", "اسابيع", "جمعه", "شهر", "شهرين", "ساعه",
        "ساعات", "ساعتين", "سيمانه", "سيمانتين", "day", "days", "week", "weeks", "month",
        "months", "hour", "hours", "yom", "ayam", "osbo3", "sa3a", "shahr", "semaine", "jours",
        "=امس", "=امبارح", "=البارح", "=yesterday", "=بكره", "=tomorrow",
    ),
    "AGAIN": ("=مره", "=مرات", "=again", "=twice", "=تاني", "=ثاني", "=كل_مره", "=every"),
    "ANGRY": ("=😡", "=😠", "=😤", "=🤬", "=💔", "=😭", "=😢", "=😞", "=🙄", "=😒", "=🤔", "=😂"),
    "BOX_EMOJI": ("=📦", "=🚚", "=📬", "=📭"),
    # Topics no marketplace intent covers: evidence for out_of_scope.
    "OFF_TOPIC": (
        "طقس", "الطقس", "=الجو", "مطر", "حراره", "ماتش", "الماتش", "مباراه", "المباراه", "كوره",
        "الكوره", "دوري", "فيلم", "افلام", "مسلسل", "اغنيه", "نكته", "نكت", "وصفه", "طبخ", "اطبخ",
        "اكله", "سياسه", "رياضه", "وظيفه", "وظايف", "توظيف", "سيره", "عاصمه", "رييس", "دولار_اليوم",
        "بيتكوين", "ذهب", "الذهب", "معادله", "واجب", "قصيده", "شعر", "ترجم", "ترجمه", "برمجه",
        "بايثون", "صلاه", "رمضان", "سفر", "فندق", "طيران", "رحله", "حب", "زواج", "عمرك", "اسمك",
        "weather", "rain", "football", "soccer", "match", "movie", "film", "song", "joke", "recipe",
        "cook", "cooking", "politics", "sport", "job", "jobs", "hiring", "career", "cv", "resume",
        "capital", "president", "bitcoin", "crypto", "gold", "stock", "stocks", "equation", "math",
        "homework", "poem", "translate", "python", "code_me", "program", "travel", "hotel",
        "flight", "love", "marry", "age", "name", "pizza", "meteo", "match_foot", "blague",
        "recette", "film", "taqs", "jaw", "nokta", "matsh", "kora", "wasfa", "wadhifa", "shoghl",
    ),
    "APP": (
        "تطبيق", "التطبيق", "ابلكيشن", "الابلكيشن", "الموقع", "موقع", "صفحه", "الصفحه", "app",
        "application", "site", "website", "page", "appli",
    ),
}

_AR_PREFIX = ("وال", "بال", "فال", "كال", "عال", "لل", "ال", "و", "ف", "ب", "ل", "ك", "ع")
_VERB_PREFIX = ("ما", "م", "ي", "ت", "ن", "ا", "ب", "ح", "ه", "غ", "ك", "انـ", "ات", "ان", "است")
_AR_SUFFIX = (
    "وهوش", "وهاش", "وها", "وهم", "هاش", "هوش", "تهاش", "تش", "وش", "يش", "ش", "ني", "لي", "لك",
    "له", "لها", "لنا", "كم", "كن", "هم", "ها", "نا", "ين", "ون", "وا", "ات", "تي", "ته", "تها",
    "تو", "ي", "ك", "ه", "و", "ت",
)
_LATIN_PREFIX = ("el", "il", "al", "l", "w", "b", "f", "wel", "bel", "fel", "lel", "3al", "3l")
_TOKEN = re.compile(r"[\u0621-\u064a\u0671-\u06d3]+|[a-z0-9'][a-z0-9'\-]*|[\u2600-\u27bf\U0001f300-\U0001faff]")
_IS_ARABIC = re.compile(r"[\u0621-\u064a]")
_NEG_CIRCUMFIX = re.compile(r"^(?:و?ما?[\u0621-\u064a]{2,}ش|w?ma?[a-z0-9]{2,}(?:sh|ch))$")


def _build_skeletons() -> dict[str, frozenset[str]]:
    """Skeleton key -> concepts, from the Arabic-script stems: Arabizi words are matched through
    the shared consonant skeleton ("wasalsh" ~ "وصل", "mestanni" ~ "مستني")."""
    table: dict[str, set[str]] = {}
    for concept, entries in CONCEPTS.items():
        for entry in entries:
            word = entry.lstrip("=")
            if entry.startswith("=") or "_" in word or not _IS_ARABIC.search(word):
                continue
            key = skeleton_word(word)
            if len(key) >= 3:
                table.setdefault(key, set()).add(concept)
    return {k: frozenset(v) for k, v in table.items() if len(v) <= 2}


def _build() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    exact: dict[str, set[str]] = {}
    stems: dict[str, set[str]] = {}
    for concept, entries in CONCEPTS.items():
        for entry in entries:
            word = entry.lstrip("=")
            # "=" entries and 2-letter entries only match a whole word (after و/ف); phrases
            # written with "_" are whole-word bigrams.
            target = exact if entry.startswith("=") or len(word) <= 2 or "_" in word else stems
            target.setdefault(word, set()).add(concept)
    return (
        {k: frozenset(v) for k, v in exact.items()},
        {k: frozenset(v) for k, v in stems.items()},
    )


_EXACT, _STEMS = _build()
_SKELETONS = _build_skeletons()
_SKEL_PREFIX = ("l", "b", "w", "f", "m", "t", "y", "n", "bt", "bn", "by", "h", "3")
_SKEL_SUFFIX = ("c", "y", "k", "h", "n", "t", "hm", "kn", "nc", "tc", "n", "l")


def _skeleton_concepts(word: str) -> frozenset[str]:
    key = skeleton_word(word)
    if len(key) < 3:
        return frozenset()
    forms = {key}
    for p in _SKEL_PREFIX:
        if key.startswith(p) and len(key) - len(p) >= 3:
            forms.add(key[len(p) :])
    for f in list(forms):
        for suffix in _SKEL_SUFFIX:
            if f.endswith(suffix) and len(f) - len(suffix) >= 3:
                forms.add(f[: -len(suffix)])
    found: set[str] = set()
    for f in forms:
        found |= _SKELETONS.get(f, frozenset())
    return frozenset(found)


def _strip_prefixes(word: str, prefixes: Iterable[str], min_len: int) -> set[str]:
    out = {word}
    for p in prefixes:
        if word.startswith(p) and len(word) - len(p) >= min_len:
            out.add(word[len(p) :])
    return out


@lru_cache(maxsize=65536)
def word_concepts(word: str) -> frozenset[str]:
    """Concepts of one normalised word (cached: the vocabulary of a shop is small)."""
    found: set[str] = set()
    if word in _EXACT:
        found |= _EXACT[word]
    if _NEG_CIRCUMFIX.match(word):
        found.add("NEG")  # Egyptian/Levantine/Maghrebi م…ش / ma…sh: "موصلش", "mawsalsh"
    if _IS_ARABIC.search(word):
        # Whole words may carry و/ف ("وين" vs "ووين", "فشكرا" is rare, "ولا" stays "ولا").
        for w in _strip_prefixes(word, ("و", "ف"), 2):
            found |= _EXACT.get(w, frozenset())
        forms: set[str] = set()
        for a in _strip_prefixes(word, _AR_PREFIX, 2):
            for b in _strip_prefixes(a, _VERB_PREFIX, 2):
                forms |= {b}
                for c in _strip_prefixes(b, _VERB_PREFIX, 3):
                    forms.add(c)
        candidates: set[str] = set()
        for f in forms:
            candidates.add(f)
            for s in _AR_SUFFIX:
                if f.endswith(s) and len(f) - len(s) >= 3:
                    g = f[: -len(s)]
                    candidates.add(g)
                    for s2 in _AR_SUFFIX:
                        if g.endswith(s2) and len(g) - len(s2) >= 3:
                            candidates.add(g[: -len(s2)])
        for c in candidates:
            found |= _STEMS.get(c, frozenset())
    else:
        candidates = _strip_prefixes(word, _LATIN_PREFIX, 3) | {word.replace("'", "")}
        for c in list(candidates):
            for suffix in ("s", "ed", "ing", "i", "y", "ha", "o", "k", "ek", "ak", "na", "hom", "sh", "ch"):
                if c.endswith(suffix) and len(c) - len(suffix) >= 3:
                    candidates.add(c[: -len(suffix)])
        for c in candidates:
            found |= _STEMS.get(c, frozenset())
            if c != word:
                found |= _EXACT.get(c, frozenset()) if len(c) > 3 else frozenset()
        if not found and not word.isdigit():
            found |= _skeleton_concepts(word)
    return frozenset(found)


def concept_sequence(normalized: str) -> list[str]:
    """Concept tokens of a normalised text, in order (a word may give several)."""
    tokens = _TOKEN.findall(normalized)
    out: list[str] = []
    for i, word in enumerate(tokens):
        concepts = set(word_concepts(word))
        if i + 1 < len(tokens):
            concepts |= _EXACT.get(f"{word}_{tokens[i + 1]}", frozenset())
        out.extend(sorted(concepts))
    return out


def entity_tokens(kinds: Iterable[str], bare_numbers: int) -> list[str]:
    """Tokens for the entity types present ("E_amount", "E_amount_2+", …)."""
    counts: dict[str, int] = {}
    for k in kinds:
        counts[k] = counts.get(k, 0) + 1
    out = [f"E_{k}" for k in sorted(counts)]
    out += [f"E_{k}_2+" for k, c in sorted(counts.items()) if c >= 2]
    if bare_numbers:
        out.append("E_number")
    if bare_numbers >= 2 or (bare_numbers and counts.get("amount")):
        out.append("E_numbers_2+")
    return out


_BARE_NUMBER = re.compile(r"(?<![\w.])\d{1,6}(?:[.,]\d{1,2})?(?![\w.])")


def concept_text(normalized: str, entity_kinds: Iterable[str] = ()) -> str:
    """The concept view of a message: concept tokens then entity tokens, space separated."""
    numbers = len(_BARE_NUMBER.findall(normalized))
    return " ".join(concept_sequence(normalized) + entity_tokens(entity_kinds, numbers))
