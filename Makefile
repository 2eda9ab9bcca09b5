# homegen: `make render` renders the shipped homelab, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Upstream CRD manifests the built-in schema catalog is made from (only `make catalog` reads
# them; render and test use the catalog shipped in src/homegen/crdschemas/catalog).
SHARED ?= ../shared

.PHONY: setup render test test-minimal check lint typecheck bench bench-pairs bench-checkov fuzz golden catalog mutate renovate clean

$(BIN)/homegen: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,charts,cel]'
	@touch $@

setup: $(BIN)/homegen

render: setup
	$(BIN)/homegen render

schema: setup
	$(BIN)/homegen schema -o services.schema.json

test: setup
	$(BIN)/homegen render --check
	$(BIN)/homegen schema --check -o services.schema.json
	$(BIN)/pytest -q

check: lint typecheck

# The suite with no extra installed (`.[dev]` alone): what needs one skips, naming it.
test-minimal:
	$(PYTHON) -m venv .venv-minimal
	.venv-minimal/bin/pip install -q --upgrade pip
	.venv-minimal/bin/pip install -q '.[dev]'
	.venv-minimal/bin/pytest -q -rs

# Renovate and the Node 24 it needs, from npm, into ~/.cache/homegen-renovate once per version
# (tests/test_renovate_doc.py runs it; the test installs it itself where npm is).
renovate:
	.ci/install-renovate

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: setup
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/run.py $(if $(CHECKOV),--checkov "$(CHECKOV)")

# The issue-29 check: render, the floor and render --check of 1,000 services, interleaved
# round by round on tmpfs; prints each time and the median ratios to the floor (ROUNDS=9).
bench-pairs: setup
	$(BIN)/python bench/pairs.py --rounds $(or $(ROUNDS),9)

# checkov's time on the 1,000-service tree, beside homegen validate (bench/RESULTS.md). Never in
# CI: install checkov in an environment of its own and name its binary (bench/checkov.py).
bench-checkov: setup
	@test -n "$(CHECKOV)" || { echo "usage: make bench-checkov CHECKOV=/path/to/checkov" >&2; exit 2; }
	$(BIN)/python bench/run.py --only-checkov --checkov "$(CHECKOV)"

fuzz: setup
	$(BIN)/python tests/fuzz_loader.py

catalog: setup
	$(BIN)/python -m homegen.crdschemas.build $(SHARED)

# Mutation testing of writer, ledger, the validate rules, plan and the editor (docs/mutation.md);
# HOMEGEN_MUTATE_MINUTES bounds each group (default 10). Never in CI.
mutate: setup
	$(BIN)/python -c "import mutmut" 2>/dev/null || $(BIN)/pip install -q -e '.[dev,mutate]'
	$(BIN)/python tests/mutate.py $(GROUPS)

golden: setup
	HOMEGEN_UPDATE_GOLDEN=1 $(BIN)/pytest -q tests/test_golden.py

clean:
	rm -rf $(VENV) .venv-minimal build dist .mutate mutants
