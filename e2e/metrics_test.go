//go:build e2e

package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcallcenter/callcenterreceiver/internal/traffic"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// histogramPhases maps the duration histograms to the phases of the ground truth.
var histogramPhases = map[string]string{
	"callcenter.call.duration":        "total",
	"callcenter.call.ivr.duration":    "ivr",
	"callcenter.call.queue.duration":  "queue",
	"callcenter.call.ring.duration":   "ring",
	"callcenter.call.talk.duration":   "talk",
	"callcenter.call.acw.duration":    "acw",
	"callcenter.call.speed_of_answer": "speed_of_answer",
	"callcenter.call.time_to_abandon": "time_to_abandon",
}

// timed vendors put their own times in their pushes; UinCall's phases are measured on arrival.
var timed = map[string]bool{"tccc": true, "udesk": true, "dezhu": true}

func pushAll(t *testing.T, url string, pushes []traffic.Push) {
	t.Helper()
	for _, p := range pushes {
		require.Equal(t, http.StatusOK, sendPush(t, url, p), "%s %s repeat=%v", p.Vendor, p.Path, p.Repeat)
	}
}

// observation is one flush in the shape of the ground truth, with what the KPI queries read
// beyond it.
type observation struct {
	traffic.Summary
	answeredTalk    map[string]float64 // talk seconds of answered inbound calls, by vendor
	inboundAbandons map[string]int     // inbound abandons in the queue or ringing, by vendor
}

// observed turns one flush into the shape of the ground truth.
func observed(md pmetric.Metrics) observation {
	s := observation{answeredTalk: map[string]float64{}, inboundAbandons: map[string]int{}}
	s.Summary = traffic.Summary{
		Calls: map[string]int{}, Offered: map[string]int{}, Abandoned: map[string]int{}, Transferred: map[string]int{},
		Transfers: map[string]int{}, Ratings: map[string]int{}, Recordings: map[string]int{},
		Events: map[string]int{}, Phases: map[string]traffic.Stat{}, AnsweredInTime: map[string]int{},
		ShortAbandons: map[string]int{},
	}
	for _, rm := range md.ResourceMetrics().All() {
		vendor := str(rm.Resource().Attributes(), "callcenter.vendor")
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				switch m.Type() {
				case pmetric.MetricTypeSum:
					for _, dp := range m.Sum().DataPoints().All() {
						a, n := dp.Attributes(), int(dp.IntValue())
						switch m.Name() {
						case "callcenter.calls":
							s.Calls[vendor+"|"+str(a, "callcenter.direction")+"|"+str(a, "callcenter.end_status")] += n
						case "callcenter.calls.offered":
							s.Offered[vendor+"|"+str(a, "callcenter.direction")+"|"+str(a, "callcenter.end_status")] += n
						case "callcenter.calls.abandoned":
							s.Abandoned[vendor+"|"+str(a, "callcenter.abandon.stage")] += n
							if stage := str(a, "callcenter.abandon.stage"); str(a, "callcenter.direction") == "inbound" && (stage == "queue" || stage == "ringing") {
								s.inboundAbandons[vendor] += n
							}
						case "callcenter.calls.transferred":
							s.Transferred[vendor] += n
						case "callcenter.transfers":
							s.Transfers[vendor] += n
						case "callcenter.satisfaction.ratings":
							s.Ratings[vendor+"|"+str(a, "callcenter.satisfaction")] += n
						case "callcenter.recordings":
							s.Recordings[vendor+"|"+str(a, "callcenter.recording.kind")] += n
						case "callcenter.events":
							s.Events[vendor+"|"+str(a, "callcenter.event.kind")+"|"+str(a, "callcenter.event.type")] += n
						}
					}
				case pmetric.MetricTypeHistogram:
					phase, ok := histogramPhases[m.Name()]
					if !ok || !timed[vendor] {
						continue
					}
					for _, dp := range m.Histogram().DataPoints().All() {
						a := dp.Attributes()
						key := vendor + "|" + str(a, "callcenter.direction") + "|" + phase
						st := s.Phases[key]
						st.Count += int(dp.Count())
						st.Sum += dp.Sum()
						s.Phases[key] = st
						inbound := str(a, "callcenter.direction") == "inbound"
						switch {
						case phase == "talk" && inbound && str(a, "callcenter.end_status") == "answered":
							s.answeredTalk[vendor] += dp.Sum()
						case phase == "speed_of_answer" && inbound:
							addNonZero(s.AnsweredInTime, vendor, countAtMost(dp, traffic.ServiceLevelThreshold))
						case phase == "time_to_abandon" && inbound && str(a, "callcenter.abandon.stage") != "ivr":
							addNonZero(s.ShortAbandons, vendor, countAtMost(dp, traffic.ShortAbandon))
						}
					}
				}
			}
		}
	}
	return s
}

func addNonZero(m map[string]int, k string, n uint64) {
	if n > 0 {
		m[k] += int(n)
	}
}

