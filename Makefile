# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# With TELEGRAM_BOT_TOKEN set: the Telegram bot. Without: a terminal chat reading stdin until EOF.
run: $(STAMP)
	@$(BIN)/compactbot run

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/ask.py
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/cli.py
	$(BIN)/python benchmarks/reminders.py --quick
	$(BIN)/python benchmarks/dispatch.py
	$(BIN)/python benchmarks/report.py --items 100 1000

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .mypy_cache .ruff_cache
