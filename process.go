package callcenterreceiver // import "github.com/otelcallcenter/callcenterreceiver"

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/dedup"
	"github.com/otelcallcenter/callcenterreceiver/internal/logs"
	"github.com/otelcallcenter/callcenterreceiver/internal/metadata"
	"github.com/otelcallcenter/callcenterreceiver/internal/metrics"
	"github.com/otelcallcenter/callcenterreceiver/internal/session"
	"github.com/otelcallcenter/callcenterreceiver/internal/traces"
	"github.com/otelcallcenter/callcenterreceiver/internal/vendor"
	"github.com/otelcallcenter/callcenterreceiver/internal/webhook"
)

// item is one push on its way through the pipelines.
type item struct {
	push     *call.Push
	key      string       // its dedup key; "" when the vendor gives none
	done     dedup.Signal // accepted by an earlier request (a vendor retry)
	accepted dedup.Signal // accepted by this request
	change   *session.Change
	// spans are the settled spans of the push's session; byEvent the span each event starts.
	spans   []traces.Span
	byEvent map[string]string
	// observations are what the push adds to the metrics, saved with it and counted in finish.
	observations []metrics.Observation
}

func (it *item) needs(s dedup.Signal) bool { return !(it.done | it.accepted).Has(s) }

// Process implements webhook.Processor: it emits the pushes of one request to every pipeline
// and returns nil only when all of them accepted. A push, or the part of it, that an earlier
// request already got accepted is not emitted again.
func (r *callcenterReceiver) Process(ctx context.Context, v vendor.Vendor, pushes []call.Push) error {
	vc := r.vendors[v.Name()]
	items, err := r.admit(v, vc, pushes)
	defer r.finish(ctx, vc, items)
	if err != nil {
		return err
	}
	if err := r.emitLogs(ctx, v.Name(), vc, items); err != nil {
		return err
	}
	if err := r.emitTraces(ctx, v.Name(), vc, items); err != nil {
		return err
	}
	// Metrics count a push once every other pipeline accepted it: a failed push counts on the
	// retry that succeeds. finish counts what is observed here, once it is saved.
	if r.aggregator != nil {
		for _, it := range items {
			if it.needs(dedup.Metrics) {
				it.observations = r.observe(vc, it.push, it.change)
				it.accepted |= dedup.Metrics
			}
		}
	}
	r.countWarnings(ctx, v, items)
	return nil
}

// countWarnings counts the unreadable fields of the pushes this request got accepted; a retry of
// a push accepted before was counted then.
func (r *callcenterReceiver) countWarnings(ctx context.Context, v vendor.Vendor, items []*item) {
	var n int64
	for _, it := range items {
		retry := it.done.Has(r.signals) || (it.change != nil && it.change.Retry)
		if it.accepted != 0 && !retry {
			n += int64(len(it.push.Warnings))
		}
	}
	if n > 0 {
		r.telemetry.ReceiverCallcenterDecodeWarnings.Add(ctx, n, metric.WithAttributeSet(vendorAttr(v.Name())))
	}
}

func (r *callcenterReceiver) duplicate(v vendor.Vendor) {
	r.telemetry.ReceiverCallcenterDuplicatePushes.Add(context.Background(), 1, metric.WithAttributeSet(vendorAttr(v.Name())))
}

// finish releases the pushes' dedup keys with what was accepted, and saves what changed, with
// the metric observations, before the vendor gets its reply, so that a restart remembers it.
func (r *callcenterReceiver) finish(ctx context.Context, vc *VendorConfig, items []*item) {
	var entries []dedup.Entry
	var touched []*session.Session
	var observations []metrics.Observation
	now := r.now()
	for _, it := range items {
		observations = append(observations, it.observations...)
		if it.key != "" {
			if e := r.dedup.End(it.key, it.accepted, now, vc.DedupWindow); e != nil {
				entries = append(entries, *e)
			}
		}
		if it.change == nil || it.accepted == 0 {
			continue
		}
		if p := it.push; p.Event != nil && (it.done | it.accepted).Has(r.signals) {
			r.sessions.Claim(it.change.Session.Key, []string{session.AcceptedEvent(p)})
		}
		touched = append(touched, it.change.Session)
		touched = append(touched, it.change.Closed...)
	}
	r.save(context.WithoutCancel(ctx), entries, touched, observations)
}

// snapshots are the current states of sessions, for saving; those forgotten meanwhile are left
// out.
func (r *callcenterReceiver) snapshots(sessions []*session.Session) []session.Snapshot {
	var out []session.Snapshot
	for _, s := range sessions {
		if snap, ok := r.sessions.Snapshot(s.Key); ok {
			out = append(out, snap)
		}
	}
	return out
}

