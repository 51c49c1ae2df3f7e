package session

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
)

// Phase is where a call in progress is now, as its events say. No vendor pushes the start of an
// IVR or of after-call work as an event, so neither is a live phase.
type Phase string

const (
	PhaseDialing Phase = "dialing" // an outbound call started and nothing rings yet
	PhaseQueue   Phase = "queue"   // waiting in a queue for an agent
	PhaseRinging Phase = "ringing" // an agent's or the customer's phone rings
	PhaseTalking Phase = "talking"
)

// LiveCall is where one call in progress is now.
type LiveCall struct {
	Phase Phase
	// Since is when the call entered its phase; for the queue, when it first entered it, so an
	// agent who let it ring out (Udesk agent_breakout) does not reset the customer's wait.
	Since     time.Time
	Direction call.Direction
	Queue     string // name, else ID; "" when the vendor gave none
	Agent     string // the agent ringing or talking (call.Agent.Key); "" when not known
}

// Live returns where the call is now, and false when it is in no live phase: its current
// segment ended (a hang-up, its final record) or no event says where it is. Events are taken in
// the call's order (sortEvents), so pushes that arrived late, twice or out of order give the
// same answer as pushes in order.
func (s *Session) Live() (LiveCall, bool) {
	current := ""
	if n := len(s.Segments); n > 0 {
		if s.Segments[n-1].Record != nil {
			return LiveCall{}, false // a transfer's last conversation had its end
		}
		current = s.Segments[n-1].ID
	}
	times := s.EventTimes()
	var lc LiveCall
	var queued time.Time
	for i, e := range s.Events {
		if e.Segment != "" && e.Segment != current {
			continue // an earlier conversation of a transfer: the customer moved on
		}
		if e.Type == call.EventQueued && queued.IsZero() {
			queued = times[i]
		}
		phase, changes := phaseAfter(e.Type, s.Call.Direction, !queued.IsZero())
		if !changes {
			continue
		}
		if phase != lc.Phase {
			lc.Since = times[i]
		}
		lc.Phase, lc.Agent = phase, ""
		if phase == PhaseRinging || phase == PhaseTalking {
			lc.Agent = cmp.Or(e.Agent.Key(), s.Call.Agent.Key())
		}
	}
	if lc.Phase == "" {
		return LiveCall{}, false
	}
	if lc.Phase == PhaseQueue {
		lc.Since = queued
	}
	lc.Since = lc.Since.UTC()
	lc.Direction = s.Call.Direction
	if lc.Direction == "" {
		lc.Direction = call.DirectionUnknown
	}
	lc.Queue = cmp.Or(s.Call.Queue.Name, s.Call.Queue.ID)
	return lc, true
}

// ended is the "phase" after a hang-up: the call is in none of the live phases.
const ended Phase = ""

// phaseAfter is the phase an event puts a call in, and whether it changes the phase at all
// (transfers, consults and supervision happen within the talk).
func phaseAfter(t call.EventType, d call.Direction, queued bool) (Phase, bool) {
	switch t {
	case call.EventCallStarted:
		return PhaseDialing, true
	case call.EventQueued:
		return PhaseQueue, true
	case call.EventAgentRinging, call.EventCustomerRinging:
		return PhaseRinging, true
	case call.EventAgentAnswered:
		// Udesk agent_answer, 呼出回拨坐席接听: on a callback the agent answers first, then the
		// customer is called.
		if d == call.DirectionOutbound {
			return PhaseRinging, true
		}
		return PhaseTalking, true
	case call.EventCustomerAnswered, call.EventTalking:
		return PhaseTalking, true
	case call.EventAgentMissed:
		// Udesk agent_breakout, 分配坐席未应答: the call goes back to wait for another agent.
		if queued {
			return PhaseQueue, true
		}
		return PhaseDialing, true
	case call.EventHangup, call.EventCallEnded:
		return ended, true
	}
	return "", false
}

// LiveGroup is a set of calls counted together: phase, direction and queue.
type LiveGroup struct {
	Phase     Phase
	Direction call.Direction
	Queue     string
}

