"""Policy files: bundled defaults per market, operator overrides, strict validation."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from awn.policy import MARKETS, BusinessCalendar, MarketPolicy, PolicyError, load_policy


def test_defaults_are_the_brief_figures(sa: MarketPolicy) -> None:
    assert sa.payment_typical_hours == 3
    assert sa.payment_typical_share_percent == 95
    assert sa.payment_sla_business_hours == 24
    assert sa.payment_sla_share_percent == 99.99
    assert sa.payment_escalate_business_hours == 24
    assert sa.seller_reply_window_hours == 48
    assert sa.issue_seller_response_hours == 48
    assert (sa.refund_min_business_days, sa.refund_max_business_days) == (1, 10)
    assert sa.return_auto_refund_days == 17
    assert sa.free_return_lag_days == (1, 2)
    assert sa.seller_silent_options == ("find_another_seller", "cancel_order", "open_dispute")
    assert sa.required_evidence == ("order_number", "product_number", "photo", "description")
    assert len(sa.escalation_topics) == 8


@pytest.mark.parametrize(
    ("market", "timezone", "currency", "weekend"),
    [
        ("SA", "Asia/Riyadh", "SAR", {4, 5}),
        ("EG", "Africa/Cairo", "EGP", {4, 5}),
        ("AE", "Asia/Dubai", "AED", {5, 6}),
        ("MA", "Africa/Casablanca", "MAD", {5, 6}),
    ],
)
def test_market_settings(market: str, timezone: str, currency: str, weekend: set[int]) -> None:
    policy = load_policy(market)
    assert (policy.market, policy.timezone, policy.currency, policy.language) == (
        market,
        timezone,
        currency,
        "ar",
    )
    assert policy.weekend == frozenset(weekend)
    assert policy.business_hours == (time(9), time(18))


def test_every_market_loads() -> None:
    for market in MARKETS:
        assert load_policy(market).market == market


def test_market_code_is_case_insensitive() -> None:
    assert load_policy("sa") == load_policy("SA")


def test_unknown_market_names_the_market() -> None:
    with pytest.raises(PolicyError, match="'KW'") as caught:
        load_policy("KW")
    assert caught.value.key == "market"


def test_rule_returns_a_fresh_copy(sa: MarketPolicy) -> None:
    params = sa.rule("refund.processing_window")
    assert params == {"min_business_days": 1, "max_business_days": 10}
    params["max_business_days"] = 99
    assert sa.refund_max_business_days == 10
    assert sa.rule("order.missing") == {}
    with pytest.raises(PolicyError, match="nope.rule"):
        sa.rule("nope.rule")


def test_policy_is_immutable(sa: MarketPolicy) -> None:
    with pytest.raises(TypeError):
        sa.params["seller.reply_window"]["hours"] = 1
    with pytest.raises(AttributeError):
        sa.timezone = "UTC"
    assert hash(sa) == hash(load_policy("SA"))


def write(directory: Path, text: str, market: str = "SA") -> Path:
    (directory / f"{market}.toml").write_text(text, encoding="utf-8")
    return directory


def test_overrides_layer_on_top_without_touching_the_cache(tmp_path: Path) -> None:
    write(
        tmp_path,
        """
[market]
business_hours = { close = "17:00" }
extra_holidays = [{ date = 2026-09-24, en = "Bridge day", ar = "يوم إجازة إضافي" }]
removed_holidays = [2026-03-24]

