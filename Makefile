# `make` builds this repo's booklet into build/; `make test` runs lint, types and the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: all booklet test lint bench sysdeps ace bytecode clean

all: booklet

# System packages: Java for EPUBCheck, HarfBuzz's subsetter for faster font subsetting,
# poppler-utils to look at pages, zbar-tools to read the PDF's QR codes back in the tests, and
# the Noto fonts (SIL OFL) for the scripts Linux Libertine lacks: fonts-noto-cjk (Chinese,
# Japanese, Korean) and fonts-noto-core (Arabic, Hebrew, Devanagari, Thai and the rest), which
# print.css names by language (src/booktool/editions/scriptfonts.py).
# Installed when we are root on Debian; skipped otherwise.
sysdeps:
	@missing=""; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset || missing="$$missing libharfbuzz-subset0"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	command -v zbarimg >/dev/null 2>&1 || missing="$$missing zbar-tools"; \
	fc-list 'Noto Serif CJK SC' 2>/dev/null | grep -q . || missing="$$missing fonts-noto-cjk"; \
	fc-list 'Noto Naskh Arabic' 2>/dev/null | grep -q . || missing="$$missing fonts-noto-core"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing$$missing"; \
	    (apt-get update -q >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null 2>&1) \
	      || echo "note: could not install$$missing; continuing without"; \
	  else echo "note: not installed:$$missing (install them for EPUBCheck, faster builds and books in Chinese, Japanese, Korean, Arabic, Hebrew or Indic scripts)"; fi; \
	fi

# Ace by DAISY (the EPUB accessibility checker the tests run) and Debian's Chromium for it and
# for the web edition's browser tests: about 2 minutes. Ace goes into .tools/ace, axe-core into
# .tools/axe; without them their tests are skipped (the browser tests need only Chromium).
ACE := .tools/ace/node_modules/.bin/ace-puppeteer
AXE := .tools/axe/node_modules/axe-core/axe.min.js
ace: $(ACE) $(AXE)
$(ACE):
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -q >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1) \
	      || echo "note: could not install chromium"; \
	  else echo "note: chromium is not installed; the Ace test will be skipped"; fi; \
	fi
	@command -v npm >/dev/null 2>&1 || { echo "note: npm is missing; the Ace test will be skipped"; exit 0; }; \
	mkdir -p .tools/ace && cd .tools/ace && [ -f package.json ] || echo '{"private": true}' > package.json; \
	ELECTRON_SKIP_BINARY_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-audit --no-fund --silent @daisy/ace@1.4.6 \
	  || echo "note: could not install Ace; the Ace test will be skipped"

# axe-core (the accessibility checker the web edition's browser tests run inside Chromium):
# one file, .tools/axe/node_modules/axe-core/axe.min.js; without it those tests are skipped.
$(AXE):
	@command -v npm >/dev/null 2>&1 || { echo "note: npm is missing; the axe test will be skipped"; exit 0; }; \
	mkdir -p .tools/axe && cd .tools/axe && { [ -f package.json ] || echo '{"private": true}' > package.json; } && \
	npm install --no-audit --no-fund --silent axe-core@4.14.1 \
	  || echo "note: could not install axe-core; the axe test will be skipped"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,cluster]'
	touch $(STAMP)

# booktool's own modules byte-compiled, as pip compiles a package it installs: an editable
# install is not, and where PYTHONDONTWRITEBYTECODE is set, every booktool process (the build
# and each render worker) compiled them from source again (0.05 s of a build's start).
# The built-in Jinja templates too (a build with an empty cache compiled them: 0.07 s), and
# WeasyPrint's C declarations, which cffi parsed at every render worker's start (0.04 s; see
# src/booktool/render/weasyffi.py). Quick when they are current.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q src/booktool
	@$(BIN)/python -c 'from booktool.editions.layouts import compile_builtin; compile_builtin()'
	@$(BIN)/python -c 'from booktool.render.weasyffi import compile_ahead; compile_ahead()'

booklet: bytecode | sysdeps
	$(BIN)/booktool build .

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

test: bytecode | sysdeps
	$(MAKE) lint
	$(BIN)/pytest

# Times booktool (cold, PDF alone, EPUB alone, no-op, one segment edited) against pandoc's own
# EPUB and the WeasyPrint floor at 1×, 10× and 100× the booklet; writes bench/RESULTS.md.
# Seven runs of each scenario at 1× and 10× (the machine is shared: medians of more runs hold
# better), one at 100×: about 17 minutes on 2 cores; BENCH_SIZES="1 10" for a quicker run.
# bench/test_internals.py first: the speed choices the tests do not pin (zlib level, renumbering).
BENCH_SIZES ?= 1 10 100
bench: bytecode
	$(BIN)/pytest -q bench/test_internals.py
	$(BIN)/python bench/speed.py --sizes $(BENCH_SIZES) --runs 7 --large-runs 1

clean:
	rm -rf build/*.pdf build/*.epub build/*.html build/*-web .pytest_cache .mypy_cache .ruff_cache
