# Two commands do everything from a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FLASK := $(BIN)/flask --app app
CATALOGUES := $(wildcard school/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGUES:.po=.mo)

.PHONY: run test install lint format bench i18n-extract i18n-update migration worker clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) $(COMPILED)

school/translations/%/LC_MESSAGES/messages.mo: school/translations/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d school/translations -l $* -f

## run: set up, migrate, add demo data once, and serve on http://127.0.0.1:5000
run: export SCHOOL_ENV ?= development
run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	@echo "Serving on http://127.0.0.1:5000 (mail goes to instance/mail_spool/ unless MAIL_SERVER is set)"
	$(FLASK) mail worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; $(FLASK) run --host 127.0.0.1 --port 5000

## worker: deliver queued mail (newsletters, retries) continuously, without the web server
worker: install
	$(FLASK) mail worker

## test: set up and run the whole suite (browser tests need /usr/bin/chromium)
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## lint: ruff, and the import contracts of pyproject.toml ([tool.importlinter])
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python -m bench

## i18n-update: extract every marked string and merge it into the catalogues
i18n-update: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o school/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i school/translations/messages.pot -d school/translations --no-fuzzy-matching

## migration: autogenerate a migration from the models, e.g. make migration m="add courses"
migration: install
	$(FLASK) db migrate -m "$(m)"

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
