"""Per-buyer rate limits on the buyer's API, counted in Django's cache.

Two limits, keyed by the chat token's buyer (the customer id, whichever token or tab it comes from):

* ``AWN_BUYER_MESSAGE_RATE`` (default ``"20/60"``): messages and photos sent, counted together;
  each one runs the assistant and writes rows.
* ``AWN_BUYER_READ_RATE`` (default ``"120/60"``): polls for new messages. The web chat polls every
  2.5 s (24 a minute in a visible tab, 6 in a hidden one) and once more after each send, so the
  default leaves room for four or five open tabs of one buyer.

A rate is ``"<requests>/<seconds>"``; ``"0"``, ``"0/<seconds>"`` or ``""`` turns that limit off.
The settings are checked when settings load (``awn.settings``), so a typo stops start-up with the
setting's name rather than surfacing on the first buyer's message.

The counter is a sliding window approximated from two fixed windows (the current one and the
previous one, weighted by how much of it still overlaps the last ``<seconds>``), so a buyer cannot
double the limit by sending just before and just after a window boundary. Counting is atomic on
Redis and on the in-process cache (``cache.add`` then ``cache.incr``): concurrent requests each get
their own count, so no more than the limit get through. A refused request gives its count back, so
a client that keeps retrying while refused is not pushed further out; ``Retry-After`` is when the
next request would be accepted.

The cache is ``settings.CACHES[AWN_RATE_LIMIT_CACHE]`` (``"default"``): ``AWN_CACHE_URL`` in
``awn.settings``. The in-process cache counts per process, so with several server processes the
limit is approximate (up to one limit per process); use Redis to share it. If the cache fails, the
request is served (fail open: the chat matters more than the limit), a warning is logged at most
once a minute, and the cache is not asked again for a few seconds.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

log = logging.getLogger("awn.api.ratelimit")

WARN_EVERY = 60.0  # seconds between two "the cache is failing" warnings
SKIP_AFTER_FAILURE = 5.0  # seconds during which a failed cache is not asked again (requests pass)
monotonic = time.monotonic  # the clock for the two above (tests replace it)


@dataclass(frozen=True)
class Rate:
    limit: int  # requests ...
    window: int  # ... per this many seconds


@dataclass(frozen=True)
class Scope:
    name: str  # in the cache key
    setting: str
    default: str
    what: str  # in the error message: "at most 20 <what> every 60 seconds"


SEND = Scope("send", "AWN_BUYER_MESSAGE_RATE", "20/60", "messages and photos")
READ = Scope("read", "AWN_BUYER_READ_RATE", "120/60", "polls for new messages")
SCOPES = (SEND, READ)


@dataclass(frozen=True)
class Refusal:
    limit: int
    window: int
    retry_after: int  # whole seconds, at least 1


# --------------------------------------------------------------------------- settings


def parse_rate(value: Any, setting: str = "rate") -> Rate | None:
    """``"20/60"`` → ``Rate(20, 60)``; ``""``, ``"0"``, ``"0/60"`` or ``None`` → ``None`` (no limit).
    Anything else raises ``ImproperlyConfigured`` naming ``setting``."""
    if value is None:
        return None
    text = value.strip() if isinstance(value, str) else None
    if text is None:
        raise ImproperlyConfigured(f'{setting} must be a string like "20/60", not {value!r}')
    if text in ("", "0"):
        return None
    count, slash, seconds = text.partition("/")
    count, seconds = count.strip(), seconds.strip()
    if not slash or not (count.isascii() and count.isdigit() and seconds.isascii() and seconds.isdigit()):
        raise ImproperlyConfigured(
            f'{setting}={value!r} is not a rate: write "<requests>/<seconds>" with whole numbers '
            f'(e.g. "20/60" for 20 requests per 60 seconds), or "0" or "" to turn the limit off')
    limit, window = int(count), int(seconds)
    if window < 1:
        raise ImproperlyConfigured(f"{setting}={value!r}: the window must be at least 1 second")
    return None if limit == 0 else Rate(limit, window)


def check_settings(values: dict[str, Any]) -> None:
    """Raise ``ImproperlyConfigured`` for the first invalid rate among ``values`` (name → value);
    called by ``awn.settings`` at start-up."""
    for scope in SCOPES:
        parse_rate(values.get(scope.setting, scope.default), scope.setting)


def rate_for(scope: Scope) -> Rate | None:
    return parse_rate(getattr(settings, scope.setting, scope.default), scope.setting)


# --------------------------------------------------------------------------- counting

_lock = threading.Lock()
_last_warning = -math.inf  # monotonic() of the last warning
_skip_until = -math.inf  # monotonic() until which the cache is not asked


def reset() -> None:
    """Forget a cache failure (tests)."""
    global _last_warning, _skip_until
    with _lock:
        _last_warning = _skip_until = -math.inf


def _default_cache() -> Any:
    from django.core.cache import caches

    return caches[getattr(settings, "AWN_RATE_LIMIT_CACHE", "default")]


def _incr(cache: Any, key: str, timeout: int) -> int:
    """Add one to ``key``, creating it (with ``timeout``) if it is not there; atomic."""
    try:
        return int(cache.incr(key))
    except ValueError:  # not there yet: the first request of this window (or the key was evicted)
        if cache.add(key, 1, timeout):
            return 1
        return int(cache.incr(key))  # another request created it in between


def hit(scope: Scope, subject: int | str, *, now: float | None = None, cache: Any = None) -> Refusal | None:
    """Count one request of ``subject`` (a customer id) against ``scope``'s limit.

    ``None``: go ahead (also when the limit is off or the cache fails). A ``Refusal``: over the
    limit; the request was not counted."""
    rate = rate_for(scope)
    if rate is None:
        return None
    if monotonic() < _skip_until:
        return None
    now = time.time() if now is None else now
    window = rate.window
    index = int(now // window)
    elapsed = now - index * window
    base = f"rl:{scope.name}:{subject}:{window}"
    key = f"{base}:{index}"
    try:
        cache = _default_cache() if cache is None else cache
        # The previous window's counter is read until the end of this one: keep it two windows.
        count = _incr(cache, key, 2 * window + 60)
        previous = int(cache.get(f"{base}:{index - 1}") or 0)
        weighted = previous * (1 - elapsed / window)
        if weighted + count <= rate.limit + 1e-6:  # (float noise in the weight)
            return None
        with contextlib.suppress(ValueError):  # refused: give the count back (unless it expired)
            cache.decr(key)
        if cache.add(f"{key}:logged", 1, window):
            log.info("buyer %s is over the %s limit (%s/%s)", subject, scope.name, rate.limit, window)
    except Exception as exc:  # any cache failure (Redis down, a timeout): serve the request
        _failed(exc)
        return None
    return Refusal(rate.limit, window, _retry_after(rate, previous, count - 1, elapsed))


def _retry_after(rate: Rate, previous: int, current: int, elapsed: float) -> int:
    """Seconds until one more request fits, if nobody else sends: ``previous`` requests in the
    previous window, ``current`` accepted so far in this one, ``elapsed`` seconds into it."""
    limit, window = rate.limit, rate.window
    room = limit - current - 1  # what the previous window's weighted share may still be
    if room >= 0 and previous > 0 and (fraction := 1 - room / previous) < 1:
        wait = fraction * window - elapsed  # later in this window, as the previous one fades out
    else:  # in the next window, where this one's ``current`` becomes the fading previous count
        fraction = max(0.0, 1 - (limit - 1) / current) if current > 0 else 0.0
        wait = window - elapsed + fraction * window
    return max(1, math.ceil(wait - 1e-9))


def _failed(exc: Exception) -> None:
    global _last_warning, _skip_until
    clock = monotonic()
    with _lock:
        _skip_until = clock + SKIP_AFTER_FAILURE
        warn = clock - _last_warning >= WARN_EVERY
        if warn:
            _last_warning = clock
    if warn:
        log.warning("rate limiting is off for now: the cache failed (%s: %s); requests are served without a limit",
                    exc.__class__.__name__, exc)


# --------------------------------------------------------------------------- the API's answer


def check(request: HttpRequest, scope: Scope) -> HttpResponse | None:
    """``None`` if the buyer (``request.auth``) may go ahead, else the 429 ``rate_limited`` answer
    with ``Retry-After``, for the view to return before it does anything."""
    refusal = hit(scope, request.auth.pk)  # type: ignore[attr-defined]
    if refusal is None:
        return None
    from awn.channels.api.api import error  # the API module imports the routers: not at import time

    response = error(request, 429, "rate_limited",
                     f"too many requests: at most {refusal.limit} {scope.what} every {refusal.window} seconds; "
                     f"try again in {refusal.retry_after} seconds",
                     limit=refusal.limit, window_seconds=refusal.window, retry_after=refusal.retry_after)
    response["Retry-After"] = str(refusal.retry_after)
    return response
