package metrics

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcallcenter/callcenterreceiver/internal/attrs"
	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/metadata"
)

var (
	t0   = time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	tccc = attrs.Resource{ServiceName: "callcenter-tccc", Vendor: "tccc", Tenant: "1400"}
)

func newAggregator(t *testing.T, modify func(*Settings)) *Aggregator {
	t.Helper()
	s := Settings{
		Builder:  metadata.NewDefaultMetricsBuilderConfig(),
		Receiver: receivertest.NewNopSettings(metadata.Type),
	}
	if modify != nil {
		modify(&s)
	}
	return New(s, t0)
}

func answered(queue, ring, talk time.Duration) *call.Call {
	c := &call.Call{
		Direction: call.DirectionInbound, EndStatus: call.StatusAnswered, HangupSide: call.HangupCustomer,
		Queue: call.Queue{ID: "7", Name: "售后"}, Agent: call.Agent{StaffNumber: "8014"},
	}
	c.SetDuration(call.PhaseQueue, queue)
	c.SetDuration(call.PhaseRing, ring)
	c.SetDuration(call.PhaseTalk, talk)
	c.SetDuration(call.PhaseTotal, queue+ring+talk)
	return c
}

// find returns the metric of that name in the only resource.
func find(t *testing.T, md pmetric.Metrics, name string) pmetric.Metric {
	t.Helper()
	for _, rm := range md.ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if m.Name() == name {
					return m
				}
			}
		}
	}
	t.Fatalf("no metric %s", name)
	return pmetric.Metric{}
}

func has(md pmetric.Metrics, name string) bool {
	for _, rm := range md.ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if m.Name() == name {
					return true
				}
			}
		}
	}
	return false
}

func rawAttrs(m pcommon.Map) map[string]any { return m.AsRaw() }

