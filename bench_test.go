package callcenterreceiver

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcallcenter/callcenterreceiver/internal/metadata"
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
