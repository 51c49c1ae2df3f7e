// Package logs turns pushes into log records: one record per push, the vendor's payload whole
// in the body, the call model in callcenter.* attributes, stamped with when it happened.
package logs

import (
	"cmp"
	"context"
	"sync/atomic"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/adapter"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/entry"

	"github.com/otelcallcenter/callcenterreceiver/internal/attrs"
	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/operators"
)

// Record is one push with what the receiver knows beyond the push itself.
type Record struct {
	Push     *call.Push
	Resource attrs.Resource
	// TraceID and SpanID link the record to the span of the call it belongs to; nil when none.
	TraceID []byte
	SpanID  []byte
	// UID is the record's log.record.uid: the same for every copy of one push (PushUID).
	UID string
}

// Builder builds log records and runs the configured operators on them.
type Builder struct {
	scope     string
	operators *operators.Runner // nil when none are configured
	// sizes are the most attributes a record of each kind of push had, its attribute map's
	// size from then on: a call record has about 40, a recording notice about 12.
	sizes [len(kinds) + 1]atomic.Int32
}

// kinds are the kinds of push whose records are sized apart; the others share the last size.
var kinds = [...]call.Kind{call.KindCallRecord, call.KindRecording, call.KindVoicemail, call.KindCallEvent, call.KindAgentEvent}

// size is where the size of p's records is kept.
func (b *Builder) size(k call.Kind) *atomic.Int32 {
	i := 0
	for i < len(kinds) && kinds[i] != k {
		i++
	}
	return &b.sizes[i]
}

// NewBuilder returns a builder whose records carry the given instrumentation scope name.
func NewBuilder(scope string, ops *operators.Runner) *Builder {
	return &Builder{scope: scope, operators: ops}
}

// Build returns the log records of the pushes, after the operators. An operator error is
// returned with the records the operators still emitted. Without operators, the records take
// the pushes' payloads (call.Push.Payload).
func (b *Builder) Build(ctx context.Context, records []Record) (plog.Logs, error) {
	if b.operators == nil {
		return b.direct(records), nil
	}
	entries := make([]*entry.Entry, 0, len(records))
	for _, r := range records {
		entries = append(entries, b.entry(r))
	}
	var err error
	if b.operators != nil {
		entries, err = b.operators.Process(ctx, entries)
	}
	return adapter.ConvertEntries(entries), err
}

// direct builds the records without operators straight into pdata, as adapter.ConvertEntries
// would from their entries: records grouped by resource in order of first appearance, one scope.
// Stanza's entries and their conversion were a fifth of a push's CPU.
func (b *Builder) direct(records []Record) plog.Logs {
	ld := plog.NewLogs()
	byResource := map[attrs.Resource]plog.LogRecordSlice{}
	for _, r := range records {
		out, ok := byResource[r.Resource]
		if !ok {
			rl := ld.ResourceLogs().AppendEmpty()
			res := rl.Resource().Attributes()
			res.EnsureCapacity(3)
			r.Resource.Put(&attrs.Pdata{Map: res})
			sl := rl.ScopeLogs().AppendEmpty()
			sl.Scope().SetName(b.scope)
			out = sl.LogRecords()
			byResource[r.Resource] = out
		}
		b.record(r, out.AppendEmpty())
	}
	return ld
}

// record fills one log record as adapter.ConvertEntries fills it from b.entry(r).
func (b *Builder) record(r Record, dest plog.LogRecord) {
	p := r.Push
	if when := p.When(); !when.IsZero() {
		dest.SetTimestamp(pcommon.NewTimestampFromTime(when))
	}
	dest.SetObservedTimestamp(pcommon.NewTimestampFromTime(p.Arrival))
	dest.SetSeverityNumber(plog.SeverityNumberInfo)
	dest.SetSeverityText("INFO")
	// Straight into the record's map: a plain map converted by FromRaw was most of a record's
	// allocations. pcommon.Map's puts replace a key put before, as the plain map's do.
	attributes := &attrs.Pdata{Map: dest.Attributes()}
	size := b.size(p.Kind)
	learned := int(size.Load())
	attributes.EnsureCapacity(cmp.Or(learned, attrs.PushAttributes))
	attrs.PutPush(attributes, p)
	if r.UID != "" {
		attributes.PutStr(attrs.LogRecordUID, r.UID)
	}
	if n := attributes.Len(); n > learned {
		size.Store(int32(n)) // a race keeps one of two sizes seen: either is a fine guess
	}
	body := dest.Body().SetEmptyMap() // the entry's body is the map, even an empty one
	if p.Payload != (pcommon.Map{}) {
		p.Payload.MoveTo(body) // decoded for this record: no copy
	}
	if r.TraceID != nil {
		var id [16]byte
		copy(id[:], r.TraceID)
		dest.SetTraceID(id)
	}
	if r.SpanID != nil {
		var id [8]byte
		copy(id[:], r.SpanID)
		dest.SetSpanID(id)
	}
}

func (b *Builder) entry(r Record) *entry.Entry {
	p := r.Push
	e := entry.New()
	e.Timestamp = p.When()
	e.ObservedTimestamp = p.Arrival
	e.Severity = entry.Info
	e.ScopeName = b.scope
	e.Resource = r.Resource.Map()
	e.Attributes = attrs.Push(p)
	if r.UID != "" {
		e.Attributes[attrs.LogRecordUID] = r.UID
	}
	var body map[string]any // stanza's operators read plain values
	if p.Payload != (pcommon.Map{}) {
		body = p.Payload.AsRaw()
	}
	e.Body = body
	e.TraceID = r.TraceID
	e.SpanID = r.SpanID
	return e
}