// admit claims the pushes' dedup keys and applies the new ones to their sessions.
func (r *callcenterReceiver) admit(v vendor.Vendor, vc *VendorConfig, pushes []call.Push) ([]*item, error) {
	var items []*item
	for i := range pushes {
		p := &pushes[i]
		if p.Tenant == "" {
			p.Tenant = vc.Tenant
		}
		r.privacy.Apply(p, v.PhoneFields())
		it := &item{push: p}
		if p.DedupKey != "" {
			key := v.Name() + "\x00" + p.Tenant + "\x00" + p.DedupKey
			done, busy := r.dedup.Begin(key, r.now())
			if busy {
				return items, &webhook.Error{Status: http.StatusServiceUnavailable, Err: errors.New("the same push is being processed; retry later")}
			}
			it.key, it.done = key, done
		}
		items = append(items, it)
		if it.done.Has(r.signals) {
			r.duplicate(v)
			continue // a retry of a push every pipeline accepted
		}
		if it.change = r.sessions.Apply(p); it.change != nil {
			if it.change.Retry {
				r.duplicate(v)
				it.accepted = r.signals // a retry after its call ended: nothing new
				continue
			}
			it.spans, it.byEvent = traces.Spans(it.change.Session, p.Arrival, r.cfg.Sessions.LateGrace)
		}
	}
	return items, nil
}

