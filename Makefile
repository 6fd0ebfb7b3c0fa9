# The two commands of the README: `make run` (set up and start the app) and `make test` (set up and run all tests).
.PHONY: run test lint setup-app setup-test bench screenshots package

PY := .venv/bin/python

setup-app:
	scripts/setup.sh app

setup-test:
	scripts/setup.sh test

run: setup-app
	$(PY) -m inspector $(ARGS)

test: setup-test
	$(PY) -m ruff check .
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

lint: setup-test
	$(PY) -m ruff check .
	$(PY) -m mypy

# The desktop client as a one-folder bundle in dist/Inspector/, self-tested, with its size (docs/packaging.md).
package: setup-test
	packaging/build_tools.sh
	$(PY) -m PyInstaller --noconfirm --clean --log-level WARN build.spec
	QT_QPA_PLATFORM=offscreen dist/Inspector/Inspector --self-test
	$(PY) packaging/bundle_report.py dist/Inspector
