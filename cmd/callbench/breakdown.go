package main

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/google/pprof/profile"
)

// share is where the collector's CPU went in one closed-loop phase, in µs of CPU per push, read
// from its CPU profile: the HTTP server and confighttp's middleware around the receiver (the
// floor every HTTP receiver pays), the receiver's own work (decoding, and the pipelines it
// feeds up to the debug exporter), garbage collection in the background, and the rest
// (scheduler, network poller, timers).
type share struct {
	endpoint                  string
	http, receiver, gc, other float64
}

func (s share) total() float64 { return s.http + s.receiver + s.gc + s.other }

// receiverRoots are the functions under which each receiver's own work runs: the callcenter
// handler and the workers it hands the pipeline to; the OTLP receiver's logs handler.
var receiverRoots = []string{
	"github.com/otelcallcenter/callcenterreceiver/internal/webhook.(*Handler).ServeHTTP",
	"github.com/otelcallcenter/callcenterreceiver/internal/webhook.(*workers).work",
	"go.opentelemetry.io/collector/receiver/otlpreceiver.handleLogs",
}

// readShare reads a phase's CPU profile and divides its samples over the pushes sent.
func readShare(endpoint, path string, pushes int) (share, error) {
	f, err := os.Open(path)
	if err != nil {
		return share{}, err
	}
	p, err := profile.Parse(f)
	_ = f.Close() // read whole by Parse
	if err != nil {
		return share{}, fmt.Errorf("%s: %w", path, err)
	}
	cpu := len(p.SampleType) - 1 // cpu nanoseconds, after the sample count
	s := share{endpoint: endpoint}
	for _, sample := range p.Sample {
		us := float64(sample.Value[cpu]) / 1e3 / float64(max(pushes, 1))
		switch {
		case onStack(sample, func(fn string) bool { return slices.Contains(receiverRoots, fn) }):
			s.receiver += us
		case onStack(sample, func(fn string) bool { return fn == "runtime.gcBgMarkWorker" }):
			s.gc += us
		case onStack(sample, func(fn string) bool { return fn == "net/http.(*conn).serve" }):
			s.http += us
		default:
			s.other += us
		}
	}
	return s, nil
}

func onStack(s *profile.Sample, match func(fn string) bool) bool {
	for _, loc := range s.Location {
		for _, line := range loc.Line {
			if line.Function != nil && match(line.Function.Name) {
				return true
			}
		}
	}
	return false
}

func printShares(shares []share) {
	if len(shares) == 0 {
		return
	}
	fmt.Printf("\nwhere the collector's CPU went in the closed loops, µs per push (from -cpuprofile):\n")
	fmt.Printf("%-22s %8s %9s %8s %8s %8s\n", "endpoint", "http", "receiver", "gc", "other", "total")
	for _, s := range shares {
		fmt.Printf("%-22s %8.1f %9.1f %8.1f %8.1f %8.1f\n", s.endpoint,
			s.http, s.receiver, s.gc, s.other, s.total())
	}
	fmt.Println(strings.TrimSpace(`
http: net/http and confighttp's middleware around the receiver's handler; receiver: its handler
and what it runs (for callcenter the pipeline workers), up to the debug exporter; gc: background
marking (assists count where they happen).`))
}
