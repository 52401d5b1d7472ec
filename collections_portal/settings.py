"""Settings for the inkasso portal: one module, configured from the environment.

Every value a deployment may change is read from an environment variable through the typed
readers in ``collections_portal.env``; the defaults are for development on one machine with
PostgreSQL and Redis on localhost. README.md lists the variables.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)

_DEV_SECRET_KEY = "dev-only-secret-key-do-not-use-in-production-3f9c2b7e1a"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "collections_portal.admin_apps.PortalAdminConfig",  # django.contrib.admin, agency staff only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "collections_portal",
    "creditors",
    "debtors",
    "cases",
    "notices",
    "notices.delivery",
    "integrations",
    "integrations.api",
    "integrations.imports",
    "integrations.webhooks",
    "integrations.bank",
    # Sign-in throttling (see "Auth" below).
    "axes",
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
    # request.htmx: a page answers an htmx request with the fragment it replaces.
    "django_htmx.middleware.HtmxMiddleware",
    # After authentication: it needs request.user to choose the tenant scope.
    "collections_portal.tenancy.TenantScopeMiddleware",
    # After tenancy: it needs request.user to tell whose Idempotency-Key it is (API POSTs).
    "integrations.api.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "collections_portal.urls"
WSGI_APPLICATION = "collections_portal.wsgi.application"
ASGI_APPLICATION = "collections_portal.asgi.application"

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
                "collections_portal.context_processors.tenancy",
            ],
        },
    },
]

# --- Database ----------------------------------------------------------------------------
# Two roles (collections_portal/dbroles.py, README "Database roles"). DATABASE_URL is the
# application's: web, worker and beat connect as a role that owns nothing and may not change
# the append-only records. DATABASE_OWNER_URL is the owner's, for `migrate` and the test suite
# (its database name is not used: the owner connects to DATABASE_URL's database). Given only
# DATABASE_URL, its role is both, as before.
_DATABASE_URL = env_str("DATABASE_URL", "")
DATABASES = {
    "default": dj_database_url.parse(
        _DATABASE_URL or "postgres://inkasso_app:inkasso_app@localhost:5432/inkasso",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL (postgres://...).")
DATABASE_OWNER = dj_database_url.parse(
    env_str("DATABASE_OWNER_URL", "")
    or _DATABASE_URL
    or "postgres://inkasso:inkasso@localhost:5432/inkasso"
)
if DATABASE_OWNER["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_OWNER_URL must point to PostgreSQL (postgres://...).")
# PostgreSQL's JIT compiler is off for the portal's connections: it starts on a query's
# estimated cost, not its time, and the portal's pages are many short queries with
# correlated subqueries whose estimates run high. It compiled a 10,000-row export's query for
# 3.7 s that then ran in 0.2 s (bench/portal.py); DATABASE_JIT=1 turns it back on.
if not env_bool("DATABASE_JIT", False):
    for _database in (DATABASES["default"], DATABASE_OWNER):
        _options = _database.setdefault("OPTIONS", {})
        _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
# The role granted rows (not tables) after every migrate.
DATABASE_APP_ROLE = DATABASES["default"]["USER"]
DATABASES["default"].setdefault("TEST", {})["NAME"] = env_str("TEST_DATABASE_NAME", "") or None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and Celery broker -----------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "redis://localhost:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "inkasso"),
    }
}

# --- Celery ------------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "inkasso")
# A task is acknowledged only when it has finished, so a worker that dies mid-task leaves it
# on the queue for another worker; every task is therefore written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes the database connection before and after every task unless
# told to reuse it; that made every task open a new PostgreSQL connection (about 8 ms of a
# letter's render). The fixup is told to reuse for good, and collections_portal.celery closes
# old connections around each task as Django does around a request: by CONN_MAX_AGE, after
# an error, and with a health check before the first query of each task.
CELERY_DB_REUSE_MAX = 2**31
# Redis hands a message that is not acknowledged (its worker was killed, with acks_late) to
# another worker after the visibility timeout. It was an hour: a killed worker's in-flight
# letters waited that long. 15 minutes now, kept above two things, both held by
# tests/collections_portal/test_celery_limits.py:
# - every task's hard time limit: a task still running must never be handed out twice. Every
#   task stops after 10 minutes (a letter renders in about a second; SMTP, SMS and webhooks
#   have their own timeouts of seconds); only the import job runs longer, and it is safe to
#   hand out while it runs (an advisory lock: the second copy returns at once);
# - every countdown a task waits in a worker (a delivery's retry backoff, a render's retry):
#   Redis would hand such a message out again each visibility timeout while it waits.
BROKER_VISIBILITY_TIMEOUT_SECONDS = 900
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": BROKER_VISIBILITY_TIMEOUT_SECONDS}
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540  # the task gets a minute to record its failure
# Tasks allowed past the visibility timeout, because a second copy while they run is harmless.
CELERY_TASK_ANNOTATIONS = {
    "imports.process_import": {"time_limit": 6 * 3600, "soft_time_limit": 6 * 3600 - 60},
    # A large case-list export (up to a sheet's million rows); its copy meets the job's lock.
    "exports.write_case_export": {"time_limit": 2 * 3600, "soft_time_limit": 2 * 3600 - 60},
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/Copenhagen"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = False

# --- Auth --------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in throttling with django-axes (policy in collections_portal/signin.py and README.md):
# an account, and separately an address, is locked after this many failures until this many
# minutes have passed since its last failure. Its backend comes first and refuses a locked-out
# sign-in; its middleware answers with the lockout page. Every sign-in must therefore pass
# ``request`` to authenticate() (Django's forms do).
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("SIGNIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SIGNIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_ENABLE_ADMIN = False  # collections_portal/admin.py registers read-only views of them
AXES_LOCKOUT_CALLABLE = "collections_portal.signin.lockout_response"
AXES_CLIENT_IP_CALLABLE = "collections_portal.signin.client_ip"
AXES_USERNAME_CALLABLE = "collections_portal.signin.signin_username"
AXES_VERBOSE = False
# Password reset: at most one mail per e-mail address per interval, and this many requests
# per client address per period.
PASSWORD_RESET_MAIL_INTERVAL_MINUTES = env_int("PASSWORD_RESET_MAIL_INTERVAL_MINUTES", 15)
PASSWORD_RESET_ADDRESS_LIMIT = env_int("PASSWORD_RESET_ADDRESS_LIMIT", 10)
PASSWORD_RESET_ADDRESS_PERIOD_MINUTES = env_int("PASSWORD_RESET_ADDRESS_PERIOD_MINUTES", 60)

# --- Internationalisation: Danish first, English second ----------------------------------
LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
# Our own date formats per language (collections_portal/formats/): English is written the
# British way (27 Nov 2026, 27/11/2026), never Django's US default (Nov. 27, 2026, 11/27/2026).
FORMAT_MODULE_PATH = ["collections_portal.formats"]
USE_I18N = True
USE_TZ = True

# --- Static and media files --------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / env_str("STATIC_ROOT", "staticfiles")
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/pico", BASE_DIR / "node_modules" / "@picocss" / "pico" / "css"),
    # htmx (partial page updates) and Chart.js (the dashboard's charts), from npm.
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- E-mail ------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Inkassoportal <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security: strict unless DEBUG is on --------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
# Sessions live in PostgreSQL, never in the cache: Redis down must not stop sign-in or sign
# everyone out (tests/api/test_cache_down.py holds it).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- REST framework ----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "integrations.api.schema.ApiAutoSchema",
    # API keys first: its authenticate_header makes an anonymous request a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "integrations.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "integrations.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "integrations.api.pagination.ApiCursorPagination",
    "DEFAULT_THROTTLE_CLASSES": ["integrations.api.throttling.ApiKeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_key": env_str("API_RATE_LIMIT", "1200/min")},
    "EXCEPTION_HANDLER": "integrations.api.errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Inkasso portal API",
    "DESCRIPTION": (
        "REST API v1 of the inkasso portal. Authenticate with a creditor's API key: "
        "`Authorization: Bearer ink_...`. POSTs that create take an `Idempotency-Key` header."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs page's JavaScript and CSS come from our own static files, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "CaseStateEnum": "cases.models.CaseState",
        "PaymentMethodEnum": "cases.models.PaymentMethod",
        "NoticeKindEnum": "notices.models.NoticeKind",
        "NoticeStatusEnum": "notices.models.NoticeStatus",
        "DebtorKindEnum": "debtors.models.DebtorKind",
        "WebhookDeliveryStatusEnum": "integrations.webhooks.models.DeliveryStatus",
        "BankFileStatusEnum": "integrations.bank.models.BankFileStatus",
        "BankEntryStatusEnum": "integrations.bank.models.EntryStatus",
        "UnmatchedPaymentStatusEnum": "integrations.bank.models.UnmatchedStatus",
        # The workspace API: a contact's outcome beside a dispute's.
        "ContactOutcomeEnum": "cases.models.ContactOutcome",
        "DisputeOutcomeEnum": "cases.models.Dispute.Outcome",
    },
}

# --- REST API: idempotency and uploads ------------------------------------------------------
# How long the first response to an Idempotency-Key is kept for replay.
API_IDEMPOTENCY_TTL_HOURS = env_int("API_IDEMPOTENCY_TTL_HOURS", 24)
# The largest document accepted on a case (bytes).
CASE_DOCUMENT_MAX_BYTES = env_int("CASE_DOCUMENT_MAX_BYTES", 20 * 1024 * 1024)
# Exact look-ups of a debtor by CPR/CVR number a person (or an API key) may make per hour.
NATIONAL_ID_LOOKUPS_PER_HOUR = env_int("NATIONAL_ID_LOOKUPS_PER_HOUR", 30)

# --- Letters: rendering notices to PDF ---------------------------------------------------
# The agency's identity: the sender of every letter once a case is in collection (before that
# the creditor writes in its own name). Nothing here is shown through the envelope's window.
AGENCY_NAME = env_str("AGENCY_NAME", "Inkassoportal ApS")
AGENCY_CVR = env_str("AGENCY_CVR", "")
AGENCY_ADDRESS_LINE = env_str("AGENCY_ADDRESS_LINE", "")
AGENCY_POSTAL_CODE = env_str("AGENCY_POSTAL_CODE", "")
AGENCY_CITY = env_str("AGENCY_CITY", "")
AGENCY_PHONE = env_str("AGENCY_PHONE", "")
AGENCY_EMAIL = env_str("AGENCY_EMAIL", "")
AGENCY_WEBSITE = env_str("AGENCY_WEBSITE", "")
AGENCY_LOGO = env_str("AGENCY_LOGO", "")  # a file path; empty: the name in type
# The client account the settlements are paid out from (the payout's pain.001 file): an IBAN,
# or a Danish registration number and account number.
AGENCY_BANK_IBAN = env_str("AGENCY_BANK_IBAN", "")
AGENCY_BANK_REG = env_str("AGENCY_BANK_REG", "")
AGENCY_BANK_ACCOUNT = env_str("AGENCY_BANK_ACCOUNT", "")
AGENCY_BANK_BIC = env_str("AGENCY_BANK_BIC", "")
# A preview is rendered by a worker while the browser waits, at most this many seconds.
NOTICES_PREVIEW_TIMEOUT = env_int("NOTICES_PREVIEW_TIMEOUT", 60)
# Notices still pending this many minutes after they were made are queued again (a broker that
# was down at commit time must not leave a letter unrendered).
NOTICES_REQUEUE_AFTER_MINUTES = env_int("NOTICES_REQUEUE_AFTER_MINUTES", 10)
# Days after a promised date before an unpaid promise to pay counts as broken: a payment made
# on the day reaches the agency's account a bank day or two later.
PROMISE_GRACE_DAYS = env_int("PROMISE_GRACE_DAYS", 3)

# --- Notice delivery (notices.delivery, integrations.gateways) ---------------------------
# E-mail goes through the EMAIL_* settings above, from this address (default: the address of
# DEFAULT_FROM_EMAIL) with the creditor's name shown; the timeout bounds one SMTP conversation.
DELIVERY_FROM_EMAIL = env_str("DELIVERY_FROM_EMAIL", "")
DELIVERY_EMAIL_TIMEOUT = env_int("DELIVERY_EMAIL_TIMEOUT", 30)
# SMS through an HTTP gateway (JSON POST with a bearer token). Empty URL: the channel reports
# "not configured" and the delivery falls back to the policy's next channel.
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = env_str("SMS_GATEWAY_TOKEN", "")
SMS_SENDER = env_str("SMS_SENDER", "Betaling")  # shown on the phone: never "inkasso"
SMS_GATEWAY_TIMEOUT = env_int("SMS_GATEWAY_TIMEOUT", 10)
# Digital post (e-Boks style): submission files are written to this directory, which the
# provider's transfer agent picks up. Empty: not configured, the delivery falls back.
DIGITAL_POST_OUTBOX = env_str("DIGITAL_POST_OUTBOX", "")
# Retries of temporary failures: exponential backoff from the base, at most this many tries
# per channel before the delivery counts as failed and the next channel is tried.
DELIVERY_MAX_ATTEMPTS = env_int("DELIVERY_MAX_ATTEMPTS", 5)
DELIVERY_RETRY_BASE_SECONDS = env_int("DELIVERY_RETRY_BASE_SECONDS", 60)
DELIVERY_RETRY_MAX_SECONDS = env_int("DELIVERY_RETRY_MAX_SECONDS", 600)
# A retry waits in a worker for its countdown: past the visibility timeout Redis would hand it
# out again (and again), so a longer backoff is refused at start.
if DELIVERY_RETRY_MAX_SECONDS >= BROKER_VISIBILITY_TIMEOUT_SECONDS:
    raise ImproperlyConfigured(
        f"DELIVERY_RETRY_MAX_SECONDS must be below {BROKER_VISIBILITY_TIMEOUT_SECONDS} "
        "(the broker's visibility timeout)."
    )
# Rendering is CPU-bound (WeasyPrint), sending waits on providers: a deployment may give
# delivery its own queue and workers. Empty (the default): delivery tasks go to the default
# queue, so one worker does both.
DELIVERY_QUEUE = env_str("DELIVERY_QUEUE", "")
if DELIVERY_QUEUE:
    CELERY_TASK_ROUTES = {"delivery.*": {"queue": DELIVERY_QUEUE}}
# Open print batches are closed and composed into one print file daily at this hour.
PRINT_BATCH_CLOSE_HOUR = env_int("PRINT_BATCH_CLOSE_HOUR", 14)

# --- Bulk imports (integrations/imports) ------------------------------------------------
# Rows per transaction of an import job: the unit of progress and of resuming after a crash.
IMPORT_CHUNK_ROWS = env_int("IMPORT_CHUNK_ROWS", 10_000)
# The largest upload accepted, in bytes (100,000 invoices as JSON take about 40 MB).
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 200 * 1024 * 1024)
# Minutes a job may stay queued, or running without committing a chunk, before beat's sweep
# queues it again (the broker was down when it was uploaded, or its worker died).
IMPORT_STALE_MINUTES = env_int("IMPORT_STALE_MINUTES", 10)
# A case-list export of more rows than this runs as a background job with a download link
# (integrations/imports/exports.py); a smaller one is answered at once.
CASE_EXPORT_BACKGROUND_ROWS = env_int("CASE_EXPORT_BACKGROUND_ROWS", 10_000)

# --- Webhooks ----------------------------------------------------------------------------
# Outgoing webhooks (integrations/webhooks). Endpoints must be https and resolve to public
# addresses only; development and tests may allow http and private/loopback hosts.
WEBHOOKS_ALLOW_PRIVATE_HOSTS = env_bool("WEBHOOKS_ALLOW_PRIVATE_HOSTS", False)
WEBHOOKS_CONNECT_TIMEOUT_SECONDS = env_int("WEBHOOKS_CONNECT_TIMEOUT_SECONDS", 5)
WEBHOOKS_TIMEOUT_SECONDS = env_int("WEBHOOKS_TIMEOUT_SECONDS", 10)

# --- Notification e-mails (cases.notifications) -----------------------------------------
# The portal's address as people open it, for the links in notification e-mails.
PORTAL_URL = env_str("PORTAL_URL", "http://localhost:8000").rstrip("/")
# An agency inbox that gets every message a creditor writes on a case (empty: none); agency
# staff following the case (its assigned agent, those who wrote on it) get it by their choice.
AGENCY_MESSAGES_EMAIL = env_str("AGENCY_MESSAGES_EMAIL", "")
# Hour (Copenhagen) of the daily digest of what happened since the last one.
NOTIFICATION_DIGEST_HOUR = env_int("NOTIFICATION_DIGEST_HOUR", 7)

# --- Scheduled work (Celery beat) --------------------------------------------------------
# Every periodic task, in one place. django-celery-beat's DatabaseScheduler copies this into
# its tables at start.
CELERY_BEAT_SCHEDULE = {
    # The lifecycle: advance what is due; warn well before a claim is time-barred.
    "advance-due-cases": {"task": "cases.advance_due_cases", "schedule": 60.0},
    "flag-approaching-limitation": {
        "task": "cases.flag_approaching_limitation",
        "schedule": crontab(hour=6, minute=0),
    },
    # Settlements: on the 1st, each creditor whose period ended yesterday is settled.
    "bank-settlements": {
        "task": "bank.run_settlements",
        "schedule": crontab(day_of_month=1, hour=3, minute=0),
    },
    # Reconciliation: every day, received = paid out + revenue + refunds + held.
    "bank-reconcile": {
        "task": "bank.reconcile",
        "schedule": crontab(hour=5, minute=30),
    },
    # Bank files stuck in processing are queued again.
    "bank-requeue-stale-files": {
        "task": "bank.requeue_stale_files",
        "schedule": 300.0,
    },
    # Idempotency keys past API_IDEMPOTENCY_TTL_HOURS are forgotten.
    "api-idempotency-cleanup": {
        "task": "api.idempotency_cleanup",
        "schedule": crontab(minute=17),
    },
    # Notices still pending after NOTICES_REQUEUE_AFTER_MINUTES are queued again.
    "render-pending-notices": {
        "task": "notices.requeue_pending_notices",
        "schedule": 300.0,
    },
    # Delivery work whose message was lost (the broker down when it was queued) is queued
    # again: notices rendered but never delivered, retries gone missing, print batches never
    # composed.
    "delivery-requeue-stalled": {
        "task": "delivery.requeue_stalled",
        "schedule": 300.0,
    },
    "close-print-batches": {
        "task": "delivery.close_print_batches",
        "schedule": crontab(hour=PRINT_BATCH_CLOSE_HOUR, minute=0),
    },
    # Import jobs stale for IMPORT_STALE_MINUTES are queued again.
    "imports-requeue-stale-jobs": {
        "task": "imports.requeue_stale_jobs",
        "schedule": 120.0,
    },
    # Case-list exports with no sign of life for IMPORT_STALE_MINUTES are queued again.
    "exports-requeue-stale": {
        "task": "exports.requeue_stale",
        "schedule": 120.0,
    },
    # Webhook deliveries waiting for a retry are picked up by this sweep (SKIP LOCKED, batches).
    "webhooks-send-due-deliveries": {
        "task": "webhooks.send_due_deliveries",
        "schedule": 60.0,
    },
    # Hourly: credit-bureau decision work items for warned cases now eligible, deletions of
    # registrations whose data turns five years old, and submissions still waiting queued again.
    # Daily: one digest e-mail per person of the events they chose "in a daily digest" for.
    "notification-digests": {
        "task": "cases.send_notification_digests",
        "schedule": crontab(hour=NOTIFICATION_DIGEST_HOUR, minute=0),
    },
    "credit-bureau-sweep": {
        "task": "cases.credit_bureau_sweep",
        "schedule": crontab(minute=40),
    },
}

# --- Credit-bureau registration (cases.services.credit_bureau, integrations.credit_bureau) ---
# The bureau's JSON API (registrations and deletions, bearer token, Idempotency-Key); when
# empty, record files are written to the outbox directory for the bureau's transfer agent.
# Neither set: submissions wait (pending) until one is.
CREDIT_BUREAU_URL = env_str("CREDIT_BUREAU_URL", "")
CREDIT_BUREAU_TOKEN = env_str("CREDIT_BUREAU_TOKEN", "")
CREDIT_BUREAU_TIMEOUT = env_int("CREDIT_BUREAU_TIMEOUT", 10)
CREDIT_BUREAU_OUTBOX = env_str("CREDIT_BUREAU_OUTBOX", "")

# --- Logging -----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools report every rendering step at INFO: only their warnings count.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-axes reports every sign-in at INFO; they are recorded in the database instead.
        "axes": {"level": "WARNING"},
    },
}
