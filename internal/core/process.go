package core

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/otelcallcenter/callcenterreceiver/internal/attrs"
	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/dedup"
	"github.com/otelcallcenter/callcenterreceiver/internal/logs"
	"github.com/otelcallcenter/callcenterreceiver/internal/metadata"
	"github.com/otelcallcenter/callcenterreceiver/internal/metrics"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
	"github.com/otelcallcenter/callcenterreceiver/internal/session"
	"github.com/otelcallcenter/callcenterreceiver/internal/traces"
)

// item is one push on its way through the pipelines.
type item struct {
	push     *call.Push
	key      string       // its dedup key; "" when the vendor gives none
	done     dedup.Signal // accepted by an earlier request (a vendor retry)
	accepted dedup.Signal // accepted by this request
	change   *session.Change
	// spans are the settled spans of the push's session; eventSpan the key of the span its
	// event starts.
	spans     []traces.Span
	eventSpan string
}

func (it *item) needs(s dedup.Signal) bool { return !(it.done | it.accepted).Has(s) }

// Process emits the pushes of one request to every pipeline and returns nil only when all of
// them accepted. A push, or the part of it, that an earlier request already got accepted is not
// emitted again. The pushes carry their tenant (the shell applies the configured default).
func (c *Core) Process(ctx context.Context, p platform.Platform, pushes []call.Push) error {
	vendor, ok := c.set.Vendors[p.Name()]
	if !ok {
		return fmt.Errorf("platform %s is not served here", p.Name())
	}
	c.unsaved.RLock()
	defer c.unsaved.RUnlock()
	items, err := c.admit(p, pushes)
	// observations are what the pushes add to the metrics, saved with them and counted in finish.
	var observations []metrics.Observation
	defer func() { c.finish(ctx, vendor, items, observations) }()
	if err != nil {
		return err
	}
	if err := c.emitLogs(ctx, p.Name(), vendor, items); err != nil {
		return err
	}
	if err := c.emitTraces(ctx, p.Name(), items); err != nil {
		return err
	}
	// Metrics count a push once every other pipeline accepted it: a failed push counts on the
	// retry that succeeds. finish counts what is observed here, once it is saved.
	if c.aggregator != nil {
		for i := range items {
			if it := &items[i]; it.needs(dedup.Metrics) {
				observations = c.observe(observations, vendor, it.push, it.change)
				it.accepted |= dedup.Metrics
			}
		}
	}
	c.countWarnings(ctx, p.Name(), items)
	return nil
}

// admit protects the pushes' phone numbers, claims their dedup keys and applies the new ones to
// their sessions.
func (c *Core) admit(p platform.Platform, pushes []call.Push) ([]item, error) {
	items := make([]item, 0, len(pushes))
	for i := range pushes {
		push := &pushes[i]
		c.privacy.Apply(push, p.PhoneFields())
		var key string
		var done dedup.Signal
		if push.DedupKey != "" {
			key = p.Name() + "\x00" + push.Tenant + "\x00" + push.DedupKey
			var busy bool
			if done, busy = c.dedup.Begin(key, c.now()); busy {
				return items, ErrBusy
			}
		}
		items = append(items, item{push: push, key: key, done: done})
		it := &items[len(items)-1]
		if it.done.Has(c.signals) {
			c.duplicate(p.Name())
			continue // a retry of a push every pipeline accepted
		}
		if it.change = c.sessions.Apply(push); it.change != nil {
			if it.change.Retry {
				c.duplicate(p.Name())
				it.accepted = c.signals // a retry after its call ended: nothing new
				continue
			}
			if c.set.Traces != nil || c.set.Logs != nil { // the spans, and the links logs name
				it.spans, it.eventSpan = traces.Spans(it.change.Session, push.Arrival, c.cfg.Sessions.LateGrace, it.change.EventKey)
			}
		}
	}
	return items, nil
}

