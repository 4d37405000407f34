"""One settings module, driven by the environment (see docs/deploying.md and .env.example).

With no environment at all it runs as a development site on a SQLite file under var/: management
commands and tests work, but the WSGI application (gunicorn, runserver) refuses to start with
DEBUG off and the development key (config/wsgi.py). Production sets DJANGO_SECRET_KEY.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF

from config.jsonlog import log_format

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# The fallback key starts with "django-insecure-", so `check --deploy` rejects it (security.W009)
# and config/wsgi.py refuses to serve with it unless DEBUG is on. An empty value counts as unset.
SECRET_KEY = (
    env.str("DJANGO_SECRET_KEY", default="") or "django-insecure-development-only-key-do-not-deploy"
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # First: its templates (core/templates/admin/, the admin's overrides) come before the admin's.
    "core",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "simple_history",
    "csp",
    "axes",
    "concurrency",  # django-concurrency: optimistic locking of every record (core.models.Versioned)
    "instruments",
    "partners",
    "mandates",
    "explore",
    "pagecache",
]

MIDDLEWARE = [
    "config.middleware.HeadMiddleware",  # first: it empties HEAD answers after all the rest
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages, feeds and exports gzipped for clients that accept it (whitenoise, above, serves the
    # static files precompressed). Django's carries the BREACH mitigation (random filler in the
    # gzip header); the public pages carry no secret anyway.
    "django.middleware.gzip.GZipMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",  # early: covers every answer below
    # /healthz answers here: before CommonMiddleware validates the Host header, so a load
    # balancer or the container HEALTHCHECK can probe by IP address.
    "config.middleware.HealthCheckMiddleware",
    # NUL characters and oversized query strings get a 400 before any view sees them.
    "config.middleware.RequestGuardMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language comes from the URL: /fr/... is French, every other address English
    # (config/urls.py, i18n_patterns without a prefix for the default language).
    # Django's, less a Vary: Accept-Language that the language never depends on.
    "config.middleware.LocaleMiddleware",
    # Whole public pages for anonymous visitors, until any record changes (pagecache/). After
    # LocaleMiddleware (the language is part of the key); a hit skips everything below.
    "pagecache.middleware.PageCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    # POST, PUT, PATCH, DELETE to a public page: 405 with the Allow header, before the CSRF
    # check would answer 403.
    "config.middleware.PublicMethodsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records who made each admin change in the history (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    # A database outage raised by a view becomes a 503 page (templates/503.html).
    "config.middleware.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "config.urls"
# The URL namespaces of the public pages, which only read (config.middleware.PublicMethods...):
# the records' pages, and the site's files (robots.txt, the sitemap, security.txt).
PUBLIC_NAMESPACES = ("mandates", "explore", "instruments", "partners", "site")
WSGI_APPLICATION = "config.wsgi.application"
# SQLite's search index is made and kept by SQL of its own, never dumped or loaded.
DATABASE_ROUTERS = ["mandates.models.search.SearchIndexRouter"]

# The public pages are Jinja2 templates (templates/, core/jinja2.py: about a third faster to draw
# than with Django's engine, docs/performance.md); the admin keeps Django's engine and its own
# templates, with our overrides in core/templates/admin/. Jinja2 comes first, so loader.get_template
# ("404.html") and the error pages find the public templates.
CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
    "mandates.context_processors.site",
    "mandates.context_processors.canonical",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "core.jinja2.environment",
            "context_processors": CONTEXT_PROCESSORS,
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": CONTEXT_PROCESSORS},
    },
]
# What base.html needs on a page drawn without a request or the database (the 400, 405, 500
# and 503 pages: core.errors.standalone_context()): the footer's date as last read, no query.
STANDALONE_CONTEXT_PROCESSORS = ["mandates.context_processors.standalone"]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'mandates.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, with a health check that asks the socket before sending a `SELECT 1`
    # (config/postgresql/base.py): a round trip fewer on every request.
    DATABASES["default"]["ENGINE"] = "config.postgresql"
    # Prepared statements: a statement a connection has sent PG_PREPARE_THRESHOLD times is
    # prepared, and PostgreSQL plans it once per connection instead of at every request (about
    # a third of the uncached record page's time on PostgreSQL was planning; docs/performance.md).
    # They need server-side parameter binding. Behind a transaction-pooling PgBouncer older than
    # 1.21, set PG_PREPARE_THRESHOLD= (empty): no prepared statements, client-side binding.
    threshold = env("PG_PREPARE_THRESHOLD", default="5")
    if threshold:
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=int(threshold)
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Resolution's (body, year) index carries the id for PostgreSQL's index-only scans; SQLite has no
# such columns and needs none (its indexes hold the rowid, which is the id): nothing to warn of.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# --- The page cache (pagecache/middleware.py): whole public pages for anonymous visitors, kept
# until any record changes (every worker checks the data version, one indexed row, a request)
# and for PAGE_CACHE_SECONDS at most. 0 switches it off: every page is rendered from the database.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)
PAGE_CACHE_ALIAS = "default"
PAGE_CACHE_NAMESPACES = (
    "mandates",
    "explore",
    "instruments",
    "partners",
)  # URL namespaces; never admin
# Larger answers are sent, not kept: pages are 15-50 kB, a CSV of 1,000 rows 185 kB. With
# MAX_ENTRIES, a worker holds 250 MB at the very worst (every entry a large export), 10-20 MB
# in practice.
PAGE_CACHE_MAX_BYTES = 512 * 1024
# Per-process memory: nothing to run beside the app. Entries of an old data version are never
# read again and age out (TIMEOUT) or are culled first when the cache is full.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "TIMEOUT": PAGE_CACHE_SECONDS or 300,
        "OPTIONS": {"MAX_ENTRIES": 500},
    }
}

# Optimistic locking (core.models.Versioned): a version of 0 (loaddata, restore_records, an
# earlier version restored from the history) is not checked; the admin forms always carry one.
CONCURRENCY_VERSION_FIELD_REQUIRED = False

# Staff log in to /admin/. django-axes counts failed logins and locks out the combination of
# username and client address after AXES_FAILURE_LIMIT failures, for the cool-off period.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=env.int("DJANGO_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.views.login_locked_out"  # 429 with templates/axes_lockout.html
# Behind N reverse proxies the client address is the Nth entry from the right of
# X-Forwarded-For (each proxy appends the address it saw); with 0 it is REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "config.middleware.client_ip"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The interface languages. Records (titles, summaries, notes) are English data in both.
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]  # locale/fr/LC_MESSAGES/django.po, and the compiled .mo
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed files with far-future cache headers, served by whitenoise.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Files served at the site's root, by their plain name: favicon.ico (browsers and crawlers ask
# for /favicon.ico whatever the page links to).
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
# Hashed names (what {% static %} links to) are cached forever by whitenoise on its own; this is
# for the few files fetched by their plain name (e.g. /static/css/site.css): one hour.
WHITENOISE_MAX_AGE = env.int("WHITENOISE_MAX_AGE", default=3600)

# --- HTTPS, cookies and headers. Off-by-default-in-development values are on when DEBUG is off.
# Behind a proxy that terminates TLS:
# DJANGO_SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https
# (only if the proxy always sets or overwrites that header).
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
_proxy_ssl_header = env.str("DJANGO_SECURE_PROXY_SSL_HEADER", default="")
if _proxy_ssl_header:
    _name, _, _value = _proxy_ssl_header.partition(",")
    SECURE_PROXY_SSL_HEADER = (_name.strip(), _value.strip())
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # no JavaScript reads the token; forms carry it
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (django-csp): same-origin files only, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Logs: one line per record on stdout; JSON lines unless LOG_FORMAT=plain (plain under DEBUG).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "config.jsonlog.JSONFormatter"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": log_format(debug=DEBUG),
        }
    },
    "root": {"handlers": ["stdout"], "level": env.str("LOG_LEVEL", default="INFO")},
    # django-axes logs a banner each time any command starts; failures and lockouts still log.
    "loggers": {"axes.apps": {"level": "WARNING"}},
}

# /.well-known/security.txt (RFC 9116): where to report a vulnerability, e.g.
# "mailto:security@example.org" or an https:// page; comma-separated. Unset, there is no file
# (404): an address is never made up.
SECURITY_CONTACTS = env.list("DJANGO_SECURITY_CONTACT", default=[])
