package callcenterconnector

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcallcenter/callcenterreceiver/connector/callcenterconnector/internal/metadata"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
	"github.com/otelcallcenter/callcenterreceiver/internal/platforms"
	"github.com/otelcallcenter/callcenterreceiver/internal/relay"
)

// edgeRecords is what an edge receiver forwards for a fixture of the repository's testdata.
func edgeRecords(t *testing.T, vendor, query, name string) plog.Logs {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("..", "..", "testdata", vendor, name))
	require.NoError(t, err)
	q, err := url.ParseQuery(query)
	require.NoError(t, err)
	e, _ := platforms.Lookup(vendor)
	req := platform.Request{Query: q, Body: body, Arrival: time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC), Location: time.UTC}
	pushes, err := e.Decode(req)
	require.NoError(t, err)
	return relay.Encode(vendor, req, pushes, "edge")
}

// The collector creates one connector per output pipeline type and hands each every input
// record: the record is processed once, and its log record, spans and call reach each pipeline
// once; a retry of the record adds nothing.
func TestEachRecordIsProcessedOnce(t *testing.T) {
	f := NewFactory()
	cfg := f.CreateDefaultConfig()
	set := connectortest.NewNopSettings(metadata.Type)
	logs, metrics, traces := new(consumertest.LogsSink), new(consumertest.MetricsSink), new(consumertest.TracesSink)
	toLogs, err := f.CreateLogsToLogs(context.Background(), set, cfg, logs)
	require.NoError(t, err)
	toMetrics, err := f.CreateLogsToMetrics(context.Background(), set, cfg, metrics)
	require.NoError(t, err)
	toTraces, err := f.CreateLogsToTraces(context.Background(), set, cfg, traces)
	require.NoError(t, err)
	host := componenttest.NewNopHost()
	require.NoError(t, toLogs.Start(context.Background(), host))
	require.NoError(t, toMetrics.Start(context.Background(), host))
	require.NoError(t, toTraces.Start(context.Background(), host))

	// The collector hands each input record to every connector of the config.
	all := []consumer.Logs{toLogs, toMetrics, toTraces}
	record := edgeRecords(t, "dezhu", "", "record.json")
	for range 2 { // the record, and its retry
		for _, c := range all {
			require.NoError(t, c.ConsumeLogs(context.Background(), record))
		}
	}
	assert.Equal(t, 1, logs.LogRecordCount())
	// UinCall pushes carry no ID: only processing each record once keeps its event single.
	event := edgeRecords(t, "uincall", "", "agent-login-agentstatus.json")
	for _, c := range all {
		require.NoError(t, c.ConsumeLogs(context.Background(), event))
	}
	assert.Equal(t, 2, logs.LogRecordCount(), "one more record for the UinCall event")
	spans := traces.SpanCount()
	assert.Positive(t, spans)

	require.NoError(t, toLogs.Shutdown(context.Background()))
	require.NoError(t, toMetrics.Shutdown(context.Background()))
	require.NoError(t, toTraces.Shutdown(context.Background()))
	// The shutdown sends what is still open (the agent's day: no storage keeps it), each span once.
	seen := map[string]int{}
	for _, td := range traces.AllTraces() {
		for _, rs := range td.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, sp := range ss.Spans().All() {
					seen[sp.TraceID().String()+"/"+sp.SpanID().String()]++
				}
			}
		}
	}
	for id, n := range seen {
		assert.Equal(t, 1, n, "span %s sent %d times", id, n)
	}
	assert.GreaterOrEqual(t, traces.SpanCount(), spans)
	var calls int64
	for _, md := range metrics.AllMetrics() {
		for _, rm := range md.ResourceMetrics().All() {
			for _, sm := range rm.ScopeMetrics().All() {
				for _, m := range sm.Metrics().All() {
					if m.Name() == "callcenter.calls" {
						for _, dp := range m.Sum().DataPoints().All() {
							calls += dp.IntValue()
						}
					}
				}
			}
		}
	}
	assert.Equal(t, int64(1), calls, "the call counted once (the last flush at shutdown)")
}

// A record that is not an edge record is refused for good, with a message that says why.
func TestABrokenRecordIsAPermanentError(t *testing.T) {
	f := NewFactory()
	cfg := f.CreateDefaultConfig()
	logs := new(consumertest.LogsSink)
	c, err := f.CreateLogsToLogs(context.Background(), connectortest.NewNopSettings(metadata.Type), cfg, logs)
	require.NoError(t, err)
	require.NoError(t, c.Start(context.Background(), componenttest.NewNopHost()))
	defer func() { require.NoError(t, c.Shutdown(context.Background())) }()
	ld := plog.NewLogs()
	ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr("hello")
	err = c.ConsumeLogs(context.Background(), ld)
	require.Error(t, err)
	assert.True(t, consumererror.IsPermanent(err))
	assert.Contains(t, err.Error(), "not an edge record")
	assert.Zero(t, logs.LogRecordCount())
}

// The platforms' sections are read from their keys, as the receiver's are.
func TestConfigSections(t *testing.T) {
	cfg := createDefaultConfig()
	require.NoError(t, confmap.NewFromStringMap(map[string]any{
		"udesk":    map[string]any{"service_name": "acme-udesk"},
		"sessions": map[string]any{"late_grace": "5s"},
	}).Unmarshal(cfg))
	assert.Equal(t, "acme-udesk", cfg.Vendor("udesk").ServiceName)
	assert.Equal(t, "callcenter-tccc", cfg.Vendor("tccc").ServiceName)
	assert.Equal(t, 5*time.Second, cfg.Sessions.LateGrace)
	require.NoError(t, cfg.Validate())
	cfg.Vendor("dezhu").DedupWindow = 0
	require.ErrorContains(t, cfg.Validate(), "dezhu.dedup_window: must be positive")
	err := confmap.NewFromStringMap(map[string]any{"tccc": map[string]any{"path": "/x"}}).Unmarshal(createDefaultConfig())
	assert.ErrorContains(t, err, "tccc:", "the connector has no endpoint: path is not one of its keys")
}
