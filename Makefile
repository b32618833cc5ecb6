# Two commands for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO_DIR ?= demo-course
LIBRARY := api cli course sheets roster submissions graders gradebook templates examples

.PHONY: demo test lint typecheck bench bench-smoke compat install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[staff,dev,postgres,dask]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/sheetgrade demo $(DEMO_DIR)

test: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check $(LIBRARY) tests benchmarks
	$(BIN)/ruff format --check $(LIBRARY) tests benchmarks
	$(MAKE) --no-print-directory typecheck

# mypy must see the one namespace (sheetgrade.cli, sheetgrade.graders, ...), not the
# folders as top-level modules: checked as folders, every `sheetgrade.*` import is
# Any and no type crosses a package. A tree of symlinks gives it the namespace.
TYPECHECK := build/typecheck
typecheck: $(STAMP)
	rm -rf $(TYPECHECK) && mkdir -p $(TYPECHECK)/sheetgrade
	ln -s $(abspath $(wildcard api/*.py api/py.typed)) $(TYPECHECK)/sheetgrade/
	for d in $(filter-out api,$(LIBRARY)); do ln -s $(abspath .)/$$d $(TYPECHECK)/sheetgrade/$$d; done
	MYPYPATH=$(TYPECHECK) $(BIN)/mypy -p sheetgrade

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# The differential suite against otter-grader 7 and nbgrader 0.9 (not part of
# `make test`: it needs the competitors' venv). RECORD=1 rewrites
# tests/compat/recorded.json, which `make test` checks sheetgrade against.
compat: $(STAMP)
	test -x $${COMPETITOR_VENV:-benchmarks/.venv-competitors}/bin/python || bash benchmarks/setup.sh
	cd benchmarks && ../$(BIN)/python compat.py $(if $(RECORD),--record)

bench-smoke: $(STAMP)
	$(BIN)/python benchmarks/run.py --smoke

clean:
	rm -rf $(VENV) build dist *.egg-info $(DEMO_DIR)
