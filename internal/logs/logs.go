// Package logs turns pushes into log records: one record per push, the vendor's payload whole
// in the body, the call model in callcenter.* attributes, stamped with when it happened.
package logs

import (
	"context"

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
}

// NewBuilder returns a builder whose records carry the given instrumentation scope name.
func NewBuilder(scope string, ops *operators.Runner) *Builder {
	return &Builder{scope: scope, operators: ops}
}

// Build returns the log records of the pushes, after the operators. An operator error is
// returned with the records the operators still emitted.
func (b *Builder) Build(ctx context.Context, records []Record) (plog.Logs, error) {
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
	e.Body = p.Payload
	e.TraceID = r.TraceID
	e.SpanID = r.SpanID
	return e
}
