package callcenterreceiver

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcallcenter/callcenterreceiver/internal/metadata"
)

// testClock is the receivers' time in these tests: pushes arrive when the test says.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock {
	return &testClock{now: time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *testClock) Add(d time.Duration) { c.Set(c.Now().Add(d)) }

// allSignals is a receiver with a logs, a traces and a metrics pipeline, on a test clock. Its
// short late_grace makes the background sweep run every 100 ms of real time; what it releases
// follows the test clock.
type allSignals struct {
	url     string
	logs    *consumertest.LogsSink
	traces  *consumertest.TracesSink
	metrics *consumertest.MetricsSink
	tel     *componenttest.Telemetry
	clock   *testClock
	stop    func()
}

func startAllSignals(t *testing.T, modify func(*Config)) *allSignals {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.ServerConfig.NetAddr.Endpoint = freeEndpoint(t)
	cfg.CollectionInterval = 50 * time.Millisecond
	cfg.Sessions.LateGrace = time.Second
	clock := newTestClock()
	cfg.clock = clock.Now
	if modify != nil {
		modify(cfg)
	}
	a := &allSignals{
		url: "http://" + cfg.ServerConfig.NetAddr.Endpoint, logs: new(consumertest.LogsSink),
		traces: new(consumertest.TracesSink), metrics: new(consumertest.MetricsSink), tel: componenttest.NewTelemetry(),
		clock: clock,
	}
	set := receivertest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = a.tel.NewTelemetrySettings()
	ctx := context.Background()
	lr, err := NewFactory().CreateLogs(ctx, set, cfg, a.logs)
	require.NoError(t, err)
	tr, err := NewFactory().CreateTraces(ctx, set, cfg, a.traces)
	require.NoError(t, err)
	mr, err := NewFactory().CreateMetrics(ctx, set, cfg, a.metrics)
	require.NoError(t, err)
	require.NoError(t, lr.Start(ctx, componenttest.NewNopHost()))
	require.NoError(t, tr.Start(ctx, componenttest.NewNopHost()))
	require.NoError(t, mr.Start(ctx, componenttest.NewNopHost()))
	stopped := false
	a.stop = func() {
		if stopped {
			return
		}
		stopped = true
		require.NoError(t, lr.Shutdown(ctx))
		require.NoError(t, tr.Shutdown(ctx))
		require.NoError(t, mr.Shutdown(ctx))
		require.NoError(t, a.tel.Shutdown(ctx))
	}
	t.Cleanup(a.stop)
	return a
}

// logRecords are the log records received, in order.
func logRecords(sink *consumertest.LogsSink) []plog.LogRecord {
	var out []plog.LogRecord
	for _, ld := range sink.AllLogs() {
		for _, rl := range ld.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					out = append(out, lr)
				}
			}
		}
	}
	return out
}

// sumOf sums a sum metric of the latest flush over the data points whose attribute has value.
func sumOf(sink *consumertest.MetricsSink, name, attr, value string) int64 {
	all := sink.AllMetrics()
	if len(all) == 0 {
		return 0
	}
	var n int64
	for _, rm := range all[len(all)-1].ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if m.Name() != name || m.Type() != pmetric.MetricTypeSum {
					continue
				}
				for _, dp := range m.Sum().DataPoints().All() {
					if v, ok := dp.Attributes().Get(attr); ok && v.AsString() == value {
						n += dp.IntValue()
					}
				}
			}
		}
	}
	return n
}

