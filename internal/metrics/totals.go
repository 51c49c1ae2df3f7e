package metrics

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/otelcallcenter/callcenterreceiver/internal/attrs"
	"github.com/otelcallcenter/callcenterreceiver/internal/metadata"
)

// Totals are the cumulative series as a state snapshot keeps them: their start time and every
// counter and histogram value. Exporting the same cumulative value twice counts nothing twice,
// so a restart that resumes the totals and counts again what was journaled after them continues
// the very series the previous run exported, whatever that run did or did not flush. Live gauges
// and callcenter.sessions.open are not in them: they are recomputed from the sessions.
type Totals struct {
	Start time.Time `json:"start"`
	// Bounds and PerAgent are the shape of the series: totals of another shape cannot continue.
	Bounds   []float64        `json:"bounds"`
	PerAgent bool             `json:"per_agent,omitempty"`
	Series   []ResourceTotals `json:"series,omitempty"`
}

// ResourceTotals are the totals of one resource.
type ResourceTotals struct {
	Resource   attrs.Resource `json:"r"`
	Counters   []CounterTotal `json:"c,omitempty"`
	Histograms []HistTotal    `json:"h,omitempty"`
}

// CounterTotal is one counter series: its metric, attribute values and value.
type CounterTotal struct {
	Metric string    `json:"m"`
	Dims   savedDims `json:"d"`
	Value  int64     `json:"v"`
}

// HistTotal is one histogram series.
type HistTotal struct {
	Metric  string    `json:"m"`
	Dims    savedDims `json:"d"`
	Count   uint64    `json:"n"`
	Sum     float64   `json:"s"`
	Min     float64   `json:"min"`
	Max     float64   `json:"max"`
	Buckets []uint64  `json:"b"`
}

// savedDims are a series' attribute values under short JSON names.
type savedDims struct {
	Direction     string `json:"dir,omitempty"`
	EndStatus     string `json:"st,omitempty"`
	HangupSide    string `json:"hs,omitempty"`
	Queue         string `json:"q,omitempty"`
	Stage         string `json:"ab,omitempty"`
	Satisfaction  string `json:"sat,omitempty"`
	RecordingKind string `json:"rk,omitempty"`
	EventKind     string `json:"ek,omitempty"`
	EventType     string `json:"et,omitempty"`
	Agent         string `json:"a,omitempty"`
}

func (d dims) saved() savedDims {
	return savedDims{d.direction, d.endStatus, d.hangupSide, d.queue, d.stage, d.satisfaction, d.recordingKind, d.eventKind, d.eventType, d.agent}
}

func (d savedDims) dims() dims {
	return dims{d.Direction, d.EndStatus, d.HangupSide, d.Queue, d.Stage, d.Satisfaction, d.RecordingKind, d.EventKind, d.EventType, d.Agent}
}

// counterNames are the metrics of the counters, the names the totals keep them by.
var counterNames = map[counter]string{
	calls:       metadata.MetricsInfo.CallcenterCalls.Name,
	offered:     metadata.MetricsInfo.CallcenterCallsOffered.Name,
	abandoned:   metadata.MetricsInfo.CallcenterCallsAbandoned.Name,
	transferred: metadata.MetricsInfo.CallcenterCallsTransferred.Name,
	transfers:   metadata.MetricsInfo.CallcenterTransfers.Name,
	ratings:     metadata.MetricsInfo.CallcenterSatisfactionRatings.Name,
	recordings:  metadata.MetricsInfo.CallcenterRecordings.Name,
	events:      metadata.MetricsInfo.CallcenterEvents.Name,
}

// Cumulative reports whether the series are cumulative: only those have totals to keep.
func (a *Aggregator) Cumulative() bool { return !a.settings.Delta }

// Totals returns the cumulative series as they stand, in a stable order.
func (a *Aggregator) Totals() Totals {
	a.mu.Lock()
	defer a.mu.Unlock()
	t := Totals{Start: a.start, Bounds: slices.Clone(a.settings.Buckets), PerAgent: a.settings.PerAgent}
	for _, r := range slices.SortedFunc(maps.Keys(a.series), compareResources) {
		s := a.series[r]
		rt := ResourceTotals{Resource: r}
		for k, v := range s.counters {
			rt.Counters = append(rt.Counters, CounterTotal{Metric: counterNames[k.c], Dims: k.d.saved(), Value: v})
		}
		for k, h := range s.hists {
			rt.Histograms = append(rt.Histograms, HistTotal{
				Metric: k.name, Dims: k.d.saved(), Count: h.count, Sum: h.sum, Min: h.min, Max: h.max, Buckets: slices.Clone(h.counts),
			})
		}
		slices.SortFunc(rt.Counters, func(x, y CounterTotal) int {
			return cmp.Or(cmp.Compare(x.Metric, y.Metric), cmp.Compare(fmt.Sprint(x.Dims), fmt.Sprint(y.Dims)))
		})
		slices.SortFunc(rt.Histograms, func(x, y HistTotal) int {
			return cmp.Or(cmp.Compare(x.Metric, y.Metric), cmp.Compare(fmt.Sprint(x.Dims), fmt.Sprint(y.Dims)))
		})
		t.Series = append(t.Series, rt)
	}
	return t
}

// Resume continues the cumulative series of totals: their start time and values, to which it
// counts the observations journaled after them. Totals of another shape (other histogram
// buckets, per-agent series turned on or off) cannot continue: the error says why, and nothing
// is changed. Histograms turned off since are dropped.
func (a *Aggregator) Resume(t Totals, journaled []Batch) error {
	if a.settings.Delta {
		return errors.New("delta series have no totals to resume")
	}
	if !slices.Equal(t.Bounds, a.settings.Buckets) {
		return fmt.Errorf("histogram buckets changed from %v", t.Bounds)
	}
	if t.PerAgent != a.settings.PerAgent {
		return fmt.Errorf("per_agent_metrics changed from %v", t.PerAgent)
	}
	byName := map[string]counter{}
	for c, name := range counterNames {
		byName[name] = c
	}
	resumed := map[attrs.Resource]*series{}
	for _, rt := range t.Series {
		s := newSeries()
		for _, c := range rt.Counters {
			kind, ok := byName[c.Metric]
			if !ok {
				return fmt.Errorf("unknown counter %q", c.Metric)
			}
			s.counters[counterKey{kind, c.Dims.dims()}] = c.Value
		}
		for _, h := range rt.Histograms {
			if len(h.Buckets) != len(t.Bounds)+1 {
				return fmt.Errorf("histogram %s has %d bucket counts for %d bounds", h.Metric, len(h.Buckets), len(t.Bounds))
			}
			if a.settings.Disabled[h.Metric] {
				continue
			}
			s.hists[histKey{h.Metric, h.Dims.dims()}] = &histogram{count: h.Count, sum: h.Sum, min: h.Min, max: h.Max, counts: slices.Clone(h.Buckets)}
		}
		resumed[rt.Resource] = s
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.start = t.Start
	a.series = resumed
	for _, b := range journaled {
		a.count(b.Observations)
	}
	return nil
}

func compareResources(x, y attrs.Resource) int {
	return cmp.Or(cmp.Compare(x.Vendor, y.Vendor), cmp.Compare(x.Tenant, y.Tenant), cmp.Compare(x.ServiceName, y.ServiceName))
}
