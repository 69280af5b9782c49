# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000

.PHONY: run test lint format migrate demo bench worker beat messages clean

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

run: demo
	$(PY) manage.py runserver $(HOST)

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The city benchmark database (createdb -h 127.0.0.1 -U postgres pb_city); DATABASE_URL wins.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/pb_city

# Production settings but plain http: nginx terminates TLS in production, the bench talks to
# the application directly.
bench: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-$(BENCH_DATABASE_URL)} SECRET_KEY=$${SECRET_KEY:-bench-only} \
		DEBUG=$${DEBUG:-false} SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-false} \
		$(PY) bench/all.py $(BENCH_ARGS)

# Production-like processes (need REDIS_URL and DATABASE_URL).
worker: $(STAMP)
	$(VENV)/bin/celery -A config worker -l info

beat: $(STAMP)
	$(VENV)/bin/celery -A config beat -l info

# Needs GNU gettext; the compiled .mo files are committed so `make run` does not.
messages: $(STAMP)
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=tests
	$(PY) manage.py compilemessages -l en --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles
