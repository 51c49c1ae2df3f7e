package session

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
)

// openCall is the state of a typical call in progress: queued, rung, talking, with the fields
// a Udesk occasion carries.
func openCall(i int) []*call.Push {
	base := call.Call{
		SessionID: fmt.Sprintf("%08d", i), CallID: fmt.Sprintf("8097f59e-0ba7-1111-b6c0-%012d", i),
		Direction: call.DirectionInbound, Caller: "13912345678", Callee: "02161234567",
		CustomerLocation: call.Location{Text: "上海 上海"}, Queue: call.Queue{ID: "301", Name: "售后服务组"},
		Agent: call.Agent{ID: "2051", Name: "李伟", Email: "liwei@example.com", Groups: []string{"售后服务组"}},
	}
	var out []*call.Push
	for j, ev := range []struct {
		name string
		typ  call.EventType
	}{{"enqueue_succ", call.EventQueued}, {"agent_lock", call.EventAgentRinging}, {"agent_incall", call.EventTalking}} {
		t := time.Date(2026, 11, 22, 8, 0, j*10, 0, time.UTC)
		out = append(out, &call.Push{
			Vendor: "udesk", Kind: call.KindCallEvent, Tenant: "acme", Time: t, Arrival: t,
			DedupKey: base.SessionID + "/" + ev.name + "/" + t.Format(time.DateTime), Call: base,
			Event: &call.Event{Name: ev.name, Type: ev.typ, Attributes: map[string]any{"category": "normal", "device_info": "网页电话"}},
		})
	}
	return out
}

// finishedCall is openCall(i) and its end, Udesk's record, 20 s after its first event.
func finishedCall(i int) []*call.Push {
	pushes := openCall(i)
	end := *pushes[2]
	end.Kind, end.DedupKey = call.KindCallRecord, end.Call.SessionID+"/end"
	end.Event = &call.Event{Name: "end", Type: call.EventCallEnded}
	return append(pushes, &end)
}

