package core

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.uber.org/zap"

	"github.com/otelcallcenter/callcenterreceiver/internal/metadata"
	"github.com/otelcallcenter/callcenterreceiver/internal/session"
	"github.com/otelcallcenter/callcenterreceiver/internal/traces"
)

// every runs f at the interval until Shutdown.
func (c *Core) every(interval time.Duration, f func()) { c.everyOr(interval, f, nil, nil) }

// everyOr runs onTick at the interval, and onWake whenever wake says, until Shutdown: on one
// goroutine, so that the two never run at once.
func (c *Core) everyOr(interval time.Duration, onTick func(), wake <-chan struct{}, onWake func()) {
	c.background.Add(1)
	go func() {
		defer c.background.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				onTick()
			case <-wake: // a nil wake never says
				onWake()
			case <-c.stop:
				return
			}
		}
	}()
}

// sweeps runs the sweep of sessions at its interval, and settles the calls cut short (dropped
// for room before their grace ran out) as soon as there are some, and again at each sweep while
// the pipeline refuses them.
func (c *Core) sweeps() {
	sweep := c.sweepSessions()
	c.everyOr(c.sweepInterval(), func() { sweep(); c.settleCutShort() }, c.sessions.CutShort(), c.settleCutShort)
}

// settleCutShort sends what the calls cut short hold back, their grace cut short as a shutdown
// cuts it, and counts those assembled from events: the bound on the calls kept (max_open) must
// not lose a call's root or its count.
func (c *Core) settleCutShort() {
	cut := c.sessions.TakeCutShort()
	if len(cut.Sessions) == 0 {
		return
	}
	now := c.now()
	ctx, cancel := context.WithTimeout(context.Background(), c.sweepInterval())
	defer cancel()
	c.unsaved.RLock()
	unsent := c.settle(ctx, now, cut.Sessions, cut.Sessions, 0)
	c.unsaved.RUnlock()
	if len(unsent) == 0 { // closeSessions sends them in one batch: all or none
		c.sessions.EndCutShort(cut)
	}
}

// sweepInterval keeps idle sessions and late-push grace within a tenth and a half of their time.
func (c *Core) sweepInterval() time.Duration {
	interval := c.cfg.Sessions.IdleTimeout / 10
	if g := c.cfg.Sessions.LateGrace / 2; g > 0 && g < interval {
		interval = g
	}
	return max(interval, 100*time.Millisecond)
}

// sweepSessions returns the sweep of sessions: those idle are closed, those past their grace
// finished; what the pipeline refuses is sent again at the next sweep.
func (c *Core) sweepSessions() func() {
	var unsent []*session.Session
	return func() {
		now := c.now()
		ctx, cancel := context.WithTimeout(context.Background(), c.sweepInterval())
		defer cancel()
		c.unsaved.RLock()
		timedOut, ripe := c.sessions.Sweep(now, c.cfg.Sessions.LateGrace)
		unsent = c.settle(ctx, now, ripe, slices.Concat(unsent, timedOut, ripe), c.cfg.Sessions.LateGrace)
		c.unsaved.RUnlock()
		if c.store != nil && c.store.Due() {
			if err := c.Compact(ctx); err != nil {
				c.logger.Warn("State not compacted", zap.Error(err))
			}
		}
	}
}

// settleSessions sends the spans the calls that ended recently still hold back for late pushes:
// a shutdown cuts their grace short rather than leave them to a restart that may not come.
func (c *Core) settleSessions(ctx context.Context) error {
	c.unsaved.RLock()
	defer c.unsaved.RUnlock()
	settling := c.sessions.Settling(c.cfg.Sessions.LateGrace)
	if c.store == nil {
		// Nothing keeps the calls in progress for a restart: send what is known of them, cut
		// short, so that every span their pushes' log records name exists.
		settling = append(settling, c.sessions.CloseOpen(c.now())...)
	}
	unsent := c.settle(ctx, c.now(), settling, settling, 0)
	if len(unsent) > 0 {
		return fmt.Errorf("the traces pipeline did not accept the spans of %d calls that ended within late_grace", len(unsent))
	}
	return nil
}

// settle counts the calls assembled from events among those whose grace is over (ended), sends
// what the closed sessions still hold back (closeSessions) and saves both together; it returns
// the sessions whose spans the pipeline did not accept.
func (c *Core) settle(ctx context.Context, now time.Time, ended, closed []*session.Session, grace time.Duration) []*session.Session {
	observations := c.observeSettled(ended)
	unsent := c.closeSessions(ctx, now, closed, grace)
	c.save(ctx, nil, closed, observations)
	return unsent
}

// closeSessions sends what is left of closed sessions: the spans of those closed idle (the root
// marked incomplete), and of those whose grace for late pushes ran out (or is cut short: grace
// 0). It returns those whose spans the pipeline did not accept.
func (c *Core) closeSessions(ctx context.Context, now time.Time, closed []*session.Session, grace time.Duration) []*session.Session {
	if c.set.Traces == nil || len(closed) == 0 {
		return nil
	}
	batch := traces.NewBatch(c.sessions, metadata.ScopeName)
	for _, s := range closed {
		spans, _ := traces.Spans(s, now, grace, "")
		c.addSpans(batch, s, spans)
	}
	if err := c.sendTraces(ctx, metadata.Type.String(), batch); err != nil {
		return closed
	}
	return nil
}

// Flush sends what was aggregated; a refused flush is carried into the next one.
func (c *Core) Flush(ctx context.Context) error {
	md, pending := c.aggregator.Flush(c.now())
	n := md.DataPointCount()
	if n == 0 {
		return nil
	}
	ctx = c.set.Observer.StartMetricsOp(ctx)
	err := c.set.Metrics.ConsumeMetrics(ctx, md)
	c.set.Observer.EndMetricsOp(ctx, metadata.Type.String(), n, err)
	if err != nil {
		c.aggregator.Restore(pending)
		c.logger.Warn("Metrics not accepted; they are sent again with the next flush", zap.Error(err))
		return err
	}
	c.markFlushed(pending.Number())
	return nil
}

// lastFlush sends what was counted since the last flush before shutting down; there is no next
// flush to carry a refused one, so it tries again while the shutdown allows. Each try runs under
// the shutdown's context: an exporter retrying a backend that is down does not hold it up.
func (c *Core) lastFlush(ctx context.Context) error {
	var err error
	for attempt := range 3 {
		if err = c.Flush(ctx); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt+1) * 100 * time.Millisecond):
		}
	}
	return err
}
