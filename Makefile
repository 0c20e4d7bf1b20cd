# One command for the demo, one for the tests; both bootstrap themselves on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench up down clean screenshot

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[local,dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m touchstream.demo

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# Every scenario of bench/scenarios, one after the other (about 40 minutes on 2 cores, a 10-minute
# soak included); writes bench/results/latest.{md,json}. The other bench modules run on their own.
bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[local,dev,bench]'
	$(BIN)/python -m bench

# The channels dashboard drawn from the demo's data and captured by headless Chromium (needs
# Debian's chromium); .touchstream/screenshots/, kept out of git. Not part of `make test`.
screenshot: demo
	$(BIN)/python -m deploy.local.screenshot

up: $(STAMP)
	$(BIN)/touchstream local up

down: $(STAMP)
	$(BIN)/touchstream local down

clean: down
	rm -rf .touchstream
