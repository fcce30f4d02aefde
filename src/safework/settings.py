"""safework settings, read from environment variables only (DESIGN.md, Configuration).

The embedded default (no variables set) runs on a SQLite file and a SQLite Huey queue under
SAFEWORK_DATA_DIR, and generates its own secret keys there. Production mode
(SAFEWORK_ENV=production) refuses to start without the secrets.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent

ENV = os.environ.get("SAFEWORK_ENV", "development").strip().lower()
if ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured(f"SAFEWORK_ENV must be development, production or test, not {ENV!r}")
PRODUCTION = ENV == "production"
TESTING = ENV == "test"

DATA_DIR = Path(os.environ.get("SAFEWORK_DATA_DIR", "var")).resolve()


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def _trusted_proxies(raw: str) -> tuple:
    import ipaddress

    networks = []
    for item in filter(None, (part.strip() for part in raw.split(","))):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"SAFEWORK_TRUSTED_PROXIES: {item!r} is not an IP address or network"
            ) from None
    return tuple(networks)


def _env_days(name: str) -> frozenset:
    """Dates from a variable like ``2027-01-01,2027-02-05..2027-02-11`` (ranges inclusive)."""
    from datetime import date, timedelta

    days = set()
    for item in filter(None, (part.strip() for part in os.environ.get(name, "").split(","))):
        try:
            first, _, last = item.partition("..")
            start, end = date.fromisoformat(first), date.fromisoformat(last or first)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not a date (YYYY-MM-DD) or range (YYYY-MM-DD..YYYY-MM-DD)"
            ) from None
        if end < start or (end - start).days > 366:
            raise ImproperlyConfigured(f"{name}: {item!r} is not a range of up to a year")
        days.update(start + timedelta(days=n) for n in range((end - start).days + 1))
    return frozenset(days)


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def _secret(name: str, generate) -> str:
    """A secret from the environment; in production it must be set, otherwise it is
    generated once and kept under SAFEWORK_DATA_DIR so restarts keep sessions and data."""
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(
            f"{name} is not set. A production start (SAFEWORK_ENV=production) needs it; "
            f"see README, Configuration."
        )
    path = DATA_DIR / "secrets" / name.lower()
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = generate()
    path.write_text(value)
    path.chmod(0o600)
    return value


SECRET_KEY = _secret("SAFEWORK_SECRET_KEY", lambda: secrets.token_urlsafe(50))
if PRODUCTION and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured(
        "SAFEWORK_SECRET_KEY is too short or too simple (at least 50 random characters); "
        "make one with `python -c 'import secrets; print(secrets.token_urlsafe(50))'`"
    )
# Comma-separated Fernet keys; the first encrypts, all decrypt (key rotation).
FIELD_KEYS = [
    k.strip()
    for k in _secret("SAFEWORK_FIELD_KEY", lambda: Fernet.generate_key().decode()).split(",")
    if k.strip()
]
for _key in FIELD_KEYS:
    try:
        Fernet(_key)
    except ValueError:
        raise ImproperlyConfigured(
            "SAFEWORK_FIELD_KEY must be one or more comma-separated Fernet keys "
            "(32 url-safe base64-encoded bytes); make one with "
            "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`"
        ) from None

DEBUG = _env_bool("SAFEWORK_DEBUG", not PRODUCTION and not TESTING)
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get(
        "SAFEWORK_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver"
    ).split(",")
    if h.strip()
]
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "SAFEWORK_ALLOWED_HOSTS is not set. A production start needs the host names "
        "the site is served under, comma-separated."
    )
# Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For is
# believed: the client is the right-most address in it that is not one of them. Without it
# the client is REMOTE_ADDR, which a client cannot forge.
TRUSTED_PROXIES = _trusted_proxies(os.environ.get("SAFEWORK_TRUSTED_PROXIES", ""))
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("SAFEWORK_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "huey.contrib.djhuey",
    "ninja",
    "safework.core",
    "safework.accounts",
    "safework.audit",
    "safework.certificates",
    "safework.people",
    "safework.alerts",
    "safework.access",
    "safework.approvals",
    "safework.contractors",
    "safework.permits",
    "safework.evidence",
    "safework.dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "safework.core.middleware.RequestContextMiddleware",
    "safework.core.middleware.RejectNulMiddleware",
    "safework.core.middleware.OutOfRangeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "safework.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "safework.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "safework.urls"
WSGI_APPLICATION = "safework.wsgi.application"

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
                "django.template.context_processors.i18n",
                "safework.core.context_processors.role",
            ],
        },
    }
]


def _database() -> dict:
    url = os.environ.get("SAFEWORK_DATABASE_URL", "").strip()
    if url:
        import dj_database_url

        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        if config["ENGINE"] == "django.db.backends.sqlite3":
            return _sqlite(config["NAME"])
        if config["ENGINE"] != "django.db.backends.postgresql":
            raise ImproperlyConfigured(
                "SAFEWORK_DATABASE_URL must be a postgres:// or sqlite:// URL"
            )
        # No JIT: it compiled for 0.1-1 s before the dashboard's aggregates (issue 10), more
        # than they take to run at 100,000 people.
        options = ["-c jit=off"]
        if TESTING:
            # A test run needs no durability: commits without waiting for the WAL flush
            # (the suite's transactional tests commit thousands of times).
            options.append("-c synchronous_commit=off")
        config.setdefault("OPTIONS", {})["options"] = " ".join(options)
        # Server-side prepared statements for the gate check's statements (core/sql.py);
        # Django's own queries bind on the client and never prepare.
        if _env_bool("SAFEWORK_DB_PREPARE", True):
            config["OPTIONS"]["prepare_threshold"] = 1
        return config
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return _sqlite(DATA_DIR / "safework.sqlite3")


def _sqlite(name) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": name,
        # A file, not memory, so that tests can reach it from other processes.
        "TEST": {"NAME": str(DATA_DIR / f"test-safework-{os.getpid()}.sqlite3")},
        "OPTIONS": {
            # WAL lets gunicorn workers and the Huey consumer read while one writes;
            # IMMEDIATE transactions take the write lock up front so two writers wait
            # (busy timeout) instead of failing with "database is locked" mid-transaction.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("SAFEWORK_REDIS_URL", "").strip()
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": os.environ.get("SAFEWORK_HUEY_NAME", "safework"),
        "url": REDIS_URL,
        "immediate": False,
        "utc": True,
        "consumer": {"workers": _env_int("SAFEWORK_WORKERS", 2), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "safework",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": False,
        "utc": True,
        "consumer": {"workers": _env_int("SAFEWORK_WORKERS", 2), "worker_type": "thread"},
    }
if TESTING and not _env_bool("SAFEWORK_TEST_REAL_QUEUE", False):
    HUEY["immediate"] = True

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "safework.accounts.passwords.CharacterClassesValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"
SESSION_COOKIE_AGE = _env_int("SAFEWORK_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Idle timeout: every request pushes the expiry forward, an unattended session ends.
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True

AXES_FAILURE_LIMIT = _env_int("SAFEWORK_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_ENABLED = not TESTING or _env_bool("SAFEWORK_TEST_AXES", False)
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
# Lockouts count the same client address as the audit trail and the rate limits.
AXES_CLIENT_IP_CALLABLE = "safework.core.middleware.client_ip"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
PHOTO_MAX_BYTES = _env_int("SAFEWORK_PHOTO_MAX_BYTES", 8 * 1024 * 1024)


def _email(url: str) -> dict:
    """SAFEWORK_EMAIL_URL: smtp://user:pass@host:port?tls=1&from=addr, or console:// ."""
    if not url:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parsed = urlparse(url)
    if parsed.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parsed.scheme not in {"smtp", "smtps"}:
        raise ImproperlyConfigured(
            "SAFEWORK_EMAIL_URL must start with smtp://, smtps:// or console://"
        )
    query = parse_qs(parsed.query)
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname or "localhost",
        "EMAIL_PORT": parsed.port or (465 if parsed.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_SSL": parsed.scheme == "smtps",
        "EMAIL_USE_TLS": query.get("tls", ["0"])[0] in {"1", "true"},
        "DEFAULT_FROM_EMAIL": query.get("from", ["safework@localhost"])[0],
        "EMAIL_TIMEOUT": 10,
    }


