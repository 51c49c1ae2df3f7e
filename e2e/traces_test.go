//go:build e2e

package e2e

import (
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/ptracetest"
)

// traceSamples are pushed in order to one collector; each call's trace is compared with its
// golden file.
var traceSamples = []struct {
	name    string
	pushes  []sample
	spans   int
	arrival bool // times are arrivals (UinCall): not in the golden file
}{
	{"tccc-cdr", []sample{{"tccc/cdr.json", "/tccc?action=cdr"}}, 4, false},
	{"dezhu-record", []sample{{"dezhu/record.json", "/dezhu"}}, 4, false},
	{"udesk-end", []sample{{"udesk/end.json", "/udesk"}}, 3, false}, // the 0 s setup is no span
	{"udesk-inbound", []sample{
		{"udesk/inbound-1-enqueue_succ.json", "/udesk"}, {"udesk/inbound-2-agent_lock.json", "/udesk"},
		{"udesk/inbound-3-agent_incall.json", "/udesk"}, {"udesk/inbound-4-hangup.json", "/udesk"},
		{"udesk/inbound-5-end.json", "/udesk"},
	}, 6, false},
	{"uincall-outbound", []sample{
		{"uincall/outbound-2-agentDialout-dn.json", "/uincall"}, {"uincall/outbound-4-callout_process.json", "/uincall"},
		{"uincall/outbound-5-call_process.json", "/uincall"}, {"uincall/outbound-6-call_talking.json", "/uincall"},
		{"uincall/outbound-8-call_hangup-success.json", "/uincall"},
	}, 6, true},
}

type sample struct{ fixture, path string }

// spansOf collects the spans of one trace from everything the sink received, by span ID.
func spansOf(s *sink, traceID string) map[string]ptrace.Span {
	out := map[string]ptrace.Span{}
	for _, td := range s.Traces.AllTraces() {
		for _, rs := range td.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, sp := range ss.Spans().All() {
					if traceID == "" || sp.TraceID().String() == traceID {
						out[sp.SpanID().String()] = sp
					}
				}
			}
		}
	}
	return out
}

// spanCount counts the spans of one trace ("" for all) in everything the sink received, each
// copy of a span sent twice.
func spanCount(s *sink, traceID string) int {
	n := 0
	for _, td := range s.Traces.AllTraces() {
		for _, rs := range td.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, sp := range ss.Spans().All() {
					if traceID == "" || sp.TraceID().String() == traceID {
						n++
					}
				}
			}
		}
	}
	return n
}

// traceOf returns the trace with the root span named like the call, once it has n spans.
func traceOf(t *testing.T, s *sink, sessionID string, n int) ptrace.Traces {
	t.Helper()
	var id string
	require.Eventually(t, func() bool {
		for _, sp := range spansOf(s, "") {
			if v, ok := sp.Attributes().Get("callcenter.session.id"); ok && v.Str() == sessionID && sp.ParentSpanID().IsEmpty() {
				id = sp.TraceID().String()
			}
		}
		return id != "" && len(spansOf(s, id)) >= n
	}, 20*time.Second, 50*time.Millisecond, "the trace of %s never got %d spans", sessionID, n)
	require.Equal(t, n, spanCount(s, id), "no span twice")
	// One resource holding the trace, its spans in ID order, for a stable comparison.
	out := ptrace.NewTraces()
	var res ptrace.ResourceSpans
	for _, td := range s.Traces.AllTraces() {
		for _, rs := range td.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				if ss.Spans().Len() > 0 && ss.Spans().At(0).TraceID().String() == id && out.ResourceSpans().Len() == 0 {
					res = out.ResourceSpans().AppendEmpty()
					rs.Resource().CopyTo(res.Resource())
					ss.Scope().CopyTo(res.ScopeSpans().AppendEmpty().Scope())
				}
			}
		}
	}
	spans := spansOf(s, id)
	keys := make([]string, 0, len(spans))
	for k := range spans {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		spans[k].CopyTo(res.ScopeSpans().At(0).Spans().AppendEmpty())
	}
	return out
}

func sessionOf(t *testing.T, fixture string) string {
	t.Helper()
	var body map[string]any
	require.NoError(t, jsonUnmarshal(readFixture(t, fixture), &body))
	if data, ok := body["data"].(map[string]any); ok {
		return data["iccCallId"].(string)
	}
	for _, k := range []string{"SessionId", "session_id", "conversation_id"} {
		if v, ok := body[k]; ok {
			return strings.TrimSuffix(strings.TrimSuffix(jsonString(v), ".0"), "\n")
		}
	}
	t.Fatalf("no session in %s", fixture)
	return ""
}

