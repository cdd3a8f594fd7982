# The project's one command surface (CONTRACT.md). `make test` is exactly what CI runs.
PYTHON_VERSION := $(shell cat .python-version)
PY := .venv/bin/python
STAMP := .venv/.installed

.PHONY: setup run test check bench refresh-regions clean

$(STAMP): pyproject.toml .python-version
	@if [ ! -x $(PY) ]; then \
	  PYBIN=$$(command -v python$(PYTHON_VERSION) || pyenv prefix $(PYTHON_VERSION) 2>/dev/null | sed 's|$$|/bin/python|' || true); \
	  [ -x "$$PYBIN" ] || PYBIN=$$(ls -d $$HOME/.pyenv/versions/$(PYTHON_VERSION)*/bin/python 2>/dev/null | tail -n1); \
	  [ -x "$$PYBIN" ] || { echo "Python $(PYTHON_VERSION) not found (install it, e.g. with pyenv)"; exit 1; }; \
	  $$PYBIN -m venv .venv; \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# The demo with a practice cycle open around today and the 2024 rank intervals (robustness), the background
# worker (bulk reports) beside the server;
# Ctrl-C stops both.
run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load-demo --practice
	$(PY) manage.py robustness --year 2024 > /dev/null
	$(PY) manage.py db_worker --queue-name "*" & WORKER=$$!; \
	  trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver 127.0.0.1:8000

test: setup
	$(PY) -m pytest

check: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy kotacerdas
	$(PY) manage.py makemigrations --check --dry-run

# Every benchmark (each writes var/bench/<name>.json), then one table of all their figures.
bench: setup
	@# The pages benchmark drives gunicorn with wrk (Debian package); installed here when missing and possible.
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && (apt-get install -y -qq wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)); } || echo 'wrk is not installed: the pages benchmark will be skipped (apt-get install wrk)'
	rm -f var/bench/*.json
	$(PY) bench/recompute.py
	$(PY) bench/imports.py
	$(PY) bench/survey_load.py
	$(PY) bench/pages.py
	$(PY) bench/survey_quality.py
	$(PY) bench/reports.py
	$(PY) bench/scheduling.py
	$(PY) bench/robustness.py
	$(PY) bench/summary.py

# Re-take the region registry from the npm package (needs npm); the result is committed.
refresh-regions:
	rm -rf var/idn && mkdir -p var/idn
	cd var/idn && npm pack --silent idn-area-data@4.0.1 && tar xzf idn-area-data-4.0.1.tgz
	cp var/idn/package/data/provinces.csv var/idn/package/data/regencies.csv data/regions/
	cp var/idn/package/data/LICENSE.md data/regions/LICENSE-ODbL.md

clean:
	rm -rf .venv var build *.egg-info
