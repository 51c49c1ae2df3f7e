package dedup

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)

func TestRetriesSeeWhatWasAccepted(t *testing.T) {
	c := New(10)
	done, busy := c.Begin("k", t0)
	assert.Zero(t, done)
	assert.False(t, busy)
	c.End("k", Logs, t0, time.Hour) // logs accepted, traces failed

	done, busy = c.Begin("k", t0.Add(time.Minute))
	assert.False(t, busy)
	assert.Equal(t, Logs, done, "the retry only needs what failed")
	c.End("k", Traces|Metrics, t0.Add(time.Minute), time.Hour)

	done, _ = c.Begin("k", t0.Add(2*time.Minute))
	assert.True(t, done.Has(Logs|Traces|Metrics))
	c.End("k", 0, t0.Add(2*time.Minute), time.Hour)
}

func TestNothingAcceptedIsForgotten(t *testing.T) {
	c := New(10)
	c.Begin("k", t0)
	_, kept := c.End("k", 0, t0, time.Hour)
	assert.False(t, kept)
	assert.Zero(t, c.Len(), "a push that failed everywhere leaves no trace")
}

func TestBusyWhileProcessing(t *testing.T) {
	c := New(10)
	c.Begin("k", t0)
	_, busy := c.Begin("k", t0)
	assert.True(t, busy, "the same push twice at once")
	c.End("k", Logs, t0, time.Hour)
	_, busy = c.Begin("k", t0)
	assert.False(t, busy)
}

func TestWindowAndBound(t *testing.T) {
	c := New(3)
	c.Begin("old", t0)
	c.End("old", Logs, t0, time.Minute)
	done, _ := c.Begin("old", t0.Add(2*time.Minute))
	assert.Zero(t, done, "past its window a key is new again")
	c.End("old", 0, t0, time.Minute)

	for i := range 5 {
		k := fmt.Sprint("k", i)
		c.Begin(k, t0)
		c.End(k, Logs, t0, time.Hour)
	}
	assert.Equal(t, 3, c.Len())
	done, _ = c.Begin("k0", t0)
	assert.Zero(t, done, "the least recently used keys went first")
	done, _ = c.Begin("k4", t0)
	assert.Equal(t, Logs, done)
}

func TestBusyKeysAreNotEvicted(t *testing.T) {
	c := New(1)
	c.Begin("a", t0)
	c.Begin("b", t0)
	assert.Equal(t, 2, c.Len(), "both are being processed")
	c.End("a", Logs, t0, time.Hour)
	c.End("b", Logs, t0, time.Hour)
	c.Begin("c", t0)
	assert.Equal(t, 1, c.Len(), "once idle, the older keys go to make room: only c is left")
	c.End("c", Logs, t0, time.Hour)
	done, _ := c.Begin("c", t0)
	assert.Equal(t, Logs, done, "c is the one kept")
}

func TestRestore(t *testing.T) {
	c := New(10)
	c.Restore([]Entry{
		{Key: "live", Done: Logs | Metrics, Expires: t0.Add(time.Hour)},
		{Key: "stale", Done: Logs, Expires: t0.Add(-time.Second)},
	}, t0)
	assert.Equal(t, 1, c.Len())
	done, _ := c.Begin("live", t0)
	assert.Equal(t, Logs|Metrics, done)
}

// BenchmarkKeyMemory reports the heap one remembered push holds: a TCCC key as the core makes it
// (vendor, tenant and X-TCCC-PUSH-UUID joined by NULs), its entry, its list element and its map
// slot. README.md states the figure.
func BenchmarkKeyMemory(b *testing.B) {
	const n = 100_000
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("tccc\x001400000001\x00%08x-5f2c-4c1e-9a7b-%012d", i, i)
	}
	now := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	var perKey float64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		c := New(n)
		for _, k := range keys {
			c.Begin(k, now)
			c.End(k, Logs|Traces|Metrics, now, time.Hour)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		if c.Len() != n {
			b.Fatalf("%d keys held, want %d", c.Len(), n)
		}
		perKey = float64(after.HeapAlloc-before.HeapAlloc) / n
		runtime.KeepAlive(c)
	}
	b.ReportMetric(perKey, "B/key")
}

// model is the cache as its rules say, written the plain way: a slice of entries, least
// recently used first.
type model struct {
	max     int
	entries []modelEntry
}

type modelEntry struct {
	Entry
	busy bool
}

