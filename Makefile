# Convolution, hands-on: every command a student, instructor or developer needs.
# `make` alone lists the targets. Each target installs what it needs first, so `make test` and
# `make demo` work in a fresh clone with nothing but Python 3.11 and make.

SHELL := /bin/bash
.DEFAULT_GOAL := help
# A recipe that fails half-way must not leave a target that looks up to date.
.DELETE_ON_ERROR:

# --- Which Python environment -------------------------------------------------------------
# An active virtualenv or conda env is used as it is (installed into, never replaced);
# otherwise the Makefile keeps its own ./.venv.
ifdef VIRTUAL_ENV
  prefix := $(VIRTUAL_ENV)
else ifdef CONDA_PREFIX
  prefix := $(CONDA_PREFIX)
else
  prefix := $(CURDIR)/.venv
  own_venv := yes
endif

PYTHON := $(prefix)/bin/python
# Inside the env's prefix, so that a new or deleted environment is reinstalled automatically.
STAMP := $(prefix)/.conv-hands-on-installed

# The interpreter that creates ./.venv: python3.11 where it runs, else python3 (which must
# then be 3.11). Evaluated now, before PATH changes below; `make BASE_PYTHON=...` overrides.
ifdef own_venv
  ifndef BASE_PYTHON
    BASE_PYTHON := $(shell for p in python3.11 python3; do \
                     if $$p -c '' >/dev/null 2>&1; then echo $$p; break; fi; done)
  endif
endif

# nbgrader starts `alembic` by name as a subprocess, so the environment's bin/ comes first on
# PATH in every recipe, whether or not the environment was activated.
export PATH := $(prefix)/bin:$(PATH)

# Extra arguments for pytest, e.g. `make test PYTEST_ARGS="-k pooling -x"`.
PYTEST_ARGS ?=

.PHONY: help env test demo tour grade slurm bench bench-grading lab release student-package clean distclean

help: ## list the targets (this text)
	@echo "Usage: make TARGET    (Python environment: $(prefix))"
	@echo
	@grep -E '^[a-z][a-z-]*:.*## ' $(firstword $(MAKEFILE_LIST)) \
	  | awk 'BEGIN {FS = ":.*## "} {printf "  %-16s %s\n", $$1, $$2}'

env: $(STAMP) ## install the pinned dependencies and the course packages (editable)

test: $(STAMP) ## run the test suite (extra pytest arguments: PYTEST_ARGS="...")
	$(PYTHON) -m pytest $(PYTEST_ARGS)

# The demo course lives in build/demo/ (wiped and rebuilt on every run; `make clean` removes it).
demo: $(STAMP) ## build a demo course, simulate a class through nbgrader's exchange and grade it in the sandbox
	$(PYTHON) -m autograder demo

