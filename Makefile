# Two commands a newcomer needs: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo test lint typecheck unit compiled unit-compiled builds-agree wheels contracts bench layer clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[all,dev]"
	touch $(STAMP)

demo: install
	$(VENV)/bin/hullguard demo

lint: install
	$(PY) -m ruff check src tests bench scripts

typecheck: install
	$(PY) -m mypy

unit: install
	bash scripts/ensure-services.sh
	$(PY) -m pytest -q -n 2 --dist loadfile

# The firewall also ships compiled with mypyc (scripts/compiled_build.py): its tests run again on that
# build, so both variants a function may import are tested. Rebuilt only when a source changed.
compiled: install
	$(PY) scripts/compiled_build.py

unit-compiled: compiled
	HULLGUARD_TEST_COMPILED=1 PYTHONPATH=build/compiled/src $(PY) -m pytest -q -n 2 --dist loadfile tests/firewall

# Both builds, and the pure one without google-re2 and with its memo emptied before every event, must
# give the same verdict on every event (scripts/compare_builds.py): here the sample events of every
# trigger with attacks planted in each string, random mutations of attack lines and the adversarial
# inputs (about 40,000 events, 20 s here); without --only and with the default 50,000 mutations it also
# takes every attack line and the benign traffic (about 370,000 events, minutes).
builds-agree: compiled
	$(PY) scripts/compare_builds.py --only samples --only mutations --only adversarial --mutations 5000

# The release wheels in dist/: the pure-Python one, and one per Lambda runtime (Python 3.10-3.14 on
# x86_64 and arm64) with the firewall compiled, for each that can be built here (the layer's builds,
# scripts/compiled_for.py), tagged manylinux_2_17 after auditwheel confirms the glibc symbols they
# need, and imported by an interpreter of their version and architecture (scripts/build_wheels.py).
wheels: install
	$(PY) -m pip install -q -e ".[release]"
	$(PY) scripts/build_wheels.py

# The public contracts live beside the repository when it is checked out with its shared folder.
contracts: install
	@if [ -f ../shared/checks/contracts.py ]; then $(PY) ../shared/checks/contracts.py; \
	else echo "contracts: ../shared/checks/contracts.py not present, skipped"; fi

test: lint typecheck unit unit-compiled builds-agree contracts

bench: install compiled
	$(PY) bench/run.py

# The Lambda layer for ARCH (x86_64 by default; ARCH=aarch64 for arm64, cross-compiled: see
# scripts/build-layer.sh), then each Python runtime's interpreter runs it (scripts/check_layer.py).
ARCH ?= $(shell uname -m)
LAYER ?= dist/hullguard-layer-$(ARCH).zip
layer: install
	ARCH=$(ARCH) OUT=$(LAYER) bash scripts/build-layer.sh
	$(PY) scripts/check_layer.py $(LAYER) $(ARCH)

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
