// Package traces turns calls into traces: a root span for the call and child spans for its
// IVR, queue, ringing, talk, transfer legs and after-call work, from the final record a vendor
// sends or from the events of a call as they arrive. Span IDs derive from the call and the phase,
// so every push of a call, on any replica, produces the same spans.
package traces

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/session"
)

// Span keys: the identity of a phase within its call.
const (
	RootKey    = "call"
	ivrKey     = "ivr"
	queueKey   = "queue"
	setupKey   = "setup"
	ringKey    = "ring" // the call's own ringing: the customer's outbound, the agent's without legs
	talkKey    = "talk"
	acwKey     = "acw"
	legPrefix  = "leg/"
	ringPrefix = "ring/"
	talkPrefix = "talk/"
)

// Span is one phase of a call, before it becomes pdata: what it is, and what its attributes
// come from. They are written straight into pdata, and only for the spans sent (Batch.Add):
// most spans a push settles were sent by an earlier push.
type Span struct {
	Key        string
	Parent     string // the parent's key; "" for a root
	Name       string
	Start, End time.Time
	// Error is the status message of a phase that failed; "" for none.
	Error  string
	Link   Link // the leg a transfer came from; none when its Key is ""
	Events []SpanEvent

	// What the attributes come from: the source and the flags.
	source  source
	flags   flags
	seq     int32           // an agent leg of events: its number
	call    *call.Call      // a root
	leg     *call.Leg       // an agent leg of a record
	event   *session.Event  // an agent leg of events (its first event), an agent's state
	closure session.Closure // a root closed before its call ended: why
}

// source is what a span's attributes come from, besides its flags.
type source uint8

const (
	fromFlags    source = iota // a phase: its flags only
	fromCall                   // a root: the call's attributes
	fromLeg                    // an agent leg of a record: its agent and the leg's own
	fromEventLeg               // an agent leg of events: its agent and number
	fromState                  // an agent's state: the agent and the event
)

// flags are the span's boolean attributes.
type flags uint8

const (
	derived    flags = 1 << iota // attrs.SpanDerived
	incomplete                   // attrs.SpanIncomplete
)

// Link points at an earlier span of the same call (a transfer's previous leg).
type Link struct {
	Key          string
	TransferFrom string // attrs.TransferFrom: the agent who transferred
}

// SpanEvent is something that happened at an instant of a span (a consult, a missed offer).
type SpanEvent struct {
	Name       string
	Time       time.Time
	Attributes map[string]any
}

// legKey, ringOf and talkOf are the keys of a leg's spans, made once for the first legs: most
// calls have one or two.
var legKey, ringOf, talkOf = numbered(legPrefix), numbered(ringPrefix), numbered(talkPrefix)

func numbered(prefix string) func(n int) string {
	var made [4]string
	for i := range made {
		made[i] = prefix + strconv.Itoa(i)
	}
	return func(n int) string {
		if n < len(made) {
			return made[n]
		}
		return prefix + strconv.Itoa(n)
	}
}

// rootName names a call by its direction: low cardinality, as span names should be.
func rootName(d call.Direction) string {
	switch d {
	case call.DirectionInbound:
		return "inbound call"
	case call.DirectionOutbound:
		return "outbound call"
	default:
		return "call"
	}
}

// failed is the status message of a call that did not connect or was abandoned; "" for calls
// that went as they should (answered, served by the IVR) or whose end is unknown.
func failed(c *call.Call) string {
	if c.EndStatus.Connected() || c.EndStatus.SelfService() || c.EndStatus == call.StatusUnknown || c.EndStatus == "" {
		return ""
	}
	msg := string(c.EndStatus)
	if c.RawEndStatus != "" {
		msg += " (" + c.RawEndStatus + ")"
	}
	return msg
}

// root is the span of the whole call.
func root(c *call.Call, start, end time.Time) Span {
	return Span{Key: RootKey, Name: rootName(c.Direction), Start: start, End: end, Error: failed(c), source: fromCall, call: c}
}

func phase(key, parent, name string, start, end time.Time, derivedTimes bool) (Span, bool) {
	if start.IsZero() || end.IsZero() || end.Before(start) {
		return Span{}, false
	}
	s := Span{Key: key, Parent: parent, Name: name, Start: start, End: end}
	if derivedTimes {
		s.flags |= derived
	}
	return s, true
}

// recordBounds is a record's timeline and when its call started and ended; false when the
// record does not say.
func recordBounds(c *call.Call) (t timeline, start, end time.Time, ok bool) {
	t = timelineOf(c)
	start = call.FirstTime(t.start, t.queued, t.ring, t.answer)
	end = t.end
	if end.IsZero() {
		end = lastMoment(c, t)
	}
	return t, start, end, !start.IsZero() && !end.IsZero()
}

