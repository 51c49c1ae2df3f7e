package metrics

import (
	"encoding/json"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"

	"github.com/otelcallcenter/callcenterreceiver/internal/attrs"
	"github.com/otelcallcenter/callcenterreceiver/internal/call"
)

// journalNow is AddJournaled with a journal that writes the batch as it is enqueued.
func journalNow(a *Aggregator, obs []Observation, journal func(Batch) error) error {
	return a.AddJournaled(obs, func(b Batch) func() error {
		err := journal(b)
		return func() error { return err }
	})()
}

// aDay is calls of every kind the counting rules tell apart, with a recording and events.
func aDay() []Observation {
	abandon := &call.Call{Direction: call.DirectionInbound, EndStatus: call.StatusAbandonedQueue, Queue: call.Queue{ID: "7"}}
	abandon.SetDuration(call.PhaseQueue, 4*time.Second+250*time.Millisecond)
	abandon.SetDuration(call.PhaseIVR, 12*time.Second)
	transferred := answered(0, 3*time.Second, time.Minute)
	transferred.Transfers, transferred.Satisfaction = 2, call.SatisfactionSatisfied
	transferred.SetDuration(call.PhaseACW, 30*time.Second)
	noWait := &call.Call{Direction: call.DirectionOutbound, EndStatus: call.StatusAnswered}
	noWait.SetDuration(call.PhaseTalk, 1234567891*time.Nanosecond) // nanoseconds survive the journal
	return []Observation{
		CallObservation(tccc, answered(10*time.Second, 10*time.Second, time.Minute)),
		CallObservation(tccc, abandon),
		CallObservation(tccc, transferred),
		CallObservation(attrs.Resource{ServiceName: "callcenter-dezhu", Vendor: "dezhu"}, noWait),
		CallObservation(tccc, &call.Call{}), // nothing known: unknown direction, status and side
		{Resource: tccc, Recording: call.KindVoicemail},
		{Resource: tccc, EventKind: call.KindAgentEvent, EventType: call.EventType("agent_idle")},
	}
}

// TestReplayCountsAsTheOriginal journals a day's observations as the state store does (JSON),
// replays them into a new aggregator and compares the two flushes point by point.
func TestReplayCountsAsTheOriginal(t *testing.T) {
	for _, delta := range []bool{false, true} {
		original := newAggregator(t, func(s *Settings) { s.Delta, s.PerAgent = delta, true })
		var journal [][]byte
		for _, o := range aDay() {
			require.NoError(t, journalNow(original, []Observation{o}, func(b Batch) error {
				body, err := json.Marshal(b)
				journal = append(journal, body)
				return err
			}))
		}
		replayed := newAggregator(t, func(s *Settings) { s.Delta, s.PerAgent = delta, true })
		var batches []Batch
		for _, body := range journal {
			var b Batch
			require.NoError(t, json.Unmarshal(body, &b))
			batches = append(batches, b)
		}
		replayed.Replay(batches, 1)

		want, _ := original.Flush(t0.Add(time.Minute))
		got, _ := replayed.Flush(t0.Add(time.Minute))
		require.Positive(t, want.DataPointCount())
		assert.NoError(t, pmetrictest.CompareMetrics(want, got,
			pmetrictest.IgnoreMetricDataPointsOrder(), pmetrictest.IgnoreResourceMetricsOrder(), pmetrictest.IgnoreMetricsOrder()),
			"delta=%v", delta)
	}
}

func TestJournalGrowthPerCall(t *testing.T) {
	// A TCCC call answered after a queue and ringing, with its agent, as the journal keeps it.
	body, err := json.Marshal(Batch{Flush: 123456, Observations: []Observation{CallObservation(tccc, answered(10*time.Second, 10*time.Second, time.Minute))}})
	require.NoError(t, err)
	t.Logf("one call's observation in the journal: %d bytes: %s", len(body), body)
	assert.Less(t, len(body), 300, "the facts the counters read, not the call")
}

