"""Knowhow settings: one module, configured from the environment."""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KNOWHOW_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """Use SECRET_KEY when set; otherwise generate one on first run and keep it under var/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG")
# pytest sets PYTEST_VERSION in the environment of the process it runs in.
TESTING = "PYTEST_VERSION" in os.environ
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_NAME = os.environ.get("SITE_NAME", "Knowhow")
# The public address of the site, for links in emails and stable learning-record (xAPI) IDs.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "knowhow.core",
    "knowhow.accounts",
    "knowhow.spaces",
    "knowhow.reputation",
    "knowhow.moderation",
    "knowhow.qa",
    "knowhow.videos",
    "knowhow.analytics",
    "knowhow.provisioning",
    "knowhow.privacy",
    "knowhow.search",
    "ninja",
    "knowhow.api",
    "knowhow.curation",
    "knowhow.feed",
    "knowhow.stackexchange",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Response headers only: above the cached question page, so that it carries them too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "knowhow.core.middleware.ContentSecurityPolicyMiddleware",
    # Around everything that may record an event, the cached page's view count included.
    "knowhow.analytics.middleware.EventBufferMiddleware",
    # The cached anonymous question page, before sessions, auth, CSRF and messages.
    "knowhow.qa.middleware.CachedQuestionPageMiddleware",
    # The cached anonymous search page, likewise.
    "knowhow.search.middleware.CachedSearchPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the person behind a session memoized on SQLite while nothing changed.
    "knowhow.accounts.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "knowhow.accounts.middleware.SessionActivityMiddleware",
    "knowhow.accounts.middleware.TwoFactorRequiredMiddleware",
    "knowhow.moderation.middleware.SuspensionMiddleware",
    "knowhow.core.middleware.ApplicationErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "knowhow.core.context_processors.site",
                "knowhow.moderation.context_processors.sanction_notice",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# Default: a SQLite file under var/, set up for a multi-process server (WAL so readers never
# block the writer, a busy timeout instead of "database is locked", and IMMEDIATE transactions
# so two writers queue up instead of deadlocking on a lock upgrade).
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'knowhow.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
# Keep connections between requests (per server thread): opening one per request costs more
# than a cached page (SQLite re-reads the schema and runs the PRAGMAs below on every open).
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=10000;"
            "PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if os.environ.get("TEST_DATABASE_NAME"):
        DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}
DB_VENDOR = "sqlite" if "sqlite" in DATABASES["default"]["ENGINE"] else "postgresql"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Cache and background tasks -------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "knowhow",
            # Django's default of 300 entries is crossed by the question pages of a few dozen
            # threads (page, thread and view marks, anonymous and per person), and a full
            # cache drops a third of its entries at once. Pages are 10-40 kB: ~50 MB at most.
            "OPTIONS": {"MAX_ENTRIES": 3000},
        }
    }
    TASKS = {
        "default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend", "QUEUES": ["default"]}
    }
# Seconds a search's ranked candidate ids stay cached, valid only while the index is unchanged
# (knowhow/search/ranking_cache.py); 0 ranks every search afresh.
SEARCH_RANKING_CACHE_SECONDS = int(os.environ.get("SEARCH_RANKING_CACHE_SECONDS", "60"))
# Seconds a search's visibility-checked results and rendered page stay cached per audience,
# valid only while the index generation is unchanged (knowhow/search/result_cache.py); 0 turns
# that cache off. Also how long scores and names on a cached results page may lag.
SEARCH_RESULT_CACHE_SECONDS = int(os.environ.get("SEARCH_RESULT_CACHE_SECONDS", "60"))
if env_bool("TASKS_IMMEDIATE") or (TESTING and not env_bool("TEST_REAL_QUEUE")):
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "qa:question_list"
LOGOUT_REDIRECT_URL = "qa:question_list"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Local accounts (password login and sign-up) can be turned off once single sign-on is set up;
# superusers keep password login as a way back in.
LOCAL_ACCOUNTS = env_bool("LOCAL_ACCOUNTS", True)
# Administrators who log in with a password must set up two-factor authentication first.
TWO_FACTOR_REQUIRED_FOR_STAFF = env_bool("TWO_FACTOR_REQUIRED_FOR_STAFF")

# Single sign-on with OpenID Connect (django-allauth). One identity provider from the environment;
# its "groups" claim grants membership of the spaces linked to those groups (spaces.SpaceGroupLink).
OIDC_SERVER_URL = os.environ.get("OIDC_SERVER_URL", "")
OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "groups")
SOCIALACCOUNT_PROVIDERS: dict = {"openid_connect": {"APPS": []}}
if OIDC_SERVER_URL:
    SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"].append(
        {
            "provider_id": os.environ.get("OIDC_PROVIDER_ID", "company"),
            "name": os.environ.get("OIDC_NAME", "company account"),
            "client_id": os.environ.get("OIDC_CLIENT_ID", ""),
            "secret": os.environ.get("OIDC_CLIENT_SECRET", ""),
            "settings": {
                "server_url": OIDC_SERVER_URL,
                "scope": ["openid", "profile", "email", "groups"],
                "oauth_pkce_enabled": True,
            },
        }
    )
SOCIALACCOUNT_ADAPTER = "knowhow.accounts.sso.SocialAccountAdapter"
ACCOUNT_ADAPTER = "knowhow.accounts.sso.AccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_STORE_TOKENS = False
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*"]
ACCOUNT_USER_DISPLAY = "knowhow.accounts.sso.user_display"
# SCIM 2.0 provisioning (/scim/v2/): a bearer token here, or tokens made in the admin.
SCIM_TOKEN = os.environ.get("SCIM_TOKEN", "")
# Sessions are read from the cache (Redis when scaled out) and written through to the database,
# which saves a query on every signed-in request. With the embedded default's per-process cache a
# cached copy is kept at most SESSION_CACHE_MAX_SECONDS, so a session revoked in one server
# process is refused by the others within that time (knowhow/accounts/session_store.py).
SESSION_ENGINE = "knowhow.accounts.session_store"
SESSION_CACHE_MAX_SECONDS = int(os.environ.get("SESSION_CACHE_MAX_SECONDS", "5"))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and env_bool("HTTPS"))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_FAILURE_VIEW = "knowhow.core.views.csrf_failure"

# Reverse proxies in front of Knowhow that append to X-Forwarded-For (for login lockout and
# the session list); 0 uses the connection's address.
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "knowhow@localhost")

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING or env_bool("PLAIN_STATIC")
            else "knowhow.core.storage.StaticStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Big enough that an oversized post reaches form validation (and gets a clear message) rather
# than being cut off as a bare 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024

# Object storage (S3-compatible, via django-storages) for uploads and videos when configured.
if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
# The interface is English only (no translation catalogues). With translation on, every number,
# date and pluralised word in a template asked for the active language through a thread-local
# lookup: under the threaded server that was a quarter of a question list's time.
USE_I18N = False
USE_TZ = True

# --- Security -------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
HTTPS = env_bool("HTTPS")
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    if not SECURE_HSTS_PRELOAD:
        # Preloading is a commitment for the whole domain that its owner opts into.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Scripts and styles come only from our own static files; media may be blob: for HLS players.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "media-src": ["'self'", "blob:"],
    "worker-src": ["'self'", "blob:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- Knowhow --------------------------------------------------------------------------------
KNOWHOW = {
    "TITLE_MIN": 10,
    "TITLE_MAX": 150,
    "BODY_MIN": 20,
    "BODY_MAX": 50_000,
    "COMMENT_MIN": 2,
    "COMMENT_MAX": 1_000,
    "TAGS_MIN": 1,
    "TAGS_MAX": 5,
    "PAGE_SIZE": 20,
    # Brute-force protection: failures per username and per address within the window.
    "LOGIN_MAX_FAILURES": int(os.environ.get("LOGIN_MAX_FAILURES", "5")),
    "LOGIN_MAX_FAILURES_PER_IP": int(os.environ.get("LOGIN_MAX_FAILURES_PER_IP", "30")),
    "LOGIN_LOCKOUT_MINUTES": int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")),
    # Data protection: what erasure does with a person's content ("anonymise": keep it as a
    # former member's; "delete": delete it), the deadline to answer a request, and how many
    # days things are kept (0 keeps them forever). Apps register what each key covers
    # (knowhow.privacy.registry).
    "ERASURE_POLICY": os.environ.get("ERASURE_POLICY", "anonymise"),
    "DATA_REQUEST_DEADLINE_DAYS": 30,
    "RETENTION_DAYS": {
        "analytics_events": int(os.environ.get("RETENTION_ANALYTICS_DAYS", "395")),
        "logs": int(os.environ.get("RETENTION_LOGS_DAYS", "90")),
        "deleted_content": int(os.environ.get("RETENTION_DELETED_CONTENT_DAYS", "365")),
        "data_requests": int(os.environ.get("RETENTION_DATA_REQUESTS_DAYS", "1095")),
    },
    "PRIVACY_CONTACT": os.environ.get("PRIVACY_CONTACT", ""),
}
# Reputation values, the privilege preset ("pilot" or "established") and new-user limits;
# see knowhow/reputation/config.py for every key and its default.
KNOWHOW_REPUTATION: dict[str, object] = {
    "PRIVILEGE_PRESET": os.environ.get("KNOWHOW_PRIVILEGE_PRESET", "pilot"),
}
# Flag, close-vote and sanction thresholds; see knowhow/moderation/config.py.
KNOWHOW_MODERATION: dict[str, object] = {}

# --- Videos ---------------------------------------------------------------------------------
VIDEOS = {
    "MAX_UPLOAD_BYTES": int(os.environ.get("VIDEO_MAX_UPLOAD_BYTES", 2 * 1024**3)),
    "MAX_DURATION_SECONDS": int(os.environ.get("VIDEO_MAX_DURATION_SECONDS", 20 * 60)),
    "TRANSCODER": "knowhow.videos.backends.ffmpeg.FfmpegTranscoder",
    "FFMPEG_BINARY": os.environ.get("VIDEO_FFMPEG_BINARY", ""),
    "X264_PRESET": os.environ.get("VIDEO_X264_PRESET", "veryfast"),
    "SEGMENT_SECONDS": 4,
    # Staging area for resumable (tus) uploads before they move into storage.
    "UPLOAD_DIR": Path(os.environ.get("VIDEO_UPLOAD_DIR", VAR_DIR / "uploads")),
    "UPLOAD_EXPIRY_HOURS": 24,
    # A transcode whose worker has not renewed its lease for this long is taken over.
    "LEASE_SECONDS": int(os.environ.get("VIDEO_LEASE_SECONDS", 60)),
    "MAX_ATTEMPTS": 3,
    "ACCEPTED_CODECS": [
        "h264",
        "hevc",
        "vp8",
        "vp9",
        "av1",
        "mpeg4",
        "mpeg2video",
        "mpeg1video",
        "prores",
        "mjpeg",
        "theora",
        "dnxhd",
        "wmv3",
        "vc1",
        "msmpeg4v3",
        "h263",
    ],  # fmt: skip
    "CAPTION_MAX_BYTES": 1024 * 1024,
    # Automatic captions after transcoding, with an offline recogniser (`make install-captions`);
    # an empty value turns them off. Without the recogniser's packages nothing happens. The test
    # suite turns them on only where a test asks (seconds of CPU per video).
    "SPEECH_RECOGNIZER": os.environ.get(
        "VIDEO_SPEECH_RECOGNIZER",
        "" if TESTING else "knowhow.videos.backends.speech.WhisperRecognizer",
    ),
    "SPEECH_MODEL_DIR": os.environ.get("VIDEO_SPEECH_MODEL_DIR", ""),
    "SPEECH_THREADS": int(os.environ.get("VIDEO_SPEECH_THREADS", 0)),
}

# --- Analytics and learning records ------------------------------------------------------------
# Raw events are kept for KNOWHOW["RETENTION_DAYS"]["analytics_events"] days.
# DEFER_SECONDS: search events are written by a thread of each server process this often, in
# one transaction, instead of by each search request (knowhow/analytics/services.py); 0 writes
# them with the request (the tests, unless a test turns it on).
ANALYTICS = {
    "ROLLUP_DAYS": 2,
    "DEFER_SECONDS": float(os.environ.get("ANALYTICS_DEFER_SECONDS", "0" if TESTING else "1")),
    "DEFERRED_KINDS": ("search",),
}
XAPI = {
    "ENDPOINT": os.environ.get("XAPI_ENDPOINT", ""),  # e.g. https://lrs.example.com/xapi
    "KEY": os.environ.get("XAPI_KEY", ""),
    "SECRET": os.environ.get("XAPI_SECRET", ""),
    "ACTOR": os.environ.get("XAPI_ACTOR", "email"),  # "email" (mbox) or "account"
    "BATCH_SIZE": 50,
    "TIMEOUT": 10,
}
# API writes allowed per window (seconds), per token or session user and per client IP.
API_WRITE_LIMIT_WINDOW = int(os.environ.get("API_WRITE_LIMIT_WINDOW", "60"))
API_WRITE_LIMIT_PER_CALLER = int(os.environ.get("API_WRITE_LIMIT_PER_CALLER", "60"))
API_WRITE_LIMIT_PER_IP = int(os.environ.get("API_WRITE_LIMIT_PER_IP", "120"))

# Curation: the safe fetcher never reaches loopback/private addresses; tests allow-list the
# exact "ip:port" of the local server they start.
CURATION_FETCH_ALLOWED_ADDRESSES: list[str] = []
CURATION_MIN_REPUTATION = int(os.environ.get("CURATION_MIN_REPUTATION", "50"))
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# Similar questions: the embedding model factory (the optional `semantic` extra). The test
# suite runs full-text only unless a test picks an embedder; bench/similar_eval.py uses the model.
# How often a web process asks whether stored question vectors changed (each process keeps them
# as one matrix); the suite asks every time, since each test starts from an empty table.
FEED_VECTOR_RECHECK_SECONDS = 0 if TESTING else 10
# How long a process trusts the word frequencies it asked the index for (similar questions).
FEED_SIMILAR_STATS_SECONDS = 0 if TESTING else 3600
FEED_EMBEDDER = os.environ.get(
    "FEED_EMBEDDER",
    "knowhow.feed.embeddings.disabled_embedder"
    if TESTING
    else "knowhow.feed.embeddings.minilm_embedder",
)
