package dedup

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
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
	assert.Nil(t, c.End("k", 0, t0, time.Hour))
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