// timeline is a call's moments, those the vendor did not give derived from its durations.
type timeline struct {
	start, queued, ring, answer, end time.Time
	ivrEnd                           time.Time
	derived                          moments // those derived
}

// moments is a set of a timeline's moments.
type moments uint8

const (
	atStart moments = 1 << iota
	atQueued
	atRing
	atAnswer
	atEnd
	atIVREnd
)

// is reports whether any of ms was derived.
func (t *timeline) is(ms moments) bool { return t.derived&ms != 0 }

// timelineOf anchors the phases a vendor reports only as durations: talk ends at the end,
// ringing ends at the answer (or the end), the queue at the first ring, the IVR starts the call.
func timelineOf(c *call.Call) timeline {
	t := timeline{start: c.Start, queued: c.Queued, ring: c.Ring, answer: c.Answer, end: c.End}
	total, hasTotal := c.Duration(call.PhaseTotal)
	switch {
	case t.end.IsZero() && !t.start.IsZero() && hasTotal:
		t.end, t.derived = t.start.Add(total), t.derived|atEnd
	case t.start.IsZero() && !t.end.IsZero() && hasTotal:
		t.start, t.derived = t.end.Add(-total), t.derived|atStart
	}
	if talk, ok := c.Duration(call.PhaseTalk); ok && t.answer.IsZero() && !t.end.IsZero() && c.EndStatus.Connected() {
		t.answer, t.derived = t.end.Add(-talk), t.derived|atAnswer
	}
	if ring, ok := c.Duration(call.PhaseRing); ok && t.ring.IsZero() {
		if ref := call.FirstTime(t.answer, t.end); !ref.IsZero() {
			t.ring, t.derived = ref.Add(-ring), t.derived|atRing
		}
	}
	if queue, ok := c.Duration(call.PhaseQueue); ok && t.queued.IsZero() {
		if ref := call.FirstTime(t.ring, t.answer, t.end); !ref.IsZero() {
			t.queued, t.derived = ref.Add(-queue), t.derived|atQueued
		}
	}
	if ivr, ok := c.Duration(call.PhaseIVR); ok && !t.start.IsZero() {
		t.ivrEnd, t.derived = t.start.Add(ivr), t.derived|atIVREnd
	}
	if !t.queued.IsZero() && !t.start.IsZero() && t.queued.After(t.start) {
		// The IVR hands over to the queue: its end is derived when the queue's start is.
		t.ivrEnd, t.derived = t.queued, t.derived&^atIVREnd
		if t.is(atQueued) {
			t.derived |= atIVREnd
		}
	}
	return t
}

// talkEnd is when the talk ended: after the talk time the vendor reports (the first party to
// hang up ends it), else at the end of the call.
func (t timeline) talkEnd(c *call.Call) time.Time {
	if talk, ok := c.Duration(call.PhaseTalk); ok && !t.answer.IsZero() && !t.is(atAnswer) {
		if end := t.answer.Add(talk); !end.After(t.end) {
			return end
		}
	}
	return t.end
}

// RecordSpans are the spans a final record describes: the root, IVR, queue, ringing, talk, the
// agents' legs with transfers linked in order, and after-call work. A phase of no length did not
// happen (vendors report 0 s for phases a call skipped) and gets no span. A record without an
// end still gets its root, up to the last moment it knows, marked incomplete; one that says
// nothing of when the call happened gets no spans.
func RecordSpans(c *call.Call) []Span {
	return appendRecordSpans(nil, c)
}

// recordRoom is the most spans a record makes: the root, IVR, queue, after-call work, and an
// inbound call's three spans per leg, or another call's setup, ringing, talk and one per leg.
func recordRoom(c *call.Call) int {
	if c.Direction != call.DirectionOutbound && len(c.Legs) > 0 {
		return 4 + 3*len(c.Legs)
	}
	return 7 + len(c.Legs)
}

// appendRecordSpans appends RecordSpans(c) to out.
func appendRecordSpans(out []Span, c *call.Call) []Span {
	t, start, end, ok := recordBounds(c)
	if !ok {
		return out // a record that says nothing of when the call happened
	}
	r := root(c, start, end)
	if t.end.IsZero() {
		r.flags |= incomplete
	}
	legs := c.Legs
	out = append(slices.Grow(out, recordRoom(c)), r)
	add := func(s Span, ok bool) {
		if ok && s.End.After(s.Start) {
			out = append(out, s)
		}
	}
	add(phase(ivrKey, RootKey, "ivr", t.start, t.ivrEnd, t.is(atStart|atIVREnd)))
	add(phase(queueKey, RootKey, "queue", t.queued, queueEnd(c, t), t.is(atQueued)))
	if c.Direction == call.DirectionOutbound {
		add(phase(setupKey, RootKey, "setup", start, t.ring, t.is(atRing)))
	}

	if c.Direction != call.DirectionOutbound && len(legs) > 0 {
		out = legSpans(out, c, &t)
	} else {
		add(phase(ringKey, RootKey, ringName(c.Direction), t.ring, call.FirstTime(t.answer, t.end), t.is(atRing) || (t.answer.IsZero() && t.is(atEnd))))
		add(phase(talkKey, RootKey, "talk", t.answer, t.talkEnd(c), t.is(atAnswer)))
		for i := range legs {
			l := &legs[i]
			s, ok := phase(legKey(i), RootKey, "agent leg", call.FirstTime(l.Start, l.Ring, l.Answer), call.FirstTime(l.End, t.end), false)
			if ok {
				fromRecordLeg(&s, l)
				out = append(out, s)
			}
		}
	}
	if acw, ok := c.Duration(call.PhaseACW); ok && personHandled(c) {
		add(phase(acwKey, RootKey, "after-call work", t.end, t.end.Add(acw), true))
	}
	return out
}

