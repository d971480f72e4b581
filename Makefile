PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-test
export KERAS_BACKEND := jax
# pytest-xdist workers must collect identical tests: fix hash-dependent orderings.
export PYTHONHASHSEED := 0

.PHONY: demo test bench lint clean docs

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/00_demo_digits.py

test: $(STAMP)
	$(BIN)/ruff check kerax tests benchmarks examples scripts
	$(BIN)/python scripts/line_budget.py
	$(BIN)/python -m pytest -n 2 -q -p no:cacheprovider tests

# The transformer runs at a reduced size by default (a few minutes on 2 CPU
# cores); `make bench TRANSFORMER_SIZE=` runs it at full size.
TRANSFORMER_SIZE ?= --samples 512 --epochs 1 --repeats 1

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run --workload mlp
	$(BIN)/python -m benchmarks.run --workload cnn --samples 5120 --epochs 2
	$(BIN)/python -m benchmarks.run --workload lstm --samples 1280 --epochs 2
	$(BIN)/python -m benchmarks.run --workload transformer $(TRANSFORMER_SIZE)
	$(BIN)/python -m benchmarks.latency
	$(BIN)/python -m benchmarks.data_path

lint: $(STAMP)
	$(BIN)/ruff check kerax tests benchmarks examples scripts
	$(BIN)/ruff format --check kerax tests benchmarks examples scripts

clean:
	rm -rf $(VENV) .pytest_cache

docs: $(STAMP)
	$(BIN)/pip install -q mkdocs mkdocs-material "mkdocstrings[python]"
	$(BIN)/mkdocs build -d site
