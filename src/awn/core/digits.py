"""Arabic-Indic (٠-٩) and Persian (۰-۹) digits are accepted wherever a number is typed."""

_DIGITS = {ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")} | {ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")}


def to_ascii_digits(text: str) -> str:
    return text.translate(_DIGITS)


def clean_number(text: str) -> str:
    """Digits only: '#٨١٢٣-٤٥٦٧' → '81234567'. Used for order numbers typed by buyers."""
    return "".join(ch for ch in to_ascii_digits(text) if ch.isascii() and ch.isdigit())