// BenchmarkOpenSessionMemory reports the memory an open call holds.
func BenchmarkOpenSessionMemory(b *testing.B) {
	const n = 10_000
	pushes := make([][]*call.Push, n)
	for i := range pushes {
		pushes[i] = openCall(i)
	}
	var perSession float64
	for b.Loop() {
		tr := NewTracker(Config{MaxSessions: n, IdleTimeout: time.Hour})
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for _, call := range pushes {
			for _, p := range call {
				tr.Apply(p)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		perSession = float64(after.HeapAlloc-before.HeapAlloc) / n
		runtime.KeepAlive(tr)
	}
	b.ReportMetric(perSession, "B/session")
}

// BenchmarkCallLifecycle reports how many calls per second the tracker follows from their
// first event to their end.
func BenchmarkCallLifecycle(b *testing.B) {
	tr := NewTracker(Config{MaxSessions: 100_000, IdleTimeout: time.Hour})
	i := 0
	start := time.Now()
	for b.Loop() {
		for _, p := range finishedCall(i) {
			tr.Apply(p)
		}
		i++
	}
	b.ReportMetric(float64(i)/time.Since(start).Seconds(), "sessions/s")
}

// BenchmarkSweepRipe measures the sweep that finds many calls past their grace for late pushes
// at once (at LateGrace/2, 30 s of a busy receiver's calls), most of them frozen: the longest a
// push waits for the tracker's lock during the sweep, and what claiming each ripe call's spans
// again costs afterwards, as the core does: all of them sent with the call's pushes (a call
// with a final record), then with one held back until now (the root of a call of events).
func BenchmarkSweepRipe(b *testing.B) {
	const n = 30_000
	ended := time.Date(2026, 11, 22, 8, 0, 20, 0, time.UTC) // finishedCall's end
	var waited, claimed, claimedHeld time.Duration
	rounds := 0
	for b.Loop() {
		b.StopTimer()
		tr := NewTracker(Config{MaxSessions: 100_000, IdleTimeout: time.Hour})
		for i := range n {
			var ch *Change
			for _, p := range finishedCall(i) {
				ch = tr.Apply(p)
			}
			tr.Claim(ch.Session.Key, []string{"call", "queue", "talk"}) // sent with the push
		}
		b.StartTimer()
		done := make(chan []*Session)
		go func() {
			_, ripe := tr.Sweep(ended.Add(2*time.Minute), time.Minute)
			done <- ripe
		}()
		var ripe []*Session
		for ripe == nil {
			start := time.Now()
			tr.Len() // a push's wait for the lock
			waited = max(waited, time.Since(start))
			select {
			case ripe = <-done:
			default:
			}
		}
		start := time.Now()
		for _, s := range ripe {
			tr.Claim(s.Key, []string{"call", "queue", "talk"})
		}
		claimed += time.Since(start)
		start = time.Now()
		for _, s := range ripe {
			if fresh := tr.Claim(s.Key, []string{"call", "queue", "talk", "root"}); len(fresh) != 1 {
				b.Fatalf("%q fresh, want the root", fresh)
			}
		}
		claimedHeld += time.Since(start)
		rounds++
		if len(ripe) != n {
			b.Fatalf("%d ripe, want %d", len(ripe), n)
		}
	}
	b.ReportMetric(float64(waited.Microseconds())/1000, "ms-longest-wait")
	b.ReportMetric(float64(claimed.Microseconds())/float64(rounds*n), "µs/ripe-claim")
	b.ReportMetric(float64(claimedHeld.Microseconds())/float64(rounds*n), "µs/held-claim")
}

// BenchmarkSweepNothingDue measures a sweep of max_open closed calls none of which is due: past
// their grace, within idle_timeout. The sweep walks every closed call kept under the tracker's
// lock, every LateGrace/2, and every push waits for it.
func BenchmarkSweepNothingDue(b *testing.B) {
	const n = 100_000
	tr := NewTracker(Config{MaxSessions: n, IdleTimeout: time.Hour})
	for i := range n {
		var ch *Change
		for _, p := range finishedCall(i) {
			ch = tr.Apply(p)
		}
		tr.Claim(ch.Session.Key, []string{"call", "queue", "talk"})
	}
	ended := time.Date(2026, 11, 22, 8, 0, 20, 0, time.UTC) // finishedCall's end
	if _, ripe := tr.Sweep(ended.Add(2*time.Minute), time.Minute); len(ripe) != n {
		b.Fatalf("%d ripe, want %d", len(ripe), n)
	}
	for b.Loop() {
		if timedOut, ripe := tr.Sweep(ended.Add(3*time.Minute), time.Minute); len(timedOut)+len(ripe) > 0 {
			b.Fatalf("%d timed out, %d ripe: nothing is due", len(timedOut), len(ripe))
		}
	}
	if tr.CheckClosed() != nil || tr.closedOrder.n != n {
		b.Fatalf("%d kept, want %d: %v", tr.closedOrder.n, n, tr.CheckClosed())
	}
}

// BenchmarkAgentDay reports what a push costs the tracker on an agent's day of n events
// (UinCall agentstatus: no push ID, numbered by its place): the day grows with every push, and
// a push should not cost in proportion to it.
func BenchmarkAgentDay(b *testing.B) {
	for _, n := range []int{100, 3000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			day := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
			push := func(i int) *call.Push {
				t := day.Add(time.Duration(i) * time.Second)
				return &call.Push{
					Vendor: "uincall", Kind: call.KindAgentEvent, Tenant: "acme", Time: t, Arrival: t,
					Call:  call.Call{Agent: call.Agent{ID: "8014"}},
					Event: &call.Event{Name: "agentstatus", Type: call.EventAgentStatus},
				}
			}
			for b.Loop() {
				b.StopTimer()
				tr := NewTracker(Config{MaxSessions: 10, IdleTimeout: time.Hour})
				for i := range n {
					tr.Apply(push(i))
				}
				p := push(n)
				b.StartTimer()
				tr.Apply(p)
			}
		})
	}
}
