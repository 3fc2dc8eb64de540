# One Neuron: the two commands a learner or maintainer needs are `make lab` and `make test`.
# Everything is installed into ./.venv on first use (and again whenever a requirements file changes).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
COURSE := $(VENV)/.course-installed
DEV    := $(VENV)/.dev-installed
# nbgrader lives in a venv of its own: its server and lab extensions stay out of the course's Lab.
GRADER := .venv-grader
GRADER_INSTALLED := $(GRADER)/.installed
# Jupyter refuses to run as root without being told; CI containers often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
# JupyterLab listens on this machine only and keeps its token: never expose a course server.
# `make lab` opens the learner edition (notebooks/), `make lab-instructor` the full text.
LAB_ARGS := --ServerApp.ip=127.0.0.1 $(ROOT_FLAG)
# npm ci's own record of what it installed for the slides: newer than the lock file once done.
SLIDES_JS := slides/node_modules/.package-lock.json
# The same for the hub's proxy (configurable-http-proxy), from hub/package-lock.json.
HUB_JS := hub/node_modules/.package-lock.json
# pytest-xdist: the unit tests, the notebooks and the browser tests each run on WORKERS processes
# (2: the cores of this machine and of CI; `make test WORKERS=auto` on a bigger one). A test file
# goes whole to one worker (--dist loadfile): a module's costly fixture (the nbgrader round, a
# JupyterLab, the hub) is made once, and a notebook's cells run in order in its one kernel.
# Files are handed out in the order tests/conftest.py sorts them, the longest first
# (--no-loadscope-reorder: by default pytest-xdist hands out the files with most tests first,
# which left the hub, seven tests and the longest file, to run alone at the end).
WORKERS ?= 2
XDIST := -n $(WORKERS) --dist loadfile --no-loadscope-reorder

.PHONY: help lab lab-instructor test lint unit links notebooks browser suite all execute bench editions assignment slides handout answers demo hub lite clean

help:
	@echo "make lab      open the course in JupyterLab, learner edition (sets up .venv first)"
	@echo "make lab-instructor  open the instructor edition (full text with solutions)"
	@echo "make test     run every check: ruff, unit tests, links, nbval on both editions, browser"
	@echo "make execute  re-execute instructor/, rebuild and re-execute notebooks/ (fresh kernels)"
	@echo "make bench    print the performance tables (see docs/performance.md)"
	@echo "make editions build the learner edition notebooks/ from instructor/ (not executed)"
	@echo "make assignment  build the nbgrader course folder build/nbgrader/ (source + release)"
	@echo "make slides   build reveal.js slides of the instructor edition into build/slides/"
	@echo "make handout  the one-page printable handout: build/handout.html"
	@echo "make answers  the printable answer key from the instructor edition: build/answers.html"
	@echo "make demo     serve the training explorer as a no-code Voila dashboard (DEMO_PORT=8866)"
	@echo "make hub      a local trial JupyterHub for a class (prints the login and the link)"
	@echo "make lite     build a JupyterLite static site into build/lite/"
	@echo "make site     the explorers as one static page, no kernel: build/site/index.html"

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(COURSE): requirements.txt pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

# JupyterLab asks no news question and checks for no update: the hub's learners' settings file,
# installed where JupyterLab reads packaged overrides (Binder's postBuild puts it there too).
LAB_QUIET := $(VENV)/share/jupyter/lab/settings/overrides.d/one-neuron.json
$(LAB_QUIET): hub/singleuser/labconfig/default_setting_overrides.json | $(COURSE)
	install -D -m 644 $< $@

$(DEV): requirements-dev.txt requirements-hub.txt requirements-links.txt $(COURSE) $(LAB_QUIET)
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-links.txt
	touch $@

lab: $(COURSE) $(LAB_QUIET)
	$(BIN)/jupyter lab $(LAB_ARGS) --ServerApp.root_dir=notebooks

lab-instructor: $(COURSE) $(LAB_QUIET)
	$(BIN)/jupyter lab $(LAB_ARGS) --ServerApp.root_dir=instructor

