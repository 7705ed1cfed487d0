"""Every buyer-facing sentence of the policy engine, in Modern Standard Arabic and English.

Kept in one module so that a reviewer can read all of it at once. Templates use
``str.format`` fields; both languages of a template must use the same fields (a test checks).
Values are filled per language by :func:`render`. Arabic sentences avoid gendered
second-person verbs (they address any buyer), and counted nouns come from
``formatting.count`` (genitive after خلال، منذ، قبل، بعد).

Dates in templates are already formatted in the market's timezone: ``{deadline}`` etc. read
"يوم الأحد 22 مارس الساعة 13:00" / "Sunday 22 March at 13:00", so Arabic templates put them
straight after the verb or after بحلول / حتى, and English ones after "on" / "by" / "until".
"""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter
from types import MappingProxyType

from awn.policy.decision import Text


def _t(ar: str, en: str) -> Text:
    return Text(ar=ar, en=en)


TEMPLATES: Mapping[str, Text] = MappingProxyType(
    {
        # --- payment.verification_sla / payment.verification_escalate -------------------
        "payment.within_typical.now": _t(
            "ما زالت عملية الدفع قيد التحقق منذ {elapsed}. يكتمل التحقق من معظم المدفوعات خلال {typical}، "
            "لذا نتوقع اكتماله بحلول {typical_at}، وستتحدّث صفحة طلبك تلقائيًا فور اكتماله.",
            "Your payment has been under verification for {elapsed}. Most payments are verified within "
            "{typical}, so we expect it to be done by {typical_at}; your order page will update by itself "
            "as soon as it is.",
        ),
        "payment.within_sla.now": _t(
            "ما زالت عملية الدفع قيد التحقق منذ {elapsed}{business_part}، وهذا أطول من المعتاد. قد تستغرق المراجعة وقتًا "
            "إضافيًا، خاصة في مواسم التخفيضات الكبرى حين تُجرى فحوصات يدوية، لكن التحقق يكتمل في جميع "
            "الحالات تقريبًا خلال {max}. ستتحدّث صفحة طلبك تلقائيًا فور اكتماله، وإن لم يكتمل بحلول "
            "{deadline} فسنحيل طلبك إلى فريق الدعم.",
            "Your payment has been under verification for {elapsed}{business_part}, which is longer than usual. Checks can "
            "take extra time, especially during big sale events when some payments are reviewed by hand, "
            "but nearly all payments are verified within {max}. Your order page will update by itself; if "
            "it is still pending by {deadline}, we will pass it to our support team.",
        ),
        "payment.overdue.now": _t(
            "ما زالت عملية الدفع قيد التحقق منذ {elapsed_business}، وهذا يتجاوز المدة المحددة للتحقق "
            "({max}). سنحيل طلبك الآن إلى فريق الدعم ليتابعه معك.",
            "Your payment has been under verification for {elapsed_business}, longer than the {max} it "
            "should take. We are passing it to our support team to follow up with you.",
        ),
        "payment.verified.now": _t(
            "اكتمل التحقق من عملية الدفع {verified_at}.",
            "Your payment was verified on {verified_at}.",
        ),
        "payment.failed.now": _t(
            "لم تكتمل عملية الدفع. إذا خُصم منك أي مبلغ، فإن الطلبات التي يغلقها النظام بسبب فشل الدفع "
            "يُستردّ مبلغها فورًا.",
            "The payment did not go through. If any money was taken, orders the system closes because of a "
            "failed payment are refunded straight away.",
        ),
        "payment.escalation_reason": _t(
            "تجاوز التحقق من الدفع {max}.",
            "Payment verification has taken longer than {max}.",
        ),
        "payment.reason": _t(
            "يكتمل التحقق من {typical_share}% من المدفوعات خلال {typical}، ومن {max_share}% منها خلال "
            "{max}؛ وإذا تجاوز التحقق {escalate_after} يُحال الأمر إلى فريق الدعم. تُحسب ساعات العمل من {open} "
            "إلى {close} في أيام العمل، باستثناء عطلة نهاية الأسبوع والعطل الرسمية.",
            "{typical_share}% of payments are verified within {typical} and {max_share}% within {max}; "
            "past {escalate_after} the case goes to our support team. Business hours run from {open} to "
            "{close} on working days, excluding the weekend and public holidays.",
        ),
        # --- seller.reply_window / seller.silent_options ---------------------------------
        "seller.awaiting.now": _t(
            "لم يردّ البائع على رسالتك منذ {elapsed}. قد يتأخر البائعون في الرد بسبب فروق التوقيت أو كثرة "
            "الطلبات، وإن لم يصلك ردّ بحلول {deadline} فسنتدخل لمساعدتك.",
            "The seller hasn't replied to your message for {elapsed}. Sellers can be slow to reply because "
            "of time-zone differences or a high volume of orders; if there's no reply by {deadline}, we'll "
            "step in to help.",
        ),
        "seller.silent.now": _t(
            "لم يردّ البائع على رسالتك منذ {elapsed}، وقد انقضت المهلة المعتادة للرد ({window}).",
            "The seller hasn't replied to your message for {elapsed}; the usual reply window of {window} has "
            "passed.",
        ),
        "seller.replied.now": _t(
            "ردّ البائع على رسالتك {replied_at}.",
            "The seller replied to your message on {replied_at}.",
        ),
        "seller.escalation_reason": _t(
            "لم يردّ البائع على رسالة المشتري منذ {elapsed}، متجاوزًا مهلة الرد ({window}).",
            "The seller has not replied to the buyer's message for {elapsed}; the reply window is {window}.",
        ),
        "seller.reason": _t(
            "إذا لم يردّ البائع خلال {window} من رسالتك، يحق لك طلب المساعدة من فريق الدعم. ويمكنك أيضًا "
            "البحث عن بائع آخر للمنتج نفسه، أو إلغاء الطلب بعد انتهاء مدة تجهيزه، أو فتح نزاع إذا كان قد شُحن.",
            "If a seller doesn't reply within {window} of your message, you can ask our support team for "
            "help. You can also look for another seller of the same product, cancel once the processing "
            "window has closed, or open a dispute if the order has already shipped.",
        ),
        # --- issue.seller_response_window / issue.platform_review ------------------------
        "issue.awaiting_seller.now": _t(
            "سُجّل بلاغك {reported_at}. أمام البائع مهلة {window} للرد تنتهي {deadline}، وإن لم يردّ خلالها "
            "فستتولى المنصة مراجعة الحالة.",
            "Your report was logged on {reported_at}. The seller has {window} to respond, until {deadline}; "
            "if they don't, the platform will review the case.",
        ),
        "issue.seller_responded.now": _t(
            "ردّ البائع على بلاغك {responded_at}. إذا لم يكن الحل المقترح مرضيًا لك فيمكنك رفضه، "
            "وستتولى المنصة عندها مراجعة الحالة.",
            "The seller responded to your report on {responded_at}. If the proposed solution doesn't work "
            "for you, you can reject it and the platform will review the case.",
        ),
        "issue.platform_review.no_response.now": _t(
            "انتهت مهلة البائع للرد ({window}) {deadline} دون أن يردّ، لذا تتولى المنصة الآن مراجعة الحالة.",
            "The seller's {window} to respond ran out on {deadline} without an answer, so the platform is "
            "now reviewing the case.",
        ),
        "issue.platform_review.rejected.now": _t(
            "بما أن الحل الذي قدّمه البائع لم يكن مرضيًا لك، تتولى المنصة الآن مراجعة الحالة.",
            "Since the seller's solution didn't work for you, the platform is now reviewing the case.",
        ),
        "issue.escalation_reason.no_response": _t(
            "لم يردّ البائع على البلاغ خلال {window}.",
            "The seller did not respond to the report within {window}.",
        ),
        "issue.escalation_reason.rejected": _t(
            "رفض المشتري الحل الذي قدّمه البائع.",
            "The buyer rejected the seller's solution.",
        ),
        "issue.reason": _t(
            "بعد الإبلاغ عن مشكلة أو تقديم طلب إرجاع، يُمنح البائع {window} للرد، وتراجع المنصة الحالة إذا "
            "لم يردّ خلال هذه المهلة أو إذا لم يكن ردّه مرضيًا.",
            "After a problem or a return is reported, the seller has {window} to respond; the platform "
            "reviews the case if the seller doesn't respond in time or the answer isn't satisfactory.",
        ),
        # --- refund.processing_window ----------------------------------------------------
        "refund.pending.now": _t(
            "تمت الموافقة على استرجاع أموالك {approved_at}. تستغرق المعالجة عادةً {range}، لذا نتوقع إرسال "
            "المبلغ بين {start} و{end}، ثم يظهر في حسابك وفق الجدول الزمني الخاص ببنكك.",
            "Your refund was approved on {approved_at}. Processing usually takes {range}, so we expect the "
            "money to be sent between {start} and {end}; it then appears in your account on your bank's "
            "own timeline.",
        ),
        "refund.within_window.now": _t(
            "تمت الموافقة على استرجاع أموالك {approved_at}، قبل {elapsed}. ما زالت المعالجة ضمن المدة "
            "المتوقعة ({range})، ونتوقع إرسال المبلغ بحلول {end}، ثم يظهر في حسابك وفق الجدول الزمني الخاص "
            "ببنكك.",
            "Your refund was approved on {approved_at}, {elapsed} ago. It is still within the expected "
            "processing time ({range}), and we expect the money to be sent by {end}; it then appears in "
            "your account on your bank's own timeline.",
        ),
        "refund.overdue.now": _t(
            "تمت الموافقة على استرجاع أموالك {approved_at}، قبل {elapsed}، وانتهت المدة المتوقعة للمعالجة "
            "({range}) {end} دون إرسال المبلغ. سنحيل الأمر إلى فريق الدعم ليتابعه معك.",
            "Your refund was approved on {approved_at}, {elapsed} ago, and the expected processing time "
            "({range}) ended on {end} without the money being sent. We're passing this to our support team "
            "to follow up with you.",
        ),
        "refund.refunded.now": _t(
            "أُرسل المبلغ المسترد {refunded_at}. قد يستغرق ظهوره في حسابك بعض الوقت وفق الإجراءات الداخلية "
            "لبنكك.",
            "Your refund was sent on {refunded_at}. It may take a little while to appear in your account, "
            "depending on your bank's own processing.",
        ),
        "refund.escalation_reason": _t(
            "تأخر استرجاع الأموال عن الموعد المتوقع ({end}).",
            "The refund is later than expected (it was due by {end}).",
        ),
        "refund.reason": _t(
            "بعد الموافقة على استرجاع الأموال تستغرق المعالجة {range} وفق أيام العمل في بلدك، ثم يُطبَّق "
            "الجدول الزمني الخاص بالبنك.",
            "Once a refund is approved, processing takes {range} in your market's business calendar; after "
            "that, your bank's own timeline applies.",
        ),
        # --- refund.mismatch -------------------------------------------------------------
        "refund.mismatch.short.now": _t(
            "المبلغ المسترد ({refunded}) أقل من المبلغ المتوقع ({expected}) بفارق {difference}. يمكنك مراجعة "
            "كل بند في «تفاصيل استرجاع الأموال» على صفحة طلبك، وإذا بقي الفرق دون تفسير فيمكنك فتح نزاع.",
            "The refunded amount ({refunded}) is {difference} less than expected ({expected}). You can check "
            "each line under “Refund details” on your order page, and if the difference still isn't "
            "explained, you can open a dispute.",
        ),
        "refund.mismatch.matches.now": _t(
            "لا يقل المبلغ المسترد ({refunded}) عن المبلغ المتوقع ({expected}).",
            "The refunded amount ({refunded}) is not less than the expected amount ({expected}).",
        ),
        "refund.mismatch.reason": _t(
            "إذا لم يطابق المبلغ المسترد المبلغ المتوقع، يمكن تصعيد الأمر بفتح نزاع.",
            "If a refund doesn't match the expected amount, it can be escalated by opening a dispute.",
        ),
        # --- return.auto_refund / return.free_return_carrier_lag -------------------------
        "return.in_transit.now": _t(
            "أُرسل الطرد المرتجع {shipped_at}، ولم يُؤكَّد تسليمه بعد. قد يستغرق شركاء الشحن بعض الوقت لتحديث "
            "بيانات التتبع. وإن لم يُؤكَّد التسليم بحلول {deadline} ({window} من الإرسال) فستبدأ معالجة "
            "استرجاع أموالك تلقائيًا دون أي إجراء منك.",
            "Your return parcel was sent on {shipped_at} and its delivery hasn't been confirmed yet. Carriers "
            "can take a while to update tracking. If delivery isn't confirmed by {deadline} ({window} after "
            "sending), your refund will start processing automatically; you don't need to do anything.",
        ),
        "return.free_return_lag": _t(
            "وبما أن الإرجاع مجاني، فقد يحتاج شريك الشحن إلى مدة إضافية، {lag}، لتحميل بيانات التتبع.",
            "Because this is a free return, the carrier may need an extra {lag} to upload the tracking data.",
        ),
        "return.delivered.now": _t(
            "تم تأكيد تسليم الطرد المرتجع {delivered_at}، وتستمر معالجة طلب استرجاع أموالك من هنا.",
            "Delivery of your return parcel was confirmed on {delivered_at}, and your refund request "
            "continues from here.",
        ),
        "return.auto_refund.now": _t(
            "لم يُؤكَّد تسليم الطرد المرتجع خلال {window} من إرساله، لذا بدأت معالجة استرجاع أموالك تلقائيًا "
            "{deadline}. نتوقع إرسال المبلغ بين {start} و{end}.",
            "Delivery of your return parcel wasn't confirmed within {window} of sending, so your refund "
            "started processing automatically on {deadline}. We expect the money to be sent between {start} "
            "and {end}.",
        ),
        "return.reason": _t(
            "إذا لم يُؤكَّد تسليم الطرد المرتجع خلال {window} من إرساله، تبدأ معالجة استرجاع الأموال تلقائيًا.",
            "If a returned parcel isn't confirmed as delivered within {window} of being sent, the refund "
            "starts processing automatically.",
        ),
        # --- order.auto_closed -----------------------------------------------------------
        "order.shipped.now": _t(
            "شحن البائع طلبك.",
            "The seller has shipped your order.",
        ),
        "order.awaiting_shipment.now": _t(
            "لم يشحن البائع طلبك بعد. أمامه حتى {deadline} لشحنه، وإن لم يفعل يُغلق النظام الطلب ويبدأ "
            "استرجاع كامل المبلغ فورًا.",
            "The seller hasn't shipped your order yet. They have until {deadline}; if they don't ship by "
            "then, the system closes the order and starts a full refund straight away.",
        ),
        "order.auto_closed.now": _t(
            "انتهت مدة تجهيز الطلب {deadline} دون أن يشحنه البائع، لذا يُغلق النظام الطلب ويبدأ استرجاع "
            "أموالك فورًا. نتوقع إرسال المبلغ بين {start} و{end}.",
            "The processing window ended on {deadline} without the seller shipping, so the system closes the "
            "order and starts your refund straight away. We expect the money to be sent between {start} and "
            "{end}.",
        ),
        "order.closed.now": _t(
            "أغلق النظام طلبك تلقائيًا {closed_at} بسبب {cause}، وبدأ استرجاع أموالك فورًا. نتوقع إرسال "
            "المبلغ بين {start} و{end}.",
            "The system closed your order automatically on {closed_at} because of {cause}, and your refund "
            "started straight away. We expect the money to be sent between {start} and {end}.",
        ),
        "order.auto_closed.reason": _t(
            "الطلبات التي يغلقها النظام، بسبب فشل الدفع أو مشكلات المخزون أو تأخر البائع، يبدأ استرجاع "
            "مبلغها فورًا.",
            "Orders the system closes, because of a failed payment, a stock problem or a seller delay, are "
            "refunded straight away.",
        ),
        # --- order.wrong_address / order.no_modification ---------------------------------
        "order.address.unshipped.now": _t(
            "لا يمكن تعديل تفاصيل الطلب بعد تأكيده، لكن طلبك لم يُشحن بعد، لذا يمكنك إلغاؤه الآن ثم إعادة "
            "الطلب بالعنوان الصحيح. ولتجنّب ذلك مستقبلًا، ننصحك بتحديث دفتر العناوين.",
            "Order details can't be changed once an order is confirmed, but yours hasn't shipped yet, so you "
            "can cancel it now and order again with the correct address. To avoid this next time, it's "
            "worth updating your address book.",
        ),
        "order.address.shipped.now": _t(
            "شُحن طلبك بالفعل، لذا لم يعد إلغاؤه أو تغيير عنوانه ممكنًا. يمكنك متابعة الشحنة من صفحة الطلب، "
            "وإذا لم تصلك خلال المدة المتوقعة فسنساعدك على فتح نزاع.",
            "Your order has already shipped, so it can no longer be cancelled or sent to a different "
            "address. You can follow the parcel from your order page, and if it doesn't reach you in the "
            "expected time, we'll help you open a dispute.",
        ),
        "order.address.reason": _t(
            "لا يمكن تعديل تفاصيل الطلب بعد تأكيده؛ وإذا كان العنوان غير صحيح فيجب إلغاء الطلب قبل شحنه، "
            "إذ لا يمكن إلغاؤه بعد الشحن.",
            "Order details can't change after confirmation; if the address is wrong, the order has to be "
            "cancelled before it ships, because it can't be cancelled after shipping.",
        ),
        # --- order.missing ---------------------------------------------------------------
        "order.missing.now": _t(
            "لم نعثر على هذا الطلب في حسابك. غالبًا ما يكون السبب تسجيل الدخول ببريد إلكتروني أو رقم هاتف "
            "مختلف عند الشراء، أو أن الطلب مؤرشف أو مخفي بعامل تصفية. يمكنك البحث في «طلباتي» بعد إزالة "
            "عوامل التصفية.",
            "We couldn't find this order in your account. Usually that's because it was placed while signed "
            "in with a different email or phone number, or it has been archived or hidden by a filter. Try "
            "searching My Orders with the filters cleared.",
        ),
        "order.missing.reason": _t(
            "غالبًا ما يكون الطلب «المفقود» مسجّلًا في حساب آخر (ببريد إلكتروني أو رقم هاتف مختلف)، أو مؤرشفًا "
            "أو مخفيًا بعامل تصفية.",
            "A “missing” order is usually on another login (a different email or phone number), or archived "
            "or hidden by a filter.",
        ),
    }
)