func TestSampleTracesThroughTheCollector(t *testing.T) {
	s := startSink(t)
	c := startCollector(t, "traces.yaml", configParams{SinkEndpoint: s.Endpoint})
	for _, tt := range traceSamples {
		t.Run(tt.name, func(t *testing.T) {
			for _, p := range tt.pushes {
				r := post(t, c.URL+p.path, readFixture(t, p.fixture))
				require.Equal(t, http.StatusOK, r.Status, r.Raw)
			}
			got := traceOf(t, s, sessionOf(t, tt.pushes[0].fixture), tt.spans)
			path := filepath.Join("testdata", "golden", "traces", tt.name+".yaml")
			if *update {
				require.NoError(t, golden.WriteTraces(t, path, got))
			}
			want, err := golden.ReadTraces(path)
			require.NoError(t, err)
			opts := []ptracetest.CompareTracesOption{ptracetest.IgnoreSpansOrder()}
			if tt.arrival {
				opts = append(opts, ptracetest.IgnoreStartTimestamp(), ptracetest.IgnoreEndTimestamp(),
					ptracetest.IgnoreSpanAttributeValue("callcenter.time.start"), ptracetest.IgnoreSpanAttributeValue("callcenter.time.ring"),
					ptracetest.IgnoreSpanAttributeValue("callcenter.time.answer"), ptracetest.IgnoreSpanAttributeValue("callcenter.time.end"),
					ptracetest.IgnoreSpanAttributeValue("callcenter.duration.total"), ptracetest.IgnoreSpanAttributeValue("callcenter.duration.ring"),
					ptracetest.IgnoreSpanAttributeValue("callcenter.duration.talk"))
			}
			require.NoError(t, ptracetest.CompareTraces(want, got, opts...))
		})
	}

	// Every log record of a call names its trace, and the span of what it reports.
	traceIDs := map[string]bool{}
	for _, sp := range spansOf(s, "") {
		traceIDs[sp.TraceID().String()+"/"+sp.SpanID().String()] = true
	}
	linked := 0
	for _, ld := range s.Logs.AllLogs() {
		for _, rl := range ld.ResourceLogs().All() {
			for _, lr := range rl.ScopeLogs().At(0).LogRecords().All() {
				if !lr.TraceID().IsEmpty() {
					assert.True(t, traceIDs[lr.TraceID().String()+"/"+lr.SpanID().String()], "a log record points at a span that was sent")
					linked++
				}
			}
		}
	}
	assert.Equal(t, 13, linked, "every push of a call")
}

// udeskCall are the pushes of one inbound Udesk call.
var udeskCall = traceSamples[3].pushes

func sendAll(t *testing.T, url string, pushes []sample) {
	t.Helper()
	for _, p := range pushes {
		r := post(t, url+p.path, readFixture(t, p.fixture))
		require.Equal(t, http.StatusOK, r.Status, r.Raw)
	}
}

func TestRepeatedAndShuffledPushesGiveOneTrace(t *testing.T) {
	inOrder := startSink(t)
	c := startCollector(t, "traces.yaml", configParams{SinkEndpoint: inOrder.Endpoint})
	sendAll(t, c.URL, udeskCall)
	want := traceOf(t, inOrder, "61234", 6)
	c.Stop(t)

	for seed := range uint64(3) {
		shuffled := startSink(t)
		c := startCollector(t, "traces.yaml", configParams{SinkEndpoint: shuffled.Endpoint})
		pushes := append(slices.Clone(udeskCall), udeskCall[1], udeskCall[3], udeskCall[4]) // some twice
		rand.New(rand.NewPCG(seed, 99)).Shuffle(len(pushes), func(i, j int) { pushes[i], pushes[j] = pushes[j], pushes[i] })
		sendAll(t, c.URL, pushes)
		got := traceOf(t, shuffled, "61234", 6)
		c.Stop(t) // a shutdown sends whatever still waited for late pushes
		assert.Equal(t, 6, spanCount(shuffled, ""), "seed %d: no span twice", seed)
		require.NoError(t, ptracetest.CompareTraces(want, got, ptracetest.IgnoreSpansOrder()), "seed %d", seed)
	}
}

func TestTwoCollectorsGiveTheSameSpanIDs(t *testing.T) {
	var ids [2][]string
	for i := range ids {
		s := startSink(t)
		c := startCollector(t, "traces.yaml", configParams{SinkEndpoint: s.Endpoint})
		sendAll(t, c.URL, traceSamples[0].pushes)
		traceOf(t, s, "99a1c8f8-eb3d-4xxx-8401-5f6aa8761232", 4)
		for id, sp := range spansOf(s, "") {
			ids[i] = append(ids[i], sp.TraceID().String()+"/"+id+"/"+sp.Name())
		}
		slices.Sort(ids[i])
		c.Stop(t)
	}
	assert.Len(t, ids[0], 4)
	assert.Equal(t, ids[0], ids[1], "the same record on two replicas: the same trace and span IDs")
}
