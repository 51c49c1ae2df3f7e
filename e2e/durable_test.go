//go:build e2e

package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcallcenter/callcenterreceiver/internal/traffic"
)

// pushAsVendor sends a push until it gets a success, as the vendors retry (TCCC 3 times, 得助 up
// to 10); it fails the test if the push never gets through.
func pushAsVendor(t *testing.T, url string, p traffic.Push) {
	t.Helper()
	if !retryPush(t, url, p, 10, func(try int) time.Duration { return time.Duration(try+1) * 20 * time.Millisecond }) {
		t.Fatalf("%s %s never got through", p.Vendor, p.Path)
	}
}

// restartPoint is past the middle of the traffic, where the next push repeats one sent before.
func restartPoint(pushes []traffic.Push) int {
	sent := map[string]bool{}
	for i, p := range pushes {
		if i >= len(pushes)/2 && p.Repeat && sent[string(p.Body)] {
			return i
		}
		sent[string(p.Body)] = true
	}
	return len(pushes) / 2
}

// acrossTheRestart counts the calls with pushes on both sides of the restart, and the repeats
// after it of pushes first sent before it.
func acrossTheRestart(pushes []traffic.Push, restart int) (calls, repeats int) {
	sessionOf := func(p traffic.Push) string {
		var body map[string]any
		_ = jsonUnmarshal(p.Body, &body)
		if data, ok := body["data"].(map[string]any); ok {
			body = data
		}
		for _, k := range []string{"SessionId", "session_id", "conversation_id", "iccCallId"} {
			if v, ok := body[k]; ok {
				return p.Vendor + "/" + jsonString(v)
			}
		}
		return ""
	}
	before := map[string]bool{}
	bodies := map[string]bool{}
	for _, p := range pushes[:restart] {
		before[sessionOf(p)] = true
		bodies[string(p.Body)] = true
	}
	counted := map[string]bool{}
	for _, p := range pushes[restart:] {
		s := sessionOf(p)
		if s != "" && before[s] && !counted[s] {
			counted[s] = true
			calls++
		}
		if p.Repeat && bodies[string(p.Body)] {
			repeats++
		}
	}
	return calls, repeats
}

// callsCounted adds up callcenter.calls over the runs: the last value of each series of each
// start time (a restart without storage starts the series again); and returns those start times.
func callsCounted(s *sink) (int64, map[pcommon.Timestamp]bool) {
	last := map[string]int64{}
	starts := map[pcommon.Timestamp]bool{}
	for _, md := range s.Metrics.AllMetrics() {
		for _, rm := range md.ResourceMetrics().All() {
			for _, sm := range rm.ScopeMetrics().All() {
				for _, m := range sm.Metrics().All() {
					if m.Name() != "callcenter.calls" || m.Type() != pmetric.MetricTypeSum {
						continue
					}
					for _, dp := range m.Sum().DataPoints().All() {
						key := dp.StartTimestamp().String() + "|" + str(rm.Resource().Attributes(), "callcenter.vendor") + "|" + attrsKey(dp.Attributes())
						last[key] = dp.IntValue()
						starts[dp.StartTimestamp()] = true
					}
				}
			}
		}
	}
	var n int64
	for _, v := range last {
		n += v
	}
	return n, starts
}

func attrsKey(m pcommon.Map) string {
	var b strings.Builder
	for k, v := range m.All() {
		b.WriteString(k + "=" + v.AsString() + ";")
	}
	return b.String()
}

