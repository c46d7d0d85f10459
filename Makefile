# Two commands on a fresh machine: `make run` (the app on SQLite, demo data, a demo login) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: venv run test lint format migrate seed e2e loadtest-smoke clean

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || "$$(project/bin/find-python)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

migrate: venv
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput

seed: migrate
	DEBUG=$${DEBUG:-1} $(PY) manage.py seed_demo

run: seed
	DEBUG=$${DEBUG:-1} HOST=$(HOST) PORT=$(PORT) PY=$(PY) project/bin/run-local

# The suite runs in parallel (pytest-xdist, one worker per core; TEST_WORKERS=0 runs it in one process).
TEST_WORKERS ?= auto
test: venv
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

e2e: venv
	$(PY) -m pytest e2e $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

loadtest-smoke: venv
	PY=$(PY) loadtest/run.sh --users 10 --seconds 30

clean:
	rm -rf $(VENV) var staticfiles
