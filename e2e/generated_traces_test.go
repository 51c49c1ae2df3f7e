//go:build e2e

package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcallcenter/callcenterreceiver/internal/traffic"
)

// TestGeneratedTrafficTraces sends two hours of generated traffic for every vendor through the
// collector and checks the shape of every call's trace (issue 8, items 1, 14 and 15): one root
// per call, every trace and span a log record names was sent, no queue span overlapping an
// agent's leg, and no span of no length for a phase of a final record.
func TestGeneratedTrafficTraces(t *testing.T) {
	s := startSink(t)
	c := startCollector(t, "traces.yaml", configParams{SinkEndpoint: s.Endpoint})
	pushes, calls := traffic.Generate(traffic.Options{
		Seed: 42, Start: time.Now().Add(-3 * time.Hour).Truncate(time.Second), Duration: 2 * time.Hour,
		Rate: 3, Location: shanghai,
	})
	pushAll(t, c.URL, pushes)
	c.Stop(t) // sends the spans still held back for late pushes

	type span struct {
		vendor string
		s      ptrace.Span
	}
	byTrace := map[pcommon.TraceID][]span{}
	sent := map[string]bool{}
	for _, td := range s.Traces.AllTraces() {
		for _, rs := range td.ResourceSpans().All() {
			vendor := str(rs.Resource().Attributes(), "callcenter.vendor")
			for _, sp := range rs.ScopeSpans().At(0).Spans().All() {
				byTrace[sp.TraceID()] = append(byTrace[sp.TraceID()], span{vendor, sp})
				sent[sp.TraceID().String()+"/"+sp.SpanID().String()] = true
			}
		}
	}

	roots := map[string]int{}
	for _, spans := range byTrace {
		var queue, legs []ptrace.Span
		for _, sp := range spans {
			switch {
			case sp.s.ParentSpanID().IsEmpty():
				if strings.HasSuffix(sp.s.Name(), "call") { // not an agent's day
					roots[sp.vendor]++
				}
			case sp.s.Name() == "queue":
				queue = append(queue, sp.s)
			case sp.s.Name() == "agent leg":
				legs = append(legs, sp.s)
			}
			if sp.vendor == "tccc" || sp.vendor == "dezhu" { // final records: every phase is the vendor's
				assert.Greater(t, sp.s.EndTimestamp(), sp.s.StartTimestamp(), "%s span %q of no length", sp.vendor, sp.s.Name())
			}
		}
		for _, q := range queue {
			for _, l := range legs {
				assert.LessOrEqual(t, q.EndTimestamp(), l.StartTimestamp(), "the queue ends before an agent's leg begins")
			}
		}
	}
	perVendor := map[string]int{}
	for _, c := range calls {
		perVendor[c.Vendor]++
	}
	assert.Equal(t, perVendor, roots, "one root per call")

	linked := 0
	for _, ld := range s.Logs.AllLogs() {
		for _, rl := range ld.ResourceLogs().All() {
			for _, lr := range rl.ScopeLogs().At(0).LogRecords().All() {
				if lr.TraceID().IsEmpty() {
					continue
				}
				linked++
				assert.True(t, sent[lr.TraceID().String()+"/"+lr.SpanID().String()],
					"%s log record names a span that was sent: %v", str(rl.Resource().Attributes(), "callcenter.vendor"), lr.Attributes().AsRaw()["callcenter.event.name"])
			}
		}
	}
	assert.Greater(t, linked, len(calls), "log records of every call name their trace")
}
