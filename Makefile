# One Neuron: the two commands a learner or maintainer needs are `make lab` and `make test`.
# Everything is installed into ./.venv on first use (and again whenever a requirements file changes).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
COURSE := $(VENV)/.course-installed
DEV    := $(VENV)/.dev-installed
# Jupyter refuses to run as root without being told; CI containers often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
# JupyterLab listens on this machine only and keeps its token: never expose a course server.
LAB_ARGS := --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=notebooks $(ROOT_FLAG)

.PHONY: help lab test lint unit notebooks browser execute bench student slides demo lite clean

help:
	@echo "make lab      open the course in JupyterLab (sets up .venv first)"
	@echo "make test     run every check: ruff, unit tests, nbval, browser, student edition"
	@echo "make execute  re-execute every notebook in place from a fresh kernel"
	@echo "make bench    print the performance tables (see README, Performance)"
	@echo "make student  build the student edition into student/"
	@echo "make slides   build reveal.js slides into build/slides/"
	@echo "make demo     serve the training explorer as a no-code Voila dashboard"
	@echo "make lite     build a JupyterLite static site into build/lite/"

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(COURSE): requirements.txt pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(DEV): requirements-dev.txt $(COURSE)
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

lab: $(COURSE)
	$(BIN)/jupyter lab $(LAB_ARGS)

test: lint unit notebooks browser

lint: $(DEV)
	$(BIN)/ruff check .

unit: $(DEV)
	$(BIN)/python -m pytest -m "not browser"

# nbval compares every notebook's outputs with the committed ones. It runs them last one first,
# each in a fresh kernel, so that a notebook relying on another's leftovers fails; and the run
# fails if it leaves a new file in notebooks/ (conftest.py).
notebooks: $(DEV)
	$(BIN)/python -m pytest -p no:cacheprovider --nbval --nbval-current-env \
	    --nbval-sanitize-with tests/sanitize.cfg $(shell ls -r notebooks/*.ipynb)

browser: $(DEV)
	$(BIN)/python -m pytest -m browser -rs

execute: $(DEV)
	$(BIN)/python scripts/execute_notebooks.py notebooks/*.ipynb

bench: $(DEV)
	$(BIN)/python scripts/bench.py

student: $(DEV)
	$(BIN)/python scripts/student_edition.py notebooks student

slides: $(DEV)
	$(BIN)/jupyter nbconvert --to slides --SlidesExporter.reveal_scroll=True \
	    --output-dir build/slides notebooks/*.ipynb

demo: $(DEV)
	$(BIN)/voila --Voila.ip=127.0.0.1 --token --no-browser notebooks/demo.ipynb

lite: $(DEV)
	$(BIN)/jupyter lite build --lite-dir lite --contents ../notebooks --contents ../neuron_core.py --contents ../neuron_ui.py \
	    --output-dir build/lite

clean:
	rm -rf build student .pytest_cache
