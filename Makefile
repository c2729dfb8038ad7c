# hue-gitops: `make` generates, renders and checks the whole fleet; `make test` runs the tests.
export GOTOOLCHAIN := go1.27.3
GO       ?= go
HUE      := bin/hue
KUSTOMIZE := bin/kustomize
# Overlay builds are remembered here and reused while every file they read is unchanged.
CACHE    := out/.cache/render
CONFTEST := bin/conftest
# The third-party judges (make judges) are built here, outside the work tree.
JUDGES_CACHE ?= $(HOME)/.cache/hue-judges
JUDGES_BIN   := $(JUDGES_CACHE)/bin

.PHONY: all build generate render check diff golden test e2e e2e-tools bench bench-fleet fuzz lint tools judges

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

# Rewrite every golden (tests/golden and the generators' testdata) with the one switch their
# tests share, HUE_UPDATE_GOLDEN=1; then read `git diff` before committing.
golden: build
	HUE_UPDATE_GOLDEN=1 $(GO) test -count=1 -run 'Golden' ./tests/ ./generators/argocd/ ./generators/fn/

test: build tools $(JUDGES_BIN)/kubeconform
	$(GO) vet ./...
	$(HUE) generate --check
	KUSTOMIZE=$(CURDIR)/$(KUSTOMIZE) HUE=$(CURDIR)/$(HUE) KUBECONFORM=$(JUDGES_BIN)/kubeconform $(GO) test -count=1 -timeout 30m ./...
	$(MAKE) judges

# The end-to-end suite: a real kube-apiserver per destination cluster on one etcd, and a real
# Argo CD syncing the generated bootstrap from a file:// repository, all in a network namespace
# of its own (needs root, iproute2, git and Debian's redis-server). The tools are pinned in
# modules of their own (tools/<tool>) and built once into E2E_CACHE, outside the work tree.
E2E_CACHE ?= $(HOME)/.cache/hue-e2e
E2E_BIN   := $(E2E_CACHE)/bin
E2E_TOOLS := $(E2E_BIN)/etcd $(E2E_BIN)/kube-apiserver $(E2E_BIN)/argocd
K8S_VERSION := v1.37.2
e2e-tools: $(E2E_TOOLS)
$(E2E_BIN)/etcd: tools/etcd/go.mod tools/etcd/go.sum
	cd tools/etcd && $(GO) build -o $@ go.etcd.io/etcd/server/v3
# kubectl and client-go parse the server's version: stamp it as the release build does.
$(E2E_BIN)/kube-apiserver: tools/kube-apiserver/go.mod tools/kube-apiserver/go.sum
	cd tools/kube-apiserver && $(GO) build -ldflags "-X k8s.io/component-base/version.gitVersion=$(K8S_VERSION) -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=37" -o $@ k8s.io/kubernetes/cmd/kube-apiserver
# One multicall binary; ARGOCD_BINARY_NAME picks the component.
$(E2E_BIN)/argocd: tools/argocd/go.mod tools/argocd/go.sum
	cd tools/argocd && $(GO) build -o $@ github.com/argoproj/argo-cd/v3/cmd
E2E_TIMEOUT ?= 50m
e2e: build tools e2e-tools
	@for c in ip git redis-server; do command -v $$c >/dev/null || { echo "make e2e needs $$c (apt-get install iproute2 git redis-server)"; exit 2; }; done
	HUE_E2E_BIN=$(E2E_BIN) HUE=$(CURDIR)/$(HUE) KUSTOMIZE=$(CURDIR)/$(KUSTOMIZE) $(GO) test -tags e2e -count=1 -timeout $(E2E_TIMEOUT) -v ./tests/e2e/

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

# Explore the spec and inventory decoders with Go's fuzzer (its seeds run in every `make test`).
FUZZTIME ?= 60s
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzDecode -fuzztime $(FUZZTIME) ./generators/api/v1alpha1/
	$(GO) test -run '^$$' -fuzz FuzzInventory -fuzztime $(FUZZTIME) ./generators/api/v1alpha1/

# gofmt and vet for Go; for Rego, OPA's own formatter (opa fmt) and strict compiler (opa check
# --strict), run through OPA's Go packages. Regal is not served by the module proxy here.
lint:
	@test -z "$$(gofmt -l generators tests)" || { gofmt -l generators tests; exit 1; }
	$(GO) vet ./...
	$(GO) test -count=1 -run 'TestPoliciesAreFormatted|TestPoliciesCompileStrictly' ./generators/check/policy/

# Third-party judges over the golden renders: kubeconform against schemas made offline, kube-score,
# both held against the reviewed tests/judges/ignore.yaml. Pinned in tools/<tool>, built into JUDGES_CACHE.
$(JUDGES_BIN)/kube-score: tools/kube-score/go.mod tools/kube-score/go.sum
	cd tools/kube-score && $(GO) build -o $@ github.com/zegl/kube-score/cmd/kube-score
$(JUDGES_BIN)/kubeconform: tools/kubeconform/go.mod tools/kubeconform/go.sum
	cd tools/kubeconform && $(GO) build -o $@ github.com/yannh/kubeconform/cmd/kubeconform
judges: $(JUDGES_BIN)/kube-score $(JUDGES_BIN)/kubeconform
	KUBE_SCORE=$(JUDGES_BIN)/kube-score KUBECONFORM=$(JUDGES_BIN)/kubeconform SCHEMAS=$(JUDGES_CACHE)/schemas GO=$(GO) tests/judges/run
