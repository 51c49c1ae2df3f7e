package core

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.uber.org/zap"

	"github.com/otelcallcenter/callcenterreceiver/internal/dedup"
	"github.com/otelcallcenter/callcenterreceiver/internal/metrics"
	"github.com/otelcallcenter/callcenterreceiver/internal/session"
	"github.com/otelcallcenter/callcenterreceiver/internal/state"
)

// openState restores what the storage extension kept from before a restart.
func (c *Core) openState(ctx context.Context, host component.Host) error {
	if c.cfg.Storage == nil {
		return nil
	}
	ext, ok := host.GetExtensions()[*c.cfg.Storage]
	if !ok {
		return fmt.Errorf("storage: no extension %s in the service's extensions", c.cfg.Storage)
	}
	se, ok := ext.(storage.Extension)
	if !ok {
		return fmt.Errorf("storage: %s is not a storage extension", c.cfg.Storage)
	}
	client, err := se.GetClient(ctx, c.set.Kind, c.set.Component.ID, "")
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	store, saved, err := state.Open(ctx, client)
	if err != nil {
		return errors.Join(err, client.Close(ctx))
	}
	now := c.now()
	for _, rec := range saved {
		c.dedup.Restore(rec.Dedup, now)
		c.sessions.Restore(rec.Sessions)
	}
	c.store = store
	restored, err := c.restoreMetrics(ctx, saved)
	if err != nil {
		c.store = nil
		return errors.Join(err, store.Close(ctx))
	}
	c.logger.Info("State restored", append([]zap.Field{zap.String("storage", c.cfg.Storage.String()),
		zap.Int("pushes", c.dedup.Len()), zap.Int("open_calls", c.sessions.Len())}, restored...)...)
	return nil
}

// restoreMetrics restores what the previous runs counted, and returns log fields that say what.
// Cumulative series continue from their saved totals and start time, with every observation
// journaled after the totals counted again: exporting a cumulative value again counts nothing
// twice, so the values are exact whatever the previous run exported before it died. State
// without totals (delta series, a version before totals, series of another shape) is replayed
// as before: what no accepted flush sent is counted again, into this run's series.
func (c *Core) restoreMetrics(ctx context.Context, saved []state.Record) ([]zap.Field, error) {
	totals, journaled := state.Resumable(saved)
	batches, last := state.Unflushed(saved)
	if c.aggregator == nil {
		if n := observations(batches); n > 0 || totals != nil {
			c.logger.Warn("Saved metrics dropped: no metrics pipeline uses this component", zap.Int("unflushed_observations", n))
		}
		return nil, nil
	}
	if totals != nil && c.aggregator.Cumulative() {
		err := c.aggregator.Resume(*totals, journaled)
		if err == nil {
			return []zap.Field{zap.Time("metrics_start", totals.Start), zap.Int("journaled_observations", observations(journaled))}, nil
		}
		c.logger.Warn("Saved metric totals not continued: the cumulative series start again", zap.Error(err))
	}
	c.aggregator.Replay(batches, last)
	restored := []zap.Field{zap.Int("unflushed_observations", observations(batches))}
	if !c.aggregator.Cumulative() {
		return restored, nil
	}
	// New cumulative series: their start time is saved before any flush exports them, so that
	// a restart continues them rather than starting others beside them.
	if err := c.Compact(ctx); err != nil {
		return nil, fmt.Errorf("storage: saving the start of the cumulative metrics: %w", err)
	}
	return restored, nil
}

func observations(batches []metrics.Batch) int {
	n := 0
	for _, b := range batches {
		n += len(b.Observations)
	}
	return n
}