func TestCountsAndHistograms(t *testing.T) {
	a := newAggregator(t, nil)
	a.Add(CallObservation(tccc, answered(10*time.Second, 10*time.Second, time.Minute)))  // answered in 20 s
	a.Add(CallObservation(tccc, answered(15*time.Second, 6*time.Second, 2*time.Minute))) // in 21 s
	abandon := &call.Call{Direction: call.DirectionInbound, EndStatus: call.StatusAbandonedQueue, Queue: call.Queue{ID: "7"}}
	abandon.SetDuration(call.PhaseQueue, 4*time.Second)
	a.Add(CallObservation(tccc, abandon))
	transferred := answered(0, 3*time.Second, time.Minute)
	transferred.Transfers, transferred.Satisfaction = 2, call.SatisfactionSatisfied
	a.Add(CallObservation(tccc, transferred))
	a.Add(Observation{Resource: tccc, Recording: call.KindVoicemail})
	a.Add(Observation{Resource: tccc, EventKind: call.KindCallEvent, EventType: call.EventQueued})

	md, _ := a.Flush(t0.Add(15 * time.Second))
	require.Equal(t, 1, md.ResourceMetrics().Len(), "one resource per vendor and tenant")
	res := rawAttrs(md.ResourceMetrics().At(0).Resource().Attributes())
	assert.Equal(t, map[string]any{"service.name": "callcenter-tccc", "callcenter.vendor": "tccc", "callcenter.tenant.id": "1400"}, res)

	calls := find(t, md, "callcenter.calls").Sum()
	assert.True(t, calls.IsMonotonic())
	assert.Equal(t, pmetric.AggregationTemporalityCumulative, calls.AggregationTemporality())
	got := map[string]int64{}
	for _, dp := range calls.DataPoints().All() {
		a := rawAttrs(dp.Attributes())
		got[a["callcenter.end_status"].(string)+"/"+a["callcenter.queue"].(string)] += dp.IntValue()
		assert.Equal(t, pcommon.NewTimestampFromTime(t0), dp.StartTimestamp())
		assert.Equal(t, pcommon.NewTimestampFromTime(t0.Add(15*time.Second)), dp.Timestamp())
		assert.NotContains(t, a, "callcenter.agent", "per-agent series are opt-in")
	}
	assert.Equal(t, map[string]int64{"answered/售后": 3, "abandoned_in_queue/7": 1}, got, "the queue name, or its ID when there is no name")

	ab := find(t, md, "callcenter.calls.abandoned").Sum().DataPoints()
	require.Equal(t, 1, ab.Len())
	assert.Equal(t, "queue", rawAttrs(ab.At(0).Attributes())["callcenter.abandon.stage"])
	assert.Equal(t, int64(2), find(t, md, "callcenter.transfers").Sum().DataPoints().At(0).IntValue())
	assert.Equal(t, int64(1), find(t, md, "callcenter.calls.transferred").Sum().DataPoints().At(0).IntValue())
	rating := find(t, md, "callcenter.satisfaction.ratings").Sum().DataPoints().At(0)
	assert.Equal(t, "satisfied", rawAttrs(rating.Attributes())["callcenter.satisfaction"])
	assert.Equal(t, "voicemail", rawAttrs(find(t, md, "callcenter.recordings").Sum().DataPoints().At(0).Attributes())["callcenter.recording.kind"])
	ev := find(t, md, "callcenter.events").Sum().DataPoints().At(0)
	assert.Equal(t, map[string]any{"callcenter.event.kind": "call_event", "callcenter.event.type": "queued"}, rawAttrs(ev.Attributes()))

	// Speed of answer: 20 s and 21 s and 3 s; the 20 s answer counts in the le=20 bucket.
	soa := find(t, md, SpeedOfAnswer)
	assert.Equal(t, "s", soa.Unit())
	require.Equal(t, 1, soa.Histogram().DataPoints().Len())
	dp := soa.Histogram().DataPoints().At(0)
	assert.Equal(t, uint64(3), dp.Count())
	assert.InDelta(t, 44.0, dp.Sum(), 1e-9)
	assert.InDelta(t, 3.0, dp.Min(), 1e-9)
	assert.InDelta(t, 21.0, dp.Max(), 1e-9)
	assert.Equal(t, DefaultBuckets, dp.ExplicitBounds().AsRaw())
	assert.Equal(t, uint64(2), cumulativeAt(dp, 20), "within 20 s: exact at a bucket boundary")
	assert.Equal(t, uint64(1), cumulativeAt(dp, 10))
	assert.Equal(t, uint64(3), cumulativeAt(dp, 30))

	tta := find(t, md, TimeToAbandon).Histogram().DataPoints().At(0)
	assert.Equal(t, uint64(1), tta.Count())
	assert.InDelta(t, 4.0, tta.Sum(), 1e-9)
	assert.Equal(t, map[string]any{"callcenter.direction": "inbound", "callcenter.abandon.stage": "queue", "callcenter.queue": "7"}, rawAttrs(tta.Attributes()))

	talk := find(t, md, TalkDuration).Histogram().DataPoints()
	var talkCount uint64
	for _, dp := range talk.All() {
		talkCount += dp.Count()
	}
	assert.Equal(t, uint64(3), talkCount)
	assert.False(t, has(md, ACWDuration), "no call reported after-call work")
}

// cumulativeAt is the number of observations <= bound, as Prometheus' le label counts them.
func cumulativeAt(dp pmetric.HistogramDataPoint, bound float64) uint64 {
	var n uint64
	for i, b := range dp.ExplicitBounds().AsRaw() {
		n += dp.BucketCounts().At(i)
		if b == bound {
			return n
		}
	}
	panic("no such bound")
}

func TestCumulativeNeverGoesBackwards(t *testing.T) {
	a := newAggregator(t, nil)
	a.Add(CallObservation(tccc, answered(time.Second, time.Second, time.Second)))
	first, _ := a.Flush(t0.Add(time.Minute))
	second, _ := a.Flush(t0.Add(2 * time.Minute)) // nothing new
	a.Add(CallObservation(tccc, answered(time.Second, time.Second, time.Second)))
	third, _ := a.Flush(t0.Add(3 * time.Minute))

	values := []int64{}
	for _, md := range []pmetric.Metrics{first, second, third} {
		dp := find(t, md, "callcenter.calls").Sum().DataPoints().At(0)
		assert.Equal(t, pcommon.NewTimestampFromTime(t0), dp.StartTimestamp(), "the start time stays")
		values = append(values, dp.IntValue())
		h := find(t, md, CallDuration).Histogram()
		assert.Equal(t, pcommon.NewTimestampFromTime(t0), h.DataPoints().At(0).StartTimestamp())
	}
	assert.Equal(t, []int64{1, 1, 2}, values)
}

