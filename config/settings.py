"""Settings for the developmental-skills tracker.

One file, configured through environment variables. The defaults are safe for
production (DEBUG off, secure cookies, HSTS); `make run` turns DEBUG on for a
developer's machine. Test settings live in `config/test_settings.py`.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no setting, refusing anything that is not clearly one or the other."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}.")


def env_int(name: str, default: int) -> int:
    """Read a whole-number setting, refusing anything else."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated list setting."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (50+ random characters) when DJANGO_DEBUG is off.")
    SECRET_KEY = "development-only-key-never-used-in-production-0123456789abcdefghij"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # The staff admin (config/staff.py) on a site of its own: no autodiscovery onto Django's default site.
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "accounts",
    "tracker",
]

MIDDLEWARE = [
    # Before everything: a load balancer's probe every second touches no session, cookie or audit trail,
    # and is answered over plain HTTP by the server's address (config/health.py).
    "config.health.HealthCheckMiddleware",
    # One log line per request with its id, status and the user's id, nothing a person typed (config/logs.py).
    "config.logs.RequestLogMiddleware",
    # First: nothing after it may store a header holding a NUL byte (PostgreSQL refuses them).
    "config.middleware.StripNulFromHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Right after WhiteNoise, which answers static files itself (already compressed, with their own .gz):
    # pages, SVG charts and JSON go out gzipped to a browser that asks (issue 14). After every middleware
    # and view that writes the body, so the page cache's bytes and the CSRF swap are compressed as sent.
    # Why BREACH does not apply here: docs/security.md, "Compression".
    "config.middleware.GZipTextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second step (accounts/two_factor.py).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "config.middleware.NoStoreForSignedInMiddleware",
    # After authentication and messages, and inside the header middleware so its log-in redirect
    # carries CSP and frame headers too: logs out idle or too-old sessions, with a message.
    "accounts.middleware.SessionTimeoutMiddleware",
    # After the timeout: a session that owes the second step of log-in, or a therapist who must set it up,
    # is sent to do it before any other page.
    "accounts.two_factor.TwoFactorMiddleware",
    # A form that was kept when its session expired, posted again and accepted, is deleted.
    "accounts.kept.KeptFormMiddleware",
    # django-axes wants to be last so it sees the final response of a login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.session_limits",
            ],
        },
    },
]

# SQLite by default (zero set-up). WAL lets readers work while one writer
# writes; IMMEDIATE transactions take the write lock at BEGIN so two writers
# queue on the busy timeout instead of failing with "database is locked".
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    # django-axes first so a locked-out login never reaches the password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    # Django's, compared with our user's `email` and `name` (it has no first_name/last_name).
    {"NAME": "accounts.validators.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 4096}},
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "tracker:child_list"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions live in the database so several app servers can share them.
SESSION_ENGINE = "accounts.sessions"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12)
# Signed-in sessions end after SESSION_IDLE_TIMEOUT seconds without a request
# and SESSION_ABSOLUTE_LIMIT seconds after log-in (accounts/middleware.py).
# 30 minutes idle: clinics share computers, and a record left open on one is
# open to the next person; a parent re-typing a password now and then is the
# smaller cost. 12 hours: one working day, so no session outlives a shift.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_ABSOLUTE_LIMIT = env_int("SESSION_ABSOLUTE_LIMIT", 12 * 60 * 60)
if SESSION_IDLE_TIMEOUT <= 0 or SESSION_ABSOLUTE_LIMIT <= 0:
    raise ImproperlyConfigured("SESSION_IDLE_TIMEOUT and SESSION_ABSOLUTE_LIMIT must be positive numbers of seconds.")
# The session token goes to the inviter's own browser only through the session.
MESSAGE_STORAGE = "config.messages.RecentSessionStorage"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # django-redis: one kept client per Redis server per process (config/cache.py says why that matters).
    CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Shared by every app process, unlike the per-process memory cache.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "django_cache"}}
