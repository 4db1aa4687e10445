# Two commands for a fresh Debian/Ubuntu machine with Python 3.11+:
#   make run   installs into .venv and starts the app on http://localhost:8501
#   make test  installs what tests need (incl. Debian's Chromium) and runs ruff and the whole suite
#   make test-fast  unit and AppTest tests without the slow ones (no browser, no nginx, no whole-site export): a quick check while editing
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test test-fast install install-dev browser lint validate bench load screenshots clean

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev browser

run: install
	$(PY) -m basewatch.serve --server.port=$(PORT) --server.address=0.0.0.0

# Browser tests use Debian's Chromium: `playwright install` cannot download browsers here.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium nginx; \
	fi
	@if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx; \
	fi

lint: $(VENV)/.dev
	$(PY) -m ruff check .

validate: install
	$(PY) -m basewatch validate

test: install-dev
	$(PY) -m ruff check .
	$(PY) -m basewatch validate
	$(PY) -m basewatch package --check
	$(PY) -m tools.offline frictionless validate data/datapackage.json
	$(PY) -m pytest

# Unit and AppTest tests: no browser, no nginx, no deploy checks, no tests marked slow or scale (`make test` runs them).
test-fast: $(VENV)/.dev
	$(PY) -m pytest -q -n 2 --ignore=tests/browser --ignore=tests/deploy -m "not browser and not slow and not scale"

bench: install-dev
	$(PY) -m tools.bench --md bench-results/bench.md
	$(PY) -m tools.bench_actions --sizes bundled 100000 1000000 --out bench-results/actions.json \
		--md bench-results/actions.md

load: install-dev
	$(PY) scripts/load_test.py

# 2 Streamlit replicas (one per core here) behind Debian's nginx (deploy/nginx.conf.template); needs `make browser`.
.PHONY: load-replicas
load-replicas: install-dev
	$(PY) scripts/load_test.py --replicas 2

screenshots: install-dev
	$(PY) scripts/screenshots.py screenshots

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