// str is an attribute's value as text, "" when the attribute is missing.
func str(m pcommon.Map, k string) string {
	if v, ok := m.Get(k); ok {
		return v.AsString()
	}
	return ""
}

// countAtMost is the le=bound count of a histogram: exact when bound is a boundary.
func countAtMost(dp pmetric.HistogramDataPoint, bound float64) uint64 {
	var n uint64
	for i, b := range dp.ExplicitBounds().AsRaw() {
		n += dp.BucketCounts().At(i)
		if b == bound {
			return n
		}
	}
	panic(fmt.Sprintf("%v is not a bucket boundary", bound))
}

func totalCalls(md pmetric.Metrics) int {
	n := 0
	for _, v := range observed(md).Calls {
		n += v
	}
	return n
}

// latest returns the latest flush that counted n calls.
func latestWith(t *testing.T, s *sink, n int) pmetric.Metrics {
	t.Helper()
	var got pmetric.Metrics
	require.Eventually(t, func() bool {
		all := s.Metrics.AllMetrics()
		if len(all) == 0 {
			return false
		}
		got = all[len(all)-1]
		return totalCalls(got) == n
	}, 30*time.Second, 100*time.Millisecond, "the metrics never counted %d calls", n)
	return got
}

func TestGeneratedTrafficMetricsMatchTheGroundTruth(t *testing.T) {
	s := startSink(t)
	c := startCollector(t, "metrics.yaml", configParams{SinkEndpoint: s.Endpoint})

	// Two hours of traffic: enough calls for each of issue 8's edge cases to be part of it.
	pushes, calls := traffic.Generate(traffic.Options{
		Seed: 42, Start: time.Now().Add(-3 * time.Hour).Truncate(time.Second), Duration: 2 * time.Hour,
		Rate: 3, Location: shanghai,
	})
	truth := traffic.Summarize(calls, pushes)
	for _, key := range []string{"tccc|inbound|no_answer", "dezhu|inbound|no_answer", "udesk|inbound|no_answer",
		"udesk|inbound|no_agent", "udesk|inbound|abandoned", "tccc|inbound|no_agent"} {
		require.Positive(t, truth.Offered[key], "offered calls that ended %s are part of the traffic", key)
	}
	require.Positive(t, truth.Calls["tccc|inbound|bot_handled"], "calls only a bot handled")
	require.Positive(t, truth.Transferred["tccc"]+truth.Transferred["udesk"], "transferred calls")
	pushAll(t, c.URL, pushes)
	got := observed(latestWith(t, s, len(calls)))

	assert.Equal(t, truth.Calls, got.Calls, "calls by vendor, direction and end status")
	assert.Equal(t, truth.Offered, got.Offered, "offered calls by vendor, direction and end status")
	assert.Equal(t, truth.Abandoned, got.Abandoned, "abandons by stage")
	assert.Equal(t, truth.Transferred, got.Transferred)
	assert.Equal(t, truth.Transfers, got.Transfers)
	assert.Equal(t, truth.Ratings, got.Ratings)
	assert.Equal(t, truth.Recordings, got.Recordings)
	assert.Equal(t, truth.Events, got.Events, "each event once, however often it was pushed")
	for key, want := range truth.Phases {
		have := got.Phases[key]
		assert.Equal(t, want.Count, have.Count, "%s count", key)
		assert.InDelta(t, want.Sum, have.Sum, 0, "%s sum, exactly, so the mean is exact", key)
	}
	for key := range got.Phases {
		assert.Contains(t, truth.Phases, key, "no phase the truth does not have")
	}
	assert.Equal(t, truth.AnsweredInTime, got.AnsweredInTime, "answered within 20 s, from the le=20 bucket")
	assert.Equal(t, truth.ShortAbandons, got.ShortAbandons, "abandons within 5 s, from the le=5 bucket")
	for vendor, k := range truth.KPIs {
		m := kpisFromMetrics(vendor, got)
		assert.InDelta(t, k.ServiceLevel, m.ServiceLevel, 0, "%s service level at 20 s, exactly", vendor)
		assert.InDelta(t, k.ASA, m.ASA, 1e-9, "%s average speed of answer", vendor)
		assert.InDelta(t, k.AHT, m.AHT, 1e-9, "%s average handle time", vendor)
		assert.InDelta(t, k.AbandonRate, m.AbandonRate, 1e-9, "%s abandonment rate", vendor)
		assert.InDelta(t, k.TransferRate, m.TransferRate, 1e-9, "%s transfer rate", vendor)
		assert.InDelta(t, k.IVRContainment, m.IVRContainment, 1e-9, "%s IVR containment", vendor)
		assert.InDelta(t, k.BotHandled, m.BotHandled, 1e-9, "%s bot-handled share", vendor)
		assert.Equal(t, k.Offered, m.Offered, "%s offered", vendor)
		assert.Positive(t, k.ServiceLevel, vendor)
		t.Logf("%s: offered %d, service level %.3f, ASA %.1f s, AHT %.1f s, abandon rate %.3f, transfer rate %.3f, IVR containment %.3f, bot-handled %.3f",
			vendor, k.Offered, k.ServiceLevel, k.ASA, k.AHT, k.AbandonRate, k.TransferRate, k.IVRContainment, k.BotHandled)
	}
}