func TestDeltaStartsOverAndRestores(t *testing.T) {
	a := newAggregator(t, func(s *Settings) { s.Delta = true })
	a.Add(CallObservation(tccc, answered(time.Second, time.Second, time.Second)))
	md, pending := a.Flush(t0.Add(time.Minute))
	sum := find(t, md, "callcenter.calls").Sum()
	assert.Equal(t, pmetric.AggregationTemporalityDelta, sum.AggregationTemporality())
	assert.Equal(t, pmetric.AggregationTemporalityDelta, find(t, md, CallDuration).Histogram().AggregationTemporality())

	// The flush failed: it is put back and the next flush carries it with the new call.
	a.Restore(pending)
	a.Add(CallObservation(tccc, answered(time.Second, time.Second, time.Second)))
	md, _ = a.Flush(t0.Add(2 * time.Minute))
	dp := find(t, md, "callcenter.calls").Sum().DataPoints().At(0)
	assert.Equal(t, int64(2), dp.IntValue())
	assert.Equal(t, pcommon.NewTimestampFromTime(t0), dp.StartTimestamp(), "the restored delta keeps its start")
	assert.Equal(t, uint64(2), find(t, md, CallDuration).Histogram().DataPoints().At(0).Count())

	// Sent: the next delta starts where this one ended and is empty.
	a.Add(CallObservation(tccc, answered(time.Second, time.Second, time.Second)))
	md, _ = a.Flush(t0.Add(3 * time.Minute))
	dp = find(t, md, "callcenter.calls").Sum().DataPoints().At(0)
	assert.Equal(t, int64(1), dp.IntValue())
	assert.Equal(t, pcommon.NewTimestampFromTime(t0.Add(2*time.Minute)), dp.StartTimestamp())
}

func TestPerAgentAndDisabledSeries(t *testing.T) {
	a := newAggregator(t, func(s *Settings) {
		s.PerAgent = true
		s.Disabled = map[string]bool{RingDuration: true}
		s.Builder.Metrics.CallcenterTransfers.Enabled = false
	})
	c := answered(time.Second, time.Second, time.Second)
	c.Transfers = 1
	a.Add(CallObservation(tccc, c))
	md, _ := a.Flush(t0.Add(time.Minute))
	dp := find(t, md, "callcenter.calls").Sum().DataPoints().At(0)
	assert.Equal(t, "8014", rawAttrs(dp.Attributes())["callcenter.agent"])
	assert.Equal(t, "8014", rawAttrs(find(t, md, TalkDuration).Histogram().DataPoints().At(0).Attributes())["callcenter.agent"])
	assert.False(t, has(md, RingDuration))
	assert.False(t, has(md, "callcenter.transfers"))
	assert.True(t, has(md, "callcenter.calls.transferred"))
}

func TestOpenSessionsGauge(t *testing.T) {
	udesk := attrs.Resource{ServiceName: "callcenter-udesk", Vendor: "udesk"}
	a := newAggregator(t, func(s *Settings) {
		s.OpenByRoot = func() map[attrs.Resource]int { return map[attrs.Resource]int{udesk: 3} }
	})
	md, _ := a.Flush(t0.Add(time.Minute))
	g := find(t, md, "callcenter.sessions.open").Gauge().DataPoints()
	require.Equal(t, 1, g.Len())
	assert.Equal(t, int64(3), g.At(0).IntValue())
	assert.Equal(t, map[string]any{"service.name": "callcenter-udesk", "callcenter.vendor": "udesk"},
		rawAttrs(md.ResourceMetrics().At(0).Resource().Attributes()), "no tenant when the vendor sends none")
}

// sumByStatus adds a sum's data points up by end status.
func sumByStatus(t *testing.T, md pmetric.Metrics, name string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, dp := range find(t, md, name).Sum().DataPoints().All() {
		out[rawAttrs(dp.Attributes())["callcenter.end_status"].(string)] += dp.IntValue()
	}
	return out
}

