"""The WSGI application that gunicorn (and runserver) serve.

Serving is where a real secret key matters, so this is where its absence stops the process:
with DEBUG off, the application refuses to load while DJANGO_SECRET_KEY is unset, empty, the
development fallback or otherwise weak (the same rules as `check --deploy`, security.W009).
Management commands (migrate, loaddata, collectstatic, check, tests) import settings, not this
module, so they still run with no environment at all.
"""

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def weak_secret_key(key):
    """True for keys `check --deploy` rejects: short, repetitive or marked insecure."""
    return not key or len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure-")


if not settings.DEBUG and weak_secret_key(settings.SECRET_KEY):
    raise ImproperlyConfigured(
        "Refusing to serve with DEBUG off and no real secret key: set DJANGO_SECRET_KEY to a "
        'long random value (at least 50 characters, e.g. `python -c "import secrets; '
        'print(secrets.token_urlsafe(50))"`), or set DJANGO_DEBUG=1 for local development.'
    )

application = get_wsgi_application()
