# The two commands a new user needs: `make run` and `make test`. Every tool is built from the
# modules pinned under tools/ into the ignored .tools/, so nothing is assumed about the machine
# beyond Go.

GO        ?= go
TOOLS     := $(CURDIR)/.tools
OCB       := $(TOOLS)/builder
MDATAGEN  := $(TOOLS)/mdatagen
LINT      := $(TOOLS)/golangci-lint
# The backends `make test-backends` runs on loopback, each pinned by its module under tools/.
PROMETHEUS   := $(TOOLS)/prometheus
JAEGER       := $(TOOLS)/jaeger
VICTORIALOGS := $(TOOLS)/victoria-logs
DIST      := _build/otelcol-callcenter
CONFIG    ?= config/default.yaml
# The assembly tier's connector: a package of the module with its own metadata.yaml.
CONNECTOR := connector/callcenterconnector

# Everything the distribution is built from: rebuilt only when one of these changes.
SOURCES   := $(shell find . -name '*.go' -not -path './_build/*' -not -path './.tools/*' -not -path './tools/*' -not -name '*_test.go') \
             go.mod go.sum builder-config.yaml

.PHONY: all run demo build bench test unit e2e test-backends backends dashboards check-dashboards fuzz generate check-generate check-tidy lint fmt tools clean ci

all: build

## run: build the distribution (if stale) and start it on $(CONFIG)
run: $(DIST)
	$(DIST) --config $(CONFIG)

## demo: start the collector on config/demo.yaml and push DEMO_DURATION of generated traffic
DEMO_DURATION ?= 3m
DEMO_RATE     ?= 10
# Calls end minutes after they start: the traffic plays at this multiple of real time.
DEMO_SPEED    ?= 4
demo: $(DIST)
	@$(DIST) --config config/demo.yaml > _build/demo.log 2>&1 & echo $$! > _build/demo.pid; \
	trap 'kill $$(cat _build/demo.pid) 2>/dev/null' EXIT; \
	for i in $$(seq 1 50); do curl -sf localhost:8088/health >/dev/null && break; sleep 0.2; done; \
	$(GO) run ./cmd/callgen -url http://localhost:8088 -duration $(DEMO_DURATION) -rate $(DEMO_RATE) -speed $(DEMO_SPEED) -truth _build/demo-truth.json; \
	sleep 16; echo "collector output: _build/demo.log; ground truth: _build/demo-truth.json"; \
	grep -c 'callcenter' _build/demo.log | xargs echo "lines mentioning callcenter:"

## build: build the otelcol-callcenter distribution with ocb into _build/
build: $(DIST)

$(DIST): $(OCB) $(SOURCES)
	$(OCB) --config builder-config.yaml
	@touch $@

## bench: the callcenter receiver against the OTLP/HTTP receiver in one run of the distribution
## (cmd/callbench): pushes/s, p50/p99, CPU per 1000 pushes, RSS, and the ratios to OTLP.
## SOAK=10m instead sends half of the OTLP peak for that long into a small dedup.max_keys,
## sampling RSS. STORAGE=1 keeps the receiver's state in file_storage, as a crash-proof setup does.
## Not part of `make test`: it measures, it asserts nothing.
BENCH_TIME ?= 10s
SOAK       ?=
STORAGE    ?=
bench: $(DIST)
	$(GO) run ./cmd/callbench -collector $(DIST) -duration $(BENCH_TIME) $(if $(SOAK),-soak $(SOAK)) $(if $(STORAGE),-storage)

## test: unit tests with the race detector, then the end-to-end tests through the built collector
test: unit e2e

unit:
	$(GO) test -race -count=1 ./...

e2e: $(DIST)
	CALLCENTER_COLLECTOR=$(CURDIR)/$(DIST) $(GO) test -count=1 -tags e2e -timeout 20m ./e2e/...

## test-backends: generated traffic through the distribution into real Prometheus, Jaeger and
## VictoriaLogs on loopback; every query of the README and of dashboards/ checked against the truth
# The backends are built once into .tools/ (Prometheus ~10 min, Jaeger ~8 min on 2 cores) and
# rebuilt only when their go.mod changes.
test-backends: $(DIST) backends
	CALLCENTER_COLLECTOR=$(CURDIR)/$(DIST) CALLCENTER_TOOLS=$(TOOLS) \
		$(GO) test -count=1 -tags backends -timeout 20m -v ./e2e/backends/

backends: $(PROMETHEUS) $(JAEGER) $(VICTORIALOGS)

$(PROMETHEUS): tools/prometheus/go.mod tools/prometheus/go.sum
	cd tools/prometheus && $(GO) build -o $@ github.com/prometheus/prometheus/cmd/prometheus

