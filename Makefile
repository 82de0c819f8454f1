# The README's two commands: `make pack` and `make test`. Each installs what it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
MEETING ?= 2020-10-15
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEBS   := libreoffice-writer-nogui libreoffice-impress-nogui libreoffice-calc-nogui \
          fonts-crosextra-carlito fonts-crosextra-caladea fonts-liberation2 poppler-utils
# LibreOffice's parts are found by their registry files (Writer, Impress, Calc: papers in Word,
# PowerPoint and Excel formats).
LO_REGISTRY := $(dir $(realpath $(shell command -v soffice 2>/dev/null)))../share/registry

.PHONY: pack test bench lint system clean

pack: $(STAMP) system
	$(BIN)/packgen build $(MEETING)

test: $(STAMP) system
	$(BIN)/pytest -q

bench: $(STAMP) system
	$(BIN)/python -m benchmarks

lint: $(STAMP)
	$(BIN)/ruff check packgen tests benchmarks tools
	$(BIN)/ruff format --check packgen tests benchmarks tools
	$(BIN)/lint-imports

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,dev]'
	touch $@

# LibreOffice (Writer, Impress, Calc), metric-compatible fonts and poppler from Debian's
# packages, only when missing.
system:
	@if ! command -v soffice >/dev/null || ! command -v pdftotext >/dev/null \
	   || ! fc-list | grep -qi carlito \
	   || ! [ -f "$(LO_REGISTRY)/writer.xcd" ] || ! [ -f "$(LO_REGISTRY)/impress.xcd" ] \
	   || ! [ -f "$(LO_REGISTRY)/calc.xcd" ]; then \
	  echo "Installing LibreOffice (Writer, Impress, Calc), fonts and poppler-utils from Debian's packages"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(DEBS); \
	fi

clean:
	rm -rf output/* .pytest_cache
