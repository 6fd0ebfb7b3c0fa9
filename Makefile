# The two commands of the README: `make run` (set up and start the app) and `make test` (set up and run all tests).
.PHONY: run test lint server setup-app setup-test setup-server bench screenshots package windows

PY := .venv/bin/python

setup-app:
	scripts/setup.sh app

setup-test:
	scripts/setup.sh test

setup-server:
	scripts/setup.sh server

run: setup-app
	$(PY) -m inspector $(ARGS)

test: setup-test
	$(PY) -m ruff check .
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

# A trial district server on this machine: SQLite in ./server-data, the sample 朝阳区 jurisdictions and demo
# accounts (development mode only; docs/operations.md covers a real installation with PostgreSQL).
SERVER_DATA ?= server-data
server: setup-server
	INSPECTOR_DEV_MODE=1 INSPECTOR_DATA_DIR=$(SERVER_DATA) .venv/bin/inspector-server init --demo
	INSPECTOR_DEV_MODE=1 INSPECTOR_DATA_DIR=$(SERVER_DATA) .venv/bin/inspector-server serve --host 127.0.0.1 --port 8765

lint: setup-test
	$(PY) -m ruff check .
	$(PY) -m mypy

# The desktop client as a one-folder bundle in dist/Inspector/, self-tested, with its size (docs/packaging.md).
package: setup-test
	packaging/build_tools.sh
	$(PY) -m PyInstaller --noconfirm --clean --log-level WARN build.spec
	QT_QPA_PLATFORM=offscreen dist/Inspector/Inspector --self-test
	$(PY) packaging/bundle_report.py dist/Inspector

# The Windows client under Wine: the tests, the bundle, the installer, a silent install, its self-test and a silent
# uninstall (docs/packaging.md, "Windows under Wine"). Needs root on Debian 12; WINDOWS_TESTS picks the test folders.
windows:
	scripts/windows.sh
