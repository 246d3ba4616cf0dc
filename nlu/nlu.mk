# Rasa NLU server: its own Python 3.10 venv, model, process. Included from the top Makefile;
# run from the repository root. Recipes are plain POSIX sh (bash works too).
#   make nlu-venv   create .venv-nlu and install nlu/requirements.txt (once; stamp in var/)
#   make nlu-model  train nlu/models/lotse-nlu.tar.gz when config, domain or data changed
#   make nlu-start  start the server in the background unless it already answers
#   make nlu-wait   wait until the server answers (NLU_WAIT_SECONDS, default 120)
#   make nlu-stop   stop the server started by nlu-start
#   make nlu-eval   compare the pipelines in nlu/pipelines/ -> var/nlu-report.md

NLU_PYTHON_VERSION ?= 3.10.13
NLU_VENV ?= .venv-nlu
NLU_HOST ?= 127.0.0.1
NLU_PORT ?= 5005
NLU_WAIT_SECONDS ?= 120
NLU_MODEL_NAME ?= lotse-nlu
NLU_MODEL := nlu/models/$(NLU_MODEL_NAME).tar.gz
NLU_MODEL_HASH := nlu/models/$(NLU_MODEL_NAME).sha256
NLU_STAMP := var/nlu-venv.stamp
NLU_PID := var/nlu-server.pid
NLU_LOG := var/nlu-server.log
NLU_SERVED_HASH := var/nlu-server.sha256
NLU_LOCAL_URL := http://$(NLU_HOST):$(NLU_PORT)
# No telemetry, and Rasa's training cache under var/ instead of ./.rasa
NLU_ENV := RASA_TELEMETRY_ENABLED=false RASA_CACHE_DIRECTORY=var/rasa-cache \
	SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2 PYTHONWARNINGS=ignore
NLU_SHA256 := { if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi; }
NLU_ANSWERS := curl -sf -m 2 -o /dev/null $(NLU_LOCAL_URL)/

.PHONY: nlu-venv nlu-model nlu-start nlu-wait nlu-stop nlu-eval

nlu-venv: $(NLU_STAMP)

$(NLU_STAMP): nlu/requirements.txt
	@mkdir -p var
	@if [ ! -x $(NLU_VENV)/bin/python ]; then \
		echo "nlu: creating $(NLU_VENV) with Python $(NLU_PYTHON_VERSION)"; \
		if command -v pyenv >/dev/null 2>&1; then \
			PYENV_VERSION=$(NLU_PYTHON_VERSION) pyenv exec python -m venv $(NLU_VENV); \
		else \
			python3.10 -m venv $(NLU_VENV); \
		fi || exit 1; \
	fi
	@echo "nlu: installing nlu/requirements.txt (first time ~3 min, 2.7 GB; log var/nlu-install.log)"
	@$(NLU_VENV)/bin/python -m pip install -q --disable-pip-version-check --upgrade pip \
		> var/nlu-install.log 2>&1 \
	&& $(NLU_VENV)/bin/python -m pip install --disable-pip-version-check \
		-r nlu/requirements.txt >> var/nlu-install.log 2>&1 \
	|| { tail -n 30 var/nlu-install.log; echo "nlu: install failed, see var/nlu-install.log"; exit 1; }
	@touch $@

