package session

import (
	"maps"
	"time"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
)

// merge folds what one push says about a call into the session's view: later non-empty values
// win, so a session's attributes are those of its latest pushes.
func merge(dst, src *call.Call) {
	set := func(d *string, s string) {
		if s != "" {
			*d = s
		}
	}
	if dst.SessionID == "" { // a call of several segments keeps its first's
		dst.SessionID = src.SessionID
	}
	set(&dst.CallID, src.CallID)
	if src.Direction != "" && src.Direction != call.DirectionUnknown {
		dst.Direction = src.Direction
	}
	set(&dst.Caller, src.Caller)
	set(&dst.Callee, src.Callee)
	if src.CustomerLocation != (call.Location{}) {
		dst.CustomerLocation = src.CustomerLocation
	}
	set(&dst.Queue.ID, src.Queue.ID)
	set(&dst.Queue.Name, src.Queue.Name)
	if !src.Agent.IsZero() {
		dst.Agent = src.Agent
	}
	if src.EndStatus != "" && src.EndStatus != call.StatusUnknown {
		dst.EndStatus, dst.RawEndStatus = src.EndStatus, src.RawEndStatus
	} else if dst.EndStatus == "" {
		dst.EndStatus, dst.RawEndStatus = src.EndStatus, src.RawEndStatus
	}
	if src.HangupSide != "" && src.HangupSide != call.HangupUnknown {
		dst.HangupSide, dst.RawHangup = src.HangupSide, src.RawHangup
	}
	if src.Satisfaction != "" {
		dst.Satisfaction, dst.RawSatisfaction = src.Satisfaction, src.RawSatisfaction
	}
	set(&dst.RecordingID, src.RecordingID)
	if len(src.Custom) > 0 {
		// Into a new map: the copies of the session handed out share the one it had.
		custom := maps.Clone(dst.Custom)
		if custom == nil {
			custom = make(map[string]any, len(src.Custom))
		}
		maps.Copy(custom, src.Custom)
		dst.Custom = custom
	}
}

// assemble builds the call from its events, for vendors that send no final record (UinCall):
// when it started, rang, was answered and ended, and so how long each phase took.
func assemble(s *Session) call.Call {
	c := s.Call
	c.Durations = nil
	times := s.EventTimes()
	timeOf := func(match func(call.EventType) bool) time.Time {
		for i, e := range s.Events {
			if match(e.Type) {
				return times[i]
			}
		}
		return time.Time{}
	}
	c.Start, c.Queued, c.Ring, c.Answer, c.End = timeOf(isStart), timeOf(is(call.EventQueued)),
		timeOf(ringsFor(c.Direction)), timeOf(answersFor(c.Direction)), timeOf(is(call.EventCallEnded))
	if c.End.IsZero() && len(s.Events) > 0 && s.Closure != Open {
		c.End = times[len(times)-1] // closed without an end: last seen
	}
	if c.EndStatus == "" || c.EndStatus == call.StatusUnknown {
		c.EndStatus = outcome(&c)
	}
	c.Derive()
	return c
}

// outcome is the end status events imply when the vendor gave none: answered when someone
// talked, else what an unanswered call of its direction is.
func outcome(c *call.Call) call.EndStatus {
	switch {
	case !c.Answer.IsZero():
		return call.StatusAnswered
	case c.Direction == call.DirectionOutbound:
		return call.StatusNoAnswer
	case !c.Ring.IsZero():
		return call.StatusAbandonedRinging
	default:
		return call.StatusAbandoned
	}
}

func is(t call.EventType) func(call.EventType) bool {
	return func(e call.EventType) bool { return e == t }
}

func isStart(call.EventType) bool { return true } // the first event of any kind

// ringsFor is the ringing that counts for the call's answer: the agent's inbound, the
// customer's outbound.
func ringsFor(d call.Direction) func(call.EventType) bool {
	if d == call.DirectionOutbound {
		return is(call.EventCustomerRinging)
	}
	return is(call.EventAgentRinging)
}

func answersFor(d call.Direction) func(call.EventType) bool {
	return func(t call.EventType) bool {
		switch t {
		case call.EventTalking:
			return true
		case call.EventCustomerAnswered:
			return d == call.DirectionOutbound
		case call.EventAgentAnswered:
			return d != call.DirectionOutbound
		}
		return false
	}
}
