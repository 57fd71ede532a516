# eventapp: `make run` sets everything up and serves the demo; `make test` sets up and runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app eventapp
export EVENTAPP_ENV ?= development

.PHONY: run setup test test-fast bench lint translations translations-update vendor clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

.setup-stamp: $(BIN)/python pyproject.toml package.json package-lock.json
	$(BIN)/pip install --quiet -e '.[test]'
	npm ci --no-audit --no-fund --loglevel=error
	touch .setup-stamp

setup: .setup-stamp vendor translations

# Print fallback fonts (eventapp/printing/fonts.py), unmodified, with their licences (SIL OFL 1.1).
NOTO_JP := node_modules/@expo-google-fonts/noto-sans-jp
NOTO_EMOJI := node_modules/@expo-google-fonts/noto-emoji

vendor: .setup-stamp
	@mkdir -p eventapp/static/vendor/fonts
	cp node_modules/chart.js/dist/chart.umd.min.js eventapp/static/vendor/chart.umd.min.js
	@# The door scanner's QR decoder: the ES reader build and its .wasm (the page points locateFile here, no CDN).
	@mkdir -p eventapp/static/vendor/zxing-wasm/es/reader eventapp/static/vendor/zxing-wasm/reader
	cp node_modules/zxing-wasm/dist/es/share.js eventapp/static/vendor/zxing-wasm/es/share.js
	cp node_modules/zxing-wasm/dist/es/reader/index.js eventapp/static/vendor/zxing-wasm/es/reader/index.js
	cp node_modules/zxing-wasm/dist/reader/zxing_reader.wasm eventapp/static/vendor/zxing-wasm/reader/zxing_reader.wasm
	cp node_modules/zxing-wasm/LICENSE eventapp/static/vendor/zxing-wasm/LICENSE
	$(BIN)/python tools/webfont.py vendor node_modules/@fontsource/biz-udpgothic eventapp/static/vendor/fonts
	cp $(NOTO_JP)/400Regular/NotoSansJP_400Regular.ttf $(NOTO_JP)/700Bold/NotoSansJP_700Bold.ttf \
	  $(NOTO_EMOJI)/400Regular/NotoEmoji_400Regular.ttf $(NOTO_EMOJI)/700Bold/NotoEmoji_700Bold.ttf \
	  eventapp/static/vendor/fonts/
	cp $(NOTO_JP)/LICENSE_FONT eventapp/static/vendor/fonts/NotoSansJP-OFL.txt
	cp $(NOTO_EMOJI)/LICENSE_FONT eventapp/static/vendor/fonts/NotoEmoji-OFL.txt

translations: .setup-stamp
	$(BIN)/pybabel compile --use-fuzzy -d eventapp/translations -f -q 2>/dev/null || $(BIN)/pybabel compile -d eventapp/translations -f

translations-update: .setup-stamp
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o eventapp/translations/messages.pot --no-location --sort-output --project eventapp --ignore-dirs=".venv node_modules .git instance static" .
	$(BIN)/pybabel update -i eventapp/translations/messages.pot -d eventapp/translations --no-fuzzy-matching --ignore-obsolete

run: export PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)/
run: setup
	@mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) demo
	@echo ""
	@echo "  eventapp is at http://127.0.0.1:$(PORT)/   (organiser pages: http://127.0.0.1:$(PORT)/login)"
	@echo ""
	@# Ctrl-C stops the server; the trap then stops the worker this recipe started, and nothing else.
	@$(FLASK) worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
	  $(FLASK) run --host 127.0.0.1 --port $(PORT)

test: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest -n 2 --dist loadfile $(PYTEST_ARGS)

test-fast: setup
	$(BIN)/pytest -x -q -m "not browser" $(PYTEST_ARGS)

bench: setup
	$(BIN)/python -m bench

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

clean:
	rm -rf $(VENV) node_modules eventapp/static/vendor .setup-stamp
