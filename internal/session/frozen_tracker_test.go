package session_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/session"
	"github.com/otelcallcenter/callcenterreceiver/internal/traces"
	"github.com/otelcallcenter/callcenterreceiver/internal/traffic"
)

// A tracker that freezes every closed session but the last one answers every push, claim,
// release and sweep exactly as one that keeps them all decoded: generated traffic of every
// vendor (retries, late and out-of-order pushes, transfers among them), with bounds small
// enough that frozen sessions are evicted and forgotten too.
func TestFrozenSessionsChangeNothing(t *testing.T) {
	start := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	for _, vendor := range traffic.Vendors {
		pushes := decodedPushes(t, vendor, start)
		for _, cfg := range []session.Config{
			{MaxSessions: 40, IdleTimeout: 20 * time.Minute, LateGrace: time.Minute},
			{MaxSessions: 100_000, IdleTimeout: time.Hour, LateGrace: time.Minute},
			// More calls end within the grace than are kept: many are cut short.
			{MaxSessions: 40, IdleTimeout: 3 * time.Hour, LateGrace: 2 * time.Hour},
		} {
			t.Run(fmt.Sprintf("%s/max%d/grace%s", vendor, cfg.MaxSessions, cfg.LateGrace), func(t *testing.T) {
				cold, warm := cfg, cfg
				cold.WarmClosed, warm.WarmClosed = 1, 1<<20
				a, b := session.NewTracker(cold), session.NewTracker(warm)
				grace := cfg.LateGrace
				cut := 0
				for i := range pushes {
					pa, pb := pushes[i], pushes[i]
					ca, cb := a.Apply(&pa), b.Apply(&pb)
					same(t, cb, ca, "push %d: change", i)
					require.NoError(t, a.CheckClosed(), "push %d: frozen", i)
					require.NoError(t, b.CheckClosed(), "push %d: decoded", i)
					if ca != nil {
						spans, _ := traces.Spans(ca.Session, pa.Arrival, grace, ca.EventKey)
						keys := make([]string, 0, len(spans))
						for _, sp := range spans {
							keys = append(keys, sp.Key)
						}
						fa, fb := a.Claim(ca.Session.Key, keys), b.Claim(cb.Session.Key, keys)
						same(t, fb, fa, "push %d: claimed", i)
						if i%7 == 0 && len(fa) > 0 { // a send that failed
							a.Release(ca.Session.Key, fa[:1])
							b.Release(cb.Session.Key, fb[:1])
						}
					}
					if i%50 == 49 {
						ta, ra := a.Sweep(pa.Arrival, grace)
						tb, rb := b.Sweep(pb.Arrival, grace)
						same(t, tb, ta, "push %d: timed out", i)
						same(t, rb, ra, "push %d: ripe", i)
						require.NoError(t, a.CheckClosed(), "push %d: swept, frozen", i)
						// As the core does: the spans of the ripe calls, mostly claimed before (a
						// frozen session answers those from its bytes), and a call's count once.
						for j, s := range ra {
							spans, _ := traces.Spans(s, pa.Arrival, grace, "")
							keys := []string{"metrics:call"}
							for _, sp := range spans {
								keys = append(keys, sp.Key)
							}
							if j%2 == 0 {
								keys = keys[1:]
							}
							fa, fb := a.Claim(s.Key, keys), b.Claim(s.Key, keys)
							same(t, fb, fa, "push %d: ripe %s claimed", i, s.Key.ID)
						}
					}
					// The calls cut short, settled as the core settles them, with no grace left.
					if i%10 == 9 {
						ca, cb := a.TakeCutShort(), b.TakeCutShort()
						same(t, cb.Sessions, ca.Sessions, "push %d: cut short", i)
						for _, s := range ca.Sessions {
							spans, _ := traces.Spans(s, pa.Arrival, 0, "")
							keys := []string{"metrics:call"}
							for _, sp := range spans {
								keys = append(keys, sp.Key)
							}
							same(t, b.Claim(s.Key, keys), a.Claim(s.Key, keys), "push %d: cut short %s claimed", i, s.Key.ID)
						}
						a.EndCutShort(ca)
						b.EndCutShort(cb)
						require.NoError(t, a.CheckClosed(), "push %d: settled, frozen", i)
						cut += len(ca.Sessions)
					}
				}
				same(t, b.Settling(grace), a.Settling(grace), "settling")
				same(t, b.Export(), a.Export(), "export")
				if cfg.LateGrace > time.Hour && vendor != "tccc" && vendor != "dezhu" {
					assert.Positive(t, cut, "calls of events cut short")
				}
			})
		}
	}
}

func same(t *testing.T, want, got any, what string, args ...any) {
	t.Helper()
	if d := cmp.Diff(want, got, session.SameTime, cmp.AllowUnexported(session.Session{})); d != "" {
		require.FailNow(t, fmt.Sprintf(what, args...)+" differs (-decoded +frozen)", d)
	}
}

// decodedPushes are a vendor's generated pushes of six hours, retries included, decoded with
// times without a zone read in China's.
func decodedPushes(t *testing.T, vendor string, start time.Time) []call.Push {
	generated, _ := traffic.Generate(traffic.Options{
		Seed: 7, Start: start, Duration: 6 * time.Hour, Rate: 0.5, Vendors: []string{vendor},
	})
	var out []call.Push
	for _, tp := range generated {
		_, ps, err := tp.Decode(time.FixedZone("CST", 8*3600))
		require.NoError(t, err)
		out = append(out, ps...)
	}
	require.NotEmpty(t, out)
	return out
}