# The unit tests, the browser tests and nbval run as one pytest run (`all`), not as `make unit`,
# `make browser`, `make notebooks` in turn: see `suite` below.
test: lint links all

# Everything `make test` installs, made at once by `make -j deps` (.ci/run): .venv with the dev
# tools, .venv-grader, the slides' and the hub's npm packages. They do not depend on each other.
.PHONY: deps hub-env
deps: $(DEV) $(GRADER_INSTALLED) $(SLIDES_JS) $(HUB_JS)

# The trial hub's learners' environment (hub/learner_env.py; /opt/one-neuron-hub/env, as root):
# tests/test_hub.py builds it on first use; CI builds it beside the other installs instead.
hub-env: | $(VENV)/bin/python
	$(BIN)/python hub/learner_env.py

lint: $(DEV)
	$(BIN)/ruff check .

unit: $(DEV) $(GRADER_INSTALLED)
	$(BIN)/python -m pytest $(XDIST) -m "not browser"

# The documentation's links, offline (pytest-check-links): every relative link and in-page anchor
# of README.md and docs/*.md must exist; links to other sites are not fetched.
# A link into a notebook's heading (the glossary's) is left to tests/test_course_text.py:
# pytest-check-links 0.10.1 tries the target's extensions in set order, which changes with each
# run's hash seed, and now and then reads a notebook as HTML and finds no anchor in it.
links: $(DEV)
	$(BIN)/python -m pytest -p no:cacheprovider -o addopts="" --check-links --check-anchors \
	    --check-links-ignore "https?://.*" --check-links-ignore ".*\.ipynb#.*" README.md docs/*.md

# nbval compares every notebook's outputs with the committed ones, in both editions: the
# instructor's full text, and the learner edition run untouched (its stubs must not raise, and no
# later cell may need an answer). Last lesson first, two at a time (WORKERS), each in a fresh
# kernel, so that a notebook relying on another's leftovers fails; the run fails if it leaves a
# new file in notebooks/ or instructor/ (conftest.py). `editions.py check` first: notebooks/
# must be built from instructor/.
NBVAL := -p no:cacheprovider --nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg
NOTEBOOK_FILES = $(shell ls -r notebooks/*.ipynb instructor/*.ipynb)
notebooks: $(DEV)
	$(BIN)/python scripts/editions.py check
	$(BIN)/python -m pytest $(XDIST) $(NBVAL) $(NOTEBOOK_FILES)

browser: $(DEV) $(SLIDES_JS) $(HUB_JS)
	$(BIN)/python -m pytest $(XDIST) -m browser -rs

# `make unit` and `make browser` in one pytest run, as `make test` runs them: a module's fixture
# that both kinds of test use (test_grading's nbgrader round, test_site's build) is made once,
# not once per run, and the browser tests' waits (a kernel culled, a page settling) overlap the
# unit tests' work on the other worker.
suite: $(DEV) $(GRADER_INSTALLED) $(SLIDES_JS) $(HUB_JS)
	$(BIN)/python -m pytest $(XDIST) -rs

# `make notebooks` and `make suite` in one pytest run, as `make test` runs them: the notebooks
# (a few seconds each, handed out after the test files) fill the gaps the long files leave, and
# the workers' session fixtures (JupyterLab, Chromium) are not started a second time. The paths
# are pyproject.toml's testpaths (given paths replace them) and the notebooks.
all: $(DEV) $(GRADER_INSTALLED) $(SLIDES_JS) $(HUB_JS)
	$(BIN)/python scripts/editions.py check
	$(BIN)/python -m pytest $(XDIST) -rs $(NBVAL) tests $(wildcard neuron_*.py) $(NOTEBOOK_FILES)

# The instructor edition first (slide types depend on its outputs), then the learner edition
# built from it and run untouched. Two kernels at a time; see scripts/execute_notebooks.py.
execute: $(DEV)
	$(BIN)/python scripts/execute_notebooks.py instructor/*.ipynb
	$(BIN)/python scripts/slide_metadata.py instructor/*.ipynb
	$(BIN)/python scripts/editions.py learner
	$(BIN)/python scripts/execute_notebooks.py notebooks/*.ipynb

bench: $(DEV)
	$(BIN)/python scripts/bench.py

# The learner edition, notebooks/, from instructor/: stubs, a collapsed solution after each
# check, outputs cleared (`make execute` runs it). Refuses broken markers and edition asides.
editions: $(COURSE)
	$(BIN)/python scripts/editions.py learner

$(GRADER_INSTALLED): requirements-grader.txt requirements.txt pyproject.toml
	$(PYTHON) -m venv $(GRADER)
	$(GRADER)/bin/python -m pip install --quiet --upgrade pip
	$(GRADER)/bin/python -m pip install --quiet -r requirements-grader.txt
	touch $@

# The nbgrader course folder from instructor/: source/one_neuron (tags turned into nbgrader
# metadata, hidden tests from neuron_grading) and release/one_neuron (nbgrader
# generate_assignment: the learner edition without its solution cells); see docs/grading.md.
assignment: $(GRADER_INSTALLED)
	$(GRADER)/bin/python scripts/editions.py assignment instructor build/nbgrader

# reveal.js, RequireJS, jQuery and MathJax for the slides, from the npm registry (pinned by
# slides/package-lock.json); scripts/build_slides.py copies them next to the decks.
$(SLIDES_JS): slides/package.json slides/package-lock.json
	npm ci --prefix slides --no-audit --no-fund

# One deck per lesson of the instructor edition (demo.ipynb is the dashboard); open
# build/slides/*.slides.html, no network.
slides: $(DEV) $(SLIDES_JS)
	$(BIN)/python scripts/build_slides.py build/slides instructor/[0-9]*.ipynb

# The one-page handout (docs/handout.md) and the answer key (every exercise of instructor/ with its
# worked solution and the check's output): printable HTML that loads nothing.
handout: $(DEV)
	$(BIN)/python scripts/handout.py build/handout.html

answers: $(DEV)
	$(BIN)/python scripts/answers.py build/answers.html

# Each page view starts a kernel; one whose page is closed (no connection) and that has been idle
# for DEMO_CULL seconds is shut down (checked every DEMO_CULL_EVERY seconds), so that a class that
# reloads the page does not pile kernels up. An open page keeps its kernel.
# On 127.0.0.1:DEMO_PORT (`make demo DEMO_PORT=9000` for another port).
DEMO_CULL ?= 120
DEMO_CULL_EVERY ?= 30
DEMO_PORT ?= 8866
demo: $(DEV)
	$(BIN)/voila --Voila.ip=127.0.0.1 --port=$(DEMO_PORT) --token --no-browser \
	    --MappingKernelManager.cull_idle_timeout=$(DEMO_CULL) \
	    --MappingKernelManager.cull_interval=$(DEMO_CULL_EVERY) \
	    --MappingKernelManager.cull_connected=False notebooks/demo.ipynb

$(HUB_JS): hub/package.json hub/package-lock.json
	npm ci --prefix hub --no-audit --no-fund

# JupyterHub for a class, on 127.0.0.1:HUB_PORT: see docs/hub.md.
# Runs as root: one Unix user per learner. Ports: make hub HUB_PORT=8100 HUB_API_PORT=8181 ...
HUB_PORT ?= 8000
HUB_API_PORT ?= 8081
PROXY_API_PORT ?= 8001
hub: $(DEV) $(HUB_JS)
	ONE_NEURON_HUB_PORT=$(HUB_PORT) ONE_NEURON_HUB_API_PORT=$(HUB_API_PORT) \
	    ONE_NEURON_PROXY_API_PORT=$(PROXY_API_PORT) $(BIN)/python hub/run.py

# The learner edition and the whole library (every neuron_*.py and neuron_*.js).
lite: $(DEV)
	$(BIN)/jupyter lite build --lite-dir lite --contents ../notebooks \
	    $(foreach f,$(wildcard neuron_*.py neuron_*.js),--contents ../$(f)) --output-dir build/lite

# The three explorers on one static page that needs no kernel and no network (docs/site.md):
# open build/site/index.html from disk, or serve the folder with any web server.
.PHONY: site
site: $(DEV)
	$(BIN)/python scripts/build_site.py build/site

clean:
	rm -rf build .pytest_cache
