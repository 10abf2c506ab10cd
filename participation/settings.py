"""Settings of the platform, read from the environment.

Two modes:

* embedded (nothing configured): SQLite, in-memory channel layer, local-memory
  cache, Celery tasks run eagerly, emails printed to the console;
* production (``DATABASE_URL`` or ``REDIS_URL`` set): PostgreSQL, Redis for the
  channel layer, the Celery broker and the cache. Every part production needs
  must be configured; nothing falls back silently to an embedded part.
"""

import ipaddress
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(
            f"Production mode (DATABASE_URL or REDIS_URL set) requires {name} to be set."
        )
    return value


def websocket_origin(site_url: str) -> str:
    """The origin of the site's own WebSockets: SITE_URL's host and port, ws for http, wss for
    https (the only one the CSP lets the pages connect to)."""
    parts = urlsplit(site_url)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme)
    try:
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        scheme = None
    if scheme is None or not parts.hostname or "@" in parts.netloc:
        raise ImproperlyConfigured(
            "SITE_URL must be the site's public address, http(s)://host[:port], "
            f"e.g. https://participation.auchel.fr (got {site_url!r})."
        )
    return f"{scheme}://{parts.netloc}"


DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
PRODUCTION = bool(DATABASE_URL or REDIS_URL)
EMBEDDED = not PRODUCTION

if PRODUCTION:
    SECRET_KEY = required("SECRET_KEY")
    ALLOWED_HOSTS = envlist("ALLOWED_HOSTS") or required("ALLOWED_HOSTS").split(",")
    DATABASE_URL = required("DATABASE_URL")
    REDIS_URL = required("REDIS_URL")
    DEBUG = envbool("DEBUG", False)
else:
    # Embedded mode only ever runs on a developer's or tester's machine.
    SECRET_KEY = os.environ.get("SECRET_KEY", "embedded-mode-only-not-a-secret-auchel-2030")
    ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
    # The demo shows what residents would see (French error pages); DEBUG=1 for development.
    DEBUG = envbool("DEBUG", False)

# The public address: links in emails and calendars, and the only WebSocket origin of the CSP.
# `make run` serves the embedded mode on the default.
if PRODUCTION:
    SITE_URL = required("SITE_URL").rstrip("/")
else:
    SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_WEBSOCKET_ORIGIN = websocket_origin(SITE_URL)
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

# Daphne's app replaces runserver with its own (HTTP and WebSocket in one process: `make
# run`), and loads Twisted's reactor when the apps load (0.16 s). Production starts Daphne by
# its own command (deploy/): the other processes (gunicorn, Celery, every manage.py command)
# start without it.
RUNSERVER = sys.argv[1:2] == ["runserver"]

INSTALLED_APPS = [
    *(["daphne"] if RUNSERVER else []),
    # Django's admin and allauth's apps, named in French (participation/admin_site.py).
    "participation.admin_site.ParticipationAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.forms",
    "django.contrib.postgres",
    "channels",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "csp",
    "allauth",
    "participation.admin_site.LoginAddressesConfig",
    "participation.admin_site.SecondFactorConfig",
    # The shared core, nested in the project package.
    "participation.accounts",
    "participation.territory",
    "participation.audit",
    "participation.notifications",
    "participation.core",
    # The two domain apps.
    "evenements",
    "consultations",
]

MIDDLEWARE = [
    "participation.core.proxy.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "participation.core.pagecache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "participation.api.middleware.RefuseNulBytesMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything reads the body, after what adds the security headers to its 413 page.
    "participation.core.bodylimit.RequestBodyLimitMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "participation.accounts.middleware.StaffIdleTimeoutMiddleware",
    "participation.accounts.middleware.StaffSecondFactorMiddleware",
]

# Forms draw their fields with templates/django/forms/field.html (the one field template).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

ROOT_URLCONF = "participation.urls"
WSGI_APPLICATION = "participation.wsgi.application"
ASGI_APPLICATION = "participation.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "participation.core.context_processors.platform",
            ],
        },
    },
]

# --- Data stores -----------------------------------------------------------

if PRODUCTION:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Parameters sent apart from the statement (server-side binding), so that a statement a
    # connection runs again is prepared once: PostgreSQL then neither parses nor plans it again
    # (psycopg prepares a statement at its sixth run on a connection and keeps the last 100).
    # Planning was most of the database's CPU on some pages (docs/performance.md, « Prepared
    # statements »). Connections are kept (``conn_max_age``) and go straight to PostgreSQL.
    # Options given in DATABASE_URL (``?sslmode=require``) are kept.
    database_options = DATABASES["default"].setdefault("OPTIONS", {})
    database_options.setdefault("server_side_binding", True)
    database_options.setdefault("prepare_threshold", 5)
    CACHES = {
        "default": {
            # RedisCache that answers "miss" while Redis is down (docs/pannes.md).
            "BACKEND": "participation.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "participation",
            "TIMEOUT": 300,
            # A frozen Redis must not hold a page for long.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # A consumer waits for its messages with a blocking read of 5 s (channels_redis'
                # BZPOPMIN); redis-py 8 cuts every read at 5 s by default, so the two raced and
                # dropped live feeds under load. The read is given more than the wait.
                "hosts": [{"address": REDIS_URL, "socket_timeout": 15}],
                "prefix": "participation:channels",
            },
        }
    }
