# Two commands do all the set-up on a fresh machine:
#   make run    installs what the app needs, builds the index from data/ and serves it on 127.0.0.1:8000
#   make test   installs what the tests need (Debian's chromium included) and runs every test
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install install-test browser graphviz

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

.stamp-install: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

.stamp-install-test: .stamp-install pyproject.toml
	# the CPU build of torch lies on the machine's disk; a plain `torch` would pull a multi-GB CUDA build
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[st,test]'
	touch $@

install: .stamp-install graphviz
install-test: .stamp-install-test browser graphviz

browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# the relation graph of a document page is drawn by Graphviz's dot (pages list the relations without it)
graphviz:
	@command -v dot >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; }

run: install
	$(BIN)/tracuu serve

test: install-test
	$(BIN)/python -m pytest
