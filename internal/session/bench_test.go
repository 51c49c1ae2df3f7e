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
		pushes := openCall(i)
		end := *pushes[2]
		end.Kind, end.DedupKey = call.KindCallRecord, end.Call.SessionID+"/end"
		end.Event = &call.Event{Name: "end", Type: call.EventCallEnded}
		for _, p := range append(pushes, &end) {
			tr.Apply(p)
		}
		i++
	}
	b.ReportMetric(float64(i)/time.Since(start).Seconds(), "sessions/s")
}
