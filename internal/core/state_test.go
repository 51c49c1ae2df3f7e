package core

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/dedup"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
	"github.com/otelcallcenter/callcenterreceiver/internal/platforms"
	"github.com/otelcallcenter/callcenterreceiver/internal/session"
	"github.com/otelcallcenter/callcenterreceiver/internal/traffic"
)

// slowJSON is a value whose encoding waits until it is released: a compaction encoding the
// state stops there.
type slowJSON struct{ encoding, release chan struct{} }

func (s slowJSON) MarshalJSON() ([]byte, error) {
	select {
	case s.encoding <- struct{}{}:
	default:
	}
	<-s.release
	return []byte(`"slow"`), nil
}

// A compaction holds pushes up while it takes the state, not while it encodes and writes it:
// a push meanwhile is answered, and its change stays in the journal after the new snapshot.
func TestPushesGoOnWhileTheStateIsEncoded(t *testing.T) {
	id := storagetest.NewStorageID("state")
	host := storagetest.NewStorageHost().WithExtension(id, storagetest.NewInMemoryStorageExtension("state"))
	h := startOn(t, host, func(c *Config) { c.Storage = &id })
	slow := slowJSON{encoding: make(chan struct{}, 1), release: make(chan struct{})}
	h.core.sessions.Restore([]session.Snapshot{{Session: session.Session{
		Key:  session.Key{Vendor: "udesk", ID: "slow"},
		Call: call.Call{SessionID: "slow", Custom: map[string]any{"slow": slow}},
	}}})
	e, ok := platforms.Lookup("tccc")
	require.True(t, ok)
	pushes, err := e.Decode(platform.Request{
		Query: url.Values{"action": {"cdr"}}, Body: readFixture(t, "tccc", "cdr.json"), Arrival: h.now, Location: shanghai,
	})
	require.NoError(t, err)

	compacted := make(chan error, 1)
	go func() { compacted <- h.core.Compact(context.Background()) }()
	<-slow.encoding
	pushed := make(chan error, 1)
	go func() { pushed <- h.core.Process(context.Background(), e.Platform, pushes) }()
	select {
	case err = <-pushed:
	case <-time.After(time.Minute): // only if it fails: the push waits for the release
		close(slow.release)
		require.Fail(t, "the push waited for the state to be encoded")
	}
	close(slow.release)
	require.NoError(t, err)
	require.NoError(t, <-compacted)
	assert.Equal(t, uint64(1), h.core.store.Pending(), "the push's change, after the snapshot")
	assert.Equal(t, 1, h.logs.LogRecordCount())
}

// BenchmarkCompaction measures a compaction of the state of a receiver with storage that keeps
// n TCCC calls after their end, with their pushes' dedup keys, into an in-memory storage: how
// long it takes (ns/op), and the longest a push of a new call waited meanwhile, pushes coming
// one after another while it runs.
func BenchmarkCompaction(b *testing.B) {
	const n = 30_000
	start := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	generated, _ := traffic.Generate(traffic.Options{
		Seed: 1, Start: start, Duration: 24 * time.Hour, Rate: 2 * n / (24 * 60.0), Vendors: []string{"tccc"},
	})
	var held, fresh []call.Push
	for _, tp := range generated {
		if tp.Repeat {
			continue
		}
		_, ps, err := tp.Decode(time.UTC)
		require.NoError(b, err)
		if tp.At.Before(start.Add(12 * time.Hour)) {
			held = append(held, ps...)
		} else {
			fresh = append(fresh, ps...)
		}
	}
	// The state, built without the journal: restored, as a restart restores it.
	tracker := session.NewTracker(session.Config{MaxSessions: DefaultMaxSessions, IdleTimeout: 48 * time.Hour})
	keys := dedup.New(DefaultMaxDedupKeys)
	for i := range held {
		tracker.Apply(&held[i])
		keys.Begin(held[i].DedupKey, start)
		keys.End(held[i].DedupKey, dedup.Logs|dedup.Traces|dedup.Metrics, start, 48*time.Hour)
	}
	id := storagetest.NewStorageID("state")
	host := storagetest.NewStorageHost().WithExtension(id, storagetest.NewInMemoryStorageExtension("state"))
	h := startOn(b, host, func(c *Config) { c.Storage = &id })
	snaps := tracker.Export()
	h.core.sessions.Restore(snaps)
	h.core.dedup.Restore(keys.Export(start), start)
	e, _ := platforms.Lookup("tccc")
	var longest time.Duration
	next := 0
	for b.Loop() {
		compacted := make(chan error, 1)
		go func() { compacted <- h.core.Compact(context.Background()) }()
		for done := false; !done; {
			p := fresh[next%len(fresh)]
			next++
			began := time.Now()
			if err := h.core.Process(context.Background(), e.Platform, []call.Push{p}); err != nil {
				b.Fatal(err)
			}
			longest = max(longest, time.Since(began))
			select {
			case err := <-compacted:
				require.NoError(b, err)
				done = true
			default:
			}
		}
	}
	b.ReportMetric(float64(longest.Microseconds())/1000, "ms-longest-push")
	b.ReportMetric(float64(len(snaps)), "calls")
	b.ReportMetric(float64(h.core.store.SnapshotBytes())/1e6, "MB-snapshot")
}
