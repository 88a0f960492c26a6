# changegate: a change-control gate for network operations.
GO       ?= go
BIN      ?= bin/changegate
FUZZTIME ?= 20s
FUZZMINTIME ?= 10s
BENCH    ?= .
BENCHTIME ?= 1x

.PHONY: all build test test-short bench bench-ladder bench-check bench-load bench-policy bench-validate bench-devices bench-apply opa-test fuzz lint fmt example clean

all: lint test build

# -buildvcs=auto: the binary records the commit it was built from (changegate
# version), whatever GOFLAGS says, when git is there to ask.
build:
	$(GO) build -buildvcs=auto -o $(BIN) ./cmd/changegate

# The test command CI runs: vet, then every test with the race detector,
# then what the race run leaves out because the detector makes it take
# minutes (internal/sim's equivalences on Topology Zoo's Interoute and
# Cogentco), without it. Timeouts inside tests scale with CHANGEGATE_TEST_TIMEOUT_SCALE
# (internal/testscale); no test asserts how long something took. The
# longest package under -race, internal/cli (its lab tests wait on real
# routers), takes 3 to 9 minutes on a busy 2-core machine: the package
# limit is 20 minutes instead of go test's 10.
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 20m ./...
	$(GO) test -count=1 -run '^TestZoo(Chain)?Equivalence$$' ./internal/sim/

test-short:
	$(GO) test -short -count=1 ./...

# Simulator benchmarks (Topology Zoo Cogentco and Kdl, 3-tier Clos, 2,000-router
# WAN): steady state, a 20-step plan with N-1 of all 21 states (with and without
# reuse across states), N-1 of one state, the full-recomputation baseline and
# the growth ladder. About half an hour on 2 cores at 1x (the Clos plan takes
# 6 minutes each way); narrow with BENCH='SteadyState|N1/cogentco' and
# compare runs with benchstat (docs/performance.md).
bench:
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchtime $(BENCHTIME) -timeout 120m ./internal/sim/

# The growth curve (issue 16, target 4): the 20-step plan with the N-1 of all
# 21 states on Topology Zoo networks (68 to 754 nodes) and synthetic WANs
# (100 to 1,000 routers), printed as nodes, links, nodes x links and seconds
# (docs/performance.md#growth). About 10 minutes on 2 cores. `make bench`
# runs it too, among the others. One rung: make bench-ladder RUNG=wan-100.
bench-ladder:
	$(GO) test -run '^$$' -bench 'Ladder/$(RUNG)' -benchtime $(BENCHTIME) -timeout 120m ./internal/sim/ | tee $${TMPDIR:-/tmp}/changegate-bench-ladder.txt | \
	  awk '/^BenchmarkLadder/ { for (i = 1; i <= NF; i++) v[$$(i+1)] = $$i; \
	    name = $$1; sub(/^BenchmarkLadder\//, "", name); sub(/-[0-9]+$$/, "", name); \
	    printf "%-16s %6d nodes %6d links %10d nodes*links %8.2f s %8.2f cpu-s\n", name, v["nodes"], v["links"], v["nodes*links"], v["ns/op"] / 1e9, v["cpu-s/op"] }'

# Loading Topology Zoo's Kdl (754 nodes, 567,762 gravity demands, as topology
# import writes it): LoadFile against the YAML parser alone, the traffic
# digest, and the whole process of dryrun --n1=false against a straightforward
# Python reference (cmd/changegate/testdata/reference.py) in the same run.
# Medians and ratios with benchstat (docs/performance.md#loading). About 2
# minutes on 2 cores; needs ../shared and python3.
BENCHSTAT ?= golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
BENCH_LOAD_OUT ?= $${TMPDIR:-/tmp}/changegate-bench-load.txt

bench-load:
	$(GO) test -run '^$$' -bench 'LoadKdl|TrafficDigestKdl' -benchtime 5x -count 6 ./internal/topology/ > $(BENCH_LOAD_OUT)
	$(GO) test -run '^$$' -bench 'DryrunKdl' -benchtime 3x -count 6 ./cmd/changegate/ >> $(BENCH_LOAD_OUT)
	$(GO) run $(BENCHSTAT) -col /impl $(BENCH_LOAD_OUT)

# The whole process of changegate check on a 20-step plan (twenty IS-IS
# cost-outs) over Topology Zoo's Kdl: 21 states and their N-1, then the
# policies (issue 16, target 2; docs/performance.md). Minutes per run today.
bench-check:
	$(GO) test -run '^$$' -bench 'CheckKdl20' -benchtime 1x -timeout 60m ./cmd/changegate/

