# Two commands for a newcomer: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-stamp

.PHONY: run dev test test-postgres install migrate data static check-deploy lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

var/secret-key:
	mkdir -p var
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret-key
	chmod 600 var/secret-key

migrate: install
	$(BIN)/python manage.py migrate --noinput

data: migrate
	$(BIN)/python manage.py load_reference_data

static: install
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

# Serve the way production does: gunicorn, whitenoise, DEBUG off, a real secret key.
# Plain HTTP on loopback, so the redirect to HTTPS is switched off here only.
run: install var/secret-key data static
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY="$$(cat var/secret-key)" DJANGO_SECURE_SSL_REDIRECT=0 \
	  $(BIN)/gunicorn config.wsgi --config config/gunicorn.py --bind 127.0.0.1:$(PORT)

# The production settings check (a release step): fails on any warning, e.g. a missing secret key.
# Uses the environment's DJANGO_* values, falling back to var/secret-key and an example host.
check-deploy: install var/secret-key
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat var/secret-key)}" \
	  DJANGO_ALLOWED_HOSTS="$${DJANGO_ALLOWED_HOSTS:-mandates.example.org}" \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

# Development server with DEBUG on and autoreload.
dev: install data
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles var/mandates.sqlite3
