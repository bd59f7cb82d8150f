"""The one settings module: everything that differs between deployments comes from the environment."""

import os
import re
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean strictly: 'true' or 'false' (any case); anything else is an error, not a guess."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value not in ("true", "false"):
        raise ImproperlyConfigured(f"{name} must be 'true' or 'false', not {raw!r}")
    return value == "true"


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# Words that mark a key copied from an example rather than made for this deployment.
PLACEHOLDER_KEY_WORDS = ("change", "replace", "example", "placeholder", "insecure", "your-secret", "secret-key")


def secret_key_problem(key: str) -> str | None:
    """Why `key` may not sign a production deployment's sessions, or None. As Django's deploy check (security.W009)
    asks, at least 50 characters, 5 of them different, and not one of startproject's; and no placeholder."""
    lowered = key.lower()
    if key == DEV_SECRET_KEY:
        return "it is the development key"
    if lowered.startswith("django-insecure-"):
        return "it is a key made by startproject for development"
    for word in PLACEHOLDER_KEY_WORDS:
        if word in lowered:
            return f"it holds “{word}”: it is a placeholder, not a key"
    if len(key) < 50 or len(set(key)) < 5:
        return "it is shorter than 50 characters or has fewer than 5 different ones"
    return None


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY") or DEV_SECRET_KEY
if not DEBUG and (problem := secret_key_problem(SECRET_KEY)):
    raise ImproperlyConfigured(
        f"Set SECRET_KEY to a long random value: DEBUG is off and {problem}. "
        "Make one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials.apps.SimpleAppConfig",
    "simple_history",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "annotator",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "annotator.middleware.private_pages",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its own answer.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"

TEMPLATE_FILES = ["django.template.loaders.filesystem.Loader", "django.template.loaders.app_directories.Loader"]
TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "annotator.context_processors.annotator",
            ],
            # django-template-partials as a builtin, so that moving to Django 6's own partials is a settings change.
            "builtins": ["template_partials.templatetags.partials"],
            # The partials loader goes outside the cached one (inside it, "page.html#part" is not found).
            "loaders": [
                (
                    "template_partials.loader.Loader",
                    TEMPLATE_FILES if DEBUG else [("django.template.loaders.cached.Loader", TEMPLATE_FILES)],
                )
            ],
        },
    }
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one editor writes; IMMEDIATE makes concurrent writers queue
    # on the lock (up to the timeout) instead of failing with "database is locked" mid-transaction.
    # Connections are kept (CONN_MAX_AGE above): opening one, with these pragmas and the schema read,
    # cost 1.5 ms per request.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
