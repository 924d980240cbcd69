# Instrument Commons: `make run` serves the portal with demo data, `make test` runs every check.
# Both set everything up first (virtual environment, pinned packages, translations, database).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers for make test (each has its own test database, Redis database and cache prefix).
TEST_WORKERS ?= 2
# More pytest options for make test, e.g. PYTEST_ARGS="-m 'not browser'" or PYTEST_ARGS=tests/bookings.
PYTEST_ARGS ?=

.PHONY: run test setup install messages migrate demo lint worker beat makemessages clean bench bench-report bench-pages

run: setup demo
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install messages
	mkdir -p var
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

setup: install messages migrate

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))' || { echo "Python 3.11 or newer is needed (found $(PYTHON))"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

messages: install
	$(PY) manage.py compile_translations

migrate: install
	mkdir -p var
	$(PY) manage.py migrate --no-input

demo: migrate
	$(PY) manage.py seed_demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

worker: setup
	$(BIN)/celery -A platform_site worker --loglevel=info

beat: setup
	$(BIN)/celery -A platform_site beat --loglevel=info --schedule var/celerybeat-schedule

# Both benchmarks (PostgreSQL at 127.0.0.1:5432, Redis and wrk; see README "Benchmarks").
bench: bench-report bench-pages

# The utilisation report on 1,000,000 service records against hand-written SQL, and its memory
# (PostgreSQL: BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/ic_bench).
bench-report: install messages
	$(PY) -m bench.run $(BENCH_ARGS)

# The catalogue pages at 945 and 100,000 instruments (BENCH_ARGS=--million: also 1,000,000) served
# by gunicorn, against /healthz/, with wrk (databases ic_bench_pages*, Redis db 2, port 8101).
bench-pages: install messages
	$(PY) -m bench.pages $(BENCH_ARGS)

# For maintainers (needs GNU gettext): refresh the .po catalogues after changing strings.
makemessages: install
	$(PY) manage.py makemessages -l zh_Hans --ignore '.venv/*' --ignore 'var/*' --no-obsolete
	for app in members instruments bookings subsidies reports; do \
		if [ -d $$app/locale ]; then (cd $$app && ../$(PY) ../manage.py makemessages -l zh_Hans --no-obsolete); fi; \
	done

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache test-artifacts
