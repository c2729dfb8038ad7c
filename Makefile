# hue-gitops: `make` generates, renders and checks the whole fleet; `make test` runs the tests.
export GOTOOLCHAIN := go1.27.3
GO       ?= go
HUE      := bin/hue
KUSTOMIZE := bin/kustomize
# Overlay builds are remembered here and reused while every file they read is unchanged.
CACHE    := out/.cache/render
CONFTEST := bin/conftest

.PHONY: all build generate render check diff golden test bench bench-fleet fuzz lint tools

all: build
	$(HUE) generate --cache $(CACHE)
	$(HUE) render --cache $(CACHE) --out out/rendered
	$(HUE) check --cache $(CACHE) --summary

build:
	$(GO) build -o $(HUE) ./generators/cmd/hue

tools:
	$(GO) build -o $(KUSTOMIZE) sigs.k8s.io/kustomize/kustomize/v5

generate: build
	$(HUE) generate --cache $(CACHE)

render: build
	$(HUE) render --cache $(CACHE) --out out/rendered

check: build
	$(HUE) check --cache $(CACHE) --summary

# What the working tree changes against BASE (a git revision; empty tries origin/main, then main).
BASE ?=
diff: build
	$(HUE) diff $(if $(BASE),--base $(BASE))

# Update the golden renders, then read `git diff tests/golden` before committing.
golden: build
	$(HUE) render --out tests/golden

test: build tools
	$(GO) vet ./...
	$(HUE) generate --check
	KUSTOMIZE=$(CURDIR)/$(KUSTOMIZE) HUE=$(CURDIR)/$(HUE) $(GO) test -count=1 ./...

# conftest is pinned in a module of its own (tools/conftest) so that its dependencies never move
# ours; it is only needed for the side-by-side policy benchmark.
$(CONFTEST): tools/conftest/go.mod tools/conftest/go.sum
	cd tools/conftest && $(GO) build -o ../../$(CONFTEST) github.com/open-policy-agent/conftest

# Policy throughput (objects/s) in process and under conftest on the same rendered files.
bench: build $(CONFTEST)
	CONFTEST=$(CURDIR)/$(CONFTEST) $(GO) test -run '^$$' -bench . -benchtime 10x -benchmem ./generators/... ./tests/

# hue against the naive per-cluster loop (kustomize build + conftest) on synthetic fleets of
# BENCH_SCHOOLS schools: generate, render, check, diff and a one-school PR, cold and warm.
BENCH_SCHOOLS ?= 100,500,2000
BENCH_NAIVE_SAMPLE ?= 100
bench-fleet: build tools $(CONFTEST)
	$(GO) run ./generators/cmd/benchfleet --hue $(HUE) --kustomize $(KUSTOMIZE) --conftest $(CONFTEST) --schools $(BENCH_SCHOOLS) --naive-sample $(BENCH_NAIVE_SAMPLE)

# Explore the spec decoder with Go's fuzzer (its seeds run in every `make test`).
FUZZTIME ?= 60s
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzDecode -fuzztime $(FUZZTIME) ./generators/api/v1alpha1/

lint:
	@test -z "$$(gofmt -l generators)" || { gofmt -l generators; exit 1; }
	$(GO) vet ./...
