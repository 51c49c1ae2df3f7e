package traces

import (
	"cmp"
	"time"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/session"
)

// state is what an event starts in a call: the phase until the next event.
type state int

const (
	noState      state = iota
	setup              // dialing, or an outbound agent waiting for the customer
	queueing           // in the queue
	agentRing          // an agent's phone ringing
	customerRing       // the customer's phone ringing
	talking            // connected
	transferred        // connected to the next agent
	instant            // something at an instant of the call: a span event
	hungUp             // a party hung up: no phase follows
	ended              // the call ended: no phase follows
)

func stateOf(t call.EventType, d call.Direction) state {
	switch t {
	case call.EventCallStarted:
		return setup
	case call.EventQueued:
		return queueing
	case call.EventAgentRinging:
		return agentRing
	case call.EventCustomerRinging:
		return customerRing
	case call.EventAgentAnswered:
		if d == call.DirectionOutbound {
			return setup // Udesk's outbound call: the agent is on, the customer not yet
		}
		return talking
	case call.EventCustomerAnswered, call.EventTalking:
		return talking
	case call.EventTransfer:
		return transferred
	case call.EventHangup:
		return hungUp
	case call.EventCallEnded:
		return ended
	default:
		return instant
	}
}

// follows reports whether next always comes right after a phase begun by prev, so that a phase
// ended by it is settled: no event still on its way can fall in between. A vendor that sends a
// final record (Udesk) reports the hang-up before it; one that does not (UinCall) ends the call
// with its hang-up.
func follows(prev state, next state, d call.Direction, withRecord bool) bool {
	switch prev {
	case setup:
		return next == agentRing || next == customerRing || next == talking
	case queueing:
		return next == agentRing
	case agentRing:
		if d == call.DirectionOutbound {
			return next == customerRing
		}
		return next == talking
	case customerRing:
		return next == talking
	case talking, transferred:
		return next == hungUp || next == transferred || (next == ended && !withRecord)
	}
	return false
}

// walk is the pass over a session's events that finds its phases.
type walk struct {
	s         *session.Session
	dir       call.Direction
	closed    bool
	released  bool // closed and past the grace for late pushes
	spans     []Span
	room      int    // how many more spans the caller adds to them
	event     string // the event whose span the caller asks for
	eventSpan string // the key of the span it starts
	legs      []Span // the agent legs, by number
	legRing   bool   // the current leg has rung
	legTalk   bool   // the current leg has talked
	instant   []SpanEvent
	first     time.Time
	last      time.Time
	ended     time.Time // the terminal event's time
}

type openPhase struct {
	key, parent, name string
	start             time.Time
	state             state
	leg               int
}

// eventSpans are the spans a session's events have settled, and the key of the span the event
// with the key event starts (for its log record); "" for none. A phase is settled by the event
// that always follows it, or, once the session is closed and late pushes had their grace
// (released), by whatever followed it; a session closed before its call ended gets its open
// phase cut at the last event, marked incomplete. The root and the legs come with the closing.
// The spans have room for room more.
func eventSpans(s *session.Session, released bool, event string, room int) ([]Span, string) {
	if s.Key.IsAgent() {
		return agentSpans(s, event)
	}
	if len(s.Events) == 0 {
		return nil, ""
	}
	w := &walk{s: s, dir: s.Call.Direction, closed: s.Closure != session.Open, released: released, event: event, room: room}
	var cur openPhase
	open := false
	times := s.EventTimes()
	for i := range s.Events {
		e := &s.Events[i]
		t := times[i]
		if w.first.IsZero() {
			w.first = t
		}
		w.last = t
		st := stateOf(e.Type, w.dir)
		if st == instant {
			w.instant = append(w.instant, SpanEvent{Name: e.Name, Time: t, Attributes: e.Details})
			w.starts(e, RootKey)
			continue
		}
		if open {
			w.close(&cur, t, w.released || follows(cur.state, st, w.dir, s.Record != nil), false)
			open = false
		}
		if st == hungUp || st == ended {
			if w.ended.IsZero() || t.After(w.ended) {
				w.ended = t
			}
			w.starts(e, RootKey)
			continue
		}
		cur, open = w.open(st, e, t), true
		w.starts(e, cur.key)
	}
	if open && w.closed {
		w.close(&cur, w.last, w.released, true)
	}
	// The root and legs of a call assembled from events wait for its late pushes: a push after
	// the hang-up may still correct it (UinCall sends no final record and documents no retries).
	if w.closed && len(s.Events) > 0 && (w.released || s.Record != nil) {
		w.finish()
	}
	return w.spans, w.eventSpan
}

// starts notes that e starts the span key, if e is the event asked for.
func (w *walk) starts(e *session.Event, key string) {
	if e.Key == w.event {
		w.eventSpan = key
	}
}

