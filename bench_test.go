package callcenterreceiver

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcallcenter/callcenterreceiver/internal/attrs"
	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/core"
	"github.com/otelcallcenter/callcenterreceiver/internal/dedup"
	"github.com/otelcallcenter/callcenterreceiver/internal/logs"
	"github.com/otelcallcenter/callcenterreceiver/internal/metadata"
	"github.com/otelcallcenter/callcenterreceiver/internal/metrics"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
	"github.com/otelcallcenter/callcenterreceiver/internal/platforms"
	"github.com/otelcallcenter/callcenterreceiver/internal/privacy"
	"github.com/otelcallcenter/callcenterreceiver/internal/session"
	"github.com/otelcallcenter/callcenterreceiver/internal/traces"
	"github.com/otelcallcenter/callcenterreceiver/internal/traffic"
)

// BenchmarkPush is the whole path of one push through the receiver's handler, with logs,
// metrics and traces into nop consumers, over distinct calls of each vendor's generated traffic:
// what `make bench` measures over HTTP, without the network, for a CPU profile:
//
//	go test -run '^$' -bench BenchmarkPush/tccc -benchtime 40000x -cpuprofile cpu.out .
func BenchmarkPush(b *testing.B) {
	for _, vendor := range traffic.Vendors {
		b.Run(vendor, func(b *testing.B) {
			pushes, _ := traffic.Generate(traffic.Options{
				Seed: 1, Start: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), Duration: 24 * time.Hour,
				Rate: 30, Vendors: []string{vendor},
			})
			var distinct []traffic.Push
			for _, p := range pushes {
				if !p.Repeat {
					distinct = append(distinct, p)
				}
			}
			handler := startBenchReceiver(b)
			var next atomic.Int64
			b.ReportAllocs()
			b.SetParallelism(8) // 16 pushes at once on 2 cores, as `make bench`'s 16 connections
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					// Past the end of the traffic, pushes come again: retries the dedup drops.
					p := distinct[int(next.Add(1)-1)%len(distinct)]
					req := httptest.NewRequest(http.MethodPost, p.Path, bytes.NewReader(p.Body))
					req.Header.Set("Content-Type", "application/json")
					for k, v := range p.Header {
						req.Header.Set(k, v)
					}
					w := httptest.NewRecorder()
					handler.ServeHTTP(w, req)
					if w.Code != http.StatusOK {
						b.Fatalf("%s: %d %s", p.Path, w.Code, w.Body)
					}
				}
			})
		})
	}
}

// startBenchReceiver starts a receiver with all three signals into nop consumers and returns
// its handler.
func startBenchReceiver(b *testing.B) http.Handler {
	b.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.ServerConfig.NetAddr.Endpoint = "127.0.0.1:0"
	set := receivertest.NewNopSettings(metadata.Type)
	ctx := context.Background()
	lr, err := NewFactory().CreateLogs(ctx, set, cfg, consumertest.NewNop())
	require.NoError(b, err)
	tr, err := NewFactory().CreateTraces(ctx, set, cfg, consumertest.NewNop())
	require.NoError(b, err)
	mr, err := NewFactory().CreateMetrics(ctx, set, cfg, consumertest.NewNop())
	require.NoError(b, err)
	host := componenttest.NewNopHost()
	require.NoError(b, lr.Start(ctx, host))
	b.Cleanup(func() {
		require.NoError(b, lr.Shutdown(ctx))
		require.NoError(b, tr.Shutdown(ctx))
		require.NoError(b, mr.Shutdown(ctx))
	})
	r, err := shared(cfg, set)
	require.NoError(b, err)
	return r.Unwrap().handler
}