// queueEnd is when the queue wait ended: at the first ring, the answer or the end, and never
// after an agent's leg began, so that the queue and the legs do not overlap.
func queueEnd(c *call.Call, t timeline) time.Time {
	end := call.FirstTime(t.ring, t.answer, t.end)
	for _, l := range c.Legs {
		if s := call.FirstTime(l.Start, l.Ring, l.Answer); !s.IsZero() && s.Before(end) {
			end = s
		}
	}
	return end
}

// lastMoment is the latest moment a record gives of a call whose end it does not give.
func lastMoment(c *call.Call, t timeline) time.Time {
	var last time.Time
	later := func(ts ...time.Time) {
		for _, m := range ts {
			if m.After(last) {
				last = m
			}
		}
	}
	later(t.start, t.queued, t.ring, t.answer, t.ivrEnd)
	for _, l := range c.Legs {
		later(l.Start, l.Ring, l.Answer, l.End)
	}
	return last
}

// personHandled reports whether a person took the call: after-call work is an agent's, so a
// call no one answered (abandoned, served by the IVR or a bot) has none.
func personHandled(c *call.Call) bool {
	if c.EndStatus.Connected() {
		return true
	}
	for _, l := range c.Legs {
		if !l.Answer.IsZero() {
			return true
		}
	}
	return false
}

func ringName(d call.Direction) string {
	if d == call.DirectionOutbound {
		return "customer ringing"
	}
	return "agent ringing"
}

// legSpans appends an inbound call's agent legs to out, each with its ringing and talk, each
// transfer linked to the leg it came from. A leg without its own times takes the call's (得助 and
// Udesk report one agent and the call's moments).
func legSpans(out []Span, c *call.Call, t *timeline) []Span {
	for i := range c.Legs {
		l := &c.Legs[i]
		ring, answer, end := l.Ring, l.Answer, call.FirstTime(l.End, t.end)
		derivedTimes := false
		if i == 0 && ring.IsZero() {
			ring, derivedTimes = t.ring, t.is(atRing)
		}
		// The call's answer is the last leg's only when it came after that leg began: on a
		// transferred call it is the first agent's.
		if i == len(c.Legs)-1 && answer.IsZero() && !t.answer.Before(call.FirstTime(l.Start, ring)) {
			answer = t.answer
			derivedTimes = derivedTimes || t.is(atAnswer)
		}
		leg, ok := phase(legKey(i), RootKey, "agent leg", call.FirstTime(l.Start, ring, answer), end, derivedTimes)
		if !ok {
			continue
		}
		fromRecordLeg(&leg, l)
		if i > 0 {
			leg.Link = Link{Key: legKey(i - 1), TransferFrom: transferFrom(&c.Legs[i-1], l)}
		}
		out = append(out, leg)
		if s, ok := phase(ringOf(i), legKey(i), "agent ringing", ring, call.FirstTime(answer, end), derivedTimes); ok && s.End.After(s.Start) {
			out = append(out, s)
		}
		if s, ok := phase(talkOf(i), legKey(i), "talk", answer, end, derivedTimes); ok && s.End.After(s.Start) {
			out = append(out, s)
		}
	}
	return out
}

func transferFrom(prev, next *call.Leg) string {
	if next.TransferFrom != "" {
		return next.TransferFrom
	}
	// Email first: TCCC's TransferFrom, which this stands in for, names agents by email.
	a := prev.Agent
	return cmp.Or(a.Email, a.StaffNumber, a.ID, a.Name)
}

// fromRecordLeg makes s the span of a record's agent leg: its attributes and status are the leg's.
func fromRecordLeg(s *Span, l *call.Leg) {
	s.source, s.leg = fromLeg, l
	if l.EndStatus != "" && l.EndStatus != call.StatusAnswered && l.EndStatus != call.StatusUnknown {
		s.Error = string(l.EndStatus)
	}
}
