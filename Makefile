# Two commands on a fresh machine: `make run` (the app on SQLite, demo data, a demo login) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
# One stamp per lock file: `make run` installs only what the image runs, the dev targets the dev lock.
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
PIP_TOOLS := pip-tools==7.7.0
LOCK_FLAGS := --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links --quiet
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: venv runtime lock run test lint format migrate seed e2e loadtest-smoke clean

venv: $(DEV_STAMP)

runtime: $(RUNTIME_STAMP)

$(PY):
	"$$(project/bin/find-python)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): requirements.lock | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	@touch $(RUNTIME_STAMP)

$(DEV_STAMP): requirements-dev.lock | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	@touch $(DEV_STAMP) $(RUNTIME_STAMP)

# After editing requirements.txt or requirements-dev.txt: pin every package, with hashes, for Python 3.13
# (the image's). The dev lock is constrained by the runtime lock, so both pin the same shared versions.
lock: | $(PY)
	$(PY) -m pip install --quiet $(PIP_TOOLS)
	$(VENV)/bin/pip-compile $(LOCK_FLAGS) -o requirements.lock requirements.txt
	$(VENV)/bin/pip-compile $(LOCK_FLAGS) -c requirements.lock -o requirements-dev.lock requirements-dev.txt

migrate: runtime
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
