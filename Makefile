# Lotse: `make run` starts the bot, `make test` runs every test. Both set up what is missing.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.installed
PO := $(wildcard locales/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

.PHONY: run test check lint types unit bench locales messages clean

run: $(VENV_STAMP) locales nlu-start
	$(PY) -m bot run

test: $(VENV_STAMP) locales nlu-model nlu-start lint types
	$(PY) -m bot flows check
	$(PY) -m bot directory check
	$(MAKE) --no-print-directory nlu-wait
	NLU_URL=$(NLU_LOCAL_URL) $(PY) -m pytest -q

# The inner loop: seconds, no NLU server, no subprocesses.
check: $(VENV_STAMP) locales lint
	$(PY) -m pytest -q -m "not nlu and not e2e"

lint: $(VENV_STAMP)
	$(PY) -m ruff check bot tests bench

types: $(VENV_STAMP)
	$(PY) -m mypy

bench: $(VENV_STAMP) locales
	$(PY) -m bench

$(VENV_STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $@

locales: $(MO)

%.mo: %.po $(VENV_STAMP)
	$(VENV)/bin/pybabel compile --statistics -i $< -o $@

# For developers after changing texts: collect them and update every catalog.
messages: $(VENV_STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k Nn_:1,2 --no-location --sort-output \
		-o locales/messages.pot --project Lotse --copyright-holder "Lotse" .
	$(VENV)/bin/pybabel update -i locales/messages.pot -d locales --no-fuzzy-matching

clean: nlu-stop
	rm -rf $(VENV) $(NLU_VENV) var

include nlu/nlu.mk