# Each worker also keeps up to this many bytes of drawn pages and charts in memory (config.cache.DrawnCache).
DRAWN_CACHE_WORKER_BYTES = env_int("DRAWN_CACHE_WORKER_BYTES", 16 * 1024 * 1024)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap comes from the npm registry (package-lock.json), never a copy.
    ("bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Where `manage.py backup` writes by default (docs/security.md: backup, restore, retention).
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", BASE_DIR / "backups"))
# /health/ready fails when the disk holding BACKUP_DIR has less free space than this (a backup is about
# the size of the database).
BACKUP_MIN_FREE_MB = env_int("BACKUP_MIN_FREE_MB", 1024)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Skills tracker <no-reply@localhost>")

INVITATION_VALID_FOR = timedelta(days=7)

# PDF progress reports (tracker/reports/): an optional clinic name and logo for the therapist report's
# header. The logo is a local PNG, JPEG or SVG file the renderer may read (nothing is fetched from a network).
REPORT_CLINIC_NAME = os.environ.get("REPORT_CLINIC_NAME", "")
REPORT_CLINIC_LOGO = os.environ.get("REPORT_CLINIC_LOGO", "")
# Report share links: valid this long unless the family chooses otherwise, and never longer than the maximum.
REPORT_SHARE_DEFAULT_DAYS = 14
REPORT_SHARE_MAX_DAYS = 90

# Two-factor authentication (accounts/two_factor.py, django-otp). Therapists hold many children's
# records: in production they must set it up before seeing any child. Off by default with DEBUG on.
REQUIRE_2FA_FOR_THERAPISTS = env_bool("REQUIRE_2FA_FOR_THERAPISTS", not DEBUG)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Skills tracker")
# Background jobs (reminders and digests): Django's Tasks API, queued in the database
# (README "Background jobs"; docs/deployment.md for workers and the scheduler).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# The address links in emails start with: the app itself (every page there needs a log-in).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "").rstrip("/")

# django-axes: lock after repeated failures, counted per email typed (so
# rotating X-Forwarded-For cannot reset it) and per client address (so one
# address cannot spray passwords across many accounts).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# The login form hands axes the address as `email` (lower-cased): see EmailAuthenticationForm.
AXES_USERNAME_FORM_FIELD = "email"
# The client address is the socket's unless a trusted proxy is configured:
# a header a client can write must not pick the address that is counted.
AXES_IPWARE_META_PRECEDENCE_ORDER = env_list("AXES_CLIENT_IP_HEADERS", ["REMOTE_ADDR"])
# A success must not wipe failures against other accounts from the same address (django-axes would
# delete every attempt matching the username OR the address): accounts.lockout clears only the
# signed-in account's own failures.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

# Content-Security-Policy: only our own scripts and styles, nothing inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [NONE],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
    # Only behind a proxy that sets this header itself and strips it from clients.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Plain text lines by default, JSON lines with LOG_FORMAT=json; every record scrubbed of names, notes and
# emails wherever it comes from (config/logs.py, README "Logs").
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower() or "text"
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json; got {LOG_FORMAT!r}.")
LOGGING_CONFIG = "config.logs.configure"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub": {"()": "config.logs.ScrubFilter"}},
    "formatters": {"text": {"()": "config.logs.TextFormatter"}, "json": {"()": "config.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["scrub"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console and mail handlers go: everything reaches the one handler above, scrubbed.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # runserver's own line per request repeats ours (without the id or user): only its warnings and errors.
        "django.server": {"handlers": [], "level": "WARNING", "propagate": True},
    },
}

# Errors to an error tracker (Sentry's SDK) only when SENTRY_DSN is set: no personal data, every event
# scrubbed as the logs are (config/error_tracker.py). Not even imported otherwise.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "").strip()
if SENTRY_DSN:
    from config.error_tracker import start as start_error_tracker

    start_error_tracker(SENTRY_DSN, environment=os.environ.get("SENTRY_ENVIRONMENT", "production"))
