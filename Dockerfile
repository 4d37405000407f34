# Mandate Reference: gunicorn + whitenoise on python:3.11-slim, run as a non-root user.
#   docker build -t mandate-reference .
#   podman build --format docker -t mandate-reference .
# (podman's default OCI image format has no HEALTHCHECK: it drops it, with a warning, unless
# built with --format docker.) No `# syntax=` line: the build needs no Dockerfile frontend
# image from a registry, so BuildKit, the legacy builder and buildah all build it offline given
# the base image and a PyPI mirror.
# Release steps (migrate, load_reference_data, check --deploy) run as one-off containers, never in
# CMD: see docs/deploying.md and compose.yaml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8000

RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app app

WORKDIR /app

# Dependencies first, in their own layer: rebuilt only when the lock file changes. Exactly the
# versions of requirements.lock, each file checked against its hash (`make lock` updates it).
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock

# Then the code. It runs from /app rather than being pip-installed: settings find templates/,
# static/ and fixtures/ next to the code (BASE_DIR).
COPY . .

# Hashed, compressed static files are part of the image. Management commands need no real key
# (only serving does, config/wsgi.py); the throwaway value only makes that explicit. /app/var
# holds the SQLite database when DATABASE_URL is unset: mount a volume there (docs/deploying.md).
RUN DJANGO_SECRET_KEY=collectstatic-only-not-a-secret python manage.py collectstatic --noinput --verbosity 0 \
 && mkdir -p /app/var \
 && chown app:app /app/var

USER app
EXPOSE 8000

# python:3.11-slim has no curl. /healthz answers before Host validation and the HTTPS redirect;
# urlopen raises on any answer but a 2xx (a 503 while migrations or the reference data are
# missing), so the check fails and the container is unhealthy (tests/test_health.py runs it).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"

# Binds 0.0.0.0:$PORT; workers, threads and timeouts from GUNICORN_* (config/gunicorn.py).
CMD ["gunicorn", "config.wsgi", "--config", "config/gunicorn.py"]
