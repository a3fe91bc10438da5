"""Django settings for anpai, read from environment variables.

Every variable is documented in ``.env.example``. The embedded default needs
none of them: SQLite (WAL) and media live under ``ANPAI_DATA_DIR`` (``./var``),
and the secret key is generated there on first start.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from anpai.env import env_bool, env_int, env_list, env_origin, env_str, persistent_secret

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("ANPAI_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("ANPAI_DEBUG", False)
TESTING = env_bool("ANPAI_TESTING", False)
SECRET_KEY = env_str("ANPAI_SECRET_KEY") or persistent_secret(DATA_DIR / "secret_key")
if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("ANPAI_SECRET_KEY must be at least 32 characters long")
ALLOWED_HOSTS = env_list("ANPAI_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("ANPAI_CSRF_TRUSTED_ORIGINS", [])
DEMO_PASSWORD = env_str("ANPAI_DEMO_PASSWORD")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "bootstrap",
    "import_export",
    "anpai.core",
    "anpai.regions",
    "anpai.people",
    "anpai.orgs",
    "anpai.audit",
    "anpai.notifications",
    "anpai.hazards",
    "anpai.standards",
    "anpai.inspections",
    "anpai.risks",
    "anpai.permits",
    "anpai.enforcement",
    "anpai.responsibility",
    "anpai.enterprise",
    "anpai.jobs",
    "anpai.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "anpai.audit.middleware.AuditContextMiddleware",
]

ROOT_URLCONF = "anpai.urls"
WSGI_APPLICATION = "anpai.wsgi.application"
AUTH_USER_MODEL = "people.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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
                "anpai.core.context_processors.navigation",
                "anpai.notifications.context_processors.unread",
            ],
        },
    },
]

# Database: SQLite in WAL mode by default, anything dj-database-url parses
# (PostgreSQL in production) through DATABASE_URL.
_database_url = env_str("DATABASE_URL")
if _database_url:
    DATABASES = {
        "default": dj_database_url.parse(
            _database_url, conn_max_age=env_int("ANPAI_DB_CONN_MAX_AGE", 60, minimum=0)
        )
    }
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "anpai.sqlite3"),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so concurrent writers
                # queue on busy_timeout instead of failing with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; the suite creates many users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("ANPAI_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise expects it even when serving from finders
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("ANPAI_MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGES = {
    "default": {
        "BACKEND": env_str("ANPAI_FILE_STORAGE", "django.core.files.storage.FileSystemStorage")
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and not TESTING and env_bool("ANPAI_STATIC_MANIFEST", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve static files straight from the installed packages: `anpai demo` works
# without collectstatic, and nothing is ever fetched from a CDN.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_AGE = env_int("ANPAI_SESSION_IDLE_MINUTES", 30, minimum=5) * 60
SESSION_SAVE_EVERY_REQUEST = True  # idle timeout, not absolute
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE = env_bool("ANPAI_SECURE", False)  # behind HTTPS: secure cookies, HSTS, redirect
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and env_bool("ANPAI_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Which proxy header carries the client address, e.g. X-Forwarded-For behind nginx.
ANPAI_CLIENT_IP_HEADER = env_str("ANPAI_CLIENT_IP_HEADER")

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
ANPAI_IMPORT_MAX_ROWS = env_int("ANPAI_IMPORT_MAX_ROWS", 5000, minimum=1)
# A ledger (整改台账) export above this many rows runs as a background job.
ANPAI_LEDGER_SYNC_MAX_ROWS = env_int("ANPAI_LEDGER_SYNC_MAX_ROWS", 10000, minimum=1)
ANPAI_UPLOAD_MAX_BYTES = env_int("ANPAI_UPLOAD_MAX_MB", 10, minimum=1) * 1024 * 1024
# SMS gateway: dotted path of fn(phone, text); see docs/configuration.md.
# Off unless configured: a "sent" SMS must mean one left for a phone. The demo
# and development can use anpai.notifications.channels.log_sms, which only logs.
ANPAI_SMS_BACKEND = env_str("ANPAI_SMS_BACKEND")
ANPAI_IMPORT_MAX_BYTES = env_int("ANPAI_IMPORT_MAX_MB", 5, minimum=1) * 1024 * 1024
# Where people reach anpai (https://anpai.example.gov.cn): the QR codes on printed risk
# notification cards point there. Empty: the address of the request that printed the card.
ANPAI_PUBLIC_URL = env_origin("ANPAI_PUBLIC_URL")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "anpai.people.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "anpai.core.rest.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "anpai.core.rest.exception_handler",
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": None,
    # JSON only: the browsable HTML API carries inline scripts (our CSP forbids
    # them); /api/docs/ is the human-facing explorer. DEBUG brings it back.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "anpai API",
    "DESCRIPTION": "安排 — 重大事故隐患专项排查整治 REST API. Authenticate with "
    "`POST /api/v1/auth/token/` and send `Authorization: Token <token>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "state", "level" or "kind": name each choice set once.
    "ENUM_NAME_OVERRIDES": {
        "HazardStateEnum": "anpai.hazards.choices.HazardState",
        "HazardLevelEnum": "anpai.hazards.choices.HazardLevel",
        "HazardSourceEnum": "anpai.hazards.choices.HazardSource",
        "AttachmentKindEnum": "anpai.hazards.choices.AttachmentKind",
        "EventKindEnum": "anpai.hazards.choices.EventKind",
        "ExtensionStateEnum": "anpai.hazards.choices.ExtensionState",
        "InspectionKindEnum": "anpai.inspections.choices.InspectionKind",
        "InspectionStateEnum": "anpai.inspections.choices.InspectionState",
    },
}
ANPAI_TOKEN_DAYS = env_int("ANPAI_TOKEN_DAYS", 30, minimum=1)

# Celery: Redis in production; in the embedded default tasks run in-process.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or env_str("REDIS_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE

EMAIL_BACKEND = env_str(
    "ANPAI_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if not env_str("ANPAI_EMAIL_HOST")
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("ANPAI_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("ANPAI_EMAIL_PORT", 25, minimum=1)
DEFAULT_FROM_EMAIL = env_str("ANPAI_FROM_EMAIL", "anpai@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("ANPAI_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