# Grade a course's submissions (COURSE/submitted/<student>/<assignment>/) in the sandbox, e.g.
#   make grade COURSE=/srv/conv ASSIGNMENTS=ch1_cross_correlation GRADE_ARGS="--db postgresql://..."
# Feedback goes to COURSE/feedback/, grades to the gradebook, reports to COURSE/reports/.
COURSE ?= course
ASSIGNMENTS ?= $(notdir $(wildcard $(COURSE)/source/*))
GRADE_ARGS ?=
grade: $(STAMP) ## grade COURSE's submissions in the sandbox (COURSE=course ASSIGNMENTS=all GRADE_ARGS=...)
	$(PYTHON) -m autograder grade $(ASSIGNMENTS) --course $(COURSE) $(GRADE_ARGS)

# Grade on a SLURM cluster (run on a login node; the course folder on a filesystem every node sees), e.g.
#   make slurm COURSE=/shared/conv ASSIGNMENTS=ch1_cross_correlation DB=postgresql://grader@db/conv TASKS=20 SLURM_ARGS="--wait"
DB ?=
TASKS ?= 4
SLURM_ARGS ?=
slurm: $(STAMP) ## grade COURSE as a SLURM job array into a PostgreSQL gradebook (DB=postgresql://... TASKS=N SLURM_ARGS=...)
	$(PYTHON) -m autograder slurm $(ASSIGNMENTS) --course $(COURSE) --db "$(DB)" --tasks $(TASKS) $(SLURM_ARGS)

tour: $(STAMP) ## show the reference library at work in a short tour
	$(PYTHON) benchmarks/tour.py

bench: $(STAMP) ## time the reference library against PyTorch and naive loops, single-threaded
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PYTHON) benchmarks/bench.py

# A simulated class (8 students x every chapter) graded by stock nbgrader, by the batch grader
# with 1 worker and with every core, and run in-process as a floor; prints the ratios, where a
# notebook's time goes, whether the grades agree, and the targets. Several minutes.
bench-grading: $(STAMP) ## time the batch grader against stock nbgrader on a simulated class (minutes)
	$(PYTHON) benchmarks/bench_grading.py

lab: $(STAMP) ## open JupyterLab on the student notebooks in exercises/
	cd exercises && jupyter lab

# nbgrader reads course/nbgrader_config.py from its working directory, which sends the student
# versions straight to exercises/<id>/<id>.ipynb (solutions replaced by stubs, hidden tests and
# outputs removed) and records each assignment in course/gradebook.db. Every folder of
# course/source is an assignment; one run generates them all ('*'), since nbgrader alone takes
# seconds to start.
release: $(STAMP) ## regenerate the student notebooks in exercises/ from course/source (nbgrader)
	cd course && nbgrader generate_assignment '*' --force

# The wheel to install where students work (a JupyterHub image): every visible check and the
# widgets, no reference solutions, no hidden cases (autograder/tools/edition.py says what it holds).
student-package: $(STAMP) ## build the student edition's wheel into dist/ (no answers, no hidden cases)
	$(PYTHON) -m autograder.tools.edition --dist dist

clean: ## remove build artefacts and caches (keeps .venv/)
	rm -rf build dist .pytest_cache .hypothesis
	find . -path ./.venv -prune -o \
	  \( -name __pycache__ -o -name '*.egg-info' -o -name .ipynb_checkpoints \) \
	  -type d -prune -exec rm -rf {} +

distclean: clean ## remove everything `clean` removes, and .venv/ too
	rm -rf .venv

# --- Installation -------------------------------------------------------------------------
# The pins are for Python 3.11 (torch's CPU wheel among them): another version would make pip
# look for, and maybe download, a different torch build.
require_python311 = $(1) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { \
	  echo "error: $(1) is $$($(1) -V 2>&1); the course needs Python 3.11" >&2; exit 1; }

# requirements.txt holds every pin (torch exactly 2.13.0, the CPU build); the course packages
# then go in editable, without dependencies and without an isolated build environment, so
# that pip never resolves torch again on its own (an unpinned resolve pulls the CUDA build).
$(STAMP): requirements.txt pyproject.toml | $(PYTHON)
	@$(call require_python311,$(PYTHON))
	$(PYTHON) -m pip install -r requirements.txt
	$(PYTHON) -m pip install --no-build-isolation --no-deps -e .
	touch $@

ifdef own_venv
$(PYTHON):
	@if [ -z "$(BASE_PYTHON)" ]; then \
	  echo "error: found neither python3.11 nor python3 on PATH; install Python 3.11" >&2; \
	  exit 1; fi
	@$(call require_python311,$(BASE_PYTHON))
	@echo "creating $(prefix) with $(BASE_PYTHON) ($$($(BASE_PYTHON) -V 2>&1))"
	@$(BASE_PYTHON) -m venv $(prefix) || { \
	  echo "error: '$(BASE_PYTHON) -m venv' failed; on Debian/Ubuntu: apt-get install python3-venv" >&2; \
	  exit 1; }
else
$(PYTHON):
	@echo "error: the active environment $(prefix) has no bin/python" >&2; exit 1
endif
