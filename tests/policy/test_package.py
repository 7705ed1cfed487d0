"""The package's boundary: no Django, the public names the Django apps rely on."""

from __future__ import annotations

import inspect
import subprocess
import sys

import awn.policy as policy

BRIEF_RULE_IDS = (
    "payment.verification_sla",
    "payment.verification_escalate",
    "seller.reply_window",
    "seller.silent_options",
    "issue.seller_response_window",
    "issue.required_evidence",
    "issue.platform_review",
    "refund.processing_window",
    "refund.partial_reasons",
    "refund.mismatch",
    "return.auto_refund",
    "return.free_return_carrier_lag",
    "order.no_modification",
    "order.wrong_address",
    "order.auto_closed",
    "order.missing",
    "escalate.when",
)


def test_importing_the_policy_does_not_import_django() -> None:
    # A fresh interpreter: in this one, another test or plugin may already have imported Django.
    code = "import sys, awn.policy; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_every_exported_name_exists() -> None:
    for name in policy.__all__:
        assert hasattr(policy, name), name


def test_rules_cover_the_brief_table_exactly() -> None:
    assert tuple(policy.RULES) == BRIEF_RULE_IDS
    assert tuple(policy.RULE_PARAMS) == BRIEF_RULE_IDS
    for rule_id, rule in policy.RULES.items():
        assert rule.id == rule_id
        assert rule.title.ar and rule.title.en and rule.description.ar and rule.description.en


def test_markets() -> None:
    assert policy.MARKETS[:4] == ("SA", "EG", "AE", "MA")


def test_rule_functions_take_policy_first_then_keywords() -> None:
    keyword_only = [
        policy.payment_verification,
        policy.seller_silence,
        policy.issue_review,
        policy.refund_status,
        policy.return_parcel,
        policy.order_processing,
        policy.address_change,
        policy.refund_mismatch,
        policy.auto_closed_order,
    ]
    for function in keyword_only:
        parameters = list(inspect.signature(function).parameters.values())
        assert parameters[0].name == "policy", function.__name__
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters[1:]), function.__name__
