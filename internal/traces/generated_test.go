package traces

import (
	"flag"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/ptracetest"

	"github.com/otelcallcenter/callcenterreceiver/internal/attrs"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
	"github.com/otelcallcenter/callcenterreceiver/internal/platforms"
	"github.com/otelcallcenter/callcenterreceiver/internal/session"
	"github.com/otelcallcenter/callcenterreceiver/internal/traffic"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// decoderOf is each registered platform's decoder.
func decoderOf(name string) platform.Platform {
	e, _ := platforms.Lookup(name)
	return e.Platform
}

// TestGeneratedCallsGolden replays generated traffic (retries, duplicates and out-of-order
// pushes included) as the receiver does and compares each vendor's traces with golden files:
// span tree, names, times, statuses and IDs.
func TestGeneratedCallsGolden(t *testing.T) {
	start := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	pushes, _ := traffic.Generate(traffic.Options{Seed: 11, Start: start, Duration: 10 * time.Minute, Rate: 1, Location: shanghai})
	tr := session.NewTracker(session.Config{MaxSessions: 1000, IdleTimeout: time.Hour})
	grace := time.Minute
	out := map[string]ptrace.Traces{}
	emit := func(s *session.Session, now time.Time) {
		spans, _ := Spans(s, now, grace, "")
		fresh := tr.Claim(s.Key, Keys(spans))
		var send []Span
		for _, sp := range spans {
			for _, k := range fresh {
				if sp.Key == k {
					send = append(send, sp)
				}
			}
		}
		if len(send) == 0 {
			return
		}
		td, ok := out[s.Key.Vendor]
		if !ok {
			td = ptrace.NewTraces()
			out[s.Key.Vendor] = td
		}
		appendTo(td, attrs.Resource{ServiceName: "callcenter-" + s.Key.Vendor, Vendor: s.Key.Vendor, Tenant: s.Key.Tenant}, "scope", s.Key, send, nil)
	}
	for _, p := range pushes {
		u, err := url.Parse(p.Path)
		require.NoError(t, err)
		decoded, err := decoderOf(p.Vendor).Decode(platform.Request{Query: u.Query(), Body: p.Body, Arrival: p.At, Location: shanghai})
		require.NoError(t, err)
		for i := range decoded {
			if ch := tr.Apply(&decoded[i]); ch != nil && !ch.Retry {
				emit(ch.Session, p.At)
			}
		}
	}
	// Every call ends; what waited for late pushes goes once their grace is over.
	last := pushes[len(pushes)-1].At
	timedOut, ripe := tr.Sweep(last.Add(2*time.Hour), grace)
	for _, s := range append(timedOut, ripe...) {
		emit(s, last.Add(2*time.Hour))
	}

	for vendorName, td := range out {
		t.Run(vendorName, func(t *testing.T) {
			if strings.HasPrefix(vendorName, "") && td.SpanCount() == 0 {
				t.Fatal("no spans")
			}
			path := filepath.Join("testdata", "generated-"+vendorName+".yaml")
			if *update {
				require.NoError(t, golden.WriteTracesToFile(path, td))
			}
			want, err := golden.ReadTraces(path)
			require.NoError(t, err)
			require.NoError(t, ptracetest.CompareTraces(want, td, ptracetest.IgnoreSpansOrder(), ptracetest.IgnoreResourceSpansOrder()))
		})
	}
	require.Len(t, out, 4, "every vendor's calls became traces")
}