# The hash covers the file names and contents of config, domain and training data.
nlu-model: nlu-venv
	@mkdir -p nlu/models var
	@hash=$$(for f in nlu/config.yml nlu/domain.yml nlu/data/*.yml; do \
			echo "== $$f"; cat "$$f"; done | $(NLU_SHA256) | cut -d ' ' -f 1); \
	if [ -f $(NLU_MODEL) ] && [ "$$(cat $(NLU_MODEL_HASH) 2>/dev/null)" = "$$hash" ]; then \
		echo "nlu: model is up to date ($(NLU_MODEL))"; exit 0; \
	fi; \
	echo "nlu: training $(NLU_MODEL) (log var/nlu-train.log)"; \
	$(NLU_ENV) $(NLU_VENV)/bin/python nlu/evaluate.py check --quiet || exit 1; \
	rm -f $(NLU_MODEL_HASH); \
	$(NLU_ENV) $(NLU_VENV)/bin/rasa train nlu -c nlu/config.yml -d nlu/domain.yml \
		--nlu nlu/data --out nlu/models --fixed-model-name $(NLU_MODEL_NAME) \
		> var/nlu-train.log 2>&1 \
	|| { tail -n 30 var/nlu-train.log; echo "nlu: training failed, see var/nlu-train.log"; exit 1; }; \
	echo "$$hash" > $(NLU_MODEL_HASH); \
	echo "nlu: trained $(NLU_MODEL)"

# A server started here whose model has since been retrained is restarted.
nlu-start: nlu-model
	@mkdir -p var
	@if [ -f $(NLU_PID) ] && kill -0 "$$(cat $(NLU_PID))" 2>/dev/null \
		&& ! cmp -s $(NLU_MODEL_HASH) $(NLU_SERVED_HASH); then \
		pid=$$(cat $(NLU_PID)); echo "nlu: model changed, restarting the server (pid $$pid)"; \
		kill "$$pid"; i=0; \
		while kill -0 "$$pid" 2>/dev/null && [ $$i -lt 40 ]; do sleep 0.5; i=$$((i + 1)); done; \
		kill -9 "$$pid" 2>/dev/null; rm -f $(NLU_PID); \
	fi; \
	if $(NLU_ANSWERS); then \
		echo "nlu: server already answers at $(NLU_LOCAL_URL)"; exit 0; \
	fi; \
	if [ -f $(NLU_PID) ] && kill -0 "$$(cat $(NLU_PID))" 2>/dev/null; then \
		echo "nlu: server is starting (pid $$(cat $(NLU_PID)))"; exit 0; \
	fi; \
	echo "nlu: starting rasa on $(NLU_LOCAL_URL) (log $(NLU_LOG))"; \
	$(NLU_ENV) nohup $(NLU_VENV)/bin/rasa run --enable-api -m $(NLU_MODEL) \
		-i $(NLU_HOST) -p $(NLU_PORT) > $(NLU_LOG) 2>&1 < /dev/null & \
	echo $$! > $(NLU_PID); \
	cp $(NLU_MODEL_HASH) $(NLU_SERVED_HASH)

nlu-wait:
	@i=0; \
	until $(NLU_ANSWERS); do \
		if [ -f $(NLU_PID) ] && ! kill -0 "$$(cat $(NLU_PID))" 2>/dev/null; then \
			tail -n 20 $(NLU_LOG); echo "nlu: server exited, see $(NLU_LOG)"; exit 1; \
		fi; \
		i=$$((i + 1)); \
		if [ $$i -gt $(NLU_WAIT_SECONDS) ]; then \
			echo "nlu: no answer from $(NLU_LOCAL_URL) after $(NLU_WAIT_SECONDS) s"; exit 1; \
		fi; \
		sleep 1; \
	done; \
	echo "nlu: server answers at $(NLU_LOCAL_URL)"

nlu-stop:
	@if [ -f $(NLU_PID) ]; then \
		pid=$$(cat $(NLU_PID)); \
		if kill "$$pid" 2>/dev/null; then \
			i=0; while kill -0 "$$pid" 2>/dev/null && [ $$i -lt 20 ]; do sleep 0.5; i=$$((i + 1)); done; \
			kill -9 "$$pid" 2>/dev/null || true; \
			echo "nlu: stopped server (pid $$pid)"; \
		fi; \
		rm -f $(NLU_PID) $(NLU_SERVED_HASH); \
	else \
		echo "nlu: no pid file, nothing to stop"; \
	fi

nlu-eval: nlu-venv
	@$(NLU_ENV) $(NLU_VENV)/bin/python nlu/evaluate.py run