globals().update(_email(os.environ.get("SAFEWORK_EMAIL_URL", "").strip()))

# Certificate status "expiring" covers this many days ahead (the largest warning threshold).
EXPIRY_WARNING_DAYS = _env_int("SAFEWORK_EXPIRY_WARNING_DAYS", 30)

# Gate access (issue 5). Badge signing keys "kid[:secret],...": the first signs, all
# verify; a kid without a secret is derived from SECRET_KEY (default "k1"). Parsed
# strictly at start-up by safework.access.keys.
BADGE_KEYS = os.environ.get("SAFEWORK_BADGE_KEYS", "").strip()
# Where phones reach the public badge page (the QR code's URL); default: the request's host.
BADGE_BASE_URL = os.environ.get("SAFEWORK_BADGE_BASE_URL", "").strip().rstrip("/")
BADGE_PAGE_RATE = _env_int("SAFEWORK_BADGE_PAGE_RATE", 30)  # views per client and minute
# Each gunicorn worker moves the loaded application out of the garbage collector's reach
# (safework/wsgi.py).
GC_FREEZE = _env_bool("SAFEWORK_GC_FREEZE", True)
# Gate events commit without waiting for the WAL flush (PostgreSQL), see access.services.
GATE_ASYNC_COMMIT = _env_bool("SAFEWORK_GATE_ASYNC_COMMIT", True)
# An entry without a later exit counts as on site for at most this long.
GATE_PRESENCE_HOURS = _env_int("SAFEWORK_GATE_PRESENCE_HOURS", 24)