# What the buyer may do, keyed by the codes in Decision.options.
OPTION_LABELS: Mapping[str, Text] = MappingProxyType(
    {
        "find_another_seller": _t(
            "البحث عن بائع آخر يعرض المنتج نفسه", "Find another seller offering the same product"
        ),
        "cancel_order": _t("إلغاء الطلب", "Cancel the order"),
        "open_dispute": _t("فتح نزاع", "Open a dispute"),
        "accept_answer": _t("قبول حل البائع", "Accept the seller's solution"),
        "reject_answer": _t(
            "رفض حل البائع وطلب مراجعة المنصة", "Reject the seller's solution and ask the platform to review"
        ),
        "search_my_orders": _t(
            "البحث في «طلباتي» بعد إزالة عوامل التصفية", "Search My Orders with the filters cleared"
        ),
        "check_other_login": _t(
            "تسجيل الدخول بالبريد الإلكتروني أو رقم الهاتف الآخر",
            "Sign in with your other email or phone number",
        ),
        "check_archived": _t("مراجعة الطلبات المؤرشفة", "Check archived orders"),
    }
)

# rule issue.required_evidence
EVIDENCE_LABELS: Mapping[str, Text] = MappingProxyType(
    {
        "order_number": _t("رقم الطلب", "the order number"),
        "product_number": _t("رقم المنتج", "the product number"),
        "photo": _t("صورة واضحة تُظهر المشكلة", "a clear photo showing the problem"),
        "description": _t("وصف للمشكلة", "a description of the problem"),
    }
)

