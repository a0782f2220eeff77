# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
DEV_ENV := DJANGO_DEBUG=1

.PHONY: run test lint format install lock lock-check migrate demo bench screenshots clean

install: $(VENV)/.installed node_modules/.installed

# Every package, down to the last transitive dependency, from the hash-locked file (README "Installing").
# A lock older than requirements*.txt stops the install: run `make lock` first.
$(VENV)/.installed: requirements.txt requirements-dev.txt requirements.lock requirements-dev.lock
	$(PYTHON) tools/locks.py check
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

# Regenerate both locks after changing requirements*.txt (uv, at the version requirements-dev.txt pins).
lock:
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet "$$(grep '^uv==' requirements-dev.txt)"
	$(VENV)/bin/python tools/locks.py write
	$(VENV)/bin/python tools/locks.py check

# No network: fails when a lock is out of date with requirements*.txt.
lock-check:
	$(PYTHON) tools/locks.py check

# Bootstrap comes from the npm registry, pinned by package-lock.json.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

migrate: install
	$(DEV_ENV) $(PY) manage.py migrate --verbosity 0
	$(DEV_ENV) $(PY) manage.py createcachetable

demo: migrate
	$(DEV_ENV) $(PY) manage.py load_catalogue
	$(DEV_ENV) $(PY) manage.py load_demo

# Background jobs run beside the server (README "Background jobs"): a task worker and the scheduler, on the
# same database; both stop when the server does.
run: demo
	@echo "Open http://$(HOST):$(PORT)/ and log in with a demo account above."
	@$(DEV_ENV) $(PY) manage.py db_worker --no-reload --interval 5 & worker=$$!; \
	$(DEV_ENV) $(PY) manage.py run_scheduler & scheduler=$$!; \
	trap 'kill $$worker $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(DEV_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

# Every core: pytest-xdist's workers each get their own test database. "load" hands tests out in
# collection order, where pytest-django puts the tests that flush the database (transaction=True)
# last, so no test after them on a worker finds the catalogue gone ("loadscope" broke that order).
TEST_WORKERS ?= auto
test: install
	$(PY) -m pytest -n $(TEST_WORKERS) --dist load

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The benchmark (README "Benchmark", bench/run.py): SQLite and PostgreSQL at 200 and 2,000 children.
# A quick run: make bench BENCH_ARGS="--db sqlite --children 200"
bench: install
	$(PY) -m bench.run $(BENCH_ARGS)

# Every main page for the parent at 360×740 and a therapist at 1280×800, into docs/screenshots/
# (tools/screenshots.py: a demo database of its own, runserver on 127.0.0.1, stopped when done).
screenshots: install
	$(PY) tools/screenshots.py

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache
