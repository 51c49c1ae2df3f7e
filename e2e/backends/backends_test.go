//go:build backends

package backends

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcallcenter/callcenterreceiver/e2e/process"
	"github.com/otelcallcenter/callcenterreceiver/internal/traffic"
)

// callDay is when the generated calls happen: a fixed day, so that nothing depends on the date the
// test runs. The backends store the call records and spans at their own times (VictoriaLogs keeps
// them for the test's long retention); the metrics carry the flush times of the collector.
var callDay = time.Date(2026, 3, 2, 9, 0, 0, 0, shanghai)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// stack is the backends and the collector of one test run.
type stack struct {
	prometheus            *prometheus // OTLP, created-timestamp-zero-ingestion on: what the README asks for
	prometheusWithoutCT   *prometheus // OTLP, Prometheus's defaults
	prometheusRemoteWrite *prometheus // remote write 2.0 from the prometheusremotewrite exporter
	victoriaLogs          string      // base URL
	jaeger                string      // base URL of the query API
	collector             *process.Process
	collectorURL          string
	started               time.Time // before the collector started: the KPI range begins here
}

// startStack starts the backends on free loopback ports, then the collector exporting into them.
func startStack(t *testing.T) *stack {
	t.Helper()
	s := &stack{
		prometheus:            startPrometheus(t, "prometheus", "--enable-feature=created-timestamp-zero-ingestion"),
		prometheusWithoutCT:   startPrometheus(t, "prometheus-without-ct"),
		prometheusRemoteWrite: startPrometheus(t, "prometheus-remote-write", "--enable-feature=created-timestamp-zero-ingestion", "--web.enable-remote-write-receiver"),
	}
	vl := freePort(t)
	start(t, "victoria-logs", "http://"+vl+"/health", filepath.Join(toolsDir, "victoria-logs"),
		"-httpListenAddr="+vl, "-storageDataPath="+t.TempDir(),
		// The calls happen on callDay; VictoriaLogs drops records older than its retention.
		"-retentionPeriod=100y", "-loggerLevel=WARN")
	s.victoriaLogs = "http://" + vl

	jaegerPorts := struct{ OTLP, Query, QueryGRPC string }{freePort(t), freePort(t), freePort(t)}
	start(t, "jaeger", "http://"+jaegerPorts.Query+"/api/services", filepath.Join(toolsDir, "jaeger"),
		"--config="+writeTemplate(t, "jaeger.yaml", jaegerPorts))
	s.jaeger = "http://" + jaegerPorts.Query

	t.Setenv("PROMETHEUS_OTLP_ENDPOINT", s.prometheus.base+"/api/v1/otlp/v1/metrics")
	t.Setenv("LOKI_OTLP_ENDPOINT", s.victoriaLogs+"/insert/opentelemetry/v1/logs")
	t.Setenv("TEMPO_OTLP_ENDPOINT", "http://"+jaegerPorts.OTLP+"/v1/traces")
	s.started = time.Now()
	s.startCollector(t)
	return s
}

// startCollector runs the distribution on the configuration the README gives a newcomer,
// config/grafana.yaml, with the backends' endpoints from its environment, testdata/collector.yaml
// and then each of overlays (files of testdata/) laid over it.
func (s *stack) startCollector(t *testing.T, overlays ...string) {
	t.Helper()
	params := struct{ Endpoint, PrometheusWithoutCT, PrometheusRemoteWrite string }{
		freePort(t), s.prometheusWithoutCT.addr, s.prometheusRemoteWrite.addr,
	}
	shipped, err := filepath.Abs(filepath.Join("..", "..", "config", "grafana.yaml"))
	require.NoError(t, err)
	args := []string{"--config=" + shipped, "--config=" + writeTemplate(t, "collector.yaml", params)}
	for _, name := range overlays {
		path, err := filepath.Abs(filepath.Join("testdata", name))
		require.NoError(t, err)
		args = append(args, "--config="+path)
	}
	s.collectorURL = "http://" + params.Endpoint
	s.collector = start(t, "collector", s.collectorURL+"/health", collectorBinary,
		append(args, "--feature-gates=exporter.prometheusremotewritexporter.enableSendingRW2")...)
}

func startPrometheus(t *testing.T, name string, flags ...string) *prometheus {
	t.Helper()
	addr := freePort(t)
	config, err := filepath.Abs(filepath.Join("testdata", "prometheus.yaml"))
	require.NoError(t, err)
	args := append([]string{
		"--config.file=" + config, "--storage.tsdb.path=" + t.TempDir(),
		"--web.listen-address=" + addr, "--web.enable-otlp-receiver", "--log.level=warn",
	}, flags...)
	start(t, name, "http://"+addr+"/-/ready", filepath.Join(toolsDir, "prometheus"), args...)
	return &prometheus{name: name, addr: addr, base: "http://" + addr}
}

// run is the traffic and its truth.
type run struct {
	calls  []traffic.Call
	pushes []traffic.Push
	truth  traffic.Summary
}

// generate draws the traffic of all four vendors.
func generate() run {
	pushes, calls := traffic.Generate(traffic.Options{
		Seed: 10, Start: callDay, Duration: 20 * time.Minute, Rate: 3, Location: shanghai,
	})
	return run{calls: calls, pushes: pushes, truth: traffic.Summarize(calls, pushes)}
}

// feed pushes the traffic in the order the vendors send it, in slices with a flush between
// them, so that series appear and grow over several flushes as in a day of real traffic. It
// returns once every Prometheus has counted every call.
func (s *stack) feed(t *testing.T, r run) {
	t.Helper()
	const slices = 8
	for i := range slices {
		s.push(t, r.pushes[i*len(r.pushes)/slices:(i+1)*len(r.pushes)/slices])
		s.waitFlush(t)
	}
	s.waitCounted(t, len(r.calls))
}

