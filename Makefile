# Two commands a newcomer needs: `make run` and `make test`. Each builds its own venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-rollback-journal lint bench screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Open the app on the embedded SQLite database (demo practice created on first run).
run: $(STAMP)
	$(BIN)/practiceboard --demo-if-empty

## The whole suite, offscreen, on SQLite and (when reachable) PostgreSQL.
test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

## The suite again with SQLite on its rollback journal (what a file on a network share uses).
test-rollback-journal: $(STAMP)
	QT_QPA_PLATFORM=offscreen PRACTICEBOARD_SQLITE_JOURNAL=DELETE $(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench migrations scripts
	$(BIN)/ruff format --check src tests bench migrations scripts

bench: $(STAMP)
	$(BIN)/python bench/bench.py

## Render the demo practice's main views to docs/screenshots/ (under Xvfb when available).
screenshots: $(STAMP)
	@if command -v xvfb-run >/dev/null 2>&1; then \
		xvfb-run -a $(BIN)/python scripts/screenshots.py; \
	else \
		QT_QPA_PLATFORM=offscreen $(BIN)/python scripts/screenshots.py; \
	fi

clean:
	rm -rf $(VENV) build dist .pytest_cache
