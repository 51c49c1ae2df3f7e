//go:build e2e

package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcallcenter/callcenterreceiver/internal/traffic"
)

// The receiver's settings in testdata/live.yaml.
const (
	liveIdleTimeout = 6 * time.Second
	liveFlushEvery  = time.Second
)

// liveFlush is one flush's live gauges per vendor: non-zero values only (a series that emptied
// says 0), ages in seconds, and the flush's time.
type liveFlush struct {
	at       time.Time
	counts   map[string]map[string]int     // vendor → metric|attributes → value
	ages     map[string]map[string]float64 // vendor → metric|direction|queue → seconds
	anyValue map[string]bool               // vendor → some live gauge point is not 0
}

var liveCounts = map[string]func(pcommon.Map) string{
	"callcenter.calls.in_progress": func(a pcommon.Map) string {
		return str(a, "callcenter.call.phase") + "|" + str(a, "callcenter.direction") + "|" + str(a, "callcenter.queue")
	},
	"callcenter.agents.on_call":     func(a pcommon.Map) string { return str(a, "callcenter.queue") },
	"callcenter.agents.answer_mode": func(a pcommon.Map) string { return str(a, "callcenter.agent.answer_mode") },
}

var liveAges = map[string]string{
	"callcenter.calls.queued.oldest_age":  "queue",
	"callcenter.calls.ringing.oldest_age": "ringing",
}

func liveOf(md pmetric.Metrics) liveFlush {
	f := liveFlush{counts: map[string]map[string]int{}, ages: map[string]map[string]float64{}, anyValue: map[string]bool{}}
	for _, rm := range md.ResourceMetrics().All() {
		vendor := str(rm.Resource().Attributes(), "callcenter.vendor")
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if m.Type() != pmetric.MetricTypeGauge || m.Name() == "callcenter.sessions.open" {
					continue
				}
				for _, dp := range m.Gauge().DataPoints().All() {
					f.at = dp.Timestamp().AsTime()
					a := dp.Attributes()
					if key, ok := liveCounts[m.Name()]; ok && dp.IntValue() != 0 {
						if f.counts[vendor] == nil {
							f.counts[vendor] = map[string]int{}
						}
						f.counts[vendor][m.Name()+"|"+key(a)] = int(dp.IntValue())
						f.anyValue[vendor] = true
					}
					if phase, ok := liveAges[m.Name()]; ok && dp.DoubleValue() != 0 {
						if f.ages[vendor] == nil {
							f.ages[vendor] = map[string]float64{}
						}
						f.ages[vendor][phase+"|"+str(a, "callcenter.direction")+"|"+str(a, "callcenter.queue")] = dp.DoubleValue()
						f.anyValue[vendor] = true
					}
				}
			}
		}
	}
	return f
}

// firstFlushAfter waits for the first flush whose time is at or after t.
func firstFlushAfter(t *testing.T, s *sink, after time.Time) liveFlush {
	t.Helper()
	var got liveFlush
	require.Eventually(t, func() bool {
		for _, md := range s.Metrics.AllMetrics() {
			if f := liveOf(md); !f.at.Before(after) {
				got = f
				return true
			}
		}
		return false
	}, 20*time.Second, 50*time.Millisecond, "no flush after %s", after)
	return got
}