else:
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "var" / "participation.sqlite3")),
            "OPTIONS": {"timeout": 20},
        }
    }
    CACHES = {"default": {"BACKEND": "participation.core.cache.LocalCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Public pages are served from the cache to visitors who are not signed in, for at most this
# many seconds (participation/core/pagecache.py, docs/performance.md); 0 turns it off.
ANONYMOUS_PAGE_CACHE_SECONDS = envint("ANONYMOUS_PAGE_CACHE_SECONDS", 5)
# The committee dashboard's figures are computed at most once per this many seconds for the
# same instances and filters (consultations/committee/views.py); 0 computes them every time.
DASHBOARD_CACHE_SECONDS = envint("DASHBOARD_CACHE_SECONDS", 60)
# Rows of list pages are kept this long once drawn, keyed by everything they show
# (participation/core/fragments.py): a changed row gets a new key, so this only bounds memory;
# an erasure (RGPD) drops every row at once.
FRAGMENT_CACHE_SECONDS = envint("FRAGMENT_CACHE_SECONDS", 3600)

# --- Celery ---------------------------------------------------------------

CELERY_BROKER_URL = REDIS_URL if PRODUCTION else "memory://"
# kombu's Redis transport, with a worker that keeps taking tasks after a Redis stall
# (participation/core/broker.py).
CELERY_BROKER_TRANSPORT = "participation.core.broker:Transport" if PRODUCTION else None
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = EMBEDDED
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Europe/Paris"
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "visibility_timeout": 3600,
    # Without them, queuing a task on a Redis that accepts connections but never answers
    # would hold the request forever (kombu waits on the socket); see docs/pannes.md.
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
}
# Stored emails not sent after this many seconds (broker down, worker killed) are sent again
# by the beat sweep, at the same interval.
EMAIL_SWEEP_SECONDS = envint("EMAIL_SWEEP_SECONDS", 60)
CELERY_BEAT_SCHEDULE: dict = {
    "send-pending-emails": {
        "task": "participation.notifications.tasks.send_pending_emails",
        "schedule": float(EMAIL_SWEEP_SECONDS),
    },
    "send-pending-sms": {
        "task": "participation.notifications.tasks.send_pending_sms",
        "schedule": float(EMAIL_SWEEP_SECONDS),
    },
    "sweep-expression-thumbnails": {
        "task": "consultations.tasks.sweep_thumbnails",
        "schedule": 300.0,
    },
    # What waits in the moderation queue, each morning; at most one email per mediator a day.
    "moderation-digest": {
        "task": "consultations.tasks.send_moderation_digest",
        "schedule": crontab(hour=7, minute=45),
    },
    # Reminders the day before an event; idempotent, so a second run sends nothing twice.
    "send-event-reminders": {
        "task": "evenements.tasks.send_reminders",
        "schedule": crontab(hour=10, minute=0),
    },
    # RGPD: forget the contacts of people without account past CONTACT_RETENTION_DAYS.
    "purge-contacts": {
        "task": "participation.accounts.tasks.purge_contacts",
        "schedule": crontab(hour=3, minute=30),
    },
    # The committee's exports (files under PRIVATE_MEDIA_ROOT/exports/) live a week.
    "purge-exports": {
        "task": "consultations.tasks.purge_exports",
        "schedule": crontab(hour=3, minute=45),
    },
    # Photo files no expression names (its row never stored: the process killed between the
    # two), under PRIVATE_MEDIA_ROOT/expressions/, deleted once a day old.
    "purge-orphan-photos": {
        "task": "consultations.tasks.purge_orphan_photos",
        "schedule": crontab(hour=4, minute=5),
    },
    # Photos kept while a form comes back (PRIVATE_MEDIA_ROOT/provisoires/) live a day.
    "purge-kept-photos": {
        "task": "consultations.tasks.purge_kept_photos",
        "schedule": crontab(minute=20),
    },
}

# --- Accounts --------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "core:home"

ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# A resident may sign up with only a French mobile number and sign in by a code sent by SMS
# (participation/accounts/phone.py; the phone sign-up form asks for the number alone, the
# email one drops it). Offered only while SMS_ENABLED (below): checked at each request.
ACCOUNT_LOGIN_METHODS = {"email", "phone"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "phone", "password1*", "password2*"]
ACCOUNT_PHONE_VERIFICATION_TIMEOUT = 15 * 60
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_RESEND = 3
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_CHANGE = 2
ACCOUNT_PHONE_VERIFICATION_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Participation Auchel] "
ACCOUNT_ADAPTER = "participation.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "signup": "participation.accounts.forms.SignupForm",
    "login": "participation.accounts.forms.LoginForm",
    "request_login_code": "participation.accounts.forms.RequestLoginCodeForm",
    "change_phone": "participation.accounts.forms.ChangePhoneForm",
}
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "request_login_code": "20/m/ip,3/m/key",
    # A code by SMS to a number (sign-up, adding a number): the key is the number.
    "verify_phone": "1/30s/key,3/m/ip",
    "change_phone": "1/m/user",
}
# Codes by SMS cost the commune and can be used to harass a number: beyond allauth's bursts
# above, at most this many per number and per client address a day (participation/core/
# ratelimit.py; django-ratelimit rates).
SMS_CODE_RATE_PER_NUMBER = os.environ.get("SMS_CODE_RATE_PER_NUMBER", "8/d")
SMS_CODE_RATE_PER_CLIENT = os.environ.get("SMS_CODE_RATE_PER_CLIENT", "30/d")
ACCOUNT_EMAIL_NOTIFICATIONS = True  # tell people when their password or email changes
MFA_ADAPTER = "participation.accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Participation Auchel"

