# Two commands a newcomer needs: `make run` and `make test`. Each builds its own venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-rollback-journal lint bench screenshots dist dist-check clean

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
	$(BIN)/ruff check src tests bench migrations scripts installer
	$(BIN)/ruff format --check src tests bench migrations scripts installer

bench: $(STAMP)
	$(BIN)/python bench/bench.py

## Render the demo practice's main views to docs/screenshots/ (under Xvfb when available).
screenshots: $(STAMP)
	@if command -v xvfb-run >/dev/null 2>&1; then \
		xvfb-run -a $(BIN)/python scripts/screenshots.py; \
	else \
		QT_QPA_PLATFORM=offscreen $(BIN)/python scripts/screenshots.py; \
	fi

## The installable app (installer/README.md): dist/PracticeBoard/ and, on Linux, the tarball
## dist/PracticeBoard-<version>-linux-<machine>.tar.gz with its install.sh.
DIST_STAMP := $(VENV)/.installed-dist
$(DIST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,dist]'
	touch $(DIST_STAMP)

dist: $(DIST_STAMP)
	$(BIN)/python -m PyInstaller --noconfirm --clean --log-level WARN \
		--distpath dist --workpath build/pyinstaller installer/practiceboard.spec
	$(BIN)/python installer/linux/make_tarball.py dist

## The build's smoke test (tests/test_dist.py): --version, init, backup, audit verify,
## the app offscreen, the tarball's install.sh and uninstall.sh in a throw-away HOME.
dist-check: dist
	QT_QPA_PLATFORM=offscreen PRACTICEBOARD_TEST_DIST=1 $(BIN)/python -m pytest \
		-p no:cacheprovider -m slow tests/test_dist.py

clean:
	rm -rf $(VENV) build dist .pytest_cache
