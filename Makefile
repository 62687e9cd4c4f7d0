# CareCycle: `make run` serves the app on http://127.0.0.1:5000; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
NPM_STAMP := node_modules/.installed-stamp

.PHONY: run test lint typecheck pytest bench diagrams clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

# bpmn-js (the instance diagrams in the supervisor's console), pinned by package-lock.json.
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NPM_STAMP)

run: $(STAMP) $(NPM_STAMP)
	$(BIN)/carecycle db upgrade
	$(BIN)/carecycle processes deploy
	$(BIN)/carecycle demo --if-new
	$(BIN)/carecycle serve

lint: $(STAMP)
	$(BIN)/ruff check engine web tests bench
	$(BIN)/ruff format --check engine web tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck $(NPM_STAMP)
	@./scripts/ensure-chromium.sh
	@pg_url=$$(./scripts/test-postgres.sh) && \
	CARECYCLE_TEST_PG_URL="$$pg_url" CARECYCLE_REQUIRE_PG=1 CARECYCLE_REQUIRE_BROWSER=1 \
	$(BIN)/pytest -q -p no:cacheprovider

bench: $(STAMP)
	@pg_url=$$(./scripts/test-postgres.sh) && \
	CARECYCLE_BENCH_PG_URL="$${pg_url%_test}_test_bench" $(BIN)/python -m bench

# docs/diagrams/<process_id>.png for every processes/*.bpmn, drawn by bpmn-js (package-lock.json)
# in headless Chromium; fails naming the file when bpmn-js reports import errors or warnings.
diagrams: $(STAMP)
	@$(BIN)/python -c 'import playwright' 2>/dev/null || $(BIN)/pip install -q -e '.[diagrams]'
	@test -x "$${CARECYCLE_CHROMIUM:-/usr/bin/chromium}" || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	@$(MAKE) -s $(NPM_STAMP)
	$(BIN)/python scripts/render_diagrams.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