// Live is the present moment of one vendor and tenant.
type Live struct {
	// Calls counts the calls in progress.
	Calls map[LiveGroup]int
	// Oldest is the earliest Since of the calls waiting in a queue or ringing, per group.
	Oldest map[LiveGroup]time.Time
	// AgentsOnCall counts distinct agents with a call ringing or talking, per queue.
	AgentsOnCall map[string]int
	// AnswerModes counts agents by the agent_type (UinCall 座席接听方式) of their latest agent
	// push (agentstatus, setAgentType).
	AnswerModes map[string]int
}

func newLive() *Live {
	return &Live{Calls: map[LiveGroup]int{}, Oldest: map[LiveGroup]time.Time{}, AgentsOnCall: map[string]int{}, AnswerModes: map[string]int{}}
}

// answerModeDetail is the event field that holds UinCall's agent_type.
const answerModeDetail = "agent_type"

// Live returns the calls in progress and the agents' answer modes now, per vendor and tenant
// (keys without an ID). A session nothing arrived for during the idle timeout is left out even
// before the sweep closes it, so a lost end inflates the figures for at most the idle timeout
// after the call's last push.
func (t *Tracker) Live(now time.Time) map[Key]*Live {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := map[Key]*Live{}
	of := func(k Key) *Live {
		r := Key{Vendor: k.Vendor, Tenant: k.Tenant}
		if out[r] == nil {
			out[r] = newLive()
		}
		return out[r]
	}
	agents := map[Key]map[string]map[string]bool{} // resource → queue → agents on a call
	type mode struct {
		value string
		at    time.Time
	}
	modes := map[Key]mode{} // vendor, tenant, agent → the latest answer mode
	for e := t.order.Front(); e != nil; e = e.Next() {
		s := e.Value.(*Session)
		if t.idleTimeout > 0 && now.Sub(s.Seen) >= t.idleTimeout {
			continue
		}
		if s.Key.IsAgent() {
			if value, at, ok := s.latestAnswerMode(); ok {
				k := Key{Vendor: s.Key.Vendor, Tenant: s.Key.Tenant, ID: agentOf(s.Key)}
				if m, seen := modes[k]; !seen || !at.Before(m.at) {
					modes[k] = mode{value, at}
				}
			}
			continue
		}
		lc, ok := s.Live()
		if !ok {
			continue
		}
		live := of(s.Key)
		g := LiveGroup{Phase: lc.Phase, Direction: lc.Direction, Queue: lc.Queue}
		live.Calls[g]++
		if lc.Phase == PhaseQueue || lc.Phase == PhaseRinging {
			if old, seen := live.Oldest[g]; !seen || lc.Since.Before(old) {
				live.Oldest[g] = lc.Since
			}
		}
		if lc.Agent != "" {
			r := Key{Vendor: s.Key.Vendor, Tenant: s.Key.Tenant}
			if agents[r] == nil {
				agents[r] = map[string]map[string]bool{}
			}
			if agents[r][lc.Queue] == nil {
				agents[r][lc.Queue] = map[string]bool{}
			}
			agents[r][lc.Queue][lc.Agent] = true
		}
	}
	for r, byQueue := range agents {
		for queue, set := range byQueue {
			of(r).AgentsOnCall[queue] = len(set)
		}
	}
	for k, m := range modes {
		of(k).AnswerModes[m.value]++
	}
	return out
}

// agentOf returns the agent of an agent timeline's key ("agent/<agent>/<day>").
func agentOf(k Key) string {
	id := strings.TrimPrefix(k.ID, agentPrefix)
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		return id[:i]
	}
	return id
}

// latestAnswerMode returns the agent_type of the timeline's latest event, and when it came.
func (s *Session) latestAnswerMode() (string, time.Time, bool) {
	if len(s.Events) == 0 {
		return "", time.Time{}, false
	}
	times := s.EventTimes()
	last := len(s.Events) - 1
	value := ""
	if v, ok := s.Events[last].Details[answerModeDetail]; ok {
		value = fmt.Sprint(v)
	}
	return value, times[last], true
}