# rule refund.partial_reasons: labels of the lines of "refund details"
REFUND_LINE_LABELS: Mapping[str, Text] = MappingProxyType(
    {
        "item": _t("ثمن المنتج", "Item price"),
        "shipping": _t("رسوم الشحن", "Shipping fees"),
        "negotiated_partial": _t("استرجاع جزئي متفق عليه مع البائع", "Partial refund agreed with the seller"),
        "customs": _t("رسوم جمركية", "Customs duties"),
        "logistics_fee": _t("رسوم خدمات لوجستية لطرف ثالث", "Third-party logistics fees"),
        "separate_shipping": _t("شحن مدفوع بشكل منفصل", "Separately paid shipping"),
        "partial_return": _t("الجزء المعتمد من الإرجاع", "Approved part of the return"),
    }
)

# rule order.auto_closed: why the system closed an order (used after "بسبب" / "because of")
AUTO_CLOSE_CAUSE_LABELS: Mapping[str, Text] = MappingProxyType(
    {
        "payment_failure": _t("فشل عملية الدفع", "a failed payment"),
        "out_of_stock": _t("نفاد المخزون", "the item being out of stock"),
        "seller_delay": _t("تأخر البائع في الشحن", "the seller not shipping in time"),
    }
)

# rule escalate.when: the topics that go to a human agent
ESCALATION_TOPICS: Mapping[str, Text] = MappingProxyType(
    {
        "payment_verification_overdue": _t(
            "تأخر التحقق من الدفع عن المدة المحددة", "Payment verification is overdue"
        ),
        "seller_silent": _t("البائع لا يرد", "The seller is not responding"),
        "wrong_item": _t("وصل منتج مختلف عن المطلوب", "A different item arrived from the one ordered"),
        "damaged_or_defective": _t("المنتج تالف أو معيب", "The item is damaged or defective"),
        "not_arrived": _t(
            "لم يصل الطلب خلال المدة المتوقعة", "The order hasn't arrived in the expected time"
        ),
        "account_access": _t("مشكلة في الحساب أو تسجيل الدخول", "Account or sign-in problem"),
        "dispute_help": _t("المساعدة في فتح نزاع", "Help opening a dispute"),
        "refund_late": _t("تأخر استرجاع الأموال عن الموعد المتوقع", "The refund is later than expected"),
    }
)

