# Taskflow: `make run` starts the whole system on the embedded default; `make test` runs the
# suite on PostgreSQL and Redis. Both create the virtual environment first when needed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)
TEST_ENV := DJANGO_ENV=test

.PHONY: venv run test lint typecheck checks ci clean bench

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

run: venv
	$(BIN)/python manage.py migrate --noinput
	WEB_BIND=127.0.0.1:8000 $(BIN)/honcho start -f Procfile web worker beat

test: venv
	$(BIN)/python -m pytest --cov --cov-report=term-missing:skip-covered $(PYTEST_ARGS)
	$(BIN)/python scripts/coverage_by_app.py --fail-under 90

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(TEST_ENV) $(BIN)/mypy .

checks: venv
	$(TEST_ENV) $(BIN)/python manage.py check
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null

ci: lint typecheck checks test

clean:
	rm -rf $(VENV) var .coverage .mypy_cache .ruff_cache

# The benchmark (docs/BENCHMARKS.md): make bench TASKS=1000000 BENCH_ARGS="--concurrency 8"
TASKS ?= 100000
bench: venv
	$(BIN)/python -m benchmarks.run --tasks $(TASKS) $(BENCH_ARGS)
