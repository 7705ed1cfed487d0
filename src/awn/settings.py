"""Django settings for Awn.

Everything is configured from environment variables so the same code runs on the embedded SQLite
database (the default, for a newcomer's first run) and on PostgreSQL in production and CI.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
# Where runtime state lives (the SQLite file, uploaded media, trained models): ./var by default.
VAR_DIR = Path(os.environ.get("AWN_VAR_DIR", Path.cwd() / "var")).resolve()

DEBUG = os.environ.get("AWN_DEBUG", "1") == "1"
PRODUCTION = os.environ.get("AWN_PRODUCTION", "0") == "1"
SECRET_KEY = os.environ.get("AWN_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise RuntimeError("AWN_SECRET_KEY must be set when AWN_PRODUCTION=1")
    SECRET_KEY = "awn-insecure-development-key-not-for-production"  # noqa: S105

ALLOWED_HOSTS = [h for h in os.environ.get("AWN_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves Swagger UI for /api/docs from its own static files (no CDN)
    "awn.core",
    "awn.marketplace",
    "awn.cases",
    "awn.helpdesk",
    "awn.channels.api",
    "awn.channels.webchat",
    "awn.channels.whatsapp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "awn.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "awn.wsgi.application"

_default_sqlite = f"sqlite:///{VAR_DIR / 'awn.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("AWN_DATABASE_URL") or _default_sqlite,
        conn_max_age=int(os.environ.get("AWN_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serialises writers; wait for the lock instead of failing at once, and use WAL so
    # the web server and the worker can run side by side.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DATABASES["default"].setdefault("TEST", {})
if os.environ.get("AWN_TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"]["NAME"] = os.environ["AWN_TEST_DATABASE_NAME"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "ar"
LANGUAGES = [("ar", "العربية"), ("en", "English")]
LANGUAGES_BIDI = ["ar"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

# WhatsApp channel secrets (app secret, verify and access tokens) are encrypted at rest with this key;
# set it in production so rotating AWN_SECRET_KEY does not make stored channel secrets unreadable.
AWN_WHATSAPP_SECRET_KEY = os.environ.get("AWN_WHATSAPP_SECRET_KEY", "")

# Email (one-time codes that link a WhatsApp number to an account). Console output in development.
EMAIL_BACKEND = os.environ.get("AWN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("AWN_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("AWN_EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("AWN_EMAIL_FROM", "Awn <no-reply@awn.example>")

# Where operators put per-market policy overrides (TOML files named after the market, e.g. SA.toml).
AWN_POLICY_DIR = os.environ.get("AWN_POLICY_DIR") or None

# The cache (today: the buyer API's rate-limit counters). Empty AWN_CACHE_URL: in this process's
# memory, so with several server processes each counts on its own and limits are approximate;
# redis://[:password@]host:6379/0 (or rediss://, unix://) shares them. Short socket timeouts: if the
# cache is unreachable the rate limiter lets requests through (awn.channels.api.ratelimit).
AWN_CACHE_URL = os.environ.get("AWN_CACHE_URL", "").strip()
if not AWN_CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "awn",
                          "OPTIONS": {"MAX_ENTRIES": 20_000}}}
elif AWN_CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": AWN_CACHE_URL,
        "KEY_PREFIX": os.environ.get("AWN_CACHE_KEY_PREFIX", "awn"),
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},  # seconds
    }}
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"AWN_CACHE_URL={AWN_CACHE_URL!r}: use redis://host:6379/0 (or rediss://, unix://), or leave it empty "
        "for the in-process cache")

# Buyer API rate limits per buyer, "<requests>/<seconds>"; "0" or "" turns one off (docs/api.md).
# Messages and photos together: each runs the assistant and writes rows; 20 a minute is far above
# a person typing or tapping quick replies. Polls: the web chat polls every 2.5 s (24 a minute per
# visible tab, plus one after each send), so 120 leaves room for four or five tabs.
from awn.channels.api import ratelimit as _ratelimit  # noqa: E402 - the defaults live with the limiter

AWN_BUYER_MESSAGE_RATE = os.environ.get("AWN_BUYER_MESSAGE_RATE", _ratelimit.SEND.default)
AWN_BUYER_READ_RATE = os.environ.get("AWN_BUYER_READ_RATE", _ratelimit.READ.default)
AWN_RATE_LIMIT_CACHE = "default"
# A malformed rate stops start-up here, naming the setting.
_ratelimit.check_settings({"AWN_BUYER_MESSAGE_RATE": AWN_BUYER_MESSAGE_RATE, "AWN_BUYER_READ_RATE": AWN_BUYER_READ_RATE})

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {"awn": {"handlers": ["console"], "level": os.environ.get("AWN_LOG_LEVEL", "INFO")}},
}