// kpisFromMetrics computes a vendor's inbound KPIs from the metrics, as the README's PromQL does.
func kpisFromMetrics(vendor string, got observation) traffic.KPIset {
	sum := func(m map[string]int, prefix, status string) int { // status "" is every status
		n := 0
		for key, v := range m {
			if strings.HasPrefix(key, prefix) && (status == "" || key == prefix+status) {
				n += v
			}
		}
		return n
	}
	inbound := vendor + "|inbound|"
	answered := sum(got.Calls, inbound, "answered")
	offered := sum(got.Offered, inbound, "")
	short := got.ShortAbandons[vendor]
	abandons := got.inboundAbandons[vendor]
	speed := got.Phases[vendor+"|inbound|speed_of_answer"]
	acw := got.Phases[vendor+"|inbound|acw"]
	transferred := got.Transferred[vendor] // every transfer here is of an inbound call
	return traffic.KPIset{
		Offered:        offered,
		ServiceLevel:   float64(got.AnsweredInTime[vendor]) / float64(offered-short),
		ASA:            speed.Sum / float64(speed.Count),
		AHT:            (got.answeredTalk[vendor] + acw.Sum) / float64(answered),
		AbandonRate:    float64(abandons-short) / float64(offered-short),
		TransferRate:   float64(transferred) / float64(answered),
		IVRContainment: float64(sum(got.Calls, inbound, "ivr_completed")) / float64(sum(got.Calls, inbound, "")),
		BotHandled:     float64(sum(got.Calls, inbound, "bot_handled")) / float64(sum(got.Calls, inbound, "")),
	}
}

// points lists every sum data point of a flush by metric and attributes.
func points(md pmetric.Metrics) map[string]pmetric.NumberDataPoint {
	out := map[string]pmetric.NumberDataPoint{}
	for _, rm := range md.ResourceMetrics().All() {
		res := fmt.Sprint(rm.Resource().Attributes().AsRaw())
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if m.Type() == pmetric.MetricTypeSum {
					for _, dp := range m.Sum().DataPoints().All() {
						out[res+m.Name()+fmt.Sprint(dp.Attributes().AsRaw())] = dp
					}
				}
			}
		}
	}
	return out
}

func TestCumulativeAcrossFlushesAndRestarts(t *testing.T) {
	s := startSink(t)
	params := configParams{SinkEndpoint: s.Endpoint, Endpoint: freePort(t)}
	c := startCollector(t, "metrics.yaml", params)
	pushes, calls := traffic.Generate(traffic.Options{
		Seed: 3, Start: time.Now().Add(-time.Hour).Truncate(time.Second), Duration: 10 * time.Minute,
		Rate: 2, Location: shanghai,
	})
	half := len(pushes) / 2
	pushAll(t, c.URL, pushes[:half])
	require.Eventually(t, func() bool { // a flush that counted calls of the first half
		all := s.Metrics.AllMetrics()
		return len(all) > 0 && totalCalls(all[len(all)-1]) > 0
	}, 30*time.Second, 50*time.Millisecond, "no flush between the halves")
	pushAll(t, c.URL, pushes[half:])
	latestWith(t, s, len(calls))

	// Across every flush of this run: one start time per series, values never going down.
	flushes := s.Metrics.AllMetrics()
	require.GreaterOrEqual(t, len(flushes), 2)
	seen := map[string]pmetric.NumberDataPoint{}
	var start pcommon.Timestamp
	for _, md := range flushes {
		for key, dp := range points(md) {
			if start == 0 {
				start = dp.StartTimestamp()
			}
			assert.Equal(t, start, dp.StartTimestamp(), "%s: the start time is stable", key)
			if prev, ok := seen[key]; ok {
				assert.GreaterOrEqual(t, dp.IntValue(), prev.IntValue(), "%s went backwards", key)
				assert.Greater(t, dp.Timestamp(), prev.Timestamp())
			}
			seen[key] = dp
		}
	}

	// A restart starts the series again, with a new start time.
	c.Stop(t)
	before := len(s.Metrics.AllMetrics())
	c = startCollector(t, "metrics.yaml", params)
	dezhu := []traffic.Push{}
	for _, p := range pushes {
		if p.Vendor == "dezhu" && !p.Repeat {
			dezhu = append(dezhu, p)
			break
		}
	}
	pushAll(t, c.URL, dezhu)
	after := latestWith(t, s, 1)
	require.Greater(t, len(s.Metrics.AllMetrics()), before)
	for key, dp := range points(after) {
		assert.Greater(t, dp.StartTimestamp(), start, "%s: a new start time after the restart", key)
	}
}
