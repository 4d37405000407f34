# Two commands for a newcomer: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Two installs into one virtualenv, each with its own stamp: what serving needs
# (requirements.lock: `make run`) and, on top, the development tools (requirements-dev.lock:
# `make test`). The dev lock pins the same versions of the serving packages, so after `make test`
# a `make run` installs nothing, and after `make run` a `make test` adds only the tools.
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run dev test test-postgres install install-run lock migrate data static messages compile-messages check-deploy lint format bench clean

# Exactly the versions in the lock files, each checked against its hash: the same set on every
# machine, in CI and (requirements.lock, without the dev tools) in the image.
$(RUN_STAMP): requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $(RUN_STAMP)

$(DEV_STAMP): requirements-dev.lock $(RUN_STAMP)
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $(DEV_STAMP)

install-run: $(RUN_STAMP)

install: $(DEV_STAMP)

# The one command that updates the lock files, after changing a dependency in pyproject.toml
# (or to take newer releases): the newest versions pyproject.toml allows, with every file's
# hash, from PyPI alone (local pip settings such as find-links are left out of it).
PIP_COMPILE := env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null $(BIN)/pip-compile --quiet \
	--generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links \
	--index-url https://pypi.org/simple --upgrade
lock: install
	$(PIP_COMPILE) -o requirements.lock pyproject.toml
	$(PIP_COMPILE) --extra dev -o requirements-dev.lock pyproject.toml

var/secret-key:
	mkdir -p var
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret-key
	chmod 600 var/secret-key

migrate: install-run
	$(BIN)/python manage.py migrate --noinput

data: migrate
	$(BIN)/python manage.py load_reference_data

static: install-run
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

# The French interface: compile locale/fr/LC_MESSAGES/django.po where GNU gettext (msgfmt) is
# installed; elsewhere the committed django.mo serves (tests/test_i18n.py checks it is current).
compile-messages: install-run
	@if command -v msgfmt >/dev/null 2>&1; then \
	  $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=bench --verbosity 0; \
	else echo "msgfmt not found: using the committed locale/*/LC_MESSAGES/django.mo"; fi

# The catalogue from both template engines, after changing a message: Django's makemessages reads
# the Python code and the admin's templates (core/templates/admin/; templates/ is Jinja2, which it
# cannot read), Babel the Jinja2 templates (babel.cfg). The two lists are merged into django.po,
# which keeps its translations (new messages come untranslated or fuzzy: translate them) and
# loses the ones no code uses any more; then it is compiled. Needs GNU gettext.
MESSAGES := var/messages
messages: install
	mkdir -p $(MESSAGES)
	cp locale/fr/LC_MESSAGES/django.po $(MESSAGES)/django.po
	$(BIN)/python manage.py makemessages --locale=fr --keep-pot --verbosity 0 \
	  --ignore=.venv --ignore=bench --ignore=var --ignore='templates/*.*'
	mv locale/django.pot $(MESSAGES)/django.pot
	$(BIN)/pybabel --quiet extract --mapping-file=babel.cfg --sort-by-file \
	  --output-file=$(MESSAGES)/jinja2.pot .
	msgcat --use-first $(MESSAGES)/django.pot $(MESSAGES)/jinja2.pot -o $(MESSAGES)/all.pot
	msgmerge --quiet $(MESSAGES)/django.po $(MESSAGES)/all.pot \
	  | msgattrib --no-obsolete -o locale/fr/LC_MESSAGES/django.po
	$(MAKE) compile-messages

# Serve the way production does: gunicorn, whitenoise, DEBUG off, a real secret key, and only
# what serving needs installed. Loads the reference data at every start: a merge that keeps the
# staff's work and writes nothing when nothing changed (README, "The data").
# Plain HTTP on loopback, so the redirect to HTTPS is switched off here only.
run: install-run var/secret-key data static
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY="$$(cat var/secret-key)" DJANGO_SECURE_SSL_REDIRECT=0 \
	  $(BIN)/gunicorn config.wsgi --config config/gunicorn.py --bind 127.0.0.1:$(PORT)

# The production settings check (a release step): fails on any warning, e.g. a missing secret key.
# Uses the environment's DJANGO_* values, falling back to var/secret-key and an example host.
check-deploy: install-run var/secret-key
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat var/secret-key)}" \
	  DJANGO_ALLOWED_HOSTS="$${DJANGO_ALLOWED_HOSTS:-mandates.example.org}" \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

# Development server with DEBUG on and autoreload.
dev: install-run data
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The suite runs on every core (pytest-xdist); PYTEST_ARGS="-n 0" runs it in one process.
PYTEST_ARGS ?= -n auto
test: install static compile-messages
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Load test beside Datasette and a constant view: SQLite and PostgreSQL, 10,000 and 100,000
# synthetic resolutions, page cache off and on, 5 interleaved rounds (docs/performance.md).
# Under 15 minutes once the databases are built; needs wrk (Debian package) and a PostgreSQL
# server at BENCH_POSTGRES (postgres://postgres@127.0.0.1:5432). A quick look while working:
# make bench BENCH_ARGS="--backends sqlite --sizes 10000 --duration 1"
# Not part of `make test`. Datasette goes into bench/.venv-datasette, not the app's virtualenv.
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles var/mandates.sqlite3