// emitLogs sends one log record per push the logs pipeline has not accepted yet, linked to the
// span of its call it belongs to.
func (c *Core) emitLogs(ctx context.Context, format string, vendor Vendor, items []item) error {
	if c.set.Logs == nil {
		return nil
	}
	var records []logs.Record
	for i := range items {
		if it := &items[i]; it.needs(dedup.Logs) {
			p := it.push
			rec := logs.Record{Push: p, Resource: resource(vendor, p), UID: it.recordUID()}
			rec.TraceID, rec.SpanID = traces.LogLink(p, it.change, it.eventSpan)
			records = append(records, rec)
		}
	}
	if len(records) == 0 {
		return nil
	}
	obs := c.set.Observer
	ctx = obs.StartLogsOp(ctx)
	ld, err := c.logsOut.Build(ctx, records)
	if err != nil {
		obs.EndLogsOp(ctx, format, len(records), err)
		return fmt.Errorf("%w: %w", ErrOperators, err)
	}
	n := ld.LogRecordCount()
	if n > 0 {
		err = c.set.Logs.ConsumeLogs(ctx, ld)
	}
	obs.EndLogsOp(ctx, format, n, err)
	if err != nil {
		return fmt.Errorf("the logs pipeline did not accept the push: %w", err)
	}
	for i := range items {
		if it := &items[i]; it.needs(dedup.Logs) { // the records built above
			it.accepted |= dedup.Logs
		}
	}
	return nil
}

// emitTraces sends the spans the pushes settled, and those of the sessions they evicted.
func (c *Core) emitTraces(ctx context.Context, format string, items []item) error {
	if c.set.Traces == nil {
		return nil
	}
	batch := traces.NewBatch(c.sessions, metadata.ScopeName)
	for i := range items {
		it := &items[i]
		if !it.needs(dedup.Traces) || it.change == nil {
			continue
		}
		c.addSpans(batch, it.change.Session, it.spans)
		for _, closed := range it.change.Closed { // sessions evicted to make room
			spans, _ := traces.Spans(closed, it.push.Arrival, c.cfg.Sessions.LateGrace, "")
			c.addSpans(batch, closed, spans)
		}
	}
	if err := c.sendTraces(ctx, format, batch); err != nil {
		return fmt.Errorf("the traces pipeline did not accept the push: %w", err)
	}
	for i := range items {
		if it := &items[i]; it.needs(dedup.Traces) { // those sent above
			it.accepted |= dedup.Traces
		}
	}
	return nil
}

func (c *Core) addSpans(batch *traces.Batch, s *session.Session, spans []traces.Span) {
	if res, ok := c.resourceOf(s.Key); ok {
		batch.Add(res, s, spans)
	}
}

// sendTraces sends a batch; a refused batch gives back its claims.
func (c *Core) sendTraces(ctx context.Context, format string, batch *traces.Batch) error {
	n := batch.SpanCount()
	if n == 0 {
		return nil
	}
	ctx = c.set.Observer.StartTracesOp(ctx)
	err := c.set.Traces.ConsumeTraces(ctx, batch.Traces())
	c.set.Observer.EndTracesOp(ctx, format, n, err)
	if err != nil {
		batch.Release()
	}
	return err
}

// completedCall is the claim that a session's completed call was counted.
const completedCall = "metrics:call"

// observe appends what a push adds to the metrics to out.
func (c *Core) observe(out []metrics.Observation, vendor Vendor, p *call.Push, ch *session.Change) []metrics.Observation {
	res := resource(vendor, p)
	switch {
	case p.Kind == call.KindRecording || p.Kind == call.KindVoicemail:
		out = append(out, metrics.Observation{Resource: res, Recording: p.Kind})
	case p.Event != nil:
		kind := call.KindCallEvent
		if p.Kind == call.KindAgentEvent {
			kind = call.KindAgentEvent
		}
		out = append(out, metrics.Observation{Resource: res, EventKind: kind, EventType: p.Event.Type})
	}
	if ch == nil || ch.Session.Key.IsAgent() {
		return out
	}
	// A call is counted once, when it completes, whichever push completes it. A call assembled
	// from events (UinCall: no final record) waits for its late pushes (observeSettled).
	if ch.Session.Record != nil || c.cfg.Sessions.LateGrace == 0 {
		out = c.observeCall(out, res, ch.Session)
	}
	return out
}