// checkMoment compares a flush with the state the held traffic declares, and logs both.
func checkMoment(t *testing.T, name string, f liveFlush, truths map[string]traffic.LiveTruth, sentAt map[string]time.Time) {
	t.Helper()
	for vendor, want := range truths {
		counts := map[string]int{}
		for k, n := range want.InProgress {
			counts["callcenter.calls.in_progress|"+k] = n
		}
		for q, n := range want.AgentsOnCall {
			counts["callcenter.agents.on_call|"+q] = n
		}
		for m, n := range want.AnswerModes {
			counts["callcenter.agents.answer_mode|"+m] = n
		}
		got := f.counts[vendor]
		if got == nil {
			got = map[string]int{}
		}
		assert.Equal(t, counts, got, "%s %s: calls in progress, agents on a call, answer modes", name, vendor)
		t.Logf("%s %s at %s: gauges %v, traffic's state %v", name, vendor, f.at.Format(time.TimeOnly), got, counts)

		// Ages on the receiver's clock, at the flush's time. Udesk's come from its own times, to
		// the second; UinCall's from arrival, within a flush interval of the stage's moment (send).
		tolerance := 1e-3
		if vendor == "uincall" {
			tolerance = liveFlushEvery.Seconds()
		}
		wantAges := map[string]float64{}
		for phase, oldest := range map[string]map[string]time.Time{"queue": want.OldestQueued, "ringing": want.OldestRinging} {
			for k, since := range oldest {
				wantAges[phase+"|"+k] = f.at.Sub(since).Seconds()
			}
		}
		gotAges := f.ages[vendor]
		assert.Len(t, gotAges, len(wantAges), "%s %s: oldest waits and rings", name, vendor)
		for k, age := range wantAges {
			assert.InDelta(t, age, gotAges[k], tolerance, "%s %s: age of %s", name, vendor, k)
		}
		t.Logf("%s %s ages: gauges %v, traffic's state %v (sent %s)", name, vendor, gotAges, wantAges, sentAt[vendor].Format(time.TimeOnly))
	}
}

func TestLiveGaugesShowTheHeldState(t *testing.T) {
	s := startSink(t)
	c := startCollector(t, "live.yaml", configParams{SinkEndpoint: s.Endpoint})

	// TCCC and 得助 push finished records only: their calls are counted, their live gauges stay 0.
	finished, calls := traffic.Generate(traffic.Options{Seed: 11, Start: time.Now().Add(-time.Hour).Truncate(time.Second),
		Duration: 10 * time.Minute, Rate: 1, Vendors: []string{"tccc", "dezhu"}, Location: shanghai})
	pushAll(t, c.URL, finished)
	latestWith(t, s, len(calls))

	// The held traffic's times are whole seconds (Udesk's timestamp has no fraction), and
	// UinCall's phases begin when its pushes arrive: each stage is sent at its moment, the first
	// at the next whole second.
	now := time.Now().Truncate(time.Second).Add(time.Second)
	opts := traffic.LiveOptions{Now: now, Gap: 3 * time.Second, Waiting: 3, Oldest: 90 * time.Second,
		Ringing: 2, Talking: 3, Location: shanghai}
	stages, err := traffic.GenerateLiveStages(opts, "udesk", "uincall")
	require.NoError(t, err)
	send := func(stage map[string]traffic.LiveStage) (first, last time.Time, truths map[string]traffic.LiveTruth, sent map[string]time.Time) {
		for _, st := range stage {
			time.Sleep(time.Until(st.At)) // the vendors' stages share their moment
		}
		first, truths, sent = time.Now(), map[string]traffic.LiveTruth{}, map[string]time.Time{}
		for v, st := range stage {
			sent[v] = time.Now()
			pushAll(t, c.URL, st.Pushes)
			truths[v] = st.Truth()
		}
		return first, time.Now(), truths, sent
	}

	_, lastOfFirst, truths, sent := send(stages[0])
	one := firstFlushAfter(t, s, lastOfFirst)
	require.Less(t, one.at.Sub(lastOfFirst), liveIdleTimeout, "the first moment is read before any call could time out")
	checkMoment(t, "moment 1", one, truths, sent)

	firstOfSecond, _, truths, sent := send(stages[1])
	// After idle_timeout since the first stage: its calls with no news since, the one whose end
	// never came among them, have left; the second stage's are still followed.
	two := firstFlushAfter(t, s, lastOfFirst.Add(liveIdleTimeout+100*time.Millisecond))
	require.Less(t, two.at, firstOfSecond.Add(liveIdleTimeout), "the second moment is read while the second stage's calls are followed")
	checkMoment(t, "moment 2", two, truths, sent)

	for _, f := range []liveFlush{one, two} {
		for _, v := range []string{"tccc", "dezhu"} {
			assert.False(t, f.anyValue[v], "%s pushes no live events: its live gauges are 0", v)
		}
	}
}