$(JAEGER): tools/jaeger/go.mod tools/jaeger/go.sum
	cd tools/jaeger && $(GO) build -o $@ github.com/jaegertracing/jaeger/cmd/jaeger

$(VICTORIALOGS): tools/victorialogs/go.mod tools/victorialogs/go.sum
	cd tools/victorialogs && $(GO) build -o $@ github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs

## dashboards: regenerate the Grafana dashboards and provisioning files under dashboards/
dashboards:
	cd tools/dashboards && $(GO) run . -out $(CURDIR)/dashboards -vendors "$(PLATFORMS)"

## check-dashboards: fail when the committed dashboards differ from what the generator writes
check-dashboards: dashboards
	@git diff --exit-code -- dashboards \
		|| (echo "dashboards are stale: run 'make dashboards' and commit"; exit 1)
	@test -z "$$(git status --porcelain --untracked-files=all -- dashboards)" \
		|| (git status --short -- dashboards; echo "the generator wrote dashboards that are not committed"; exit 1)

## fuzz: run each fuzz target for FUZZTIME (go test -fuzz takes one target at a time)
# A failing input is written to the package's testdata/fuzz/<target>/: commit it as a seed.
# The default is a count, not a duration: with a duration Go 1.26's fuzzer can fail at the end
# with a bare "context deadline exceeded" and no input (golang/go#75804).
# Each registered platform (internal/platforms) has its FuzzDecode: the list follows the registry.
FUZZTIME     ?= 100000x
PLATFORMS     = $(shell $(GO) run ./internal/platforms/names)
FUZZ_TARGETS  = $(addsuffix :FuzzDecode,$(PLATFORMS)) \
                flex:FuzzTime flex:FuzzTimeLayout flex:FuzzInt flex:FuzzScanner flex:FuzzBody platform:FuzzValue webhook:FuzzHandler auth:FuzzCheck auth:FuzzTokenEndpoint
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=./internal/$${t%%:*}; fn=$${t##*:}; \
		echo "$(GO) test -run '^$$' -fuzz '^$$fn$$' -fuzztime $(FUZZTIME) $$pkg"; \
		$(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) $$pkg; \
	done

## generate: regenerate mdatagen's output from metadata.yaml
# mdatagen names the package of generated_component_test.go after the directory holding
# metadata.yaml; a link named like the package makes that independent of the checkout's name.
generate: $(MDATAGEN)
	@mkdir -p $(TOOLS)/gen
	@ln -sfn $(CURDIR) $(TOOLS)/gen/callcenterreceiver
	cd $(TOOLS)/gen/callcenterreceiver && $(MDATAGEN) metadata.yaml
	cd $(CONNECTOR) && $(MDATAGEN) metadata.yaml

## check-generate: fail when the committed generated files differ from what generate produces
GENERATED := internal/metadata generated_component_test.go generated_package_test.go documentation.md \
             $(CONNECTOR)/internal/metadata $(CONNECTOR)/generated_component_test.go $(CONNECTOR)/generated_package_test.go
check-generate: generate
	@git diff --exit-code -- $(GENERATED) \
		|| (echo "generated files are stale: run 'make generate' and commit"; exit 1)
	@test -z "$$(git status --porcelain --untracked-files=all -- $(GENERATED))" \
		|| (git status --short; echo "generate produced files that are not committed"; exit 1)

## check-tidy: fail when go.mod or go.sum differ from what `go mod tidy` writes
check-tidy:
	@$(GO) mod tidy -diff || (echo "go.mod is not tidy: run 'go mod tidy' and commit"; exit 1)

## lint: golangci-lint with .golangci.yml
lint: $(LINT)
	$(LINT) run --build-tags e2e,backends ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

## ci: everything .ci/run checks
ci: check-tidy check-generate check-dashboards lint test test-backends fuzz

tools: $(OCB) $(MDATAGEN) $(LINT)

$(OCB): tools/builder/go.mod tools/builder/go.sum
	cd tools/builder && $(GO) build -o $@ go.opentelemetry.io/collector/cmd/builder

$(MDATAGEN): tools/mdatagen/go.mod tools/mdatagen/go.sum
	cd tools/mdatagen && $(GO) build -o $@ go.opentelemetry.io/collector/cmd/mdatagen

$(LINT): tools/golangci-lint/go.mod tools/golangci-lint/go.sum
	cd tools/golangci-lint && $(GO) build -o $@ github.com/golangci/golangci-lint/v2/cmd/golangci-lint

clean:
	rm -rf _build .tools
