# Two commands on a fresh Debian 12 machine:  make run   |   make test
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
SCENARIO ?= scenarios/supply_chain.lua
OUT ?= results/default

.PHONY: all deps configure build run test bench clean

all: build

deps:
	@scripts/install-deps

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) > $(BUILD).configure.log 2>&1 || \
	  { cat $(BUILD).configure.log; exit 1; }

build: configure
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory

run: build
	$(BUILD)/swarmlab run $(SCENARIO) --out $(OUT)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	scripts/bench-engine

clean:
	rm -rf $(BUILD) build-* *.configure.log
