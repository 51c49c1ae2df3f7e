package metrics

import (
	"slices"
	"time"

	"github.com/otelcallcenter/callcenterreceiver/internal/attrs"
	"github.com/otelcallcenter/callcenterreceiver/internal/call"
)

// Observation is what one push (or one call the session sweep settles) adds to the metrics: the
// few facts the counting rules read, not the call, so that the state journal keeps it in a
// couple of hundred bytes and a restart counts it again exactly as it was counted.
type Observation struct {
	Resource  attrs.Resource `json:"r"`
	Call      *CallFacts     `json:"c,omitempty"`   // a completed call
	Recording call.Kind      `json:"rec,omitempty"` // a recording or voicemail notice
	EventKind call.Kind      `json:"ek,omitempty"`  // a call or agent event
	EventType call.EventType `json:"et,omitempty"`
}

// CallFacts are what the metrics count of a completed call.
type CallFacts struct {
	Direction    call.Direction               `json:"dir"`
	EndStatus    call.EndStatus               `json:"st"`
	HangupSide   call.HangupSide              `json:"hs"`
	Queue        string                       `json:"q,omitempty"`
	Agent        string                       `json:"a,omitempty"` // counted only with per_agent_metrics
	Offered      bool                         `json:"o,omitempty"`
	AbandonStage string                       `json:"ab,omitempty"`
	Transfers    int                          `json:"tr,omitempty"`
	Satisfaction call.Satisfaction            `json:"sat,omitempty"`
	Durations    map[call.Phase]time.Duration `json:"d,omitempty"` // the phases the vendor reported
}

func (f *CallFacts) duration(p call.Phase) (time.Duration, bool) {
	d, ok := f.Durations[p]
	return d, ok
}

// CallObservation is the observation of a completed call.
func CallObservation(r attrs.Resource, c *call.Call) Observation {
	f := &CallFacts{
		Direction:    c.Direction,
		EndStatus:    c.EndStatus,
		HangupSide:   c.HangupSide,
		Queue:        queueOf(c),
		Agent:        agentOf(c),
		Offered:      c.Offered(),
		AbandonStage: c.AbandonStage(),
		Transfers:    c.Transfers,
		Satisfaction: c.Satisfaction,
		Durations:    c.Durations,
	}
	if f.Direction == "" {
		f.Direction = call.DirectionUnknown
	}
	if f.EndStatus == "" {
		f.EndStatus = call.StatusUnknown
	}
	if f.HangupSide == "" {
		f.HangupSide = call.HangupUnknown
	}
	return Observation{Resource: r, Call: f}
}

// Batch is journaled observations with the number of the flush that sends them first.
type Batch struct {
	Flush        uint64        `json:"f"`
	Observations []Observation `json:"o"`
}

// Add counts observations.
func (a *Aggregator) Add(obs ...Observation) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.count(obs)
}

// AddJournaled counts observations once the journal has saved them as the batch it is given,
// in two steps, so that a journal can write the changes of several pushes at once: enqueue puts
// the batch in the journal's order and returns what waits for it to be written; done waits, then
// counts. A flush that comes between the two waits for done, and batches enqueued while it
// waits wait for it: the batch names the flush that sends them. With delta series, a restart
// replays them unless a later Flushed mark says that flush, or a later one, was accepted;
// cumulative series count every batch journaled after their saved totals again. A journal error
// is returned and the observations are counted all the same: they are in memory, and only a
// crash before the next flush (delta) or compaction (cumulative) would lose them. done must be
// called, once.
func (a *Aggregator) AddJournaled(obs []Observation, enqueue func(Batch) (wait func() error)) (done func() error) {
	if len(obs) == 0 {
		return func() error { return nil }
	}
	a.mu.Lock()
	for a.flushing {
		a.counted.Wait()
	}
	b := Batch{Flush: a.next, Observations: obs}
	wait := enqueue(b)
	a.writing++
	a.mu.Unlock()
	return func() error {
		err := wait()
		a.mu.Lock()
		defer a.mu.Unlock()
		a.writing--
		if err == nil && a.settings.Delta {
			a.unflushed = append(a.unflushed, b)
		}
		a.count(obs)
		a.counted.Broadcast()
		return err
	}
}

func (a *Aggregator) count(obs []Observation) {
	for i := range obs {
		o := &obs[i]
		s := a.seriesOf(o.Resource)
		switch {
		case o.Call != nil:
			a.countCall(s, o.Call)
		case o.Recording != "":
			s.counters[counterKey{recordings, dims{recordingKind: string(o.Recording)}}]++
		case o.EventKind != "":
			s.counters[counterKey{events, dims{eventKind: string(o.EventKind), eventType: string(o.EventType)}}]++
		}
	}
}

// Flushed notes that the flush of that number was accepted: the journaled observations it (or
// an earlier flush) sent need no replay. It reports whether any did, that is whether the mark
// is worth saving: never for cumulative series, whose totals make a replay exact whatever was
// exported.
func (a *Aggregator) Flushed(number uint64) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.settings.Delta {
		return false
	}
	a.flushed = max(a.flushed, number)
	kept := a.unflushed[:0]
	for _, b := range a.unflushed {
		if b.Flush > a.flushed {
			kept = append(kept, b)
		}
	}
	sent := len(kept) < len(a.unflushed)
	clear(a.unflushed[len(kept):])
	a.unflushed = kept
	return sent
}

// Unflushed returns the journaled observations no accepted flush has sent, with their flush
// numbers, and the number of the last accepted flush: what a compaction must keep.
func (a *Aggregator) Unflushed() ([]Batch, uint64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.unflushed), a.flushed
}

// Replay counts the observations a previous run journaled and no flush sent, into this run's
// series, and numbers this run's flushes after last, the highest flush number the previous runs
// used. The next flush sends them; until it is accepted delta series keep them unflushed.
// Cumulative series replay only state saved without totals (by a delta run, or by a version
// before totals): they start again here, and a compaction saves them as totals.
func (a *Aggregator) Replay(batches []Batch, last uint64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.next = max(a.next, last+1)
	a.flushed = max(a.flushed, last)
	for _, b := range batches {
		a.count(b.Observations)
		if a.settings.Delta {
			a.unflushed = append(a.unflushed, Batch{Flush: a.next, Observations: b.Observations})
		}
	}
}