// TestFlushNumbersDecideWhatIsReplayed: a flush of delta series that was accepted covers the
// observations journaled before it was built, not those journaled while it was on its way.
func TestFlushNumbersDecideWhatIsReplayed(t *testing.T) {
	a := newAggregator(t, func(s *Settings) { s.Delta = true })
	var saved []Batch
	journal := func(b Batch) error { saved = append(saved, b); return nil }
	day := aDay()
	require.NoError(t, journalNow(a, day[:2], journal))
	_, first := a.Flush(t0.Add(time.Minute))
	require.NoError(t, journalNow(a, day[2:3], journal)) // while the first flush is on its way
	assert.Equal(t, []uint64{1, 2}, []uint64{saved[0].Flush, saved[1].Flush}, "each batch names the flush that sends it")

	assert.True(t, a.Flushed(first.Number()), "the first flush sent the first batch: worth a mark")
	unflushed, last := a.Unflushed()
	assert.Equal(t, uint64(1), last)
	require.Len(t, unflushed, 1)
	assert.Equal(t, day[2:3], unflushed[0].Observations, "journaled after the flush was built: still to replay")

	_, failed := a.Flush(t0.Add(2 * time.Minute)) // refused: no mark
	_, third := a.Flush(t0.Add(3 * time.Minute))
	assert.Equal(t, []uint64{2, 3}, []uint64{failed.Number(), third.Number()})
	assert.True(t, a.Flushed(third.Number()), "a later flush carries what a refused one did not deliver")
	unflushed, _ = a.Unflushed()
	assert.Empty(t, unflushed)
	assert.False(t, a.Flushed(third.Number()), "nothing left: no mark to save")
}

// A flush that comes while a batch journaled under its number is being written waits for it to
// be counted, since the batch says that flush sends it; a batch enqueued meanwhile waits for the
// flush, and goes to the next one.
func TestAFlushWaitsForTheBatchesBeingWritten(t *testing.T) {
	a := newAggregator(t, func(s *Settings) { s.Delta = true })
	day := aDay()
	release := make(chan struct{})
	var numbers []uint64
	first := a.AddJournaled(day[:1], func(b Batch) func() error {
		numbers = append(numbers, b.Flush)
		return func() error { <-release; return nil }
	})
	firstDone := make(chan error, 1)
	go func() { firstDone <- first() }()

	type flushed struct {
		md pmetric.Metrics
		p  Pending
	}
	flushes := make(chan flushed, 1)
	go func() {
		md, p := a.Flush(t0.Add(time.Minute))
		flushes <- flushed{md, p}
	}()
	for waiting := false; !waiting; {
		a.mu.Lock()
		waiting = a.flushing
		a.mu.Unlock()
		select {
		case f := <-flushes:
			require.Fail(t, "the flush did not wait for the batch being written", "flush %d", f.p.Number())
		default:
			runtime.Gosched()
		}
	}
	secondDone := make(chan error, 1)
	go func() {
		secondDone <- a.AddJournaled(day[1:2], func(b Batch) func() error {
			numbers = append(numbers, b.Flush)
			return func() error { return nil }
		})()
	}()
	close(release)
	require.NoError(t, <-firstDone)
	f := <-flushes
	require.NoError(t, <-secondDone)
	assert.Equal(t, uint64(1), f.p.Number())
	assert.Equal(t, int64(1), find(t, f.md, "callcenter.calls").Sum().DataPoints().At(0).IntValue(),
		"the first flush sends the batch journaled under its number")
	assert.Equal(t, []uint64{1, 2}, numbers, "the batch enqueued during the flush names the next one")
	md, _ := a.Flush(t0.Add(2 * time.Minute))
	assert.Equal(t, int64(1), find(t, md, "callcenter.calls").Sum().DataPoints().At(0).IntValue())
}

func TestReplayNumbersAfterThePreviousRun(t *testing.T) {
	a := newAggregator(t, func(s *Settings) { s.Delta = true })
	a.Replay([]Batch{{Flush: 41, Observations: aDay()[:1]}}, 42)
	unflushed, flushed := a.Unflushed()
	require.Len(t, unflushed, 1)
	assert.Equal(t, uint64(43), unflushed[0].Flush, "replayed into this run's first flush")
	assert.Equal(t, uint64(42), flushed)
	md, p := a.Flush(t0.Add(time.Minute))
	assert.Equal(t, uint64(43), p.Number())
	assert.Equal(t, int64(1), find(t, md, "callcenter.calls").Sum().DataPoints().At(0).IntValue())
	assert.Equal(t, t0, find(t, md, "callcenter.calls").Sum().DataPoints().At(0).StartTimestamp().AsTime(),
		"the replayed count is in this run's series, which start when this run started")
}

func TestJournalErrorStillCounts(t *testing.T) {
	a := newAggregator(t, nil)
	err := journalNow(a, aDay()[:1], func(Batch) error { return errors.New("disk full") })
	require.ErrorContains(t, err, "disk full")
	md, _ := a.Flush(t0.Add(time.Minute))
	assert.Equal(t, int64(1), find(t, md, "callcenter.calls").Sum().DataPoints().At(0).IntValue(), "counted in memory")
	unflushed, _ := a.Unflushed()
	assert.Empty(t, unflushed, "nothing journaled, nothing to replay")
}
