# CarbonXchange: `make run` and `make test` each install what is missing, build, and go.
SHELL := /bin/bash
ROOT := $(abspath .)
BUILD ?= $(ROOT)/build
JOBS ?= 2
export PATH := $(ROOT)/.tools/bin:$(PATH)

.PHONY: deps build run run-chain test test-long bench fuzz verify-contracts clean frontend

deps:
	@bash tools/deps.sh

build: deps
	@cmake -S backend -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@ninja -C $(BUILD) -j $(JOBS)

frontend: deps
	@cd frontend && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npx vite build --logLevel warn

# Roles that must sign in with a second factor (README "Accounts"); none for a quick demo.
MFA_ROLES ?= admin,verifier

run: build frontend
	@mkdir -p var
	$(BUILD)/app/carbonx serve --data var --listen 127.0.0.1:8080 --demo --static frontend/dist \
	  --mfa-required-roles $(MFA_ROLES)

# `make run` against a local EVM chain: anvil (npm @foundry-rs/anvil), the contracts deployed,
# carbonx with --chain (README "On chain").
run-chain: build frontend
	@bash tools/run-chain.sh

test: build
	@bash tools/test-all.sh

test-long: build
	@CX_LONG=1 LINT_ANALYZER=1 bash tools/test-all.sh

bench: build
	@bash tools/bench-all.sh

fuzz: deps
	@bash tools/fuzz.sh

verify-contracts: deps
	@bash blockchain/scripts/verify-contracts.sh

clean:
	rm -rf $(BUILD) frontend/dist