func (r *callcenterReceiver) emitLogs(ctx context.Context, format string, vc *VendorConfig, items []*item) error {
	if r.logs == nil {
		return nil
	}
	var records []logs.Record
	var logged []*item
	for _, it := range items {
		if it.needs(dedup.Logs) {
			rec := logs.Record{Push: it.push, ServiceName: vc.ServiceName, UID: it.recordUID()}
			rec.TraceID, rec.SpanID = it.traceContext()
			records = append(records, rec)
			logged = append(logged, it)
		}
	}
	if len(records) == 0 {
		return nil
	}
	ctx = r.obsrecv.StartLogsOp(ctx)
	ld, err := r.logsOut.Build(ctx, records)
	if err != nil {
		r.obsrecv.EndLogsOp(ctx, format, len(records), err)
		return &webhook.Error{Status: http.StatusInternalServerError, Err: fmt.Errorf("operators failed: %w", err)}
	}
	n := ld.LogRecordCount()
	if n > 0 {
		err = r.logs.ConsumeLogs(ctx, ld)
	}
	r.obsrecv.EndLogsOp(ctx, format, n, err)
	if err != nil {
		return fmt.Errorf("the logs pipeline did not accept the push: %w", err)
	}
	for _, it := range logged {
		it.accepted |= dedup.Logs
	}
	return nil
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

// traceContext is the trace and span a push's log record belongs to: the phase its event starts,
// or the call's root; none for pushes outside any call.
func (it *item) traceContext() (traceID, spanID []byte) {
	p := it.push
	if it.change != nil && !traces.HasTrace(it.change.Session) {
		return nil, nil // a record that says nothing of when its call happened has no spans
	}
	key, ok := session.KeyOf(p)
	if it.change != nil {
		key, ok = it.change.Session.Key, true // a transfer's segment is in its call's trace
	}
	if !ok {
		if p.Call.SessionID == "" {
			return nil, nil
		}
		key = session.Key{Vendor: p.Vendor, Tenant: p.Tenant, ID: p.Call.SessionID} // recordings
	}
	spanKey := traces.RootKey
	if p.Event != nil && it.byEvent != nil {
		if k, ok := it.byEvent[it.change.EventKey]; ok {
			spanKey = k
		}
	}
	trace := traces.TraceID(key.Vendor, key.Tenant, key.ID)
	span := traces.SpanID(trace, spanKey)
	return trace[:], span[:]
}

// claim is what one session claimed to send.
type claim struct {
	key  session.Key
	keys []string
}

func (r *callcenterReceiver) emitTraces(ctx context.Context, format string, vc *VendorConfig, items []*item) error {
	if r.traces == nil {
		return nil
	}
	td := ptrace.NewTraces()
	var claims []claim
	var sent []*item
	for _, it := range items {
		if !it.needs(dedup.Traces) {
			continue
		}
		sent = append(sent, it)
		if it.change == nil {
			continue
		}
		claims = append(claims, r.appendSpans(td, vc, it.change.Session, it.spans))
		for _, closed := range it.change.Closed { // sessions evicted to make room
			spans, _ := traces.Spans(closed, it.push.Arrival, r.cfg.Sessions.LateGrace)
			claims = append(claims, r.appendSpans(td, r.vendors[closed.Key.Vendor], closed, spans))
		}
	}
	if err := r.sendTraces(ctx, format, td); err != nil {
		for _, c := range claims {
			r.sessions.Release(c.key, c.keys)
		}
		return fmt.Errorf("the traces pipeline did not accept the push: %w", err)
	}
	for _, it := range sent {
		it.accepted |= dedup.Traces
	}
	return nil
}

// appendSpans adds the spans of a session not sent yet, and claims them.
func (r *callcenterReceiver) appendSpans(td ptrace.Traces, vc *VendorConfig, s *session.Session, spans []traces.Span) claim {
	fresh := r.sessions.Claim(s.Key, traces.Keys(spans))
	c := claim{key: s.Key, keys: fresh}
	if len(fresh) == 0 || vc == nil {
		return c
	}
	want := make(map[string]bool, len(fresh))
	for _, k := range fresh {
		want[k] = true
	}
	var out []traces.Span
	for _, sp := range spans {
		if want[sp.Key] {
			out = append(out, sp)
		}
	}
	res := traces.Resource{ServiceName: vc.ServiceName, Vendor: s.Key.Vendor, Tenant: s.Key.Tenant}
	traces.AppendTo(td, res, metadata.ScopeName, s.Key, out)
	return c
}

func (r *callcenterReceiver) sendTraces(ctx context.Context, format string, td ptrace.Traces) error {
	n := td.SpanCount()
	if n == 0 {
		return nil
	}
	ctx = r.obsrecv.StartTracesOp(ctx)
	err := r.traces.ConsumeTraces(ctx, td)
	r.obsrecv.EndTracesOp(ctx, format, n, err)
	return err
}

// completedCall is the claim that a session's completed call was counted.
const completedCall = "metrics:call"

// observe returns what a push adds to the metrics.
func (r *callcenterReceiver) observe(vc *VendorConfig, p *call.Push, ch *session.Change) []metrics.Observation {
	res := metrics.Resource{ServiceName: vc.ServiceName, Vendor: p.Vendor, Tenant: p.Tenant}
	var out []metrics.Observation
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
	// from events (UinCall: no final record) waits for its late pushes (countSettled).
	if ch.Session.Record != nil || r.cfg.Sessions.LateGrace == 0 {
		out = r.observeCall(out, res, ch.Session)
	}
	return out
}

// observeCall adds a session's call to the observations if it ended and was not counted yet.
func (r *callcenterReceiver) observeCall(out []metrics.Observation, res metrics.Resource, s *session.Session) []metrics.Observation {
	if c, ended := s.Completed(); ended && len(r.sessions.Claim(s.Key, []string{completedCall})) > 0 {
		out = append(out, metrics.CallObservation(res, &c))
	}
	return out
}

// countSettled observes the calls assembled from events whose grace for late pushes is over: a
// push after the hang-up is new information for a vendor without retries (UinCall), and may
// still correct the call until then.
func (r *callcenterReceiver) countSettled(settled []*session.Session) []metrics.Observation {
	if r.aggregator == nil {
		return nil
	}
	var out []metrics.Observation
	for _, s := range settled {
		vc, ok := r.vendors[s.Key.Vendor]
		if !ok || s.Key.IsAgent() || s.Record != nil {
			continue
		}
		out = r.observeCall(out, metrics.Resource{ServiceName: vc.ServiceName, Vendor: s.Key.Vendor, Tenant: s.Key.Tenant}, s)
	}
	return out
}

// closeSessions sends what is left of closed sessions: the spans of those closed idle (the root
// marked incomplete), and of those whose grace for late pushes ran out (or is cut short: grace
// 0). It returns those whose spans the pipeline did not accept.
func (r *callcenterReceiver) closeSessions(ctx context.Context, now time.Time, closed []*session.Session, grace time.Duration) []*session.Session {
	if r.traces == nil || len(closed) == 0 {
		return nil
	}
	td := ptrace.NewTraces()
	var claims []claim
	for _, s := range closed {
		spans, _ := traces.Spans(s, now, grace)
		claims = append(claims, r.appendSpans(td, r.vendors[s.Key.Vendor], s, spans))
	}
	if err := r.sendTraces(ctx, metadata.Type.String(), td); err != nil {
		for _, c := range claims {
			r.sessions.Release(c.key, c.keys)
		}
		return closed
	}
	return nil
}

// Refused implements webhook.Processor: a push that never reached the pipeline counts as one
// refused log record.
func (r *callcenterReceiver) Refused(ctx context.Context, v vendor.Vendor, _ int, err error) {
	ctx = r.obsrecv.StartLogsOp(ctx)
	r.obsrecv.EndLogsOp(ctx, v.Name(), 1, err)
}

// AuthFailed implements webhook.Processor.
func (r *callcenterReceiver) AuthFailed(ctx context.Context, v vendor.Vendor) {
	r.telemetry.ReceiverCallcenterAuthFailures.Add(ctx, 1, metric.WithAttributeSet(vendorAttr(v.Name())))
}

func vendorAttr(name string) attribute.Set {
	return attribute.NewSet(attribute.String("callcenter.vendor", name))
}