func TestEveryCallExactlyOnceDespiteFailuresAndARestart(t *testing.T) {
	s := startSink(t)
	s.FailEvery(5) // one export in five is refused
	params := configParams{SinkEndpoint: s.Endpoint, Endpoint: freePort(t), StorageDir: t.TempDir()}
	c := startCollector(t, "durable.yaml", params)

	// The vendors whose retries make delivery durable. UinCall documents no retries: every push
	// is a new event, so a retry here would be one more event, not the same push again.
	pushes, calls := traffic.Generate(traffic.Options{
		Seed: 5, Start: time.Now().Add(-time.Hour).Truncate(time.Second), Duration: 10 * time.Minute,
		Rate: 2, Location: shanghai, Vendors: []string{"tccc", "udesk", "dezhu"},
	})
	half := restartPoint(pushes)
	straddling, retriedAcross := acrossTheRestart(pushes, half)
	require.Positive(t, straddling, "calls in progress at the restart")
	require.Positive(t, retriedAcross, "pushes retried after the restart")
	for _, p := range pushes[:half] {
		pushAsVendor(t, c.URL, p)
	}
	// A restart in the middle of the traffic, calls in progress included.
	c.Stop(t)
	c = startCollector(t, "durable.yaml", params)
	for _, p := range pushes[half:] {
		pushAsVendor(t, c.URL, p)
	}
	want := 0
	for _, p := range pushes {
		if !p.Repeat {
			want++
		}
	}

	// Logs: each push once.
	assert.Eventually(t, func() bool { return s.Logs.LogRecordCount() >= want }, 20*time.Second, 50*time.Millisecond)
	t.Logf("want %d log records, got %d", want, s.Logs.LogRecordCount())
	seen := map[string]int{}
	for _, ld := range s.Logs.AllLogs() {
		for _, rl := range ld.ResourceLogs().All() {
			for _, lr := range rl.ScopeLogs().At(0).LogRecords().All() {
				id := str(lr.Attributes(), "callcenter.push.id") + "|" + str(rl.Resource().Attributes(), "callcenter.vendor")
				seen[id]++
			}
		}
	}
	for id, n := range seen {
		assert.Equal(t, 1, n, "push %s logged %d times", id, n)
	}
	assert.Len(t, seen, want, "every push logged")

	// Spans: every call's root, no span twice.
	rootsByVendor := func() map[string]int {
		out := map[string]int{}
		for _, td := range s.Traces.AllTraces() {
			for _, rs := range td.ResourceSpans().All() {
				for _, sp := range rs.ScopeSpans().At(0).Spans().All() {
					if sp.ParentSpanID().IsEmpty() && strings.HasSuffix(sp.Name(), "call") {
						out[str(rs.Resource().Attributes(), "callcenter.vendor")]++
					}
				}
			}
		}
		return out
	}
	callsByVendor := map[string]int{}
	for _, c := range calls {
		callsByVendor[c.Vendor]++
	}
	assert.Eventually(t, func() bool { return assert.ObjectsAreEqual(callsByVendor, rootsByVendor()) }, 20*time.Second, 100*time.Millisecond)
	c.Stop(t) // sends what waited for late pushes, and the last metrics flush
	assert.Equal(t, callsByVendor, rootsByVendor(), "a root span for every call")
	ids := map[string]int{}
	for _, td := range s.Traces.AllTraces() {
		for _, rs := range td.ResourceSpans().All() {
			for _, sp := range rs.ScopeSpans().At(0).Spans().All() {
				ids[sp.TraceID().String()+"/"+sp.SpanID().String()]++
			}
		}
	}
	for id, n := range ids {
		assert.Equal(t, 1, n, "span %s sent %d times", id, n)
	}

	// Metrics: every call counted once over both runs.
	counted, _ := callsCounted(s)
	assert.Equal(t, int64(len(calls)), counted)

	// Masked: no phone number of the traffic in clear anywhere at the sink.
	numbers := map[string]bool{}
	for _, p := range pushes {
		var body map[string]any
		require.NoError(t, jsonUnmarshal(p.Body, &body))
		phoneValues(body, numbers)
	}
	require.NotEmpty(t, numbers)
	var out []string
	for _, ld := range s.Logs.AllLogs() {
		for _, rl := range ld.ResourceLogs().All() {
			for _, lr := range rl.ScopeLogs().At(0).LogRecords().All() {
				collect(lr.Body(), &out)
				collectMap(lr.Attributes(), &out)
			}
		}
	}
	for _, sp := range spansOf(s, "") {
		collectMap(sp.Attributes(), &out)
	}
	leaks := 0
	for _, v := range out {
		for n := range numbers {
			if strings.Contains(v, n) {
				leaks++
				t.Errorf("%q shows the phone number %s", v, n)
			}
		}
	}
	assert.Zero(t, leaks)
}

// phoneFields are the vendors' phone number fields (their PhoneFields, by name).
var phoneFields = map[string]bool{
	"Caller": true, "Callee": true, "EndpointUser": true, "Phone": true, "TelNumber": true,
	"customer_phone": true, "display_number": true, "ani": true, "dnis": true,
	"callingNumber": true, "calledNumber": true,
}

func phoneValues(v any, out map[string]bool) {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if phoneFields[k] {
				if s := jsonString(e); len(s) >= 7 && strings.Trim(s, "+0123456789") == "" {
					out[s] = true // a number, not an agent's email
				}
				continue
			}
			phoneValues(e, out)
		}
	case []any:
		for _, e := range t {
			phoneValues(e, out)
		}
	}
}

func collect(v pcommon.Value, out *[]string) {
	switch v.Type() {
	case pcommon.ValueTypeMap:
		collectMap(v.Map(), out)
	case pcommon.ValueTypeSlice:
		for _, e := range v.Slice().All() {
			collect(e, out)
		}
	default:
		*out = append(*out, v.AsString())
	}
}

func collectMap(m pcommon.Map, out *[]string) {
	for k, v := range m.All() {
		*out = append(*out, k)
		collect(v, out)
	}
}
