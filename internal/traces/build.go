package traces

import (
	"cmp"
	"math/bits"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcallcenter/callcenterreceiver/internal/attrs"
	"github.com/otelcallcenter/callcenterreceiver/internal/session"
)

// Spans returns every settled span of a session, and the key of the span its event with the
// key event starts ("" for none; see LogLink): from its events, and from its final record for
// what the events do not cover.
//
// A vendor that sends both (Udesk: occasions, then end) can deliver them out of order, and late
// occasions can still arrive after the end. The record's root, IVR, after-call work and legs go
// as soon as it arrives; what the events describe, and the record's queue, ringing and talk
// known only as durations, wait while an occasion could still change them: until the session
// has been closed for grace. So the same pushes in any order give the same spans.
func Spans(s *session.Session, now time.Time, grace time.Duration, event string) ([]Span, string) {
	released := s.Closure != session.Open && now.Sub(s.Closed) >= grace
	// No record, or a transfer's segment still going on (Udesk): the events' spans alone.
	merge := s.Record != nil && s.Closure != session.Open
	room := 0
	if merge {
		room = recordRoom(s.Record)
	}
	spans, eventSpan := eventSpans(s, released, event, room)
	if !merge {
		return spans, eventSpan
	}
	// The record's spans go after the events' and are merged in place: a record's span replaces
	// the last of the events' of its key, or is kept after them.
	n := len(spans)
	spans = appendRecordSpans(spans, s.Record)
	hold := len(s.Events) > 0 && !released
	kept := n
	for j := n; j < len(spans); j++ {
		sp := spans[j]
		i := lastIndex(spans[:n], sp.Key)
		switch {
		case sp.Key == RootKey && i >= 0:
			sp.Events = spans[i].Events
			spans[i] = sp
		case strings.HasPrefix(sp.Key, legPrefix) && i >= 0:
			spans[i] = sp // the record's leg: the same for every order of the occasions
		case i >= 0:
		case hold && isPhase(sp.Key):
		default:
			spans[kept] = sp
			kept++
		}
	}
	return spans[:kept], eventSpan
}

// lastIndex is the index of the last span with the key; -1 for none.
func lastIndex(spans []Span, key string) int {
	for i := len(spans) - 1; i >= 0; i-- {
		if spans[i].Key == key {
			return i
		}
	}
	return -1
}

// HasTrace reports whether a session's pushes make a trace, so that a log record names only
// traces that exist: events always do (their root comes with the closing), a final record when
// it says when the call happened.
func HasTrace(s *session.Session) bool {
	if len(s.Events) > 0 {
		return true
	}
	if s.Record == nil {
		return false
	}
	_, _, _, ok := recordBounds(s.Record) // RecordSpans has a root exactly then
	return ok
}

// isPhase reports whether events can describe the span too.
func isPhase(key string) bool {
	return key == queueKey || key == ringKey || key == talkKey ||
		strings.HasPrefix(key, ringPrefix) || strings.HasPrefix(key, talkPrefix) || strings.HasPrefix(key, legPrefix)
}

// Keys returns the keys of spans.
func Keys(spans []Span) []string {
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = s.Key
	}
	return out
}

// appendTo adds the spans of one session whose keys are in only (all of them when only is nil)
// to td, under its resource.
func appendTo(td ptrace.Traces, res attrs.Resource, scope string, key session.Key, spans []Span, only []string) {
	rs := td.ResourceSpans().AppendEmpty()
	put := &attrs.Pdata{} // one sink, pointed at each map in turn
	put.Map = rs.Resource().Attributes()
	put.EnsureCapacity(3)
	res.Put(put)
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName(scope)
	out := ss.Spans()
	out.EnsureCapacity(cmp.Or(len(only), len(spans)))
	ids := newSpanIDs(TraceID(key.Vendor, key.Tenant, key.ID))
	for i := range spans {
		sp := &spans[i]
		if only != nil && !slices.Contains(only, sp.Key) {
			continue
		}
		s := out.AppendEmpty()
		s.SetTraceID(ids.trace)
		s.SetSpanID(ids.of(sp.Key))
		s.SetName(sp.Name)
		s.SetKind(ptrace.SpanKindInternal)
		if sp.Parent != "" {
			s.SetParentSpanID(ids.of(sp.Parent))
		} else if sp.Key == RootKey {
			s.SetKind(ptrace.SpanKindServer) // the call center serving a call
		}
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(sp.Start))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(sp.End))
		put.Map = s.Attributes()
		put.EnsureCapacity(sp.attributes())
		sp.putAttributes(put)
		if sp.Error != "" {
			s.Status().SetCode(ptrace.StatusCodeError)
			s.Status().SetMessage(sp.Error)
		}
		if sp.Link.Key != "" {
			link := s.Links().AppendEmpty()
			link.SetTraceID(ids.trace)
			link.SetSpanID(ids.of(sp.Link.Key))
			link.Attributes().PutStr(attrs.TransferFrom, sp.Link.TransferFrom)
		}
		if len(sp.Events) > 0 {
			s.Events().EnsureCapacity(len(sp.Events))
		}
		for _, e := range sp.Events {
			ev := s.Events().AppendEmpty()
			ev.SetName(e.Name)
			ev.SetTimestamp(pcommon.NewTimestampFromTime(e.Time))
			_ = ev.Attributes().FromRaw(e.Attributes)
		}
	}
}

// The size a span's pdata map is made with, besides its flags, so that it is allocated once:
// about the most each kind holds (generated traffic, at most: a record's leg 9, an agent leg of
// events 2, an agent's state 4; the root: attrs.CallAttributes).
const (
	legAttributes      = 10
	eventLegAttributes = 4
	stateAttributes    = 6
)

// attributes is about the most attributes the span has.
func (s *Span) attributes() int {
	n := bits.OnesCount8(uint8(s.flags))
	switch s.source {
	case fromCall:
		n += attrs.CallAttributes
	case fromLeg:
		n += legAttributes
	case fromEventLeg:
		n += eventLegAttributes
	case fromState:
		n += stateAttributes
	}
	return n
}

// putAttributes puts the span's attributes.
func (s *Span) putAttributes(m attrs.Sink) {
	switch s.source {
	case fromCall:
		attrs.PutCall(m, s.call)
	case fromLeg:
		attrs.PutLegSpan(m, s.leg)
	case fromEventLeg:
		m.PutInt(attrs.LegSeq, int64(s.seq))
		attrs.PutAgent(m, attrs.AgentPrefix, &s.event.Agent)
	case fromState:
		e := s.event
		attrs.PutAgent(m, attrs.AgentPrefix, &e.Agent)
		m.PutStr(attrs.EventRawName, e.Name)
		m.PutStr(attrs.EventType, string(e.Type))
		if len(e.Details) > 0 {
			m.PutRaw(attrs.EventDetails, e.Details)
		}
	}
	if s.flags&derived != 0 {
		m.PutBool(attrs.SpanDerived, true)
	}
	if s.flags&incomplete != 0 {
		m.PutBool(attrs.SpanIncomplete, true)
	}
	if s.closure != "" {
		m.PutStr(attrs.SessionClosure, string(s.closure))
	}
}
