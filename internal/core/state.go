package core

import (
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.uber.org/zap"

	"github.com/otelcallcenter/callcenterreceiver/internal/dedup"
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
	c.logger.Info("State restored", zap.String("storage", c.cfg.Storage.String()),
		zap.Int("pushes", c.dedup.Len()), zap.Int("open_calls", c.sessions.Len()))
	return nil
}

// save appends a change to the stored state: the dedup entries given and the current state of
// the sessions. Failing to save loses nothing now (the state is in memory); it only weakens what
// a restart remembers, so it is logged, not returned.
func (c *Core) save(ctx context.Context, entries []dedup.Entry, sessions []*session.Session) {
	if c.store == nil {
		return
	}
	c.saving.Lock()
	defer c.saving.Unlock()
	rec := state.Record{Dedup: entries, Sessions: c.snapshots(sessions)}
	if err := c.store.Append(ctx, rec); err != nil {
		c.logger.Warn("State not saved", zap.Error(err))
	}
}

// snapshots are the current states of sessions, for saving; those forgotten meanwhile are left
// out.
func (c *Core) snapshots(sessions []*session.Session) []session.Snapshot {
	var out []session.Snapshot
	for _, s := range sessions {
		if snap, ok := c.sessions.Snapshot(s.Key); ok {
			out = append(out, snap)
		}
	}
	return out
}

// compactEvery is how many saved changes are folded into a snapshot at a time.
const compactEvery = 1000

// Compact folds the journal into a snapshot of the whole state. No change is appended meanwhile:
// one appended after the export would be deleted with the journal without being in the snapshot.
func (c *Core) Compact(ctx context.Context) error {
	c.saving.Lock()
	defer c.saving.Unlock()
	return c.store.Compact(ctx, state.Record{Dedup: c.dedup.Export(c.now()), Sessions: c.sessions.Export()})
}