func (m *model) find(key string) int {
	for i, e := range m.entries {
		if e.Key == key {
			return i
		}
	}
	return -1
}

func (m *model) begin(key string, now time.Time) (Signal, bool) {
	if i := m.find(key); i >= 0 {
		e := m.entries[i]
		if e.busy {
			return 0, true
		}
		m.entries = append(m.entries[:i], m.entries[i+1:]...)
		if now.Before(e.Expires) {
			e.busy = true
			m.entries = append(m.entries, e)
			return e.Done, false
		}
	}
	m.entries = append(m.entries, modelEntry{Entry: Entry{Key: key}, busy: true})
	m.evict()
	return 0, false
}

func (m *model) end(key string, accepted Signal, now time.Time, window time.Duration) (Entry, bool) {
	i := m.find(key)
	if i < 0 {
		return Entry{}, false
	}
	e := &m.entries[i]
	e.busy = false
	e.Done |= accepted
	if e.Done == 0 {
		m.entries = append(m.entries[:i], m.entries[i+1:]...)
		return Entry{}, false
	}
	if accepted != 0 {
		e.Expires = now.Add(window)
	}
	return e.Entry, true
}

func (m *model) evict() {
	for i := 0; i < len(m.entries) && len(m.entries) > m.max; {
		if m.entries[i].busy {
			i++
			continue
		}
		m.entries = append(m.entries[:i], m.entries[i+1:]...)
	}
}

func (m *model) export(now time.Time) []Entry {
	var out []Entry
	for _, e := range m.entries {
		if !e.busy && now.Before(e.Expires) {
			out = append(out, e.Entry)
		}
	}
	return out
}

// The cache keeps every rule of the plain model through a long random mix of requests: what a
// retry sees, busy keys, expiry, eviction order, what is exported.
func TestCacheFollowsItsModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	c, m := New(8), &model{max: 8}
	now := t0
	var claimed []string
	for step := range 20_000 {
		now = now.Add(time.Duration(rng.IntN(10)) * time.Second)
		switch op := rng.IntN(10); {
		case op < 5 || len(claimed) == 0:
			key := fmt.Sprint("k", rng.IntN(20))
			done, busy := c.Begin(key, now)
			wantDone, wantBusy := m.begin(key, now)
			require.Equal(t, wantBusy, busy, "step %d: Begin(%s) busy", step, key)
			require.Equal(t, wantDone, done, "step %d: Begin(%s) done", step, key)
			if !busy {
				claimed = append(claimed, key)
			}
		default:
			i := rng.IntN(len(claimed))
			key := claimed[i]
			claimed = append(claimed[:i], claimed[i+1:]...)
			accepted := Signal(rng.IntN(8))
			window := time.Duration(rng.IntN(120)) * time.Second
			e, kept := c.End(key, accepted, now, window)
			want, wantKept := m.end(key, accepted, now, window)
			require.Equal(t, wantKept, kept, "step %d: End(%s) kept", step, key)
			if kept {
				require.Equal(t, want.Key, e.Key)
				require.Equal(t, want.Done, e.Done)
				require.True(t, want.Expires.Equal(e.Expires), "step %d: expires %s, want %s", step, e.Expires, want.Expires)
			}
		}
		require.Equal(t, len(m.entries), c.Len(), "step %d", step)
		if step%100 == 0 {
			got, want := c.Export(now), m.export(now)
			require.Len(t, got, len(want), "step %d", step)
			for i := range want {
				require.Equal(t, want[i].Key, got[i].Key, "step %d: export order", step)
				require.Equal(t, want[i].Done, got[i].Done)
				require.True(t, want[i].Expires.Equal(got[i].Expires))
			}
		}
	}
}

// Exported entries restore the keys, in their order of use.
func TestExportRestores(t *testing.T) {
	c := New(3)
	for _, k := range []string{"a", "b", "c", "a"} {
		c.Begin(k, t0)
		c.End(k, Logs, t0, time.Hour)
	}
	saved := c.Export(t0)
	restored := New(3)
	restored.Restore(saved, t0)
	assert.Equal(t, saved, restored.Export(t0))
	restored.Begin("d", t0) // evicts the least recently used: b
	done, _ := restored.Begin("b", t0)
	assert.Zero(t, done)
	done, _ = restored.Begin("a", t0)
	assert.Equal(t, Logs, done)
}