# --- Internationalisation -------------------------------------------------

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static and media files -----------------------------------------------

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Expression photos, served only by a view that checks access; empty: private/ beside MEDIA_ROOT.
PRIVATE_MEDIA_ROOT = os.environ.get("PRIVATE_MEDIA_ROOT", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "participation.core.staticfiles.StaticFilesStorage"
            if PRODUCTION
            else "whitenoise.storage.CompressedStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = EMBEDDED
if EMBEDDED:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The whole body of a request, files included (nginx's client_max_body_size says the same):
# larger is refused with a French 413 before it is read (participation/core/bodylimit.py).
MAX_REQUEST_BODY_BYTES = envint("MAX_REQUEST_BODY_BYTES", 12 * 1024 * 1024)
# Django's own bound counts the fields that are not files only (a JSON body, base64 photos).
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES

# --- Email -----------------------------------------------------------------

DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Participation Auchel <ne-pas-repondre@auchel.fr>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if os.environ.get("EMAIL_BACKEND"):
    EMAIL_BACKEND = os.environ["EMAIL_BACKEND"]
    EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "emails"))
elif PRODUCTION:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = required("EMAIL_HOST")
    EMAIL_PORT = envint("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- SMS (participation/notifications/sms.py) ------------------------------------------

# A dotted path to a backend of participation/notifications/sms_backends.py. Embedded: the
# console (the SMS appears in the terminal). Production: SMS are off until SMS_BACKEND is
# set (SMS_ENABLED is then False, and no one is offered notices by SMS); the Brevo backend
# needs its key and sender, checked at start.
SMS_BACKEND = os.environ.get("SMS_BACKEND") or (
    "" if PRODUCTION else "participation.notifications.sms_backends.ConsoleBackend"
)
SMS_ENABLED = bool(SMS_BACKEND)
SMS_FILE_PATH = os.environ.get("SMS_FILE_PATH", str(BASE_DIR / "var" / "sms.jsonl"))
SMS_SENDER = os.environ.get("SMS_SENDER", "Auchel")  # 11 letters or 15 digits at most
SMS_BREVO_API_URL = os.environ.get("SMS_BREVO_API_URL", "https://api.brevo.com/v3")
SMS_BREVO_API_KEY = os.environ.get("SMS_BREVO_API_KEY", "")
if SMS_BACKEND.endswith(".BrevoBackend"):
    SMS_BREVO_API_KEY = required("SMS_BREVO_API_KEY")
    SMS_SENDER = required("SMS_SENDER")
SMS_TIMEOUT_SECONDS = envint("SMS_TIMEOUT_SECONDS", 10)
# An attempt still running after this long is taken for dead (worker killed): the sweep
# asks the provider whether it got the SMS before sending it. More than the timeout above.
SMS_CLAIM_SECONDS = envint("SMS_CLAIM_SECONDS", 120)
SMS_MAX_ATTEMPTS = envint("SMS_MAX_ATTEMPTS", 8)

# --- Security ----------------------------------------------------------------

# Read from the cache (Redis), written to both: a signed-in page does not ask PostgreSQL for
# its session; while Redis is down, sessions are read from the database. A sign-out that the
# cache could not carry out (Redis down) ends the account's sessions for good
# (participation/accounts/sessions.py).
SESSION_ENGINE = "participation.accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Staff sessions (mediators, committee, référent, administrators) end after this many minutes
# without a request of theirs (participation/accounts/idle.py); residents' are not concerned.
STAFF_IDLE_TIMEOUT_MINUTES = envint("STAFF_IDLE_TIMEOUT_MINUTES", 30)
if STAFF_IDLE_TIMEOUT_MINUTES < 1:
    raise ImproperlyConfigured("STAFF_IDLE_TIMEOUT_MINUTES must be at least 1.")
# The host's monitoring reads the errors behind /sante/ by sending this as
# `Authorization: Bearer <token>` (participation/core/health.py); empty: only signed-in staff.
HEALTH_TOKEN = os.environ.get("HEALTH_TOKEN", "")
if HEALTH_TOKEN and len(HEALTH_TOKEN) < 32:
    raise ImproperlyConfigured(
        "HEALTH_TOKEN must be at least 32 characters, e.g. the output of "
        "python -c 'import secrets; print(secrets.token_urlsafe(32))'."
    )
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# The reverse proxies whose X-Forwarded-For gives the client's address (addresses or CIDR
# blocks; participation/core/proxy.py): in production, nginx on the same machine unless
# told otherwise; in embedded mode nobody, so the header is ignored.
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES", "127.0.0.1,::1" if PRODUCTION else "")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} n'est ni une adresse IP ni un réseau (10.0.0.0/24)."
        ) from None
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Behind a TLS-terminating proxy that already redirects, this may be turned off.
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *envlist("MAP_TILE_HOSTS")],
        # fetch() to the site itself, and its own WebSockets (/ws/): no other host.
        "connect-src": ["'self'", SITE_WEBSOCKET_ORIGIN],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- API --------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "participation.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["participation.api.query.ApiFilterBackend"],
    # Every error in one French format: {"erreur": {"code", "message", "champs"}} (docs/api.md).
    "EXCEPTION_HANDLER": "participation.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API Participation Auchel — Engagements Quartiers 2030",
    "DESCRIPTION": "Référentiel du contrat de ville, événements et expressions citoyennes publiées.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "participation.api.schema.document_errors",
    ],
}