func callsOf(calls []traffic.Call, vendor string) []traffic.Call {
	var out []traffic.Call
	for _, c := range calls {
		if c.Vendor == vendor {
			out = append(out, c)
		}
	}
	return out
}

func (s *stack) push(t *testing.T, pushes []traffic.Push) {
	t.Helper()
	for _, p := range pushes {
		req, err := p.NewRequest(s.collectorURL)
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s %s repeat=%v", p.Vendor, p.Path, p.Repeat)
	}
}

// waitCounted waits until every Prometheus counts n calls in its latest samples.
func (s *stack) waitCounted(t *testing.T, n int) {
	t.Helper()
	for _, p := range s.all() {
		require.Eventually(t, func() bool {
			v, err := p.scalar(context.Background(), `sum(callcenter_calls_total)`, time.Now())
			return err == nil && v == float64(n)
		}, time.Minute, 250*time.Millisecond, "%s never counted %d calls", p.name, n)
	}
}

// waitFlush waits until the collector exported another flush with calls to Prometheus.
func (s *stack) waitFlush(t *testing.T) {
	t.Helper()
	before, _ := s.prometheus.lastSample(context.Background()) // none before the first call
	require.Eventually(t, func() bool {
		last, err := s.prometheus.lastSample(context.Background())
		return err == nil && last.After(before)
	}, 30*time.Second, 100*time.Millisecond, "no flush")
}

func (s *stack) all() []*prometheus {
	return []*prometheus{s.prometheus, s.prometheusWithoutCT, s.prometheusRemoteWrite}
}

func TestBackends(t *testing.T) {
	s := startStack(t)
	r := generate()
	s.feed(t, r)
	// Stopping the collector sends what it still holds (spans waiting for late pushes) and ends
	// the metrics: each Prometheus then holds its last sample, at which the queries are evaluated.
	s.collector.Stop(t)
	require.NoError(t, s.collector.Wait(), "the collector's exit")

	ctx := context.Background()
	var evs []evaluation
	for _, p := range s.all() {
		ev, err := evaluate(ctx, p, s.started)
		require.NoError(t, err, p.name)
		evs = append(evs, ev)
	}
	otlp, withoutCT, remoteWrite := evs[0], evs[1], evs[2]
	t.Logf("queries evaluated at the last flush, over $__range=%s", otlp.rng)
	t.Run("Metric names and labels", func(t *testing.T) {
		checkNamesAndLabels(t, []evaluation{otlp, remoteWrite}, queryExprs(t, false), r)
		checkVariables(t, otlp, r)
	})
	t.Run("README KPIs", func(t *testing.T) { checkReadmeQueries(t, otlp, r).log(t, "Prometheus (OTLP) vs truth") })
	t.Run("Dashboard panels", func(t *testing.T) { checkDashboardQueries(t, otlp, r) })
	t.Run("Remote write", func(t *testing.T) {
		checkReadmeQueries(t, remoteWrite, r).log(t, "Prometheus (remote write 2.0) vs truth")
		checkDashboardQueries(t, remoteWrite, r)
	})
	t.Run("Without created-timestamp-zero-ingestion", func(t *testing.T) { checkWithoutCT(t, withoutCT, r) })
	t.Run("Call found by session ID, with its trace", func(t *testing.T) { checkCallsAndTraces(t, s, r) })
	t.Run("Call explorer filters in the log store", func(t *testing.T) { checkCallRecordCounts(t, s, r) })
	// Last: it runs the distribution again, into the same backends, with held traffic.
	t.Run("Live gauges of held traffic", func(t *testing.T) { checkLive(t, s, r) })
}

// checkWithoutCT runs the README's queries on a Prometheus without
// created-timestamp-zero-ingestion and shows what its user gets: increase() has no zero to start
// a series from, so what a series counted by its first flush is lost (or guessed by
// extrapolation). A count can only come out short; a series that counted one call in its first
// flush and nothing after counts 0, and the traffic has such series.
func checkWithoutCT(t *testing.T, ev evaluation, r run) {
	got := figures{}
	for _, q := range readmeQueries(t) {
		m, ok := measures[q.measure]
		if !ok {
			continue // a Live query: gauges, which the zero does not concern
		}
		rows, err := ev.p.query(context.Background(), substitute(t, q.expr, map[string]string{"__range": ev.rng}), ev.at)
		require.NoError(t, err)
		for _, rw := range rows {
			vendor := vendorOfJob(rw.labels["job"])
			sub := subsetOf(r.calls, vendor, nil)
			if m.timed && !sub.timed() {
				continue
			}
			if want, ok := m.truth(sub, rw.labels); ok {
				got.add(vendor, q.measure, rw.value, want)
			}
		}
	}
	got.log(t, "Prometheus WITHOUT created-timestamp-zero-ingestion vs truth")
	var offered, truth float64
	for vendor, f := range got {
		g := f["offered"]
		assert.LessOrEqual(t, g[0], g[1]+exactCount, "%s: without the zero, increase() can only lose", vendor)
		offered += g[0]
		truth += g[1]
	}
	assert.Less(t, offered, truth, "the first flush of each series is lost")
}

// repoFile reads a file of the repository from the test's directory (e2e/backends).
func repoFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", path))
	require.NoError(t, err)
	return string(b)
}

func seconds(d time.Duration) string { return strconv.Itoa(int(d.Seconds())) + "s" }

func vendorOfJob(job string) string { return strings.TrimPrefix(job, "callcenter-") }
