package core

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.uber.org/goleak"

	"github.com/otelcallcenter/callcenterreceiver/internal/metadata"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
	"github.com/otelcallcenter/callcenterreceiver/internal/platforms"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// refusingTraces is a traces pipeline that refuses while told to.
type refusingTraces struct {
	consumertest.TracesSink
	refuse atomic.Bool
}

func (r *refusingTraces) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	if r.refuse.Load() {
		return errors.New("refused on purpose")
	}
	return r.TracesSink.ConsumeTraces(ctx, td)
}

// harness is a core with the three pipelines in sinks and its clock in the test's hand.
type harness struct {
	core    *Core
	logs    *consumertest.LogsSink
	traces  *refusingTraces
	metrics *consumertest.MetricsSink
	now     time.Time
}

func start(t *testing.T, modify func(*Config)) *harness {
	t.Helper()
	return startOn(t, componenttest.NewNopHost(), modify)
}

// startOn is start with the host's extensions (a storage).
func startOn(t testing.TB, host component.Host, modify func(*Config)) *harness {
	t.Helper()
	cfg := DefaultConfig()
	if modify != nil {
		modify(&cfg)
	}
	h := &harness{
		logs: new(consumertest.LogsSink), traces: new(refusingTraces), metrics: new(consumertest.MetricsSink),
		now: time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC),
	}
	vendors := map[string]Vendor{}
	for _, e := range platforms.All() {
		vendors[e.Name()] = Vendor{ServiceName: "callcenter-" + e.Name(), DedupWindow: e.DedupWindow}
	}
	h.core = New(cfg, Settings{
		Component: receivertest.NewNopSettings(metadata.Type),
		Kind:      component.KindReceiver,
		Vendors:   vendors,
		Logs:      h.logs, Metrics: h.metrics, Traces: h.traces,
		Now: func() time.Time { return h.now },
	})
	require.NoError(t, h.core.Start(context.Background(), host))
	t.Cleanup(func() { assert.NoError(t, h.core.Shutdown(context.Background())) })
	return h
}

// push decodes a fixture of the repository's testdata as the platform's endpoint would, arriving
// now, and processes it.
func (h *harness) push(t *testing.T, vendor, query, fixture string) error {
	t.Helper()
	return h.pushBody(t, vendor, query, readFixture(t, vendor, fixture))
}

func readFixture(t *testing.T, vendor, fixture string) []byte {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("..", "..", "testdata", vendor, fixture))
	require.NoError(t, err)
	return body
}

// pushBody decodes a body as the platform's endpoint would, arriving now, and processes it.
func (h *harness) pushBody(t *testing.T, vendor, query string, body []byte) error {
	t.Helper()
	e, ok := platforms.Lookup(vendor)
	require.True(t, ok)
	q, err := url.ParseQuery(query)
	require.NoError(t, err)
	pushes, err := e.Decode(platform.Request{Query: q, Body: body, Arrival: h.now, Location: shanghai})
	require.NoError(t, err)
	return h.core.Process(context.Background(), e.Platform, pushes)
}

// callsCounted flushes the metrics and returns the callcenter.calls total of the flush.
func (h *harness) callsCounted(t *testing.T) int64 {
	t.Helper()
	h.now = h.now.Add(time.Second)
	require.NoError(t, h.core.Flush(context.Background()))
	all := h.metrics.AllMetrics()
	if len(all) == 0 {
		return 0
	}
	var n int64
	for _, rm := range all[len(all)-1].ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if m.Name() == "callcenter.calls" && m.Type() == pmetric.MetricTypeSum {
					for _, dp := range m.Sum().DataPoints().All() {
						n += dp.IntValue()
					}
				}
			}
		}
	}
	return n
}

// spanIDs counts each span sent, by trace and span ID, and the roots.
func (h *harness) spanIDs() (ids map[string]int, roots int) {
	ids = map[string]int{}
	for _, td := range h.traces.AllTraces() {
		for _, rs := range td.ResourceSpans().All() {
			for _, sp := range rs.ScopeSpans().At(0).Spans().All() {
				ids[sp.TraceID().String()+"/"+sp.SpanID().String()]++
				if sp.ParentSpanID().IsEmpty() {
					roots++
				}
			}
		}
	}
	return ids, roots
}

// 得助 pushes each call record "at most 10 times until a successful reply" (seeds/002): a retry
// of a record every pipeline accepted adds nothing.
func TestARetryOfAnAcceptedPushAddsNothing(t *testing.T) {
	h := start(t, nil)
	require.NoError(t, h.push(t, "dezhu", "", "record.json"))
	spans := h.traces.SpanCount()
	require.Positive(t, spans)
	h.now = h.now.Add(5 * time.Second)
	require.NoError(t, h.push(t, "dezhu", "", "record.json"))

	assert.Equal(t, 1, h.logs.LogRecordCount(), "one log record")
	assert.Equal(t, spans, h.traces.SpanCount(), "no span twice")
	assert.Equal(t, int64(1), h.callsCounted(t), "the call counted once")
}

