//go:build backends

// Package backends sends generated traffic through the otelcol-callcenter distribution into real
// backends on loopback (Prometheus, Jaeger v2, VictoriaLogs, each built into .tools/ from its
// pinned module) and checks there what a user sees: every KPI query of the README and of the
// dashboards against the traffic's truth, a call found by its session ID in the log store and its
// trace in the trace store. `make test-backends` builds everything and sets the environment.
package backends

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otelcallcenter/callcenterreceiver/e2e/process"
)

var (
	collectorBinary = os.Getenv("CALLCENTER_COLLECTOR")
	toolsDir        = os.Getenv("CALLCENTER_TOOLS")
)

func TestMain(m *testing.M) {
	if collectorBinary == "" || toolsDir == "" {
		fmt.Fprintln(os.Stderr, "CALLCENTER_COLLECTOR (the built otelcol-callcenter) and CALLCENTER_TOOLS (the .tools/ directory with the backends) must be set; `make test-backends` sets them")
		os.Exit(2)
	}
	os.Exit(m.Run())
}

func freePort(t *testing.T) string { return process.FreePort(t) }

// start runs a backend or the collector for the test and waits until ready answers 200.
func start(t *testing.T, name, ready string, binary string, args ...string) *process.Process {
	t.Helper()
	// Backends built on the OpenTelemetry SDK (Jaeger) would send their own spans to localhost:4317.
	env := []string{"OTEL_SDK_DISABLED=true", "OTEL_TRACES_EXPORTER=none"}
	return process.Start(t, name, ready, 2*time.Minute, env, binary, args...)
}

// writeTemplate fills testdata/<name> with params into a file of the test's temporary directory.
func writeTemplate(t *testing.T, name string, params any) string {
	return process.WriteTemplate(t, filepath.Join("testdata", name), params)
}

// getJSON GETs base+path with the query and decodes the JSON answer into v.
func getJSON(ctx context.Context, base, path string, query url.Values, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path+"?"+query.Encode(), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", path, resp.Status, strings.TrimSpace(string(body)))
	}
	return json.Unmarshal(body, v)
}
