"""Settings come from the environment; with none set, the app runs embedded
(SQLite, Celery tasks executed in-process) so `make run` works on a bare machine."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def env_bool(name: str, default: bool) -> bool:
    """true/false (also 1/0, yes/no, on/off, any case); unset or empty is `default`.

    Anything else stops the start: a typo such as `SECURE_SSL_REDIRECT=ture` must not quietly
    turn a security setting off.
    """
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={os.environ[name]!r} is neither true nor false "
        f"(use one of: {', '.join(sorted(TRUE_WORDS | FALSE_WORDS))})"
    )


def env_int(name: str, default: int) -> int:
    """A whole number; unset or empty is `default`; anything else stops the start, like
    env_bool, instead of a bare ValueError from int()."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={os.environ[name]!r} is not a whole number") from None


def embedded_secret_key(path: Path) -> str:
    """Read the key from `path`, writing a new random one there first if there is none."""
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Production is a deployment with its own database; without one the app runs embedded
# (`make run` on a bare machine). Only the secure-transport defaults depend on it.
PRODUCTION = bool(os.environ.get("DATABASE_URL"))
# Never on unless asked for by name: a 500 must not show settings and tracebacks to whoever
# triggers it, embedded or not.
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise RuntimeError("SECRET_KEY must be set when DATABASE_URL is")
    # Embedded: a key made once on this machine and kept in a git-ignored file.
    SECRET_KEY = embedded_secret_key(BASE_DIR / ".secret_key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "treebeard",
    "axes",
    "csp",
    "core",
    "core.security",
    "pledges",
    "reviews",
    "publicity",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Outside CSRF and the views, so it sees every 403 and 404 they return.
    "core.security.middleware.AccessLogMiddleware",
    "core.security.middleware.NoStoreMiddleware",
    "config.middleware.ChosenLanguageMiddleware",
    # Outside the page cache: every public answer, cached or not, loses phone and ID numbers.
    "publicity.text.PublicRedactionMiddleware",
    # Cached public pages (三公开) are answered here, before sessions and authentication.
    "publicity.cache.PublicCacheMiddleware",
    # After a write, the writer's reads stay on the primary for a few seconds (core/db.py).
    "core.db.ReadYourWritesMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.security.middleware.IdleTimeoutMiddleware",
    "core.security.middleware.PasswordChangeRequiredMiddleware",
    # NUL and control characters in any GET/POST value: a Chinese 400, before any view.
    "core.middleware.ControlCharactersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a lockout into the lockout page.
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
                "django.template.context_processors.i18n",
                "pledges.context_processors.roles",
                "core.context_processors.form_token",
                "core.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        # A persistent connection the database dropped (a restart) is replaced at the start
        # of the next request instead of failing it.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Embedded: several gunicorn threads or runserver requests write at once. WAL lets readers
    # go on during a write; a write transaction takes the lock when it begins (IMMEDIATE), so
    # two never deadlock upgrading a read lock, and a busy one waits up to 20 s instead of
    # failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# Beyond one database machine (core/db.py, config/db_router.py). Reads declared lag-tolerant
# (core.db.lag_tolerant: public pages, ledgers and exports, dashboards, feeds) go to a streaming
# replica when DATABASE_REPLICA_URL is set; without one the `replica` alias is the primary's
# settings and nothing is routed to it (tests use it as a mirror of `default`). Behind PgBouncer
# in transaction mode (DATABASE_POOLER=transaction) no server-side cursor may outlive a
# transaction: both aliases do without them (core.db.stream pages large reads instead).
DATABASE_POOLER = os.environ.get("DATABASE_POOLER", "").strip().lower()
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = DATABASE_POOLER == "transaction"
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
READ_REPLICA = bool(DATABASE_REPLICA_URL)
DATABASES["replica"] = {
    **(
        dj_database_url.parse(
            DATABASE_REPLICA_URL,
            conn_max_age=env_int("CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
        if READ_REPLICA
        else DATABASES["default"]
    ),
    "DISABLE_SERVER_SIDE_CURSORS": DATABASE_POOLER == "transaction",
    "TEST": {"MIRROR": "default"},
}
DATABASE_ROUTERS = ["config.db_router.PrimaryReplicaRouter"]
# A writer reads the primary this long after a write (a signed cookie); a value cached from the
# replica is kept at most REPLICA_CACHE_SECONDS (it may be older than its version key).
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 5)
REPLICA_CACHE_SECONDS = env_int("REPLICA_CACHE_SECONDS", 60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Checked on every password a user or the office types in a form. Demo seeding sets
# `demo12345` directly, so the demo keeps working (the login page says so).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "core.security.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "core.security.validators.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First, as django-axes requires: refuses a locked-out login before the password is checked.
    "core.security.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "pledges:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve straight from the finders in development so no collectstatic is needed.
# Hashed, compressed files once `collectstatic` has run; straight from the app folders before
# (development, tests), so nothing needs collecting to start.
STATIC_COLLECTED = (BASE_DIR / "staticfiles" / "staticfiles.json").exists()
WHITENOISE_USE_FINDERS = not STATIC_COLLECTED
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Behind nginx: uploaded files go out through its internal location (core/downloads.py).
PROTECTED_MEDIA_PREFIX = os.environ.get("PROTECTED_MEDIA_PREFIX", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_COLLECTED and not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Evidence files are at most 10 MB; keep a little room for the rest of the form.
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@localhost")
# A mail server that stops answering must not hold a delivery task until its time limit.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)

# Notifications (core.notifications): the in-app inbox is always on; these channels deliver
# beyond it. SMS only once a gateway is configured, with the domain's phone lookup (a dotted
# path to a callable: list of user ids -> {user id: phone}).
# Chat-group robots (企业微信, 钉钉) once their webhook is set; DINGTALK_SECRET signs posts.
# Embedded (no REDIS_URL), mail is kept in the outbox (/notifications/outbox/), not sent.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")  # absolute links in messages
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")
NOTIFICATION_PHONE_LOOKUP = os.environ.get("NOTIFICATION_PHONE_LOOKUP", "")
WECOM_WEBHOOK_URL = os.environ.get("WECOM_WEBHOOK_URL", "")
DINGTALK_WEBHOOK_URL = os.environ.get("DINGTALK_WEBHOOK_URL", "")
DINGTALK_SECRET = os.environ.get("DINGTALK_SECRET", "")
NOTIFICATION_CHANNELS = ["core.notifications.channels.Email"]
if SMS_GATEWAY_URL:
    NOTIFICATION_CHANNELS.append("core.notifications.channels.Sms")
if WECOM_WEBHOOK_URL:
    NOTIFICATION_CHANNELS.append("core.notifications.channels.WeCom")
if DINGTALK_WEBHOOK_URL:
    NOTIFICATION_CHANNELS.append("core.notifications.channels.DingTalk")
if not os.environ.get("REDIS_URL") and "EMAIL_BACKEND" not in os.environ:
    EMAIL_BACKEND = "core.notifications.outbox.OutboxBackend"

REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": {
        # Redis down: misses and dropped writes, never an error page (core/cache.py).
        "BACKEND": "core.cache.FaultTolerantRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
# Public pages: each process keeps copies in front of Redis and reads their versions from Redis
# at most every this many seconds (publicity/cache.py says what that bounds); 0 turns it off.
# Without Redis the cache is already the process's own: off.
PUBLIC_PAGE_LOCAL_SECONDS = env_int("PUBLIC_PAGE_LOCAL_MS", 500) / 1000 if REDIS_URL else 0.0
if REDIS_URL:
    # Production: the broker's own Redis, never evicted; the cache's evicts (deploy/README.md).
    CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
    CELERY_TASK_ALWAYS_EAGER = False
else:
    # Embedded mode: tasks run in-process, no broker needed.
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
# JSON only: a task's arguments are ids and strings, and nothing unpickles what the broker holds.
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# No task may run forever: the soft limit raises inside the task, the hard one kills it.
# Notification claims go stale after 30 minutes (core.notifications.services.STALE_CLAIM).
CELERY_TASK_SOFT_TIME_LIMIT = 10 * 60
CELERY_TASK_TIME_LIMIT = 11 * 60
# Long tasks with late acks: take one at a time, so a busy worker does not hoard the queue.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
# Reminders (Asia/Shanghai): each rule decides which days it fires (core.notifications.reminders);
# the beat runs it daily over its window, so a missed day is caught up the next, and the
# notifications' unique key keeps every reminder to one.
_REMINDER_TASK = "core.notifications.reminders.send_reminders"
_REMINDER_SCHEDULES = {
    # 一月一提醒: from the 20th, ten days before the month ends.
    "monthly_progress": crontab(minute=0, hour=9, day_of_month="20-31"),
    # 一季一点评, 先报后评: from the first day of a quarter's last month; again in its last week.
    "review_owed": crontab(minute=10, hour=9, month_of_year="3,6,9,12"),
    "review_owed_last": crontab(minute=10, hour=9, month_of_year="3,6,9,12", day_of_month="23-31"),
    "self_evaluation_owed": crontab(minute=5, hour=9, month_of_year="3,6,9,12"),
    "self_evaluation_owed_last": crontab(
        minute=5, hour=9, month_of_year="3,6,9,12", day_of_month="23-31"
    ),
    # Seven days before and the day after a deadline.
    "pledge_deadline_soon": crontab(minute=30, hour=8),
    "pledge_overdue": crontab(minute=30, hour=8),
    "rectification_deadline_soon": crontab(minute=35, hour=8),
    "rectification_overdue": crontab(minute=35, hour=8),
    "letter_deadline_soon": crontab(minute=40, hour=8),
    "letter_overdue": crontab(minute=40, hour=8),
    "inspection_notice_deadline_soon": crontab(minute=45, hour=8),
    "inspection_notice_overdue": crontab(minute=45, hour=8),
    # 组织评选: the last three days before a round's nomination deadline.
    "nomination_deadline_soon": crontab(minute=50, hour=8),
    # 每月评比: the first ten days of a month, for the month before.
    "monthly_rating_due": crontab(minute=15, hour=9, day_of_month="1-10"),
    # 述职 in late November (to 10 December): the rule decides the days.
    "duty_report_due": crontab(minute=20, hour=9, month_of_year="11,12"),
    # Filing by mid-January and mid-July: the week before.
    "filing": crontab(minute=0, hour=9, month_of_year="1,7", day_of_month="8-15"),
}
CELERY_BEAT_SCHEDULE = {
    **{
        f"reminders-{kind}": {"task": _REMINDER_TASK, "schedule": schedule, "args": (kind,)}
        for kind, schedule in _REMINDER_SCHEDULES.items()
    },
    # One digest a day to each user who takes a channel as a digest (email by default).
    "notifications-digest": {
        "task": "core.notifications.digest.notifications_send_digest",
        "schedule": crontab(minute=0, hour=18),
    },
    # Failed or lost notification deliveries are tried again (never the delivered ones).
    "redeliver-notifications": {
        "task": "core.notifications.tasks.redeliver_notifications",
        "schedule": crontab(minute="*/30"),
    },
    # The worker's heartbeat for /healthz; an expired one (worker down) is dropped, not piled up.
    "worker-heartbeat": {
        "task": "core.tasks.worker_heartbeat",
        "schedule": crontab(),  # every minute
        "options": {"expires": 50},
    },
    # Exports: a job whose worker died is failed (and can be retried) within minutes; files are
    # kept 7 days and removed at night.
    "exports-fail-stale": {
        "task": "core.exports.tasks.fail_stale_exports",
        "schedule": crontab(minute="*/5"),
    },
    "exports-expire": {
        "task": "core.exports.tasks.expire_exports",
        "schedule": crontab(minute=15, hour=3),
    },
    "security-log-retention": {
        "task": "core.security.tasks.purge_security_log",
        "schedule": crontab(minute=45, hour=3),
    },
}

# Transport security. Safe in production by default (HTTPS only, secure cookies, HSTS); each
# can be set from the environment, e.g. SECURE_SSL_REDIRECT=false while TLS is being set up.
# Embedded (`make run`, plain http://127.0.0.1) all are off.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
# A load balancer's health check may speak plain http to the application hosts.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
# Behind nginx terminating TLS: SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https (only if
# the proxy sets that header itself; see deploy/).
_proxy_header = env_list("SECURE_PROXY_SSL_HEADER", "")
SECURE_PROXY_SSL_HEADER = tuple(_proxy_header) if len(_proxy_header) == 2 else None
# The client address for the security log and lockouts: the first X-Forwarded-For hop only
# behind a proxy that overwrites that header.
TRUSTED_PROXY = env_bool("TRUSTED_PROXY", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", SESSION_COOKIE_SECURE)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Sessions live in the database (Redis down logs nobody out). Idle timeout 30 minutes: the
# expiry is pushed forward at most once a minute (core/security/middleware.py).
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_REFRESH_SECONDS = 60
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS

# Login lockout (django-axes): 5 failures lock the account, and the address, for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.security.addresses.client_address"
AXES_LOCKOUT_CALLABLE = "core.security.views.locked_out"
# The security log records successful logins; axes keeps only the failures it counts.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# Content-Security-Policy: scripts only from our own static files, no inline script anywhere.
# Styles allow 'unsafe-inline' for the style="width:NN%" bars of the dashboard and Bootstrap's
# own inline styles: a style attribute cannot run script, and every value is escaped by the
# templates. data: images are Bootstrap's SVG icons (select arrows, close buttons) and QR codes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
