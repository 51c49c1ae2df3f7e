package metrics

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"
)

// saveAndLoad passes totals through JSON, as the state snapshot keeps them.
func saveAndLoad(t *testing.T, totals Totals) Totals {
	t.Helper()
	body, err := json.Marshal(totals)
	require.NoError(t, err)
	var out Totals
	require.NoError(t, json.Unmarshal(body, &out))
	return out
}

// TestResumeContinuesTheSeries: a run's totals, saved at a compaction, and the observations it
// journaled after them, resumed by the next run, give the series the first run would have
// exported had it not stopped: the same start time, every counter and histogram point equal.
func TestResumeContinuesTheSeries(t *testing.T) {
	day := aDay()
	original := newAggregator(t, func(s *Settings) { s.PerAgent = true })
	var journaled []Batch
	journal := func(b Batch) error { journaled = append(journaled, b); return nil }
	require.NoError(t, journalNow(original, day[:4], journal))
	original.Flush(t0.Add(time.Minute))
	totals := saveAndLoad(t, original.Totals()) // a compaction: the journal so far is folded
	journaled = nil
	for _, o := range day[4:] {
		require.NoError(t, journalNow(original, []Observation{o}, journal))
	}

	// The next run starts later and resumes what was saved.
	resumed := newAggregator(t, func(s *Settings) { s.PerAgent = true })
	resumed.start = t0.Add(time.Hour)
	require.NoError(t, resumed.Resume(totals, journaled))

	at := t0.Add(2 * time.Hour)
	want, _ := original.Flush(at)
	got, _ := resumed.Flush(at)
	require.Positive(t, want.DataPointCount())
	require.NoError(t, pmetrictest.CompareMetrics(want, got,
		pmetrictest.IgnoreMetricDataPointsOrder(), pmetrictest.IgnoreResourceMetricsOrder(), pmetrictest.IgnoreMetricsOrder()))
	var total int64
	for _, rm := range got.ResourceMetrics().All() {
		for _, m := range rm.ScopeMetrics().At(0).Metrics().All() {
			if m.Name() != "callcenter.calls" {
				continue
			}
			for _, dp := range m.Sum().DataPoints().All() {
				total += dp.IntValue()
				assert.Equal(t, t0, dp.StartTimestamp().AsTime(), "the first run's start time, kept across the restart")
			}
		}
	}
	assert.Equal(t, int64(5), total, "aDay has 5 calls, counted before and after the totals")
}

// TestTotalsKeepEveryHistogramField checks one histogram's saved values against the buckets it
// was observed into: the totals must not drop a count, the sum, the min or the max.
func TestTotalsKeepEveryHistogramField(t *testing.T) {
	a := newAggregator(t, func(s *Settings) { s.Buckets = []float64{10, 20} })
	a.Add(CallObservation(tccc, answered(5*time.Second, 5*time.Second, 20*time.Second)))
	a.Add(CallObservation(tccc, answered(5*time.Second, 5*time.Second, 25*time.Second)))
	var talk *HistTotal
	for _, rt := range saveAndLoad(t, a.Totals()).Series {
		for i, h := range rt.Histograms {
			if h.Metric == TalkDuration {
				talk = &rt.Histograms[i]
			}
		}
	}
	require.NotNil(t, talk)
	// Buckets are upper-inclusive: 20 s counts in le=20, 25 s above the last bound.
	assert.Equal(t, []uint64{0, 1, 1}, talk.Buckets)
	assert.Equal(t, uint64(2), talk.Count)
	assert.InDelta(t, 45.0, talk.Sum, 1e-9)
	assert.InDelta(t, 20.0, talk.Min, 1e-9)
	assert.InDelta(t, 25.0, talk.Max, 1e-9)
	assert.Equal(t, "inbound", talk.Dims.Direction)
}

// TestResumeRefusesAnotherShape: totals of other buckets or other per-agent series cannot
// continue; the aggregator keeps its own start and counts nothing of them.
func TestResumeRefusesAnotherShape(t *testing.T) {
	saved := newAggregator(t, nil)
	saved.Add(aDay()...)
	totals := saveAndLoad(t, saved.Totals())

	later := t0.Add(time.Hour)
	for name, modify := range map[string]func(*Settings){
		"buckets":   func(s *Settings) { s.Buckets = []float64{1, 2, 3} },
		"per agent": func(s *Settings) { s.PerAgent = true },
	} {
		a := New(newAggregator(t, modify).settings, later)
		require.Error(t, a.Resume(totals, nil), name)
		md, _ := a.Flush(later.Add(time.Minute))
		assert.Zero(t, md.DataPointCount(), name)
		assert.Equal(t, later, a.start, name)
	}
}

// TestResumeDropsHistogramsTurnedOff: a histogram disabled since the totals were saved is not
// exported again.
func TestResumeDropsHistogramsTurnedOff(t *testing.T) {
	saved := newAggregator(t, nil)
	saved.Add(aDay()...)
	a := newAggregator(t, func(s *Settings) { s.Disabled = map[string]bool{TalkDuration: true} })
	require.NoError(t, a.Resume(saveAndLoad(t, saved.Totals()), nil))
	md, _ := a.Flush(t0.Add(time.Minute))
	assert.False(t, has(md, TalkDuration))
	assert.True(t, has(md, CallDuration))
}

// TestCumulativeNeedsNoFlushMarks: cumulative series keep no unflushed observations and ask for
// no mark; their totals make a restart exact whatever was exported.
func TestCumulativeNeedsNoFlushMarks(t *testing.T) {
	a := newAggregator(t, nil)
	require.NoError(t, journalNow(a, aDay()[:2], func(Batch) error { return nil }))
	_, p := a.Flush(t0.Add(time.Minute))
	assert.False(t, a.Flushed(p.Number()))
	unflushed, _ := a.Unflushed()
	assert.Empty(t, unflushed)
	assert.True(t, a.Cumulative())
	assert.Error(t, newAggregator(t, func(s *Settings) { s.Delta = true }).Resume(a.Totals(), nil))
}
