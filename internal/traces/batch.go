package traces

import (
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcallcenter/callcenterreceiver/internal/attrs"
	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/session"
)

// Claims remembers which spans of each session were sent: the session tracker. A span is
// claimed before it is sent, so that two requests never send it both, and released when the
// pipeline refused it, so that a retry or the next sweep sends it.
type Claims interface {
	Claim(key session.Key, items []string) []string
	Release(key session.Key, items []string)
}

// Batch is the spans of one send to the traces pipeline, with the claims they took.
type Batch struct {
	claims  Claims
	scope   string
	td      ptrace.Traces
	claimed []claimed
}

// claimed is what one session claimed.
type claimed struct {
	key  session.Key
	keys []string
}

// NewBatch returns an empty batch whose spans carry the instrumentation scope name.
func NewBatch(claims Claims, scope string) *Batch {
	return &Batch{claims: claims, scope: scope, td: ptrace.NewTraces()}
}

// Add claims the spans of a session that were not sent yet and adds them under res. Only those
// become pdata: most of the spans a push settles were sent by an earlier push.
func (b *Batch) Add(res attrs.Resource, s *session.Session, spans []Span) {
	fresh := b.claims.Claim(s.Key, Keys(spans))
	if len(fresh) == 0 {
		return
	}
	b.claimed = append(b.claimed, claimed{key: s.Key, keys: fresh})
	var only []string
	if len(fresh) < len(spans) {
		only = fresh // claims keep the order of the keys: all fresh when as many
	}
	appendTo(b.td, res, b.scope, s.Key, spans, only)
}

// Traces returns the batch's spans.
func (b *Batch) Traces() ptrace.Traces { return b.td }

// SpanCount is the number of spans in the batch.
func (b *Batch) SpanCount() int { return b.td.SpanCount() }

// Release gives back the batch's claims: the pipeline did not accept its spans.
func (b *Batch) Release() {
	for _, c := range b.claimed {
		b.claims.Release(c.key, c.keys)
	}
	b.claimed = nil
}

// LogLink is the trace and span a push's log record belongs to: the span its event starts
// (eventSpan, from Spans of ch.EventKey), else the call's root; none for a push outside any call,
// or whose call has no trace. ch is what the push changed in its session; nil for pushes outside
// sessions.
func LogLink(p *call.Push, ch *session.Change, eventSpan string) (traceID, spanID []byte) {
	if ch != nil && !HasTrace(ch.Session) {
		return nil, nil // a record that says nothing of when its call happened has no spans
	}
	key, ok := session.KeyOf(p)
	if ch != nil {
		key, ok = ch.Session.Key, true // a transfer's segment is in its call's trace
	}
	if !ok {
		if p.Call.SessionID == "" {
			return nil, nil
		}
		key = session.Key{Vendor: p.Vendor, Tenant: p.Tenant, ID: p.Call.SessionID} // recordings
	}
	spanKey := RootKey
	if p.Event != nil && eventSpan != "" {
		spanKey = eventSpan
	}
	trace := TraceID(key.Vendor, key.Tenant, key.ID)
	span := SpanID(trace, spanKey)
	return trace[:], span[:]
}

// RoutingID is the trace ID that sends every push of a call to the same collector of an
// assembly tier, decided from the push alone. It is the call's trace ID, except for a call
// that arrives as several segments (Udesk conversations sharing a call_id, joined by a
// transfer): there it is derived from what the segments share, since which session a segment
// joins is only known where the earlier segments are. Pushes of no call (recordings without a
// session, UinCall's dial request) route by what identifies them, else by their body's hash.
func RoutingID(p *call.Push, fallback string) (id [16]byte, from string) {
	key, ok := session.KeyOf(p)
	switch {
	case p.Segment != nil && p.Segment.Group != "":
		key = session.Key{Vendor: p.Vendor, Tenant: p.Tenant, ID: "group/" + p.Segment.Group}
	case !ok && p.Call.SessionID != "":
		key = session.Key{Vendor: p.Vendor, Tenant: p.Tenant, ID: p.Call.SessionID}
	case !ok:
		key = session.Key{Vendor: p.Vendor, Tenant: p.Tenant, ID: "push/" + fallback}
	}
	return TraceID(key.Vendor, key.Tenant, key.ID), key.ID
}
