PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python main.py db upgrade
	$(BIN)/python main.py run

# Two workers: most of the suite waits on bot processes, the emulator and the databases, so a second one fills
# the idle core. A test file stays in one worker (its module fixtures and the Redis keys it clears are its own).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python -m bench.report_flow

clean:
	rm -rf $(VENV) .pytest_cache