// observeCall adds a session's call to the observations if it ended and was not counted yet.
func (c *Core) observeCall(out []metrics.Observation, res attrs.Resource, s *session.Session) []metrics.Observation {
	if completed, ended := s.Completed(); ended && len(c.sessions.Claim(s.Key, []string{completedCall})) > 0 {
		out = append(out, metrics.CallObservation(res, &completed))
	}
	return out
}

// observeSettled observes the calls assembled from events whose grace for late pushes is over:
// a push after the hang-up is new information for a vendor without retries (UinCall), and may
// still correct the call until then.
func (c *Core) observeSettled(settled []*session.Session) []metrics.Observation {
	if c.aggregator == nil {
		return nil
	}
	var out []metrics.Observation
	for _, s := range settled {
		res, ok := c.resourceOf(s.Key)
		if !ok || s.Key.IsAgent() || s.Record != nil {
			continue
		}
		out = c.observeCall(out, res, s)
	}
	return out
}

// recordUID is the log.record.uid of the push's log record: from the vendor's identity of the
// push when it has one, so that a retry after a crash carries its original's; else from the
// event's place in its session; else from its arrival.
func (it *item) recordUID() string {
	p := it.push
	switch {
	case p.DedupKey != "":
		return logs.PushUID(p.Vendor, p.Tenant, p.DedupKey)
	case it.change != nil && it.change.EventKey != "":
		return logs.EventUID(p.Vendor, p.Tenant, it.change.Session.Key.ID, it.change.EventKey)
	default:
		return logs.ArrivalUID(p.Vendor, p.Tenant, p.Arrival, p.Payload)
	}
}

// countWarnings counts the unreadable fields of the pushes this request got accepted; a retry of
// a push accepted before was counted then.
func (c *Core) countWarnings(ctx context.Context, vendor string, items []item) {
	var n int64
	for i := range items {
		it := &items[i]
		retry := it.done.Has(c.signals) || (it.change != nil && it.change.Retry)
		if it.accepted != 0 && !retry {
			n += int64(len(it.push.Warnings))
		}
	}
	if n > 0 && c.set.Telemetry != nil {
		c.set.Telemetry.ReceiverCallcenterDecodeWarnings.Add(ctx, n, metric.WithAttributeSet(vendorAttr(vendor)))
	}
}

func (c *Core) duplicate(vendor string) {
	if c.set.Telemetry != nil {
		c.set.Telemetry.ReceiverCallcenterDuplicatePushes.Add(context.Background(), 1, metric.WithAttributeSet(vendorAttr(vendor)))
	}
}

// finish releases the pushes' dedup keys with what was accepted, and saves what changed, with
// the metric observations, before the vendor gets its reply, so that a restart remembers it.
func (c *Core) finish(ctx context.Context, vendor Vendor, items []item, observations []metrics.Observation) {
	stored := c.store != nil // what changed is gathered only to be saved
	var entries []dedup.Entry
	var touched []*session.Session
	now := c.now()
	for i := range items {
		it := &items[i]
		if it.key != "" {
			if e, kept := c.dedup.End(it.key, it.accepted, now, vendor.DedupWindow); kept && stored {
				entries = append(entries, e)
			}
		}
		if it.change == nil || it.accepted == 0 {
			continue
		}
		if p := it.push; p.Event != nil && (it.done | it.accepted).Has(c.signals) {
			c.sessions.Claim(it.change.Session.Key, []string{session.AcceptedEvent(p)})
		}
		if stored {
			touched = append(touched, it.change.Session)
			touched = append(touched, it.change.Closed...)
		}
	}
	if stored {
		ctx = context.WithoutCancel(ctx) // the reply deadline does not cut the save short
	}
	c.save(ctx, entries, touched, observations)
}

// vendorAttr is the attribute set of the per-vendor self-observability counters.
func vendorAttr(name string) attribute.Set {
	return attribute.NewSet(attribute.String(attrs.Vendor, name))
}
