package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/pprof/profile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A sample counts in the first bucket its stack reaches: the receiver's work under the HTTP
// server is the receiver's, not the server's.
func TestReadShare(t *testing.T) {
	p := &profile.Profile{SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}}}
	locs := map[string]*profile.Location{}               // one function and location per name
	stack := func(names ...string) []*profile.Location { // leaf first, as pprof keeps them
		var out []*profile.Location
		for _, n := range names {
			if locs[n] == nil {
				fn := &profile.Function{ID: uint64(len(p.Function) + 1), Name: n}
				locs[n] = &profile.Location{ID: uint64(len(p.Location) + 1), Line: []profile.Line{{Function: fn}}}
				p.Function, p.Location = append(p.Function, fn), append(p.Location, locs[n])
			}
			out = append(out, locs[n])
		}
		return out
	}
	sample := func(ns int64, names ...string) *profile.Sample {
		return &profile.Sample{Value: []int64{1, ns}, Location: stack(names...)}
	}
	p.Sample = []*profile.Sample{
		sample(3_000_000, "encoding/json.Unmarshal", "github.com/otelcallcenter/callcenterreceiver/internal/webhook.(*Handler).ServeHTTP", "net/http.(*conn).serve"),
		sample(1_000_000, "github.com/otelcallcenter/callcenterreceiver/internal/webhook.(*workers).work"),
		sample(2_000_000, "syscall.Write", "net/http.(*conn).serve"),
		sample(500_000, "runtime.scanObject", "runtime.gcBgMarkWorker"),
		sample(250_000, "runtime.schedule"),
	}
	path := filepath.Join(t.TempDir(), "phase.pprof")
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, p.Write(f))
	require.NoError(t, f.Close())

	s, err := readShare("callcenter tccc", path, 1000) // 1000 pushes: ns per push = µs per 1000
	require.NoError(t, err)
	assert.InDelta(t, 4.0, s.receiver, 1e-9)
	assert.InDelta(t, 2.0, s.http, 1e-9)
	assert.InDelta(t, 0.5, s.gc, 1e-9)
	assert.InDelta(t, 0.25, s.other, 1e-9)
	assert.InDelta(t, 6.75, s.total(), 1e-9)
}
