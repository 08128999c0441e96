# Two commands do all the set-up on a fresh machine:
#   make run    installs what the app needs, builds the index from data/ and serves it on 127.0.0.1:8000
#   make test   installs what the tests need (Debian's chromium included) and runs every test
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

# Debian packages: OCR of scanned PDFs (Tesseract + Vietnamese data), legacy .doc (LibreOffice headless)
# and the relation graph (Graphviz's dot);
# the tests also draw Vietnamese pages in a DejaVu font. Installed only when missing.
DEBIAN_RUN := tesseract-ocr tesseract-ocr-vie libreoffice-writer-nogui graphviz
DEBIAN_TEST := $(DEBIAN_RUN) fonts-dejavu-core
# true when one of the packages $(1) is not installed (unknown, removed, or half-configured)
MISSING = dpkg-query -W -f='$${db:Status-Abbrev}\n' $(1) 2>&1 | grep -qv '^ii'
APT_INSTALL := apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends

.PHONY: run test install install-test browser debian-run debian-test

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

.stamp-install: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

.stamp-install-test: .stamp-install pyproject.toml
	# the CPU build of torch lies on the machine's disk; a plain `torch` would pull a multi-GB CUDA build
	$(BIN)/pip install -q torch==2.13.0
	# cluster: Ray Serve and Ray actors, so tests/test_cluster.py runs rather than skips
	$(BIN)/pip install -q -e '.[st,test,cluster]'
	touch $@

install: .stamp-install debian-run
install-test: .stamp-install-test browser debian-test

browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Without them the app still runs: scanned PDFs and .doc files are skipped with an install hint, and
# document pages list their relations instead of drawing them.
debian-run:
	@! $(call MISSING,$(DEBIAN_RUN)) || { $(APT_INSTALL) $(DEBIAN_RUN) >/dev/null; } \
		|| echo "cảnh báo: chưa cài được $(DEBIAN_RUN) (cần quyền root): PDF scan và .doc sẽ bị bỏ qua" >&2

debian-test:
	@! $(call MISSING,$(DEBIAN_TEST)) || { $(APT_INSTALL) $(DEBIAN_TEST) >/dev/null; }

run: install
	$(BIN)/tracuu serve

# Ray sends no usage statistics and starts no dashboard in the tests (search_app/cluster.py)
test: install-test
	RAY_USAGE_STATS_ENABLED=0 $(BIN)/python -m pytest