# (title, description) of every rule id of the brief's table, with the brief's default figures.
RULE_TEXTS: Mapping[str, tuple[Text, Text]] = MappingProxyType(
    {
        "payment.verification_sla": (
            _t("مدة التحقق من الدفع", "Payment verification time"),
            _t(
                "يكتمل التحقق من 95% من المدفوعات خلال 3 ساعات، ومن 99.99% منها خلال 24 ساعة عمل. قد تضيف "
                "مواسم التخفيضات الكبرى فحوصات يدوية، وتتحدّث صفحة الطلب تلقائيًا عند اكتمال التحقق.",
                "95% of payments are verified within 3 hours and 99.99% within 24 business hours. Big sale "
                "events may add manual checks; the order page updates by itself when verification is done.",
            ),
        ),
        "payment.verification_escalate": (
            _t("تصعيد تأخر التحقق من الدفع", "Escalate slow payment verification"),
            _t(
                "إذا تجاوز التحقق من الدفع 24 ساعة عمل، يُحال الأمر إلى فريق الدعم.",
                "If payment verification takes longer than 24 business hours, the case goes to the support team.",
            ),
        ),
        "seller.reply_window": (
            _t("مهلة رد البائع", "Seller reply window"),
            _t(
                "إذا لم يردّ البائع خلال 48 ساعة من رسالة المشتري، يُصعَّد الأمر إلى فريق الدعم.",
                "If the seller hasn't replied within 48 hours of the buyer's message, the case is escalated to "
                "the support team.",
            ),
        ),
        "seller.silent_options": (
            _t("خيارات المشتري عند عدم رد البائع", "Buyer's options when the seller is silent"),
            _t(
                "البحث عن بائع آخر للمنتج نفسه، أو إلغاء الطلب بعد انتهاء مدة تجهيزه، أو فتح نزاع إذا كان الطلب "
                "قد شُحن.",
                "Find another seller of the same product, cancel once the processing window has closed, or "
                "open a dispute if the order has already shipped.",
            ),
        ),
        "issue.seller_response_window": (
            _t("مهلة البائع للرد على البلاغ", "Seller's time to answer a report"),
            _t(
                "بعد الإبلاغ عن مشكلة أو تقديم طلب إرجاع، أمام البائع 48 ساعة للرد قبل أن تتدخل المنصة.",
                "After a problem or a return is reported, the seller has 48 hours to respond before the "
                "platform steps in.",
            ),
        ),
        "issue.required_evidence": (
            _t("البيانات المطلوبة للبلاغ", "Evidence a report needs"),
            _t(
                "رقم الطلب، ورقم المنتج، وصورة واضحة تُظهر المشكلة، ووصف لها.",
                "The order number, the product number, a clear photo showing the problem and a description of it.",
            ),
        ),
        "issue.platform_review": (
            _t("مراجعة المنصة", "Platform review"),
            _t(
                "تراجع المنصة الحالة إذا لم يردّ البائع، أو إذا رفض المشتري ردّه.",
                "The platform reviews the case when the seller doesn't respond or the buyer rejects the "
                "seller's answer.",
            ),
        ),
        "refund.processing_window": (
            _t("مدة معالجة استرجاع الأموال", "Refund processing time"),
            _t(
                "بعد الموافقة على استرجاع الأموال تستغرق المعالجة من يوم عمل واحد إلى 10 أيام عمل، ثم يُطبَّق "
                "الجدول الزمني الخاص بالبنك.",
                "After a refund is approved, processing takes 1 to 10 business days; then the bank's own "
                "timeline applies.",
            ),
        ),
        "refund.partial_reasons": (
            _t("أسباب الاسترجاع الجزئي", "Reasons for a partial refund"),
            _t(
                "رسوم الشحن، أو استرجاع جزئي متفق عليه مع البائع، أو رسوم جمركية، أو رسوم خدمات لوجستية لطرف "
                "ثالث، أو شحن مدفوع بشكل منفصل، أو الموافقة على جزء فقط من الإرجاع. ويظهر كل بند في «تفاصيل "
                "استرجاع الأموال».",
                "Shipping fees, a partial refund agreed with the seller, customs duties, third-party logistics "
                "fees, separately paid shipping, or only part of a return approved. Each one is itemised "
                "under “Refund details”.",
            ),
        ),
        "refund.mismatch": (
            _t("استرجاع لا يطابق المبلغ المتوقع", "Refund that doesn't match the expected amount"),
            _t(
                "إذا لم يطابق المبلغ المسترد المبلغ المتوقع، يمكن تصعيد الأمر بفتح نزاع.",
                "A refund that doesn't match the expected amount can be escalated by opening a dispute.",
            ),
        ),
        "return.auto_refund": (
            _t("الاسترجاع التلقائي للطرد المرتجع", "Automatic refund for a returned parcel"),
            _t(
                "إذا لم يُؤكَّد تسليم الطرد المرتجع خلال 17 يومًا من إرساله، تبدأ معالجة استرجاع الأموال تلقائيًا.",
                "If a returned parcel isn't confirmed as delivered within 17 days of being sent, the refund "
                "starts processing automatically.",
            ),
        ),
        "return.free_return_carrier_lag": (
            _t("تأخر بيانات التتبع في الإرجاع المجاني", "Tracking delay on free returns"),
            _t(
                "قد يحتاج شركاء الشحن في الإرجاع المجاني إلى يوم أو يومين إضافيين لتحميل بيانات التتبع.",
                "Carriers of free returns may need 1 to 2 extra days to upload tracking data.",
            ),
        ),
        "order.no_modification": (
            _t("لا تعديل بعد التأكيد", "No changes after confirmation"),
            _t(
                "لا يمكن تعديل تفاصيل الطلب بعد تأكيده.",
                "Order details can't be changed once the order is confirmed.",
            ),
        ),
        "order.wrong_address": (
            _t("عنوان غير صحيح", "Wrong address"),
            _t(
                "يمكن إلغاء الطلب قبل شحنه، أما بعد الشحن فلم يعد الإلغاء ممكنًا.",
                "The order can be cancelled before it ships; after shipment, cancellation is no longer possible.",
            ),
        ),
        "order.auto_closed": (
            _t("الطلبات التي يغلقها النظام", "Orders closed by the system"),
            _t(
                "الطلبات التي يغلقها النظام بسبب فشل الدفع أو مشكلات المخزون أو تأخر البائع يبدأ استرجاع "
                "مبلغها فورًا.",
                "Orders the system closes because of a payment failure, a stock problem or a seller delay are "
                "refunded immediately.",
            ),
        ),
        "order.missing": (
            _t("طلب مفقود", "Missing order"),
            _t(
                "غالبًا ما يكون الطلب «المفقود» في حساب آخر (ببريد إلكتروني أو رقم هاتف مختلف)، أو مؤرشفًا أو "
                "مخفيًا بعامل تصفية، ويساعد البحث في «طلباتي» على العثور عليه.",
                "A “missing” order is usually on another login (a different email or phone number), or "
                "archived or hidden by a filter; searching My Orders helps find it.",
            ),
        ),
        "escalate.when": (
            _t("متى يُحال الأمر إلى فريق الدعم", "When to escalate"),
            _t(
                "تأخر التحقق من الدفع لأكثر من 24 ساعة عمل؛ عدم رد البائع لأكثر من 48 ساعة؛ وصول منتج مختلف "
                "عن المطلوب؛ منتج تالف أو معيب؛ عدم وصول الطلب خلال المدة المتوقعة؛ مشكلات الحساب أو تسجيل "
                "الدخول؛ الحاجة إلى مساعدة في فتح نزاع؛ تأخر استرجاع الأموال عن الموعد المتوقع.",
                "Payment verification over 24 business hours; a seller silent for over 48 hours; a wrong "
                "item; a damaged or defective item; an order not arrived in the expected time; account or "
                "sign-in problems; help opening a dispute; a refund later than expected.",
            ),
        ),
    }
)


def fields(template: str) -> frozenset[str]:
    """The ``str.format`` field names used by ``template``."""
    return frozenset(name for _, name, _, _ in Formatter().parse(template) if name)


def render(key: str, **values: Text | str | int) -> Text:
    """Fill template ``key``; a ``Text`` value gives each language its own wording."""
    template = TEMPLATES[key]
    ar = {name: value.ar if isinstance(value, Text) else str(value) for name, value in values.items()}
    en = {name: value.en if isinstance(value, Text) else str(value) for name, value in values.items()}
    return Text(ar=template.ar.format(**ar), en=template.en.format(**en))


def join(*parts: Text) -> Text:
    """Sentences one after another, in both languages."""
    return Text(ar=" ".join(p.ar for p in parts if p.ar), en=" ".join(p.en for p in parts if p.en))
