"""Encore settings: every environment read happens here, through django-environ.

Development (`make run`) sets DJANGO_DEBUG=true; production sets DJANGO_SECURE=true
(HTTPS-only cookies, HSTS, SSL redirect) and passes `manage.py check --deploy`.
See `.env.example` for every setting.
"""

import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import django_stubs_ext
import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

# Typed generics (ModelAdmin[Model], ...) subscriptable at run time, as django-stubs describes them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Under pytest (or with ENCORE_TESTING=1): plain static storage and per-worker Redis databases.
TESTING = env.bool("ENCORE_TESTING", default="pytest" in sys.modules)
# No default outside development and tests: a deployment that forgets its key must not start with a
# key everybody can read here (sessions, password resets and signed values would be forgeable).
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
# Commands that only read the code (the migrations check, the translation catalogs) sign nothing and
# serve nothing: they run without a key.
_CODE_ONLY_COMMAND = sys.argv[1:2] in (["makemigrations"], ["makemessages"], ["compilemessages"])
if not SECRET_KEY:
    if not (DEBUG or TESTING or _CODE_ONLY_COMMAND):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to 50 random characters (python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))'), or DJANGO_DEBUG=true for local development."
        )
    SECRET_KEY = "dev-only-insecure-key-change-me-encore-0000000000000000000000000000"
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# --- HTTPS hardening (production) -----------------------------------------
SECURE = env.bool("DJANGO_SECURE", default=False)
SECURE_SSL_REDIRECT = SECURE
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31_536_000 if SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^healthz/live$"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "marketplace",
    "sellers",
    "catalog",
    "orders",
    "warranty",
    "tradein",
    "workshop",
    "partners",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "marketplace.timezones.TimeZoneMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "marketplace.auth_backends.SessionBackendMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "marketplace.accounts.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Catalog reads of safe requests may go to read replicas (marketplace/db.py); inert without them.
    "marketplace.db.ReplicaReadsMiddleware",
]

ROOT_URLCONF = "marketplace.urls"
WSGI_APPLICATION = "marketplace.wsgi.application"

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
                "marketplace.context_processors.surface",
                "orders.context_processors.cart",  # the header's cart count (`orders.cart_count`)
            ],
        },
    },
]

# --- Data stores -------------------------------------------------------------
# The dev runner (marketplace/dev) exports DATABASE_URL / REDIS_URL for the
# embedded servers when none are given.
DATABASES = {
    "default": env.db("DATABASE_URL", default="postgresql://postgres@127.0.0.1:5432/encore"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("TEST", {})["NAME"] = env(
    "DATABASE_TEST_NAME", default=f"test_{DATABASES['default']['NAME']}"
)
# Read replicas (streaming replicas of the primary): catalog reads of browsing requests go there
# (marketplace/db.py). Comma-separated URLs; empty: everything on the primary.
for _index, _url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[]), start=1):
    _replica = env.db_url_config(_url)
    _replica.update(
        CONN_MAX_AGE=DATABASES["default"]["CONN_MAX_AGE"],
        CONN_HEALTH_CHECKS=True,
        TEST={"MIRROR": "default"},  # tests read the primary's test database through the replica alias
    )
    DATABASES[f"replica_{_index}"] = _replica
DATABASE_ROUTERS = ["marketplace.db.ReplicaRouter"]
# How long a client that wrote keeps reading the primary (covers the replicas' replication lag).
DATABASE_REPLICA_STICKY_SECONDS = env.int("DATABASE_REPLICA_STICKY_SECONDS", default=5)

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
# Each pytest-xdist worker gets its own Redis database so that flushing the
# cache or consuming the queue in one worker never touches another.
_TEST_WORKER = env("PYTEST_XDIST_WORKER", default="")
REDIS_DB_OFFSET = 8 + int(_TEST_WORKER.removeprefix("gw") or 0) if TESTING else 0