[seller.reply_window]
hours = 72
""",
    )
    custom = load_policy("SA", tmp_path)
    assert custom.seller_reply_window_hours == 72
    assert custom.business_hours == (time(9), time(17))  # open kept from defaults.toml
    assert custom.refund_max_business_days == 10  # untouched rule kept
    assert str(tmp_path / "SA.toml") in custom.sources
    calendar = BusinessCalendar(custom)
    assert not calendar.is_business_day(date(2026, 9, 24))
    assert calendar.holiday_name(date(2026, 9, 24), "ar") == "يوم إجازة إضافي"
    assert calendar.is_business_day(date(2026, 3, 24))  # observed Eid day removed
    assert load_policy("SA").seller_reply_window_hours == 48
    assert load_policy("SA").business_hours == (time(9), time(18))


def test_overrides_dir_without_the_market_file_changes_nothing(tmp_path: Path) -> None:
    write(tmp_path, "[seller.reply_window]\nhours = 72\n", market="EG")
    assert load_policy("SA", tmp_path) == load_policy("SA")
    assert load_policy("EG", tmp_path).seller_reply_window_hours == 72


def test_missing_overrides_dir(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy("SA", tmp_path / "nowhere")
    assert caught.value.key == "overrides_dir"


def test_the_briefs_example_message(tmp_path: Path) -> None:
    write(tmp_path, '[refund.processing_window]\nmax_business_days = "ten"\n')
    with pytest.raises(PolicyError) as caught:
        load_policy("SA", tmp_path)
    assert str(caught.value) == (
        "SA.toml: refund.processing_window.max_business_days: expected a positive integer, got 'ten'"
    )
    assert caught.value.key == "refund.processing_window.max_business_days"
    assert caught.value.file == str(tmp_path / "SA.toml")


BAD_FILES = [
    ("[seller.reply_window]\nhours = 0\n", "seller.reply_window.hours", "positive integer"),
    ("[return.auto_refund]\ndays = -3\n", "return.auto_refund.days", "got -3"),
    ("[seller.reply_window]\nhours = 1.5\n", "seller.reply_window.hours", "positive integer"),
    ("[seller.reply_window]\nhours = true\n", "seller.reply_window.hours", "got True"),
    (
        "[payment.verification_sla]\ntypical_share_percent = 150\n",
        "payment.verification_sla.typical_share_percent",
        "percentage",
    ),
    ("[refund.processing_windows]\nmax_business_days = 3\n", "refund.processing_windows", "unknown rule id"),
    ("[refund.processing_window]\nmax_days = 3\n", "refund.processing_window.max_days", "unknown key"),
    (
        "[refund.processing_window]\nmin_business_days = 12\n",
        "refund.processing_window.min_business_days",
        "greater than",
    ),
    (
        "[return.free_return_carrier_lag]\nmin_days = 3\n",
        "return.free_return_carrier_lag.min_days",
        "greater than",
    ),
    ("[refund]\nprocessing_window = 3\n", "refund.processing_window", "expected a table"),
    ("shipping = 3\n", "shipping", "unknown key"),
    ('[market]\ntimezone = "Asia/Riyad"\n', "market.timezone", "unknown timezone"),
    ('[market]\ntimezone = "../../etc/passwd"\n', "market.timezone", "unknown timezone"),
    ('[market]\nweekend = ["friday", "fri"]\n', "market.weekend[1]", "bad weekday name 'fri'"),
    ('[market]\nweekend = ["friday", "friday"]\n', "market.weekend[1]", "twice"),
    ('[market]\nweekend = "friday"\n', "market.weekend", "list of weekday names"),
    (
        '[market]\nweekend = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]\n',
        "market.weekend",
        "no business day",
    ),
    (
        '[market]\nbusiness_hours = { open = "18:00", close = "09:00" }\n',
        "market.business_hours",
        "before close",
    ),
    ('[market]\nbusiness_hours = { open = "9am" }\n', "market.business_hours.open", "local time"),
    ('[market]\nbusiness_hours = { opens = "09:00" }\n', "market.business_hours.opens", "unknown key"),
    ('[market]\ncurrancy = "SAR"\n', "market.currancy", "unknown key"),
    ('[market]\ncurrency = "riyal"\n', "market.currency", "currency code"),
    ('[market]\nlanguage = "fr"\n', "market.language", "expected one of"),
    (
        '[market]\nextra_holidays = [{ date = "2026-13-01", en = "x", ar = "ي" }]\n',
        "market.extra_holidays[0].date",
        "expected a date",
    ),
    (
        '[market]\nextra_holidays = [{ date = 2026-09-24, en = "x" }]\n',
        "market.extra_holidays[0].ar",
        "missing",
    ),
    ('[market]\nremoved_holidays = ["soon"]\n', "market.removed_holidays[0]", "expected a date"),
    (
        '[seller.silent_options]\noptions = ["call_seller"]\n',
        "seller.silent_options.options[0]",
        "'call_seller'",
    ),
    ("[issue.required_evidence]\nitems = []\n", "issue.required_evidence.items", "at least one"),
    ('[escalate.when]\ntopics = "all"\n', "escalate.when.topics", "expected a list"),
]


@pytest.mark.parametrize(("text", "key", "problem"), BAD_FILES, ids=[case[1] for case in BAD_FILES])
def test_bad_override_names_file_and_key(tmp_path: Path, text: str, key: str, problem: str) -> None:
    write(tmp_path, text)
    with pytest.raises(PolicyError) as caught:
        load_policy("SA", tmp_path)
    message = str(caught.value)
    assert message.startswith(f"SA.toml: {key}: "), message
    assert problem in message
    assert caught.value.key == key


def test_invalid_toml(tmp_path: Path) -> None:
    write(tmp_path, "[market\n")
    with pytest.raises(PolicyError, match=r"^SA\.toml: invalid TOML"):
        load_policy("SA", tmp_path)


def test_bundled_market_file_missing_a_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from awn.policy import config

    (tmp_path / "defaults.toml").write_bytes((config.MARKETS_DIR / "defaults.toml").read_bytes())
    (tmp_path / "SA.toml").write_text('[market]\ntimezone = "Asia/Riyadh"\ncurrency = "SAR"\n')
    monkeypatch.setattr(config, "MARKETS_DIR", tmp_path)
    config._bundled_layer.cache_clear()
    config._bundled_policy.cache_clear()
    try:
        with pytest.raises(PolicyError, match=r"^SA\.toml: market\.weekend: missing$"):
            load_policy("SA")
    finally:
        config._bundled_layer.cache_clear()
        config._bundled_policy.cache_clear()
