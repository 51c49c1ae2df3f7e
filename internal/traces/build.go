package traces

import (
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcallcenter/callcenterreceiver/internal/attrs"
	"github.com/otelcallcenter/callcenterreceiver/internal/session"
)

// Spans returns every settled span of a session, and the span each of its events starts: from
// its events, and from its final record for what the events do not cover.
//
// A vendor that sends both (Udesk: occasions, then end) can deliver them out of order, and late
// occasions can still arrive after the end. The record's root, IVR, after-call work and legs go
// as soon as it arrives; what the events describe, and the record's queue, ringing and talk
// known only as durations, wait while an occasion could still change them: until the session
// has been closed for grace. So the same pushes in any order give the same spans.
func Spans(s *session.Session, now time.Time, grace time.Duration) ([]Span, map[string]string) {
	released := s.Closure != session.Open && now.Sub(s.Closed) >= grace
	spans, byEvent := EventSpans(s, released)
	if s.Record == nil || s.Closure == session.Open {
		return spans, byEvent // no record, or a transfer's segment still going on (Udesk)
	}
	have := make(map[string]int, len(spans))
	for i, sp := range spans {
		have[sp.Key] = i
	}
	hold := len(s.Events) > 0 && !released
	for _, sp := range RecordSpans(s.Record) {
		i, ok := have[sp.Key]
		switch {
		case sp.Key == RootKey && ok:
			sp.Events = spans[i].Events
			spans[i] = sp
		case strings.HasPrefix(sp.Key, legPrefix) && ok:
			spans[i] = sp // the record's leg: the same for every order of the occasions
		case ok:
		case hold && isPhase(sp.Key):
		default:
			spans = append(spans, sp)
		}
	}
	return spans, byEvent
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

// AppendTo adds the spans of one session to td, under its resource.
func AppendTo(td ptrace.Traces, res attrs.Resource, scope string, key session.Key, spans []Span) {
	rs := td.ResourceSpans().AppendEmpty()
	_ = rs.Resource().Attributes().FromRaw(res.Map()) // strings only
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName(scope)
	trace := TraceID(key.Vendor, key.Tenant, key.ID)
	for _, sp := range spans {
		s := ss.Spans().AppendEmpty()
		s.SetTraceID(trace)
		s.SetSpanID(SpanID(trace, sp.Key))
		s.SetName(sp.Name)
		s.SetKind(ptrace.SpanKindInternal)
		if sp.Parent != "" {
			s.SetParentSpanID(SpanID(trace, sp.Parent))
		} else if sp.Key == RootKey {
			s.SetKind(ptrace.SpanKindServer) // the call center serving a call
		}
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(sp.Start))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(sp.End))
		_ = s.Attributes().FromRaw(sp.Attributes) // plain values only, see package attrs
		if sp.Error != "" {
			s.Status().SetCode(ptrace.StatusCodeError)
			s.Status().SetMessage(sp.Error)
		}
		for _, l := range sp.Links {
			link := s.Links().AppendEmpty()
			link.SetTraceID(trace)
			link.SetSpanID(SpanID(trace, l.Key))
			_ = link.Attributes().FromRaw(l.Attributes)
		}
		for _, e := range sp.Events {
			ev := s.Events().AppendEmpty()
			ev.SetName(e.Name)
			ev.SetTimestamp(pcommon.NewTimestampFromTime(e.Time))
			_ = ev.Attributes().FromRaw(e.Attributes)
		}
	}
}
