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
LAB_ARGS := --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=notebooks $(ROOT_FLAG)
# npm ci's own record of what it installed for the slides: newer than the lock file once done.
SLIDES_JS := slides/node_modules/.package-lock.json
# The same for the hub's proxy (configurable-http-proxy), from hub/package-lock.json.
HUB_JS := hub/node_modules/.package-lock.json

.PHONY: help lab test lint unit notebooks browser execute bench student assignment slides demo hub lite clean

help:
	@echo "make lab      open the course in JupyterLab (sets up .venv first)"
	@echo "make test     run every check: ruff, unit tests, nbval, browser, student edition"
	@echo "make execute  re-execute every notebook in place from a fresh kernel"
	@echo "make bench    print the performance tables (see README, Performance)"
	@echo "make student  build the student edition into student/"
	@echo "make assignment  build the nbgrader course folder build/nbgrader/ (source + release)"
	@echo "make slides   build reveal.js slides into build/slides/"
	@echo "make demo     serve the training explorer as a no-code Voila dashboard"
	@echo "make hub      a local trial JupyterHub for a class (prints the login and the link)"
	@echo "make lite     build a JupyterLite static site into build/lite/"

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(COURSE): requirements.txt pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(DEV): requirements-dev.txt requirements-hub.txt $(COURSE)
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

lab: $(COURSE)
	$(BIN)/jupyter lab $(LAB_ARGS)

test: lint unit notebooks browser

lint: $(DEV)
	$(BIN)/ruff check .

unit: $(DEV) $(GRADER_INSTALLED)
	$(BIN)/python -m pytest -m "not browser"

# nbval compares every notebook's outputs with the committed ones. It runs them last one first,
# each in a fresh kernel, so that a notebook relying on another's leftovers fails; and the run
# fails if it leaves a new file in notebooks/ (conftest.py).
notebooks: $(DEV)
	$(BIN)/python -m pytest -p no:cacheprovider --nbval --nbval-current-env \
	    --nbval-sanitize-with tests/sanitize.cfg $(shell ls -r notebooks/*.ipynb)

browser: $(DEV) $(SLIDES_JS) $(HUB_JS)
	$(BIN)/python -m pytest -m browser -rs

execute: $(DEV)
	$(BIN)/python scripts/execute_notebooks.py notebooks/*.ipynb

bench: $(DEV)
	$(BIN)/python scripts/bench.py

student: $(DEV)
	$(BIN)/python scripts/student_edition.py notebooks student

$(GRADER_INSTALLED): requirements-grader.txt requirements.txt pyproject.toml
	$(PYTHON) -m venv $(GRADER)
	$(GRADER)/bin/python -m pip install --quiet --upgrade pip
	$(GRADER)/bin/python -m pip install --quiet -r requirements-grader.txt
	touch $@

# The nbgrader course folder: source/one_neuron (tags turned into nbgrader metadata) and
# release/one_neuron (nbgrader generate_assignment); see README, "Grading with nbgrader".
assignment: $(GRADER_INSTALLED)
	$(GRADER)/bin/python scripts/assignment.py notebooks build/nbgrader

# reveal.js, RequireJS, jQuery and MathJax for the slides, from the npm registry (pinned by
# slides/package-lock.json); scripts/build_slides.py copies them next to the decks.
$(SLIDES_JS): slides/package.json slides/package-lock.json
	npm ci --prefix slides --no-audit --no-fund

# One deck per lesson (demo.ipynb is the dashboard); open build/slides/*.slides.html, no network.
slides: $(DEV) $(SLIDES_JS)
	$(BIN)/python scripts/build_slides.py build/slides notebooks/[0-9]*.ipynb

# Each page view starts a kernel; one whose page is closed (no connection) and that has been idle
# for DEMO_CULL seconds is shut down (checked every DEMO_CULL_EVERY seconds), so that a class that
# reloads the page does not pile kernels up. An open page keeps its kernel.
DEMO_CULL ?= 120
DEMO_CULL_EVERY ?= 30
demo: $(DEV)
	$(BIN)/voila --Voila.ip=127.0.0.1 --token --no-browser \
	    --MappingKernelManager.cull_idle_timeout=$(DEMO_CULL) \
	    --MappingKernelManager.cull_interval=$(DEMO_CULL_EVERY) \
	    --MappingKernelManager.cull_connected=False notebooks/demo.ipynb

$(HUB_JS): hub/package.json hub/package-lock.json
	npm ci --prefix hub --no-audit --no-fund

# JupyterHub for a class, on 127.0.0.1:HUB_PORT: see README, "JupyterHub for a class".
HUB_PORT ?= 8000
hub: $(DEV) $(HUB_JS)
	ONE_NEURON_HUB_PORT=$(HUB_PORT) $(BIN)/python hub/run.py

lite: $(DEV)
	$(BIN)/jupyter lite build --lite-dir lite --contents ../notebooks --contents ../neuron_core.py --contents ../neuron_ui.py \
	    --contents ../neuron_explorers.py --contents ../neuron_explorers.js --contents ../neuron_checks.py \
	    --output-dir build/lite

clean:
	rm -rf build student .pytest_cache