def _redis_url(url: str, db_offset: int) -> str:
    """Return `url` pointing at database (its own db + offset); works for redis:// and unix://."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    if parts.scheme == "unix":
        db = int(query.get("db", 0)) + db_offset
        query["db"] = str(db)
        return f"unix://{parts.path}?{urlencode(query)}"  # urlunsplit would drop the empty netloc's "//"
    db = int(parts.path.strip("/") or 0) + db_offset
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, ""))


def _celery_broker_url(url: str) -> str:
    """Kombu spells a Redis unix socket `redis+socket://PATH?virtual_host=DB`."""
    parts = urlsplit(url)
    if parts.scheme != "unix":
        return url
    query = dict(parse_qsl(parts.query))
    return f"redis+socket://{parts.path}?virtual_host={query.get('db', '0')}"


REDIS_CACHE_URL = _redis_url(REDIS_URL, REDIS_DB_OFFSET)
CACHES = {
    "default": {
        "BACKEND": "marketplace.cache.RedisCache",
        "LOCATION": REDIS_CACHE_URL,
        "KEY_PREFIX": "encore",
        # Rendered storefront pages are cached: bump CACHE_VERSION on a deploy that changes templates.
        "VERSION": env.int("CACHE_VERSION", default=1),
        "TIMEOUT": 300,
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Auth --------------------------------------------------------------------
AUTH_USER_MODEL = "marketplace.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Hashing is not what tests test; PBKDF2's deliberate slowness would dominate the suite.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
# Accounts through django-allauth (marketplace/accounts.py says why each choice).
AUTHENTICATION_BACKENDS = [
    # Django's and allauth's backends, reading the signed-in user through the cache (marketplace/usercache.py).
    "marketplace.auth_backends.ModelBackend",
    "marketplace.auth_backends.AuthenticationBackend",
]
ACCOUNT_ADAPTER = "marketplace.accounts.AccountAdapter"
MFA_ADAPTER = "marketplace.accounts.MFAAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_SIGNUP_FORM_CLASS = "marketplace.forms.SignupExtraForm"
ACCOUNT_FORMS = {"login": "marketplace.accounts.LoginForm"}
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"  # no log-in, so no checkout, application or team, before it
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None  # the person chooses ("Keep me logged in")
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Encore: "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SECURE else "http"
# Per client address (marketplace.clientip) and per account ("key": the address typed). Over a limit
# allauth answers 429 (marketplace.accounts.too_many_requests adds Retry-After).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Encore"
MFA_TOTP_TOLERANCE = 1  # the code of the period before or after is accepted too (phone clocks drift)
# Staff, success managers and seller owners enrol TOTP before the console, admin or seller back-office.
MFA_REQUIRED_FOR_BACKOFFICE = env.bool("MFA_REQUIRED_FOR_BACKOFFICE", default=True)
SUCCESS_MANAGERS_GROUP = "success managers"

# --- Internationalisation ------------------------------------------------------
LANGUAGE_CODE = "en"
# Every market speaks one of these (DOMAIN.md, Markets); each name is written in its own language.
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
    ("it", "Italiano"),
    ("ja", "日本語"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files --------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "DJANGO_STATICFILES_STORAGE",
            default=(
                "django.contrib.staticfiles.storage.StaticFilesStorage"
                if DEBUG or TESTING
                else "whitenoise.storage.CompressedManifestStaticFilesStorage"
            ),
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "/media/"
# Public media (product photos and their renditions, photos of units on offers) in an S3-compatible bucket
# (AWS S3, MinIO, Scaleway, OVH...) through django-storages when DJANGO_S3_BUCKET is set; local MEDIA_ROOT
# otherwise. Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (boto3 reads them itself).
S3_BUCKET = env("DJANGO_S3_BUCKET", default="")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env("DJANGO_S3_ENDPOINT_URL", default="") or None,  # empty: AWS itself
            "region_name": env("DJANGO_S3_REGION", default="") or None,
            "custom_domain": env("DJANGO_S3_CUSTOM_DOMAIN", default="") or None,  # a CDN in front, if any
            "default_acl": None,  # the bucket's policy decides (public read for these files)
            "querystring_auth": False,  # public pictures: plain, cacheable URLs
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
# Seller documents and other private files: never served by URL, only through access-checked views.
PRIVATE_MEDIA_ROOT = env.path("DJANGO_PRIVATE_MEDIA_ROOT", default=VAR_DIR / "private")
SELLER_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
# The largest file any upload may be (documents, photos); bigger ones are dropped while they stream in
# (marketplace/uploads.py), never written whole and then measured.
FILE_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "marketplace.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
QUALITY_CHARTER_VERSION = "2026-09"
PROBATION_DAYS = 40
PROBATION_DAILY_LISTING_CAP = 5
# Seller performance (DOMAIN.md): the ladder's listing cap (score below the cap threshold, 60 in
# formula v1) allows as many new listings a day as probation; a payout retainer holds its share of a
# sale this long. The formula's weights and thresholds are data (sellers.ScoreFormula), not settings.
SCORE_DAILY_LISTING_CAP = 5
PAYOUT_RETAINER_HOLD_DAYS = 60

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- E-mail ------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Encore <no-reply@encore.localhost>")
# Who runs this Encore: shown on the legal notice, the terms and the contact page (set them in production).
SUPPORT_EMAIL = env("SUPPORT_EMAIL", default="support@encore.localhost")
OPERATOR_NAME = env("OPERATOR_NAME", default="Encore Marketplace (demo operator)")
OPERATOR_ADDRESS = env("OPERATOR_ADDRESS", default="1 Example Street, 75001 Paris, France")
OPERATOR_REGISTRATION = env("OPERATOR_REGISTRATION", default="not registered (demonstration site)")
OPERATOR_VAT_ID = env("OPERATOR_VAT_ID", default="")
OPERATOR_HOSTING = env("OPERATOR_HOSTING", default="")
# Back-office pages show times in the person's own time zone (their browser's); until the browser has
# said, in this one (marketplace/timezones.py).
OPERATOR_TIME_ZONE = env("OPERATOR_TIME_ZONE", default="Europe/Paris")

# --- API -----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "marketplace.api.authentication.ApiKeyAuthentication",
        "marketplace.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["marketplace.api.permissions.HasScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["marketplace.api.parsers.JSONParser"],  # NUL characters refused (400)
    "DEFAULT_PAGINATION_CLASS": "marketplace.api.pagination.CursorPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["marketplace.api.throttles.ApiKeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "api_key": env("API_THROTTLE_RATE", default="1200/min"),
        "anonymous": env("API_ANON_THROTTLE_RATE", default="600/min"),
    },
    "EXCEPTION_HANDLER": "marketplace.api.errors.problem_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Encore API",
    "DESCRIPTION": (
        "REST API of Encore, the open-source marketplace for refurbished electronics. "
        "Authenticate with `Authorization: Bearer <api key>`. Errors are RFC 9457 problem details. "
        "POST requests accept an `Idempotency-Key` header."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "APPEND_COMPONENTS": {
        "securitySchemes": {"ApiKey": {"type": "http", "scheme": "bearer", "description": "An Encore API key."}}
    },
    "SECURITY": [{"ApiKey": []}],
    # OpenAPI links from what a POST creates to what can be done with it (marketplace/api/schema.py).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "marketplace.api.schema.add_links"],
    "ENUM_NAME_OVERRIDES": {
        "ListingStatusEnum": "catalog.states.ListingStatus",
        "ImportRowStatusEnum": ["draft", "active", "paused"],
        "OrderStatusEnum": "orders.states.OrderStatus",
        "SellerOrderStatusEnum": "orders.states.SellerOrderStatus",
        "ClaimStatusEnum": "warranty.states.ClaimStatus",
        "ClaimOutcomeEnum": "warranty.states.Outcome",
        "ReturnStatusEnum": "warranty.states.ReturnStatus",
        "ReturnReasonEnum": "warranty.states.ReturnReason",
        "RefundStatusEnum": "orders.states.RefundStatus",
        "WebhookDeliveryStatusEnum": "partners.states.DeliveryStatus",
        "TradeInStatusEnum": "tradein.states.TradeInStatus",
        "TradeInConditionEnum": "tradein.states.Condition",
        "TradeInPayoutStatusEnum": "tradein.states.PayoutStatus",
        "TradeInPayoutMethodEnum": "tradein.states.PayoutMethod",
        "TradeInBatchStatusEnum": "tradein.states.BatchStatus",
        "CounterOfferOutcomeEnum": "tradein.states.CounterOfferOutcome",
        "CounterOfferReasonEnum": "tradein.states.CounterOfferReason",
        "UnitStatusEnum": "workshop.states.UnitStatus",
        "UnitSourceEnum": "workshop.states.UnitSource",
        "CosmeticEnum": "workshop.states.Cosmetic",
    },
}
# How many reverse proxies of ours stand in front of the app (load balancer, ingress): the client's
# address is that many places from the right of X-Forwarded-For (marketplace/clientip.py). 0: the
# peer's address, and X-Forwarded-For is ignored (a client could write anything there).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# /healthz shows its error texts and timings to platform staff, or to a monitor sending this token.
HEALTHZ_TOKEN = env("HEALTHZ_TOKEN", default="")
IDEMPOTENCY_KEY_TTL_HOURS = 24
IDEMPOTENCY_IN_PROGRESS_SECONDS = 60  # API.md: a first request that died blocks its key at most this long

# --- Orders and payments -----------------------------------------------------------
# With the three STRIPE_* keys set, checkout takes cards through Stripe (PaymentIntent, Payment
# Element, signed webhook); without them a clearly labelled test provider drives the same states.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
# Stripe signs the events of connected accounts (`account.updated` of the sellers' Express accounts) with
# the secret of a Connect endpoint of their own. Point that endpoint at the same URL and set its secret
# here: an event verifies against either secret.
STRIPE_CONNECT_WEBHOOK_SECRET = env("STRIPE_CONNECT_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")  # empty: Stripe's own; tests point it at a local fake
STRIPE_CONFIGURED = bool(STRIPE_SECRET_KEY and STRIPE_PUBLISHABLE_KEY and STRIPE_WEBHOOK_SECRET)
# Production never takes orders for free: with DJANGO_SECURE on, the app starts only with the three
# Stripe keys, or with this set to true on purpose (a demo or staging site), and then every page says
# that payments are simulated. Payouts never transfer real money while checkout runs on the test provider.
PAYMENTS_ALLOW_TEST_PROVIDER = env.bool("PAYMENTS_ALLOW_TEST_PROVIDER", default=not SECURE)
if SECURE and not STRIPE_CONFIGURED and not PAYMENTS_ALLOW_TEST_PROVIDER:
    raise ImproperlyConfigured(
        "DJANGO_SECURE is on but Stripe is not fully configured (STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY and "
        "STRIPE_WEBHOOK_SECRET): checkout would mark orders paid without charging anyone. Set the three keys, "
        "or PAYMENTS_ALLOW_TEST_PROVIDER=true for a demo site."
    )
PAYMENTS_TEST_MODE_NOTICE = SECURE and not STRIPE_CONFIGURED  # a public site on the test provider says so
ORDERS_PAYMENT_MINUTES = env.int("ORDERS_PAYMENT_MINUTES", default=30)  # unpaid orders expire, stock comes back
ORDERS_AUTO_DELIVER_DAYS = env.int("ORDERS_AUTO_DELIVER_DAYS", default=10)  # shipped -> delivered if no scan
ORDERS_RETURN_WINDOW_DAYS = 30  # DOMAIN.md: return without a reason within 30 days of delivery
# After-sales (warranty): carriers sign their scan events with this shared secret (HMAC-SHA256 over
# "<t>.<body>", header `Encore-Carrier-Signature: t=...,v1=...`); empty: the endpoint refuses every call.
# Several secrets, comma-separated, during a rotation.
CARRIER_WEBHOOK_SECRETS = env.list("CARRIER_WEBHOOK_SECRET", default=[])
# Where a label goes when a seller has no return address on file: Encore's returns centre forwards it.
RETURNS_CENTRE_ADDRESS = env.list(
    "RETURNS_CENTRE_ADDRESS", default=["Encore Returns Centre", "10 rue du Réemploi", "75011 Paris", "France"]
)
CLAIM_PHOTO_MAX_BYTES = 10 * 1024 * 1024  # DOMAIN.md: photos of a claim, 10 MB each

# --- Webhooks (partners app) -------------------------------------------------------
# Production: endpoint URLs must be https and resolve only to public addresses (checked at creation
# and before every attempt). True allows http and private/loopback addresses: local receivers in
# development and tests. Never true in production (`check --deploy` warns).
WEBHOOKS_ALLOW_PRIVATE_URLS = env.bool("WEBHOOKS_ALLOW_PRIVATE_URLS", default=DEBUG or TESTING)
WEBHOOKS_TIMEOUT_SECONDS = 10  # API.md: one attempt (DNS, connect, TLS, answer) within 10 s
# Deliveries queued in Redis at once; a larger backlog waits in the database (no memory growth).
WEBHOOKS_MAX_QUEUED = env.int("WEBHOOKS_MAX_QUEUED", default=1000)
# The answer to an invoiced partner order's monthly invoice: who issues it (lines of text).
INVOICE_ISSUER = env.list("INVOICE_ISSUER", default=["Encore", "Marketplace for refurbished electronics"])

# --- Trade-in --------------------------------------------------------------------
# The platform's bank account that trade-in payouts leave from (the debtor of the SEPA credit
# transfer files finance downloads in the console and uploads to the bank).
TRADEIN_SEPA_DEBTOR_NAME = env("TRADEIN_SEPA_DEBTOR_NAME", default="Encore Marketplace")
TRADEIN_SEPA_DEBTOR_IBAN = env("TRADEIN_SEPA_DEBTOR_IBAN", default="FR7630006000011234567890189")
TRADEIN_SEPA_DEBTOR_BIC = env("TRADEIN_SEPA_DEBTOR_BIC", default="AGRIFRPPXXX")

# --- Content-Security-Policy (django-csp 4) ----------------------------------------------
# Scripts only from our static files (no inline script, no eval: htmx runs with allowEval false), and
# Stripe's when card payments are on; styles from our files (style attributes allowed: a width on a
# meter cannot run code); images from here, data: and blob: (camera previews) and the media bucket;
# never framed. The API docs pages (Swagger UI, Redoc) get their own, looser policy
# (marketplace/api/urls.py).
_STRIPE_SCRIPT = ["https://js.stripe.com"]
_MEDIA_HOSTS = [
    f"https://{host}"
    for host in (env("DJANGO_S3_CUSTOM_DOMAIN", default=""), urlsplit(env("DJANGO_S3_ENDPOINT_URL", default="")).netloc)
    if host
]
if env("DJANGO_S3_BUCKET", default="") and not _MEDIA_HOSTS:
    _MEDIA_HOSTS = [f"https://{env('DJANGO_S3_BUCKET')}.s3.amazonaws.com"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, *_STRIPE_SCRIPT],
        "style-src": [SELF],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:", *_MEDIA_HOSTS],
        "media-src": [SELF, "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF, "https://api.stripe.com"],
        "frame-src": ["https://js.stripe.com", "https://hooks.stripe.com"],
        "frame-ancestors": [NONE],
        "form-action": [SELF, "https://hooks.stripe.com"],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Celery --------------------------------------------------------------------
CELERY_BROKER_URL = _celery_broker_url(_redis_url(REDIS_URL, REDIS_DB_OFFSET))
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task whose worker died unacknowledged (acks_late) is delivered again after this many seconds; it
# must exceed the longest task. The kill -9 test sets a few seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_TASK_ALWAYS_EAGER = False
# One queue per workload, so that each scales on its own workers (deploy/k8s/workers.yaml runs one
# Deployment per queue with `--queues`); a worker started without `--queues` (make run, tests,
# docker compose) consumes them all. Routes match task names (`<app>.<module>.<function>`).
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [Queue("default"), Queue("emails"), Queue("webhooks"), Queue("scoring")]
CELERY_TASK_ROUTES = {
    "*.notifications.*": {"queue": "emails"},  # every app's e-mail tasks: slow SMTP delays nothing else
    "partners.tasks.*": {"queue": "webhooks"},  # the outbox relay and webhook deliveries
    "reporting.tasks.*": {"queue": "scoring"},  # the dashboards' rollups: set-based SQL, apart from requests
    "sellers.tasks.sellers_score_task": {"queue": "scoring"},  # every seller's score: seconds of SQL, apart
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The one beat schedule: every periodic job of the platform, with why its cadence.
CELERY_BEAT_SCHEDULE = {
    # Idempotency keys live 24 h (API.md); an hourly sweep keeps the table small
    # without ever deleting a key younger than its promise.
    "purge-expired-idempotency-keys": {
        "task": "marketplace.tasks.purge_expired_idempotency_keys_task",
        "schedule": crontab(minute=17),
    },
    # E-mail sent-markers (marketplace/mail.py) outlive any redelivery by far: daily, in the quiet hours.
    "purge-sent-email-markers": {
        "task": "marketplace.tasks.purge_sent_email_markers_task",
        "schedule": crontab(hour=3, minute=41),
    },
    # Probation ends 40 days after approval, at any time of day; a 10-minute sweep pauses a
    # seller's listings within minutes of its deadline while staying cheap (an indexed query).
    "probation-end": {
        "task": "sellers.tasks.probation_end_due_task",
        "schedule": crontab(minute="*/10"),
    },
    # Seller scores (DOMAIN.md: daily) over a 90-day window of whole UTC days: once a day, early
    # (02:15 UTC, before Europe's business day), on the scoring queue. One run scores every seller in
    # a few set-based statements; a rerun the same day rewrites the same history rows, changes nothing.
    "sellers-score": {
        "task": "sellers.tasks.sellers_score_task",
        "schedule": crontab(minute=15, hour=2),
    },
    # A termination's 30 days' notice ends at any time of day; hourly is plenty for a rule in days.
    "sellers-terminations-due": {
        "task": "sellers.tasks.terminations_due_task",
        "schedule": crontab(minute=37),
    },
    # A payout retainer holds each share 60 days: hourly release is exact to the hour (a partial index).
    "orders-release-retained-sales": {
        "task": "orders.tasks.retained_sales_release_due_task",
        "schedule": crontab(minute=43),
    },
    # Unpaid orders hold stock for 30 minutes; a sweep every minute gives it back at most a
    # minute late (an indexed query on pending orders only).
    "orders-expire-unpaid": {
        "task": "orders.tasks.orders_expire_unpaid_task",
        "schedule": crontab(minute="*"),
    },
    # Parcels with no delivery scan become delivered N days after shipping; hourly is plenty
    # for a rule counted in days.
    "orders-auto-deliver": {
        "task": "orders.tasks.seller_orders_auto_deliver_task",
        "schedule": crontab(minute=23),
    },
    # The 30-day return window closes at any time of day; hourly completion moves the money
    # to the seller's payable balance within the hour.
    "orders-complete-after-return-window": {
        "task": "orders.tasks.seller_orders_complete_due_task",
        "schedule": crontab(minute=41),
    },
    # Anonymous carts outlive their sessions; a nightly sweep of those older than 30 days is plenty.
    "orders-purge-abandoned-carts": {
        "task": "orders.tasks.carts_purge_abandoned_task",
        "schedule": crontab(minute=7, hour=3),
    },
    # A refund is recorded before the provider is called; one still pending after a crash or an
    # outage is sent again with its own idempotency key. Every 5 minutes: the buyer waits minutes, not hours.
    "orders-retry-pending-refunds": {
        "task": "orders.tasks.refunds_retry_pending_task",
        "schedule": crontab(minute="*/5"),
    },
    # After-sales deadlines are counted in business days and end at the end of a local day; a sweep
    # every 10 minutes escalates a missed answer or repair within minutes (an indexed query per kind).
    "warranty-escalate-overdue-claims": {
        "task": "warranty.tasks.claims_escalate_overdue_task",
        "schedule": crontab(minute="3-59/10"),
    },
    # An answer left without a reply is accepted 7 days after it: hourly is plenty for a rule in days.
    "warranty-accept-silent-answers": {
        "task": "warranty.tasks.claims_accept_silent_task",
        "schedule": crontab(minute=11),
    },
    # Resolved claims close 14 days later: hourly.
    "warranty-close-resolved-claims": {
        "task": "warranty.tasks.claims_close_resolved_task",
        "schedule": crontab(minute=29),
    },
    # A return the seller ignored is refunded 14 days after the label's delivery: hourly, so the buyer
    # waits at most an hour more.
    "warranty-refund-due-returns": {
        "task": "warranty.tasks.returns_refund_due_task",
        "schedule": crontab(minute=47),
    },
    # Review invitations 7 days after delivery: hourly is plenty for a rule in days.
    "warranty-review-invitations": {
        "task": "warranty.tasks.review_invitations_send_task",
        "schedule": crontab(minute=53),
    },
    # DOMAIN.md: sellers are paid on the 6th, 16th and 26th of each month (early morning UTC,
    # before European banking hours). A rerun the same day changes nothing (one payout per date).
    "orders-payouts": {
        "task": "orders.tasks.payouts_run_task",
        "schedule": crontab(minute=0, hour=5, day_of_month="6,16,26"),
    },
    # Trade-in quotes live 14 days and accepted parcels 21 (rules counted in days): hourly expiry,
    # on partial indexes of quoted and accepted rows, is exact to the hour and cheap.
    "tradein-expire-quotes": {
        "task": "tradein.tasks.tradeins_expire_quotes_task",
        "schedule": crontab(minute=3),
    },
    "tradein-expire-unsent": {
        "task": "tradein.tasks.tradeins_expire_unsent_task",
        "schedule": crontab(minute=33),
    },
    # A counter-offer unanswered for 14 days sends the device back; hourly is plenty.
    "tradein-counter-offer-silence": {
        "task": "tradein.tasks.counter_offers_lapse_task",
        "schedule": crontab(minute=48),
    },
    # Workshop: units nobody had room for are assigned once a technician has room; capacities renew at each
    # seller's local midnight, so hourly (at :07) assigns a waiting unit within the hour of the new day.
    "workshop-assign-units": {
        "task": "workshop.tasks.units_assign_due_task",
        "schedule": crontab(minute=7),
    },
    # Lots take bids for 48 hours; a sweep every 5 minutes awards them within minutes of the close.
    "tradein-close-lots": {
        "task": "tradein.tasks.lots_close_due_task",
        "schedule": crontab(minute="*/5"),
    },
    # Business batch quotes last 14 days and their parcels 21; an hourly sweep (set-based per batch)
    # expires them within the hour, like the single trade-ins' sweeps.
    "tradein-expire-batches": {
        "task": "tradein.tasks.batches_expire_due_task",
        "schedule": crontab(minute=13),
    },
    # The dashboards read rollups; every 10 minutes keeps them close to live while each run only
    # recomputes the days since the previous one (set-based SQL on the scoring queue).
    "reporting-rollups": {
        "task": "reporting.tasks.rollups_refresh_task",
        "schedule": crontab(minute="*/10"),
    },
    # Device wallet reminders are 30 days ahead, counted in days: once a day is enough, at 08:05 UTC
    # (morning in Europe, where most shoppers are); each reminder is sent once whatever the runs.
    "tradein-wallet-reminders": {
        "task": "tradein.tasks.wallet_reminders_send_task",
        "schedule": crontab(minute=5, hour=8),
    },
    # Webhooks: events are relayed right after their commit (a nudge); this sweep is what makes
    # delivery survive a lost nudge or a process killed after a commit, and it queues due retries
    # (the first retry waits 30-60 s). Every 15 s: one query on a partial index when idle.
    "webhooks-relay": {
        "task": "partners.tasks.webhook_relay_task",
        "schedule": 15.0,
    },
    # The delivery log is kept 30 days; nightly deletion in bounded batches.
    "webhooks-purge-log": {
        "task": "partners.tasks.webhook_deliveries_purge_task",
        "schedule": crontab(minute=27, hour=3),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
