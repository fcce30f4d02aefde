# safework — the README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_URL ?= redis://127.0.0.1:6379/0
BENCH_SCALE ?= full
PYTEST_WORKERS ?= 2

.PHONY: run install dev test test-sqlite test-postgres services chromium fonts bench messages lint format clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -q -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

dev: $(VENV)/.dev-installed

## make run: install, migrate, load the catalogue, demo data on an empty database,
## then gunicorn + the Huey consumer at http://127.0.0.1:8000
run: install
	$(BIN)/safework run --host 127.0.0.1 --port 8000

## make test: dev dependencies, then the whole suite on SQLite and on PostgreSQL
test: dev services chromium fonts
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: dev
	cd $(CURDIR) && SAFEWORK_ENV=test $(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider

test-postgres: dev services
	cd $(CURDIR) && SAFEWORK_ENV=test SAFEWORK_DATABASE_URL=$(PG_URL) SAFEWORK_TEST_REDIS_URL=$(REDIS_URL) \
		$(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider

## Start local PostgreSQL and Redis when they are not answering.
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@for i in 1 2 3 4 5 6 7 8 9 10; do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
	@for i in 1 2 3 4 5; do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done

## Debian's chromium for the Playwright browser tests (Playwright cannot download browsers here).
chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

## A CJK font for the OCR tests' synthetic certificate photos (Debian's fonts-wqy-microhei).
fonts:
	@fc-list :lang=zh 2>/dev/null | grep -q . || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei)

## make bench [BENCH_SCALE=small]: timing scripts in benchmarks/, results in benchmarks/results.json
bench: dev services fonts
	SAFEWORK_ENV=test $(BIN)/python benchmarks/run.py --scale $(BENCH_SCALE) --database-url $(PG_URL)

## make messages: regenerate and compile the zh_Hans translations
messages: dev
	$(BIN)/python scripts/i18n.py

lint: dev
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/ruff check src tests benchmarks scripts

format: dev
	$(BIN)/ruff format src tests benchmarks scripts
	$(BIN)/ruff check --fix src tests benchmarks scripts

clean:
	rm -rf $(VENV) var .pytest_cache
