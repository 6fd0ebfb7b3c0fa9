# The two commands of the README: `make run` (set up and start the app) and `make test` (set up and run all tests).
.PHONY: run test lint setup-app setup-test bench screenshots

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