// BenchmarkHeldCallMemory reports the heap a call holds once its pushes are in: the session
// the tracker keeps, closed, for late pushes and retries (a tombstone until sessions.idle_timeout,
// at most sessions.max_open of them), with the log record's UID and its claims. Each vendor's
// distinct generated calls, decoded as the receiver decodes them: warm, every closed session
// kept decoded, as the newest session.DefaultWarmClosed are; frozen, every one but the last
// kept as bytes, as the others are. README.md states the figures.
func BenchmarkHeldCallMemory(b *testing.B) {
	for _, variant := range []struct {
		name string
		warm int
	}{{"warm", 1 << 30}, {"frozen", 1}} {
		for _, vendor := range traffic.Vendors {
			b.Run(variant.name+"/"+vendor, func(b *testing.B) { heldCallMemory(b, vendor, variant.warm) })
		}
	}
}

func heldCallMemory(b *testing.B, vendor string, warm int) {
	_, calls := traffic.Generate(traffic.Options{
		Seed: 1, Start: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), Duration: 24 * time.Hour,
		Rate: 10, Vendors: []string{vendor},
	})
	_, decoded := decodedTrafficAt(b, vendor, 10)
	var perCall float64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		tr := session.NewTracker(session.Config{MaxSessions: 1_000_000, IdleTimeout: 48 * time.Hour, WarmClosed: warm})
		for i := range decoded {
			p := decoded[i] // a copy: the pushes' payloads stay with the test, as they leave with the request
			p.Payload = pcommon.Map{}
			if ch := tr.Apply(&p); ch != nil {
				spans, _ := traces.Spans(ch.Session, p.Arrival, time.Minute, "")
				keys := make([]string, 0, len(spans))
				for _, sp := range spans {
					keys = append(keys, sp.Key)
				}
				tr.Claim(ch.Session.Key, keys)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		perCall = float64(after.HeapAlloc-before.HeapAlloc) / float64(len(calls))
		runtime.KeepAlive(tr)
	}
	b.ReportMetric(perCall, "B/call")
}

