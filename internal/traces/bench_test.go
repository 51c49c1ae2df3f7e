package traces

import (
	"fmt"
	"testing"
	"time"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/session"
)

// BenchmarkAgentDay reports what building the spans of a push to an agent's day of n events
// costs (UinCall agentstatus: no time of its own, so untimed), every earlier state already sent
// as the core sends it: the day grows with every push, and a push should not cost in proportion
// to it.
func BenchmarkAgentDay(b *testing.B) {
	for _, n := range []int{100, 3000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			day := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
			tr := session.NewTracker(session.Config{MaxSessions: 10, IdleTimeout: time.Hour})
			var ch *session.Change
			for i := range n {
				at := day.Add(time.Duration(i) * time.Second)
				ch = tr.Apply(&call.Push{
					Vendor: "uincall", Kind: call.KindAgentEvent, Tenant: "acme", Arrival: at,
					Call:  call.Call{Agent: call.Agent{ID: "8014"}},
					Event: &call.Event{Name: "agentstatus", Type: call.EventAgentStatus},
				})
				spans, _ := Spans(ch.Session, at, 0, ch.EventKey)
				keys := make([]string, len(spans))
				for j, sp := range spans {
					keys[j] = sp.Key
				}
				tr.Claim(ch.Session.Key, keys)
			}
			if ch.Session.Settled() < n-2 {
				b.Fatalf("%d of %d states settled", ch.Session.Settled(), n)
			}
			now := day.Add(time.Duration(n) * time.Second)
			for b.Loop() {
				if spans, _ := Spans(ch.Session, now, 0, ch.EventKey); len(spans) != 1 {
					b.Fatalf("%d spans, want the state before the push's", len(spans))
				}
			}
		})
	}
}