# The policy decision on a 20-step plan over Topology Zoo's Kdl (754 nodes):
# building the input, evaluating the built-in policies, and both.
bench-policy:
	$(GO) test -run '^$$' -bench 'BenchmarkPolicy' -benchtime 10x -benchmem ./internal/gate/

# changegate validate over 200 plans and 50 runbooks against a 197-node
# topology (Topology Zoo Cogentco): target under 5 s.
bench-validate:
	$(GO) test -run '^$$' -bench 'BenchmarkValidate' -benchtime 3x ./internal/validate/

# The device adapter: one show command on 200 fake SSH devices (connecting,
# and reusing connections), and one command's overhead against a raw SSH shell.
bench-devices:
	$(GO) test -run '^$$' -bench 'RunAll200|Command' -benchtime 20x -count 8 ./devices/session/

# The executor: its own time per step (devices in memory, the real journal;
# target 50 ms), and one step on 100 fake SSH devices in waves of 20
# (target 10 s).
bench-apply:
	$(GO) test -run '^$$' -bench 'StepOverhead|Waves100' -benchtime 3x ./internal/apply/

# The built-in policies' Rego tests with OPA's own runner (go test runs them
# too); the first run compiles OPA, about a minute.
opa-test:
	$(GO) run github.com/open-policy-agent/opa@v1.22.2 test policies/
	$(GO) run github.com/open-policy-agent/opa@v1.22.2 check --strict policies/

# Run every fuzz target for FUZZTIME each; a failing input is minimised
# for at most FUZZMINTIME (the default, a minute, can outlast the target's
# own time), and the first failure stops the run.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  dir=$$($(GO) list -f '{{.Dir}}' $$pkg); \
	  for t in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go 2>/dev/null | sed 's/func //'); do \
	    echo "== $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINTIME) $$pkg; \
	  done; \
	done

# gofmt, go vet and staticcheck (its default checks), at a pinned version
# fetched through the Go module proxy on first use.
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

# The bundled example: the April 2011 outage, as a plan.
example:
	-$(GO) run ./cmd/changegate check examples/outage-plan.yaml
	$(GO) run ./cmd/changegate check examples/safe-plan.yaml

clean:
	rm -rf bin

# lab: a real FRRouting lab (OSPF or IS-IS) built from a topology file or
# a Topology Zoo .graphml file (docs/lab.md). Needs root, iproute2, frr and
# openssh-server. Routers get SSH ports LAB_BASE_PORT, LAB_BASE_PORT+1, ...
# on 127.0.0.1; state in /tmp/cg-lab-<name>. LAB_FLAGS go to cglab up
# (e.g. -igp isis).
# lab-up remembers each lab it brings up in $(LAB_UP) (one topology a line,
# the last last); lab-down and lab-status without LAB_TOPOLOGY= take the
# last one brought up, not the default, and lab-down forgets it.
LAB_UP := .cglab-up
ifeq ($(origin LAB_TOPOLOGY),undefined)
LAB_LAST = $(or $(shell tail -n 1 $(LAB_UP) 2>/dev/null),examples/april-2011.yaml)
else
LAB_LAST = $(LAB_TOPOLOGY)
endif
LAB_TOPOLOGY  ?= examples/april-2011.yaml
LAB_BASE_PORT ?= 2201
LAB_FLAGS     ?=

.PHONY: lab-up lab-down lab-status

lab-up:
	$(GO) run ./cmd/cglab up -base-port $(LAB_BASE_PORT) $(LAB_FLAGS) $(LAB_TOPOLOGY)
	@{ grep -vxF '$(LAB_TOPOLOGY)' $(LAB_UP) 2>/dev/null; echo '$(LAB_TOPOLOGY)'; } > $(LAB_UP).tmp && mv $(LAB_UP).tmp $(LAB_UP)

lab-down:
	@echo "lab-down: the lab of $(LAB_LAST) (LAB_TOPOLOGY=FILE for another)"
	$(GO) run ./cmd/cglab down $(LAB_LAST)
	@if [ -f $(LAB_UP) ]; then grep -vxF '$(LAB_LAST)' $(LAB_UP) > $(LAB_UP).tmp; mv $(LAB_UP).tmp $(LAB_UP); [ -s $(LAB_UP) ] || rm -f $(LAB_UP); fi

lab-status:
	$(GO) run ./cmd/cglab status $(LAB_LAST)
