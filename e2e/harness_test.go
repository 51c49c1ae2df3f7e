//go:build e2e

// Package e2e runs the otelcol-callcenter distribution built by ocb as a separate process, with
// an OTLP exporter pointed at an OTLP receiver inside the test, and checks what the vendors get
// back and what arrives. `make e2e` builds the binary and sets CALLCENTER_COLLECTOR.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configgrpc"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/receiver/otlpreceiver"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcallcenter/callcenterreceiver/e2e/process"
	"github.com/otelcallcenter/callcenterreceiver/internal/traffic"
)

var collectorBinary = os.Getenv("CALLCENTER_COLLECTOR")

func TestMain(m *testing.M) {
	if collectorBinary == "" {
		fmt.Fprintln(os.Stderr, "CALLCENTER_COLLECTOR must name the built otelcol-callcenter binary; `make e2e` sets it")
		os.Exit(2)
	}
	os.Exit(m.Run())
}

func freePort(t *testing.T) string { return process.FreePort(t) }

// sink is a real OTLP/HTTP receiver that keeps what the collector exports, and can be told to
// refuse it.
type sink struct {
	Endpoint string
	Logs     *consumertest.LogsSink
	Metrics  *consumertest.MetricsSink
	Traces   *consumertest.TracesSink
	failing  atomic.Bool
	every    atomic.Int64 // refuse every n-th export, 0 for none
	exports  atomic.Int64
	// metricsAt is when the sink last took a metrics export (Unix nanoseconds).
	metricsAt atomic.Int64
}

// refuse says whether this export is refused.
func (s *sink) refuse() bool {
	n := s.exports.Add(1)
	every := s.every.Load()
	return s.failing.Load() || (every > 0 && n%every == 0)
}

// FailEvery makes the sink refuse every n-th export of any signal.
func (s *sink) FailEvery(n int64) { s.every.Store(n) }

var errRefused = errors.New("the sink refuses on purpose")

func startSink(t *testing.T) *sink {
	t.Helper()
	s := &sink{
		Endpoint: freePort(t),
		Logs:     new(consumertest.LogsSink),
		Metrics:  new(consumertest.MetricsSink),
		Traces:   new(consumertest.TracesSink),
	}
	f := otlpreceiver.NewFactory()
	cfg := f.CreateDefaultConfig().(*otlpreceiver.Config)
	cfg.Protocols.GRPC = configoptional.None[configgrpc.ServerConfig]()
	cfg.Protocols.HTTP.GetOrInsertDefault().ServerConfig.NetAddr.Endpoint = s.Endpoint
	set := receivertest.NewNopSettings(f.Type())

	logs, err := consumer.NewLogs(func(ctx context.Context, ld plog.Logs) error {
		if s.refuse() {
			return errRefused
		}
		return s.Logs.ConsumeLogs(ctx, ld)
	})
	require.NoError(t, err)
	metrics, err := consumer.NewMetrics(func(ctx context.Context, md pmetric.Metrics) error {
		if s.refuse() {
			return errRefused
		}
		defer s.metricsAt.Store(time.Now().UnixNano())
		return s.Metrics.ConsumeMetrics(ctx, md)
	})
	require.NoError(t, err)
	traces, err := consumer.NewTraces(func(ctx context.Context, td ptrace.Traces) error {
		if s.refuse() {
			return errRefused
		}
		return s.Traces.ConsumeTraces(ctx, td)
	})
	require.NoError(t, err)

	// One config shared by the three signals: the OTLP receiver runs one server for them.
	lr, err := f.CreateLogs(context.Background(), set, cfg, logs)
	require.NoError(t, err)
	mr, err := f.CreateMetrics(context.Background(), set, cfg, metrics)
	require.NoError(t, err)
	tr, err := f.CreateTraces(context.Background(), set, cfg, traces)
	require.NoError(t, err)
	host := componenttest.NewNopHost()
	require.NoError(t, lr.Start(context.Background(), host))
	require.NoError(t, mr.Start(context.Background(), host))
	require.NoError(t, tr.Start(context.Background(), host))
	t.Cleanup(func() {
		require.NoError(t, lr.Shutdown(context.Background()))
		require.NoError(t, mr.Shutdown(context.Background()))
		require.NoError(t, tr.Shutdown(context.Background()))
	})
	return s
}

// Fail makes the sink refuse everything until it is called with false.
func (s *sink) Fail(on bool) { s.failing.Store(on) }

// collector is one otelcol-callcenter process.
type collector struct {
	URL string // the callcenter receiver's base URL
	*process.Process
}

// configParams fill the collector configuration templates in testdata.
type configParams struct {
	Endpoint     string // the callcenter receiver
	SinkEndpoint string
	StorageDir   string
	// The two-tier shape: an assembly collector's OTLP endpoint, and the two an edge routes to.
	OTLPEndpoint         string
	Assembly1, Assembly2 string
}

// startCollector writes the named configuration template with fresh ports and starts the
// binary on it, waiting until the receiver answers its health endpoint.
func startCollector(t *testing.T, templateName string, params configParams) *collector {
	t.Helper()
	if params.Endpoint == "" {
		params.Endpoint = freePort(t)
	}
	path := process.WriteTemplate(t, filepath.Join("testdata", templateName), params)
	url := "http://" + params.Endpoint
	return &collector{URL: url, Process: process.Start(t, "the collector", url+"/health", time.Minute, nil,
		collectorBinary, "--config", path)}
}

// reply is what a vendor got back.
type reply struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    string
}

func send(t *testing.T, method, url, contentType string, body []byte) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	r := reply{Status: resp.StatusCode, Header: resp.Header, Raw: string(raw)}
	require.NoError(t, json.Unmarshal(raw, &r.Body), "every reply is JSON: %q", raw)
	return r
}

// sendPush makes the request a generated push is, as its vendor makes it, and returns the HTTP
// status; a failure must be one the vendor retries.
func sendPush(t *testing.T, url string, p traffic.Push) int {
	t.Helper()
	req, err := p.NewRequest(url)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "a failure the vendor retries: %s %s", p.Vendor, p.Path)
	}
	return resp.StatusCode
}

// retryPush sends a push up to tries times, as a vendor retries a failure, waiting pause(try)
// after each failed try; it reports whether the push got through.
func retryPush(t *testing.T, url string, p traffic.Push, tries int, pause func(try int) time.Duration) bool {
	t.Helper()
	for try := range tries {
		if sendPush(t, url, p) == http.StatusOK {
			return true
		}
		time.Sleep(pause(try))
	}
	return false
}

func post(t *testing.T, url string, body []byte) reply {
	t.Helper()
	return send(t, http.MethodPost, url, "application/json;charset=utf8", body)
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", name))
	require.NoError(t, err)
	return b
}

func vendorOf(fixture string) string { return strings.SplitN(fixture, "/", 2)[0] }

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// jsonString renders a decoded JSON scalar as its text: 54093, not 54093.0.
func jsonString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	default:
		return fmt.Sprint(t)
	}
}