// histogramCount adds a histogram's data points up: count and sum.
func histogramCount(t *testing.T, md pmetric.Metrics, name string) (uint64, float64) {
	t.Helper()
	var n uint64
	var sum float64
	for _, dp := range find(t, md, name).Histogram().DataPoints().All() {
		n += dp.Count()
		sum += dp.Sum()
	}
	return n, sum
}

func TestTheKPIsDenominatorsAreFactsOfTheCall(t *testing.T) {
	a := newAggregator(t, nil)
	inbound := func(status call.EndStatus) *call.Call {
		return &call.Call{Direction: call.DirectionInbound, EndStatus: status}
	}
	// Offered: it rang an agent and nobody answered (得助 6 坐席振铃未接).
	rangOut := inbound(call.StatusNoAnswer)
	rangOut.SetDuration(call.PhaseRing, 12*time.Second)
	// Offered: it queued until the queue timed out (Udesk 排队超时).
	timedOut := inbound(call.StatusNoAgent)
	timedOut.SetDuration(call.PhaseQueue, 60*time.Second)
	// Offered: the caller hung up, the vendor names no stage, but an agent was ringing (Udesk 客户挂机).
	hungUp := inbound(call.StatusAbandoned)
	hungUp.SetDuration(call.PhaseQueue, 8*time.Second)
	hungUp.SetDuration(call.PhaseRing, 3*time.Second)
	// Answered with no wait reported (Udesk queue_time and ring_time null).
	noWait := inbound(call.StatusAnswered)
	noWait.SetDuration(call.PhaseTalk, 30*time.Second)
	// Not offered: ended in the IVR; reported a 0 s queue wait, which is no evidence.
	inIVR := inbound(call.StatusAbandonedIVR)
	inIVR.SetDuration(call.PhaseIVR, 9*time.Second)
	inIVR.SetDuration(call.PhaseQueue, 0)
	// Not offered and not answered by a person: a bot talked for 40 s.
	bot := inbound(call.StatusBotHandled)
	bot.SetDuration(call.PhaseTalk, 40*time.Second)
	// Abandoned in the queue after 5 s, with after-call work reported (得助 4 with acw 5).
	queueAbandon := inbound(call.StatusAbandonedQueue)
	queueAbandon.SetDuration(call.PhaseQueue, 5*time.Second)
	queueAbandon.SetDuration(call.PhaseACW, 5*time.Second)
	// Answered after 14 s with 20 s of after-call work.
	handled := answered(10*time.Second, 4*time.Second, time.Minute)
	handled.SetDuration(call.PhaseACW, 20*time.Second)
	for _, c := range []*call.Call{rangOut, timedOut, hungUp, noWait, inIVR, bot, queueAbandon, handled} {
		a.Add(CallObservation(tccc, c))
	}
	md, _ := a.Flush(t0.Add(time.Minute))

	assert.Equal(t, map[string]int64{"no_answer": 1, "no_agent": 1, "abandoned": 1, "answered": 2, "abandoned_in_queue": 1},
		sumByStatus(t, md, "callcenter.calls.offered"), "offered: answered, queued or rang, whatever the end status")

	stages := map[string]int64{}
	for _, dp := range find(t, md, "callcenter.calls.abandoned").Sum().DataPoints().All() {
		stages[rawAttrs(dp.Attributes())["callcenter.abandon.stage"].(string)] += dp.IntValue()
	}
	assert.Equal(t, map[string]int64{"ringing": 1, "ivr": 1, "queue": 1}, stages, "a stage the vendor does not name comes from how far the call got")

	n, sum := histogramCount(t, md, SpeedOfAnswer)
	assert.Equal(t, uint64(2), n, "every answered call, the one without a reported wait too")
	assert.InDelta(t, 14.0, sum, 0, "the call without a reported wait counts 0 s")

	n, sum = histogramCount(t, md, ACWDuration)
	assert.Equal(t, uint64(1), n, "after-call work of the call a person answered only")
	assert.InDelta(t, 20.0, sum, 0)

	talk := map[string]float64{}
	for _, dp := range find(t, md, TalkDuration).Histogram().DataPoints().All() {
		talk[rawAttrs(dp.Attributes())["callcenter.end_status"].(string)] += dp.Sum()
	}
	assert.Equal(t, map[string]float64{"answered": 90, "bot_handled": 40}, talk, "a bot's talk is told apart from an agent's")
}