elif env_bool("PG_PREPARED_STATEMENTS", True):
    # Statements run five times on a connection are prepared on the server and planned once: the marks of
    # a stretch took 1.2 ms to plan and 0.6 ms to run. Needs server-side parameter binding. Behind a pooler in
    # transaction mode (PgBouncer before 1.21), set PG_PREPARED_STATEMENTS=false.
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "project_list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic puts the files WhiteNoise serves (hashed and compressed when DEBUG is off).
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Uploads: a document larger than this is refused with a message (bytes).
ANNOTATOR_MAX_UPLOAD_BYTES = env_int("ANNOTATOR_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
# A request's body apart from its files. A mark sends its text: over the whole of the largest document, percent-
# encoded as the page sends it, that is up to three bytes for each byte of UTF-8. A larger body is refused (413).
DATA_UPLOAD_MAX_MEMORY_SIZE = 3 * ANNOTATOR_MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = ANNOTATOR_MAX_UPLOAD_BYTES + 1024 * 1024
# Documents from web pages and files (annotator/ingest/): extraction and fetching run in the background, as tasks
# of Django's Tasks API (the django-tasks backport) kept in the database; `manage.py db_worker` runs them (make run
# and make stack start one). Nothing else to run, on SQLite and on PostgreSQL alike.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Fetching a URL from the server: public addresses only, unless this is true (an intranet; the tests' local pages).
# Link-local addresses (the cloud metadata address 169.254.169.254) and multicast ones are refused even then.
ANNOTATOR_FETCH_PRIVATE_ADDRESSES = env_bool("ANNOTATOR_FETCH_PRIVATE_ADDRESSES", False)
# Seconds a fetch may take in all (DNS, connecting, redirects, the body); its size is ANNOTATOR_MAX_UPLOAD_BYTES.
ANNOTATOR_FETCH_TIMEOUT = env_int("ANNOTATOR_FETCH_TIMEOUT", 10)
# Webhooks (issue 23): the most items (marks, links) one delivery carries (a bulk write is sent in batches of it),
# the seconds one attempt may take, and how many attempts a delivery gets (waiting 30 s, 2 min, 8 min... between).
# Their addresses are checked as fetches are: ANNOTATOR_FETCH_PRIVATE_ADDRESSES lets private ones through.
ANNOTATOR_WEBHOOK_BATCH = env_int("ANNOTATOR_WEBHOOK_BATCH", 500)
ANNOTATOR_WEBHOOK_TIMEOUT = env_int("ANNOTATOR_WEBHOOK_TIMEOUT", 5)
ANNOTATOR_WEBHOOK_ATTEMPTS = env_int("ANNOTATOR_WEBHOOK_ATTEMPTS", 6)
# The most marks one request may make at once (services.bulk_annotate refuses more).
ANNOTATOR_MAX_MARKS_PER_REQUEST = env_int("ANNOTATOR_MAX_MARKS_PER_REQUEST", 1000)
# The most marks and links one import from the app (page or API) may hold. The worker saves each mark on its own
# (~2.5 ms here) and checks each link on its own (saved together, ~2 ms each), twice (the check, then the import),
# each time in one transaction: on SQLite other writers wait for it (up to the 20 s timeout above), so an import
# stays within a few seconds.
ANNOTATOR_MAX_IMPORT_MARKS = env_int("ANNOTATOR_MAX_IMPORT_MARKS", 2_000)
ANNOTATOR_MAX_IMPORT_LINKS = env_int("ANNOTATOR_MAX_IMPORT_LINKS", 1_000)
# Django's default, said here: the largest form of the app (a link type's label boxes, admin inlines) is far below it.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
# How often (milliseconds) an open document asks whether anyone changed its marks.
ANNOTATOR_POLL_MS = env_int("ANNOTATOR_POLL_MS", 2000)
# Scheme and host of the app, for the ids of JSON-LD exports made at the command line (no request to ask).
ANNOTATOR_BASE_URL = os.environ.get("ANNOTATOR_BASE_URL") or "http://127.0.0.1:8000"
# The fact-checking desk that publishes the verdicts (ClaimReview, issue 24): its public address, which each
# fact-check's url starts with (<address>/fact-checks/<claim id>), and its name (the review's author).
ANNOTATOR_DESK_URL = (os.environ.get("ANNOTATOR_DESK_URL") or ANNOTATOR_BASE_URL).rstrip("/")
if not ANNOTATOR_DESK_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("ANNOTATOR_DESK_URL must start with https:// (or http://).")
ANNOTATOR_DESK_NAME = os.environ.get("ANNOTATOR_DESK_NAME") or "Fact-checking desk"

# Several server processes share nothing but the database: sessions live there, login failures are
# counted there (below), and there is no cache, so nothing can hold state in one process's memory.
# A cache added later must be one every process shares (the database, Redis), never LocMem.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    # The API's request counts per token (annotator/api/auth.py), in the database so that every app process counts
    # the same requests. Its table is made by a migration (0026), not by createcachetable by hand.
    "api-throttle": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "annotator_api_throttle",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    # Preloading and subdomains are hard to undo: off unless the deployment says so (.env.example does).
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if env_bool("BEHIND_PROXY", False):
        # Only a TLS-terminating proxy we run may say the request was HTTPS, and who the client is: else every
        # login would come from the proxy's address, and the lock-out would be per username for everyone.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        AXES_CLIENT_IP_CALLABLE = "annotator.proxy.client_ip"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Content Security Policy: no inline script or style anywhere (htmx is configured from a <meta>
# tag, its indicator styles are off, and eval is off), nothing from other sites, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Login throttling (django-axes): after this many failed logins for one username from one address,
# that pair is locked out for the cool-off period.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Who may create projects in the app: "staff" (the default) or "everyone" signed in.
ANNOTATOR_PROJECT_CREATORS = os.environ.get("ANNOTATOR_PROJECT_CREATORS", "staff")
if ANNOTATOR_PROJECT_CREATORS not in ("staff", "everyone"):
    raise ImproperlyConfigured("ANNOTATOR_PROJECT_CREATORS must be 'staff' or 'everyone'.")
# One-time links to set a password (a newcomer's account, a forgotten password) are valid this long.
PASSWORD_RESET_TIMEOUT = env_int("ANNOTATOR_PASSWORD_LINK_HOURS", 72) * 3600

# The REST API (annotator/api/, README "API") ------------------------------------------------------------------
# Requests per token (per user for a browser session) and per app process: "600/minute", "50/second", "10000/hour".
ANNOTATOR_API_RATE = os.environ.get("ANNOTATOR_API_RATE") or "600/minute"
if not re.fullmatch(r"\d+/(second|minute|hour|day)", ANNOTATOR_API_RATE):
    raise ImproperlyConfigured(f"ANNOTATOR_API_RATE must read like 600/minute, not {ANNOTATOR_API_RATE!r}.")
# The most marks one bulk request to the API may make (each with its citations and links).
ANNOTATOR_API_MAX_BULK_MARKS = env_int("ANNOTATOR_API_MAX_BULK_MARKS", 10_000)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "annotator.api.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "annotator.api.auth.TokenAllows",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["annotator.api.auth.PerTokenThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "annotator.api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Editorial annotator API",
    "DESCRIPTION": "Projects, documents, marks and their reviews. Offsets are Unicode code points unless "
    "?offsets=utf16 asks for UTF-16 code units. Authenticate with `Authorization: Bearer <token>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files (drf-spectacular-sidecar): the CSP allows no other origin.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
}
