# jiuzhu_methods — two commands do everything on a fresh machine:
#   make reports   create .venv, install, generate the synthetic counties, run every notebook, write reports/
#   make test      create .venv if needed, install, run the whole test suite (notebooks included)
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
JIUZHU := $(VENV)/bin/jiuzhu
COUNTIES := guanyun yueqing panan shanxian weidu
SCALE  ?= 0.02
SEED   ?= 7
JOBS   ?= 2

.PHONY: install fonts test reports synth bench clean notebooks
.PHONY: calibrate
.DEFAULT_GOAL := help

help:
	@echo "make reports   - generate the five synthetic counties and write reports/ (creates .venv)"
	@echo "make test      - run the whole test suite (creates .venv)"
	@echo "make bench     - print the benchmarks (generator speed, model speed)"
	@echo "make notebooks - render notebooks/NN_name.py (the source) into notebooks/NN_name.ipynb (committed, no outputs)"
	@echo "make calibrate - reproduce the published figures at real size (scale 1, 5 seeds) -> reports/calibration.csv/.png"

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

install: $(VENV)/.installed

# A CJK font so that charts render Chinese labels. Installed with apt-get when we are root
# and it is missing; otherwise charts fall back to English labels with one warning.
fonts:
	@if fc-list :lang=zh 2>/dev/null | grep -q .; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get install -y -q fonts-wqy-microhei >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q fonts-wqy-microhei >/dev/null)) \
	  || echo "warning: could not install a CJK font; charts will use English labels"; \
	else echo "warning: no CJK font (install fonts-wqy-microhei); charts will use English labels"; fi

synth: install
	@for c in $(COUNTIES); do $(JIUZHU) synth --county $$c --scale $(SCALE) --seed $(SEED) --out synthetic/pools/$$c || exit 1; done

reports: install fonts synth
	$(JIUZHU) run --scale $(SCALE) --seed $(SEED) --jobs $(JOBS) --out reports

test: install fonts
	$(PY) -m pytest -q

# Calibration against the published figures (docs/calibration.md): real-size counties, 5 seeds
# (a round of the five counties took 5-25 minutes on two shared cores, depending on load; --resume continues).
calibrate: install fonts
	$(JIUZHU) calibrate --scale 1 --seeds 5 --out reports

# The notebooks' source is the jupytext percent file notebooks/NN_name.py; the committed .ipynb is its
# rendering (cells, tags and notebook metadata from the .py; cell ids kept from the old .ipynb; no outputs).
# tests/test_notebooks_source.py fails when the two differ.
notebooks: install
	$(VENV)/bin/jupytext --to ipynb --update notebooks/[0-9]*.py

bench: install
	$(PY) benchmarks/bench_synth.py
	$(PY) benchmarks/bench_models.py

clean:
	rm -rf $(VENV) synthetic/pools reports/*/ reports/index.html reports/index.json reports/runner.log .pytest_cache