// BenchmarkStage is each stage of one push on its own, over distinct TCCC transfer CDRs (the
// issue's push) and, for the session and span stages, Udesk occasions too: where a push's CPU and
// allocations go.
//
//	go test -run '^$' -bench BenchmarkStage -benchmem .
func BenchmarkStage(b *testing.B) {
	for _, vendor := range []string{"tccc", "udesk"} {
		reqs, pushes := decodedTraffic(b, vendor)
		e, _ := platforms.Lookup(vendor)
		n := len(pushes)
		b.Run(vendor+"/decode", func(b *testing.B) {
			i := 0
			for b.Loop() {
				if _, err := e.Decode(reqs[i%n]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
		b.Run(vendor+"/privacy", func(b *testing.B) {
			protector := privacy.New(privacy.Mask, "")
			i := 0
			for b.Loop() {
				p := pushes[i%n]
				protector.Apply(&p, e.PhoneFields())
				i++
			}
		})
		b.Run(vendor+"/dedup", func(b *testing.B) {
			cache := dedup.New(core.DefaultMaxDedupKeys)
			now := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
			i := 0
			for b.Loop() {
				key := fmt.Sprintf("%s\x00%s\x00%d", vendor, pushes[i%n].DedupKey, i)
				cache.Begin(key, now)
				cache.End(key, dedup.Logs|dedup.Traces|dedup.Metrics, now, time.Hour)
				i++
			}
		})
		// After the first round every push goes to a call the tracker holds: with more calls than
		// session.DefaultWarmClosed, a frozen one, thawed (and another frozen); session-warm
		// keeps them all decoded.
		for _, stage := range []struct {
			name string
			warm int
		}{{"session", 0}, {"session-warm", core.DefaultMaxSessions}} {
			b.Run(vendor+"/"+stage.name, func(b *testing.B) {
				tracker := session.NewTracker(session.Config{MaxSessions: core.DefaultMaxSessions, IdleTimeout: time.Hour, WarmClosed: stage.warm})
				i := 0
				for b.Loop() {
					p := pushes[i%n]
					tracker.Apply(&p)
					i++
				}
			})
		}
		changes := sessionChanges(pushes)
		b.Run(vendor+"/logs", func(b *testing.B) {
			builder := logs.NewBuilder(metadata.ScopeName, nil)
			res := attrs.Resource{ServiceName: vendor, Vendor: vendor, Tenant: "t"}
			// A record takes its push's payload: each is built from pushes decoded afresh, a
			// batch at a time outside the timer.
			batch := make([]call.Push, 256)
			i := 0
			for b.Loop() {
				if i%len(batch) == 0 {
					b.StopTimer()
					for j := range batch {
						ps, err := e.Decode(reqs[(i+j)%len(reqs)])
						require.NoError(b, err)
						batch[j] = ps[0]
					}
					b.StartTimer()
				}
				p := &batch[i%len(batch)]
				rec := logs.Record{Push: p, Resource: res, UID: logs.PushUID(vendor, p.Tenant, p.DedupKey)}
				if _, err := builder.Build(b.Context(), []logs.Record{rec}); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
		b.Run(vendor+"/spans", func(b *testing.B) {
			res := attrs.Resource{ServiceName: vendor, Vendor: vendor, Tenant: "t"}
			i := 0
			for b.Loop() {
				ch := changes[i%len(changes)]
				spans, _ := traces.Spans(ch.Session, ch.Session.Seen, time.Minute, "")
				batch := traces.NewBatch(nopClaims{}, metadata.ScopeName)
				batch.Add(res, ch.Session, spans)
				i++
			}
		})
		b.Run(vendor+"/metrics", func(b *testing.B) {
			aggregator := metrics.New(metrics.Settings{
				Builder: metadata.NewDefaultMetricsBuilderConfig(), Receiver: receivertest.NewNopSettings(metadata.Type),
			}, time.Now())
			res := attrs.Resource{ServiceName: vendor, Vendor: vendor, Tenant: "t"}
			i := 0
			for b.Loop() {
				aggregator.Add(metrics.CallObservation(res, &pushes[i%n].Call))
				i++
			}
		})
		b.Run(vendor+"/reply", func(b *testing.B) {
			w := httptest.NewRecorder()
			for b.Loop() {
				w.Body.Reset()
				e.Reply(w, http.StatusOK, nil)
			}
		})
	}
}

// nopClaims claims every span: the span stage measures building, not the tracker's lock.
type nopClaims struct{}

func (nopClaims) Claim(_ session.Key, items []string) []string { return items }
func (nopClaims) Release(session.Key, []string)                {}

// decodedTraffic is a vendor's distinct generated pushes, as requests and decoded.
func decodedTraffic(b *testing.B, vendor string) ([]platform.Request, []call.Push) {
	return decodedTrafficAt(b, vendor, 3)
}

// decodedTrafficAt is decodedTraffic of a day of rate calls a minute.
func decodedTrafficAt(b *testing.B, vendor string, rate float64) ([]platform.Request, []call.Push) {
	b.Helper()
	generated, _ := traffic.Generate(traffic.Options{
		Seed: 1, Start: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), Duration: 24 * time.Hour,
		Rate: rate, Vendors: []string{vendor},
	})
	var reqs []platform.Request
	var pushes []call.Push
	for _, tp := range generated {
		if tp.Repeat {
			continue
		}
		req, ps, err := tp.Decode(time.UTC)
		require.NoError(b, err)
		reqs = append(reqs, req)
		pushes = append(pushes, ps...)
	}
	return reqs, pushes
}

// sessionChanges are the session changes the pushes make, in order.
func sessionChanges(pushes []call.Push) []*session.Change {
	tracker := session.NewTracker(session.Config{MaxSessions: core.DefaultMaxSessions, IdleTimeout: time.Hour})
	var out []*session.Change
	for i := range pushes {
		p := pushes[i]
		if ch := tracker.Apply(&p); ch != nil && !ch.Session.Key.IsAgent() {
			out = append(out, ch)
		}
	}
	return out
}
