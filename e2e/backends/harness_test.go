//go:build backends

// Package backends sends generated traffic through the otelcol-callcenter distribution into real
// backends on loopback (Prometheus, Jaeger v2, VictoriaLogs, each built into .tools/ from its
// pinned module) and checks there what a user sees: every KPI query of the README and of the
// dashboards against the traffic's truth, a call found by its session ID in the log store and its
// trace in the trace store. `make test-backends` builds everything and sets the environment.
package backends

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"text/template"
	"time"

	"github.com/stretchr/testify/require"
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

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// process is a backend or the collector, run for one test and stopped at its end.
type process struct {
	name   string
	cmd    *exec.Cmd
	output *syncBuffer
	done   chan error
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// start runs the binary and waits until ready answers 200, failing the test if it exits first.
func start(t *testing.T, name, ready string, binary string, args ...string) *process {
	t.Helper()
	p := &process{name: name, output: &syncBuffer{}, done: make(chan error, 1)}
	p.cmd = exec.Command(binary, args...)
	p.cmd.Stdout, p.cmd.Stderr = p.output, p.output
	// Backends built on the OpenTelemetry SDK (Jaeger) would send their own spans to localhost:4317.
	p.cmd.Env = append(os.Environ(), "OTEL_SDK_DISABLED=true", "OTEL_TRACES_EXPORTER=none")
	p.cmd.Dir = t.TempDir()
	require.NoError(t, p.cmd.Start(), name)
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		p.Stop(t)
		if t.Failed() {
			t.Logf("%s output (last 4 KiB):\n%s", name, tail(p.output.String(), 4096))
		}
	})
	deadline := time.Now().Add(2 * time.Minute)
	probe := &http.Client{Timeout: 2 * time.Second}
	for {
		if resp, err := probe.Get(ready); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case err := <-p.done:
			p.done <- err
			t.Fatalf("%s exited while starting: %v\n%s", name, err, tail(p.output.String(), 4096))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer %s\n%s", name, ready, tail(p.output.String(), 4096))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// Stop ends the process with SIGTERM, as a service manager would, and waits for it.
func (p *process) Stop(t *testing.T) {
	t.Helper()
	if p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		p.done <- <-p.done
		t.Errorf("%s did not stop within 30 s of SIGTERM", p.name)
	}
}

// writeTemplate fills testdata/<name> with params into a file of the test's temporary directory.
func writeTemplate(t *testing.T, name string, params any) string {
	t.Helper()
	tmpl, err := template.ParseFiles(filepath.Join("testdata", name))
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, tmpl.Execute(&out, params))
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, out.Bytes(), 0o600))
	return path
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