// save appends a change to the stored state: the dedup entries given, what changed in the
// sessions since their previous change (session.Tracker.Journal) and the metric observations,
// as one record; then it counts the observations. Failing
// to save loses nothing now (the state is in memory); it only weakens what a restart remembers,
// so it is logged, not returned.
func (c *Core) save(ctx context.Context, entries []dedup.Entry, sessions []*session.Session, observations []metrics.Observation) {
	if c.store == nil {
		if len(observations) > 0 {
			c.aggregator.Add(observations...)
		}
		return
	}
	// The change is read and put in the journal's order as one step; its write is waited for
	// after, so that the changes of pushes waiting meanwhile are written together.
	c.saving.Lock()
	rec := state.Record{Dedup: entries, Sessions: c.snapshots(sessions)}
	var written func() error
	if len(observations) > 0 {
		written = c.aggregator.AddJournaled(observations, func(b metrics.Batch) func() error {
			rec.Metrics = []metrics.Batch{b}
			return c.store.Enqueue(ctx, rec)
		})
	} else {
		written = c.store.Enqueue(ctx, rec)
	}
	c.saving.Unlock()
	if err := written(); err != nil {
		c.logger.Warn("State not saved", zap.Error(err))
		// The journal lacks what this change added to its sessions: their next changes are
		// whole. (One taken meanwhile lacks it too, until then.)
		c.sessions.Unjournal(rec.Sessions)
	}
}

// markFlushed saves that a flush of delta series was accepted, so that a restart does not count
// again the observations it sent. A crash between the acceptance and this mark counts them
// twice: the window left for delta series, as short as one storage write. Cumulative series
// need no mark (Flushed reports none): their saved totals make a restart exact.
func (c *Core) markFlushed(number uint64) {
	c.saving.Lock()
	defer c.saving.Unlock()
	if !c.aggregator.Flushed(number) || c.store == nil {
		return
	}
	if err := c.store.Append(context.Background(), state.Record{Flushed: number}); err != nil {
		c.logger.Warn("Flushed metrics not marked: a restart would count them again", zap.Error(err))
	}
}

// snapshots are the changes of sessions for the journal (session.Tracker.Journal); those
// forgotten meanwhile are left out.
func (c *Core) snapshots(sessions []*session.Session) []session.Snapshot {
	var out []session.Snapshot
	for _, s := range sessions {
		if snap, ok := c.sessions.Journal(s.Key); ok {
			out = append(out, snap)
		}
	}
	return out
}

// Compact folds the journal into a snapshot of the whole state, the cumulative totals included.
// Pushes wait only while the state is taken, not while its frozen calls are thawed, nor while it
// is encoded and written: their changes go to the journal after its mark meanwhile. With 100000
// calls kept, taking it holds them up for tens of milliseconds, encoding it takes seconds
// (BenchmarkCompaction).
func (c *Core) Compact(ctx context.Context) error {
	c.compacting.Lock() // one at a time: an older snapshot never replaces a newer one
	defer c.compacting.Unlock()
	began := time.Now()
	all, sessions, mark := c.wholeState()
	if err := c.store.Compact(ctx, all, sessions, mark); err != nil {
		return err
	}
	c.logger.Debug("State compacted", zap.Int("snapshot_bytes", c.store.SnapshotBytes()), zap.Duration("took", time.Since(began)))
	return nil
}

// wholeState returns the whole state, its sessions to be made into snapshots without the locks,
// and the journal's mark it stands at. No change is appended meanwhile, and no push or sweep is
// between its first change and its save: the state is then exactly what the journal before the
// mark makes.
func (c *Core) wholeState() (state.Record, session.Exported, state.Mark) {
	c.unsaved.Lock()
	defer c.unsaved.Unlock()
	c.saving.Lock()
	defer c.saving.Unlock()
	all := state.Record{Dedup: c.dedup.Export(c.now())}
	sessions := c.sessions.Exporting()
	switch {
	case c.aggregator == nil:
	case c.aggregator.Cumulative():
		totals := c.aggregator.Totals()
		all.Cumulative = &totals
	default:
		all.Metrics, all.Flushed = c.aggregator.Unflushed()
	}
	return all, sessions, c.store.Mark()
}