# --- Platform ---------------------------------------------------------------

# Map tiles: a URL template; empty means the map shows markers on a plain background.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
DEMO_ACCOUNTS_ENABLED = EMBEDDED
DEMO_PASSWORD = "demo-auchel-2030"  # noqa: S105 - documented public demo password
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - public demo secret
# RGPD: days after which the name, phone and email of people registered to an event or
# met in the field without an account are erased (purge_contacts, daily).
CONTACT_RETENTION_DAYS = envint("CONTACT_RETENTION_DAYS", 365)
# The commune's own details on the legal pages (mentions légales, données personnelles,
# accessibilité), one line each, set by whoever installs the platform. A page shows
# « À compléter par la commune » where one is empty (or still holds the environment
# template's « A-REMPLIR »), and ``check --deploy`` names it (participation.W003): a public
# site must not open with its publisher or its host unsaid.


def legal_detail(name: str) -> str:
    value = os.environ.get(name, "").strip()
    return "" if "A-REMPLIR" in value else value


LEGAL_DETAILS = {
    "publisher_address": legal_detail("LEGAL_PUBLISHER_ADDRESS"),
    "publisher_contact": legal_detail("LEGAL_PUBLISHER_CONTACT"),
    "host": legal_detail("LEGAL_HOST"),
    "host_log_retention": legal_detail("LEGAL_HOST_LOG_RETENTION"),
    "dpo_contact": legal_detail("LEGAL_DPO_CONTACT"),
    "accessibility_contact": legal_detail("LEGAL_ACCESSIBILITY_CONTACT"),
}
# Bursts refused per account (participation/core/ratelimit.py), as django-ratelimit rates
# (« count/period », period s, m, h or d): expressions posted online, entries of a mediator
# in the field, event registrations.
EXPRESSION_RATE_LIMIT = os.environ.get("EXPRESSION_RATE_LIMIT", "10/h")
FIELD_EXPRESSION_RATE_LIMIT = os.environ.get("FIELD_EXPRESSION_RATE_LIMIT", "300/h")
REGISTRATION_RATE_LIMIT = os.environ.get("REGISTRATION_RATE_LIMIT", "20/h")
# The committee's exports: up to this many rows streamed at once, more made by Celery
# (consultations/committee/export_jobs.py); files kept this many days.
EXPORT_INLINE_MAX_ROWS = envint("EXPORT_INLINE_MAX_ROWS", 20000)
EXPORT_RETENTION_DAYS = envint("EXPORT_RETENTION_DAYS", 7)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