// UinCall documents no retries and its pushes carry no id: the same agentstatus body twice (the
// document's own inbound flow sends it twice: 1.3.2.1 and 1.3.1.3 are the same bytes) is two
// reports of the agent's state, each logged, counted and on the agent's timeline.
func TestIdenticalUinCallPushesAreEachAnEvent(t *testing.T) {
	a := startAllSignals(t, nil)
	body := fixture(t, "uincall/inbound-1-agentstatus.json")
	for range 2 {
		r := post(t, a.url+"/uincall", "application/json", body)
		require.Equal(t, http.StatusOK, r.status)
		assert.Equal(t, codeOK, r.body)
		a.clock.Add(2 * time.Second) // the same body, two seconds apart
	}

	records := logRecords(a.logs)
	require.Len(t, records, 2, "one log record per push")
	assert.Equal(t, records[0].TraceID(), records[1].TraceID(), "both on the agent's timeline")
	assert.NotEqual(t, records[0].SpanID(), records[1].SpanID(), "each its own state on it")
	_, hasPushID := records[0].Attributes().Get("callcenter.push.id")
	assert.False(t, hasPushID, "nothing identifies a UinCall push: no push id")
	assert.Zero(t, sumMetric(t, a.tel, "otelcol_receiver_callcenter_duplicate_pushes"))

	// The first state lasted until the second report: its span is settled.
	require.Equal(t, 1, a.traces.SpanCount())
	span := a.traces.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	assert.Equal(t, "agent agentstatus", span.Name())
	assert.Equal(t, records[0].SpanID(), span.SpanID())
	assert.Equal(t, records[0].TraceID(), span.TraceID())

	require.Eventually(t, func() bool {
		return sumOf(a.metrics, "callcenter.events", "callcenter.event.type", "agent_status") == 2
	}, 5*time.Second, 20*time.Millisecond, "callcenter.events counts each push")
}

// "After the end it's a retry" is Udesk's rule. A UinCall push after call_hangup is new
// information: the document itself titles a call_talking example (1.3.2.5 "call_talking - 接听")
// with a call_hangup body, so a second call_hangup and a late call_talking both happen.
func TestUinCallPushAfterHangupIsLogged(t *testing.T) {
	a := startAllSignals(t, nil)
	for _, f := range []string{"outbound-4-callout_process", "outbound-7-call_hangup", "outbound-6-call_talking", "outbound-8-call_hangup-success"} {
		r := post(t, a.url+"/uincall", "application/json", fixture(t, "uincall/"+f+".json"))
		require.Equal(t, http.StatusOK, r.status)
		assert.Equal(t, codeOK, r.body)
	}
	records := logRecords(a.logs)
	require.Len(t, records, 4, "each push after the hangup is logged")
	for _, rec := range records[1:] {
		assert.Equal(t, records[0].TraceID(), rec.TraceID(), "in the call's trace")
	}
	assert.Zero(t, sumMetric(t, a.tel, "otelcol_receiver_callcenter_duplicate_pushes"), "none is a retry")
	require.Eventually(t, func() bool {
		return sumOf(a.metrics, "callcenter.events", "callcenter.event.type", "call_ended") == 2
	}, 5*time.Second, 20*time.Millisecond, "both hangups are events")
}

// A late call_talking corrects the call it belongs to: the call is counted, and its root span
// sent, once sessions.late_grace after the hang-up is over. The hang-up's call_result 0 (成功) is
// the line; call_talking (客户接听并开始通话) is the answer.
func TestLateUinCallPushCorrectsTheCall(t *testing.T) {
	a := startAllSignals(t, nil)
	for _, f := range []string{"outbound-4-callout_process", "outbound-5-call_process", "outbound-8-call_hangup-success", "outbound-6-call_talking"} {
		require.Equal(t, http.StatusOK, post(t, a.url+"/uincall", "application/json", fixture(t, "uincall/"+f+".json")).status)
		a.clock.Add(100 * time.Millisecond) // the talk comes 0.1 s after the hang-up
	}
	require.Eventually(t, func() bool {
		return sumOf(a.metrics, "callcenter.events", "callcenter.event.type", "talking") == 1
	}, 5*time.Second, 20*time.Millisecond)
	assert.Zero(t, countCalls(a.metrics), "not counted while a late push may still come")

	a.clock.Add(2 * time.Second) // past late_grace
	require.Eventually(t, func() bool { return countCalls(a.metrics) == 1 }, 5*time.Second, 20*time.Millisecond)
	assert.Equal(t, int64(1), sumOf(a.metrics, "callcenter.calls", "callcenter.end_status", "answered"), "the late talk counts")

	var status string
	for _, td := range a.traces.AllTraces() {
		for _, rs := range td.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, sp := range ss.Spans().All() {
					if sp.ParentSpanID().IsEmpty() {
						v, _ := sp.Attributes().Get("callcenter.end_status")
						status = v.Str()
					}
				}
			}
		}
	}
	assert.Equal(t, "answered", status, "the root span too")
}
