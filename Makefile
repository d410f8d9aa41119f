# bert-vs-gpt. On a fresh machine:
#   make demo   install what is missing, fetch + verify weights, build, serve on 127.0.0.1:$(PORT)
#   make test   the same set-up plus Debian's Chromium, then every test (native + browser)
# Downloads and build outputs are cached under $(CACHE), outside the checkout.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := demo

CACHE ?= $(HOME)/.cache/bert-vs-gpt
export CARGO_TARGET_DIR ?= $(CACHE)/target
export BERT_VS_GPT_CACHE := $(CACHE)
PORT ?= 8080
export PORT
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM

WASM_TARGET := wasm32-unknown-unknown
WASM := $(CARGO_TARGET_DIR)/$(WASM_TARGET)/release/bert_vs_gpt.wasm
# The threaded builds (pkg/threads, and pkg/relaxed with relaxed SIMD's fused multiply-add, for
# cross-origin isolated pages): wasm atomics need a standard library rebuilt with them (build-std,
# a nightly cargo feature, enabled on the stable toolchain by RUSTC_BOOTSTRAP) and a shared memory
# with a declared maximum (4 GiB, as the plain build may grow). Each has its own target folder.
THREADS_RUSTFLAGS := -C link-arg=--shared-memory -C link-arg=--import-memory -C link-arg=--max-memory=4294967296 \
	-C link-arg=--export=__wasm_init_tls -C link-arg=--export=__tls_size -C link-arg=--export=__tls_align -C link-arg=--export=__tls_base
THREADS_FEATURES := +simd128,+atomics,+bulk-memory,+mutable-globals
RELAXED_FEATURES := $(THREADS_FEATURES),+relaxed-simd
# $(call threaded_build,NAME,TARGET FEATURES): builds pkg/NAME.
define threaded_build
	RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR=$(CACHE)/target-$(1) CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS='-C target-feature=$(2) $(THREADS_RUSTFLAGS)' \
		cargo build --release --target $(WASM_TARGET) --lib -Z build-std=panic_abort,std
	wasm-bindgen --target web --remove-name-section --out-dir pkg/$(1) $(CACHE)/target-$(1)/$(WASM_TARGET)/release/bert_vs_gpt.wasm
endef
# wasm-bindgen-cli must be exactly the version of the wasm-bindgen crate in Cargo.lock.
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/version = |"/, ""); print }' Cargo.lock)
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: demo serve classroom dist build fetch tools browser test test-native test-browser lint bench clean

demo: tools fetch build
	node scripts/serve.mjs

serve:
	@test -f pkg/bert_vs_gpt_bg.wasm || { echo "pkg/ is missing: run make build (or make demo)"; exit 1; }
	node scripts/serve.mjs

# The page for a class on one network: https with a self-signed certificate (HTTPS=0: http),
# on all interfaces, with the addresses and a QR code to type (scripts/classroom.mjs).
classroom: tools fetch build
	node scripts/classroom.mjs

# One folder for any static host (GitHub Pages…): the page, the builds, the service worker and,
# unless WEIGHTS=0, the weights (scripts/dist.mjs; DIST=dist by default).
dist: tools fetch build
	node scripts/dist.mjs

build: tools
	cargo build --release --target $(WASM_TARGET) --lib
	wasm-bindgen --target web --remove-name-section --out-dir pkg $(WASM)
	$(call threaded_build,threads,$(THREADS_FEATURES))
	$(call threaded_build,relaxed,$(RELAXED_FEATURES))
	mkdir -p www/vendor
	cp node_modules/echarts/dist/echarts.esm.min.js www/vendor/
	node scripts/app-files.mjs

fetch:
	python3 scripts/fetch_weights.py

# Installs only what is missing: the wasm target, the standard library's source (for the
# threaded build), the matching wasm-bindgen-cli, npm packages.
tools: node_modules/.package-lock.json
	@rustup target list --installed | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)
	@rustup component list --installed | grep -qx rust-src || rustup component add rust-src
	@[ "$$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $(WASM_BINDGEN_VERSION)" ] || \
		cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund

# Debian's Chromium and ChromeDriver, and CJK fonts so Chinese renders in screenshots.
browser:
	@[ -x $(CHROMIUM) ] && fc-list :lang=zh | grep -q . && command -v openssl >/dev/null || { \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver fonts-noto-cjk openssl; }

test: browser tools fetch build test-native test-browser

test-native:
	cargo test

test-browser:
	node --test --test-concurrency=1 e2e/

# Clippy with warnings as errors, natively (library, tests, the converter) and for the wasm
# module (the library only: the converter is native-only).
lint: tools
	cargo clippy --all-targets -- -D warnings
	cargo clippy --target $(WASM_TARGET) --lib -- -D warnings

# Speed on the shared workloads (bench/workloads.json, and bench/gemma-workload.json for the
# Chinese decoder), in headless Chromium; a table on stdout, bench/results/bench.{json,md}. Then
# the memory each lesson takes in a phone-sized tab (bench/memory.mjs, ~10 min): bench/results/memory.{json,md}.
# ANCHORS=1 first measures transformers.js and wllama on the same work in this same invocation
# (~6 min, $(ANCHORS_DIR)/README.md), and wllama on the same Gemma file with its gemma-probe.mjs
# (1 and 2 threads), and prints the ratios.
ANCHORS_DIR ?= ../shared/bench/anchors
ANCHORS_RUN_DIR = $(if $(shell test -w $(ANCHORS_DIR) && echo yes),$(ANCHORS_DIR),$(CACHE)/anchors)
ANCHORS_RESULTS = $(ANCHORS_RUN_DIR)/results/anchors.json
bench: browser tools fetch build
ifdef ANCHORS
	ANCHORS_WORKDIR=$(CACHE)/anchors CHROMIUM=$(CHROMIUM) bash $(ANCHORS_DIR)/run-anchors.sh --reps 3
	cd $(ANCHORS_RUN_DIR) && GEMMA=1 ./prepare-models.sh && for threads in 1 2; do \
		CHROMIUM=$(CHROMIUM) node gemma-probe.mjs "$$(node -p 'JSON.stringify(require("$(CURDIR)/bench/gemma-workload.json").prompts)')" $$threads > results/gemma-$$threads.json; done
	node bench/run.mjs --reps 3 --anchors $(ANCHORS_RESULTS) --gemma-anchors $(ANCHORS_RUN_DIR)/results
else
	node bench/run.mjs --reps 3
endif
	node bench/memory.mjs

clean:
	rm -rf pkg www/vendor e2e/artifacts dist