// A push the traces pipeline refused fails as a whole, so the vendor retries it; the retry sends
// what is missing (the spans) and nothing else (the log record went through the first time).
// The call is counted once every pipeline accepted it: on the retry.
func TestARefusedPushIsCompletedByItsRetry(t *testing.T) {
	h := start(t, nil)
	h.traces.refuse.Store(true)
	err := h.push(t, "dezhu", "", "record.json")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the traces pipeline did not accept the push")
	assert.Equal(t, 1, h.logs.LogRecordCount())
	assert.Zero(t, h.traces.SpanCount())
	assert.Zero(t, h.callsCounted(t), "not counted while a pipeline refused it")

	h.traces.refuse.Store(false)
	require.NoError(t, h.push(t, "dezhu", "", "record.json"))
	assert.Equal(t, 1, h.logs.LogRecordCount(), "the log record is not sent again")
	ids, roots := h.spanIDs()
	assert.NotEmpty(t, ids, "the spans released by the refusal are sent on the retry")
	assert.Equal(t, 1, roots)
	for id, n := range ids {
		assert.Equal(t, 1, n, "span %s", id)
	}
	assert.Equal(t, int64(1), h.callsCounted(t))
}

// Udesk: "every call has exactly one end push"; pushes for a conversation after its end are
// retries (seeds/004). The occasions of one call make one trace with one root, each span sent
// once however often its pushes come, and the call is counted once.
func TestAUdeskCallIsOneTraceCountedOnce(t *testing.T) {
	h := start(t, func(c *Config) { c.Sessions.LateGrace = 0 })
	occasions := []string{"inbound-1-enqueue_succ.json", "inbound-2-agent_lock.json", "inbound-3-agent_incall.json", "inbound-4-hangup.json", "inbound-5-end.json"}
	for _, f := range occasions {
		require.NoError(t, h.push(t, "udesk", "", f))
		h.now = h.now.Add(time.Second)
	}
	require.NoError(t, h.push(t, "udesk", "", "inbound-5-end.json"))          // the end, retried
	require.NoError(t, h.push(t, "udesk", "", "inbound-3-agent_incall.json")) // an occasion after the end

	assert.Equal(t, len(occasions), h.logs.LogRecordCount(), "the retries are not logged")
	ids, roots := h.spanIDs()
	assert.Equal(t, 1, roots, "one root")
	for id, n := range ids {
		assert.Equal(t, 1, n, "span %s sent %d times", id, n)
	}
	traces := map[string]bool{}
	for id := range ids {
		traces[id[:32]] = true
	}
	assert.Len(t, traces, 1, "one trace")
	assert.Equal(t, int64(1), h.callsCounted(t))
}

// The core refuses a platform it was not configured for, rather than emit it under no service.
func TestAnUnservedPlatformIsRefused(t *testing.T) {
	h := start(t, nil)
	delete(h.core.set.Vendors, "udesk")
	err := h.push(t, "udesk", "", "end.json")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "platform udesk is not served here")
	assert.Zero(t, h.logs.LogRecordCount())
}

// The calls kept after their end are bounded by max_open. A UinCall call, assembled from events,
// waits for its grace before its root is sent and it is counted; one dropped for room before
// then is settled at once, its grace cut short, rather than lost.
func TestCallsCutShortAreSettledAtOnce(t *testing.T) {
	h := start(t, func(c *Config) { c.Sessions.MaxOpen = 3 }) // late_grace 1m: no sweep in the test
	const sessionID = "d13606a0-0f43-11ee-be46-5159e7892b86"
	incoming, hangup := readFixture(t, "uincall", "inbound-2-incoming.json"), readFixture(t, "uincall", "inbound-4-call_hangup.json")
	require.Contains(t, string(incoming), sessionID)
	for i := range 5 {
		id := []byte(fmt.Sprintf("%s-%d", sessionID, i))
		for _, body := range [][]byte{incoming, hangup} {
			require.NoError(t, h.pushBody(t, "uincall", "", bytes.ReplaceAll(body, []byte(sessionID), id)))
		}
	}
	// The two oldest of the five ended calls did not fit in the three kept.
	require.Eventually(t, func() bool { _, roots := h.spanIDs(); return roots == 2 }, 10*time.Second, 10*time.Millisecond,
		"the roots of the calls cut short are sent")
	require.Eventually(t, func() bool { return h.callsCounted(t) == 2 }, 10*time.Second, 10*time.Millisecond,
		"the calls cut short are counted; the others wait for their grace")
	ids, _ := h.spanIDs()
	for id, n := range ids {
		assert.Equal(t, 1, n, "span %s", id)
	}
}