// open starts the phase an event begins, in the agent leg it belongs to.
func (w *walk) open(st state, e *session.Event, t time.Time) openPhase {
	p := openPhase{start: t, state: st, parent: RootKey, leg: len(w.legs) - 1}
	switch st {
	case setup:
		p.key, p.name = setupKey, "setup"
	case queueing:
		p.key, p.name = queueKey, "queue"
	case customerRing:
		p.key, p.name = ringKey, "customer ringing"
	case agentRing:
		if len(w.legs) == 0 || w.legRing || w.legTalk {
			w.newLeg(e, t)
		}
		w.legRing = true
		p.leg = len(w.legs) - 1
		p.key, p.name, p.parent = ringOf(p.leg), "agent ringing", legKey(p.leg)
	case talking, transferred:
		if w.dir == call.DirectionOutbound && st == talking {
			p.key, p.name = talkKey, "talk" // the customer's side of an outbound call
			return p
		}
		if len(w.legs) == 0 || w.legTalk || st == transferred {
			w.newLeg(e, t)
		}
		w.legTalk = true
		p.leg = len(w.legs) - 1
		p.key, p.name, p.parent = talkOf(p.leg), "talk", legKey(p.leg)
	}
	return p
}

// newLeg starts an agent leg at the event e; its agent is e's.
func (w *walk) newLeg(e *session.Event, t time.Time) {
	n := len(w.legs)
	leg := Span{Key: legKey(n), Parent: RootKey, Name: "agent leg", Start: t, End: t, source: fromEventLeg, seq: int32(n), event: e}
	if n > 0 {
		prev := &w.legs[n-1]
		// The staff number names an agent where the vendor gives one, as in the agent attributes.
		leg.Link = Link{Key: prev.Key, TransferFrom: cmp.Or(prev.event.Agent.StaffNumber, prev.event.Agent.ID)}
	}
	w.legs = append(w.legs, leg)
	w.legRing, w.legTalk = false, false
}

func (w *walk) close(p *openPhase, end time.Time, settled, cut bool) {
	if p.leg >= 0 && p.parent != RootKey {
		if leg := &w.legs[p.leg]; end.After(leg.End) {
			leg.End = end
		}
	}
	if !settled {
		return
	}
	s, ok := phase(p.key, p.parent, p.name, p.start, end, false)
	if !ok {
		return
	}
	if cut {
		s.flags |= incomplete
	}
	w.add(s)
}

// add appends spans to w.spans, made on the first with room for about as many phases and legs as
// events, the root and what the caller adds: one allocation for most calls.
func (w *walk) add(spans ...Span) {
	if w.spans == nil {
		w.spans = make([]Span, 0, len(w.s.Events)+1+w.room)
	}
	w.spans = append(w.spans, spans...)
}

// finish adds the legs and the root of a closed session.
func (w *walk) finish() {
	w.add(w.legs...)
	// The call as Completed gives it: the record when there is one (read in place), else
	// assembled from the events.
	c := w.s.Record
	if c == nil {
		completed, _ := w.s.Completed()
		c = &completed
	}
	end := call.FirstTime(c.End, w.ended, w.last)
	start := w.first
	if !c.Start.IsZero() && c.Start.Before(start) {
		start = c.Start
	}
	r := root(c, start, end)
	r.Events = w.instant
	if w.s.Closure != session.Ended {
		r.flags |= incomplete
		r.closure = w.s.Closure
	}
	w.add(r)
}

// agentSpans are an agent's day: each state the agent reported, until the next report. The
// states already sent (s.Settled) are not built again: an agent's day is hundreds of states,
// and every push would build them all. Their events start their spans all the same (LogLink).
func agentSpans(s *session.Session, event string) ([]Span, string) {
	var out []Span
	from := min(s.Settled(), len(s.Events))
	times := s.EventTimesFrom(from)
	for i := from; i < len(s.Events); i++ {
		e := &s.Events[i]
		start := times[i-from]
		var end time.Time
		cut := false
		switch {
		case i+1 < len(s.Events):
			end = times[i+1-from]
		case s.Closure == session.Open:
			continue // the latest state lasts until the next report
		default:
			end, cut = s.Seen, true
		}
		sp, ok := phase(session.StateSpanKey(e.Key), "", "agent "+e.Name, start, end, false)
		if !ok {
			continue
		}
		sp.source, sp.event = fromState, e
		if cut {
			sp.flags |= incomplete
		}
		out = append(out, sp)
	}
	var eventSpan string
	if event != "" {
		eventSpan = session.StateSpanKey(event) // each event starts its state, sent or not
	}
	return out, eventSpan
}