# Alerts (issue 4): outbox delivery. Dead after ALERTS_MAX_ATTEMPTS; a failed attempt waits
# BACKOFF x 2^(n-1) seconds (capped); a worker's claim on a message lasts LEASE seconds
# (longer than any send: HTTP_TIMEOUT), after which a killed worker's message is due again.
ALERTS_MAX_ATTEMPTS = _env_int("SAFEWORK_ALERTS_MAX_ATTEMPTS", 10)
ALERTS_BACKOFF_SECONDS = _env_int("SAFEWORK_ALERTS_BACKOFF_SECONDS", 60)
ALERTS_BACKOFF_MAX_SECONDS = _env_int("SAFEWORK_ALERTS_BACKOFF_MAX_SECONDS", 6 * 3600)
ALERTS_LEASE_SECONDS = _env_int("SAFEWORK_ALERTS_LEASE_SECONDS", 300)
ALERTS_HTTP_TIMEOUT = _env_int("SAFEWORK_ALERTS_HTTP_TIMEOUT", 10)
# A scan after missed days still sends a lapse notice for what lapsed up to this many
# days ago (the single most urgent warning), not for what lapsed long before.
ALERTS_CATCH_UP_DAYS = _env_int("SAFEWORK_ALERTS_CATCH_UP_DAYS", 7)
ALERTS_DELIVER_ON_COMMIT = _env_bool("SAFEWORK_ALERTS_DELIVER_ON_COMMIT", True)
# Links in emails and robot messages point here, e.g. https://safework.example.com
SITE_URL = os.environ.get("SAFEWORK_SITE_URL", "").strip().rstrip("/")


# Permit evidence (issue 9). Keyframes kept ≥ 90 days (never below); 特级 hot-work video
# ≥ 1 month and permits with their report packages ≥ 1 year (GB 30871-2022 B.3, 5.2.11).
def _retention(name: str, default: int, minimum: int, what: str) -> int:
    days = _env_int(name, default)
    if days < minimum:
        raise ImproperlyConfigured(
            f"{name}={days} is below the minimum of {minimum} days for {what}; "
            f"retention can only be raised."
        )
    return days


EVIDENCE_KEYFRAME_RETENTION_DAYS = _retention(
    "SAFEWORK_KEYFRAME_RETENTION_DAYS", 90, 90, "camera keyframes"
)
# B.3 asks a month of 特级 video; the monthly self-check (issue 10, item 5) asks video and
# frames for 90 days, so 90 is the default and 30 the floor.
EVIDENCE_VIDEO_RETENTION_DAYS = _retention(
    "SAFEWORK_VIDEO_RETENTION_DAYS", 90, 30, "special-class hot-work video (B.3)"
)
EVIDENCE_PACK_RETENTION_DAYS = _retention(
    "SAFEWORK_PACK_RETENTION_DAYS", 365, 365, "permits and report packages (B.3)"
)
# GB 30871 5.1.1 rest days beyond chinese-calendar's data (permits/rules/holidays.py): the
# State Council's notice for a year the installed package does not cover yet.
PERMITS_REST_DAYS = _env_days("SAFEWORK_REST_DAYS")
PERMITS_WORK_DAYS = _env_days("SAFEWORK_WORK_DAYS")
EVIDENCE_KEYFRAME_INTERVAL_MINUTES = _env_int("SAFEWORK_KEYFRAME_INTERVAL_MINUTES", 10)
if not 1 <= EVIDENCE_KEYFRAME_INTERVAL_MINUTES <= 60:
    raise ImproperlyConfigured("SAFEWORK_KEYFRAME_INTERVAL_MINUTES must be between 1 and 60")
# Continuous recording: each segment lasts this long; a camera read gives up after the timeout.
EVIDENCE_SEGMENT_SECONDS = _env_int("SAFEWORK_SEGMENT_SECONDS", 60)
EVIDENCE_CAMERA_TIMEOUT_SECONDS = _env_int("SAFEWORK_CAMERA_TIMEOUT_SECONDS", 10)
if not 5 <= EVIDENCE_SEGMENT_SECONDS <= 3600:
    raise ImproperlyConfigured("SAFEWORK_SEGMENT_SECONDS must be between 5 and 3600")
if not 1 <= EVIDENCE_CAMERA_TIMEOUT_SECONDS <= 120:
    raise ImproperlyConfigured("SAFEWORK_CAMERA_TIMEOUT_SECONDS must be between 1 and 120")

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _env_bool("SAFEWORK_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = _env_int("SAFEWORK_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SAFEWORK_LOG_LEVEL", "INFO")},
    # huey's consumer installs its own handler; do not print its lines twice.
    "loggers": {"axes": {"level": "WARNING"}, "huey": {"propagate": False}},
}

NINJA_PAGINATION_PER_PAGE = 50

# Covering indexes (INCLUDE columns) speed up PostgreSQL; SQLite ignores the extra columns
# and says so on every command. Nothing to act on.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
