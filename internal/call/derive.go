package call

import "time"

// Derive fills the durations a vendor did not report from the call's moments. Durations the
// vendor reported are kept as they are, except a zero talk time of a call that never connected.
//
// A phase runs until the next moment the call reached: a queue wait ends at the first ring, the
// answer or the end of the call (an abandon), ringing ends at the answer or the end.
func (c *Call) Derive() {
	// Vendors report a talk time of 0 for calls that never connected: no talk phase happened.
	if d, ok := c.Durations[PhaseTalk]; ok && d == 0 && c.Answer.IsZero() && !c.EndStatus.Connected() {
		delete(c.Durations, PhaseTalk)
	}
	c.deriveBetween(PhaseTotal, c.Start, c.End)
	c.deriveBetween(PhaseIVR, c.Start, c.Queued)
	c.deriveBetween(PhaseQueue, c.Queued, FirstTime(c.Ring, c.Answer, c.End))
	c.deriveBetween(PhaseRing, c.Ring, FirstTime(c.Answer, c.End))
	c.deriveBetween(PhaseTalk, c.Answer, c.End)
}

func (c *Call) deriveBetween(p Phase, from, to time.Time) {
	if _, ok := c.Durations[p]; ok || from.IsZero() || to.IsZero() {
		return
	}
	c.SetDuration(p, to.Sub(from))
}

// Earliest returns the earliest of the times, a zero time being unknown.
func Earliest(ts ...time.Time) time.Time {
	var out time.Time
	for _, t := range ts {
		if !t.IsZero() && (out.IsZero() || t.Before(out)) {
			out = t
		}
	}
	return out
}

// FirstTime returns the first non-zero time in order of preference.
func FirstTime(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

// Offered reports whether an inbound call reached an agent's queue or an agent: a person
// answered it, it waited in a queue, or an agent's phone rang. Offered calls are the
// denominator of service level and abandonment, whatever status they ended with, so that a
// status added later cannot fall out of it. A wait or ring reported as 0 s is no evidence.
func (c *Call) Offered() bool {
	if c.Direction != DirectionInbound {
		return false
	}
	switch c.EndStatus {
	case StatusAnswered, StatusAbandonedQueue, StatusAbandonedRinging:
		return true
	}
	return c.queued() || c.rang()
}

// rang reports whether an agent's phone rang: a ring moment, a ring time, an agent's leg.
func (c *Call) rang() bool {
	return !c.Ring.IsZero() || c.Durations[PhaseRing] > 0 || len(c.Legs) > 0
}

// queued reports whether the call waited in a queue: a queue moment or a queue time.
func (c *Call) queued() bool { return !c.Queued.IsZero() || c.Durations[PhaseQueue] > 0 }

// AbandonStage is where the caller gave up: the stage the end status names or, for an abandon
// whose stage the vendor does not give (Udesk 客户挂机), the furthest the call got: an agent's
// phone rang, it queued, it was in the IVR. It is "" when the call was not abandoned.
func (c *Call) AbandonStage() string {
	stage := c.EndStatus.AbandonStage()
	if stage != "unknown" {
		return stage
	}
	switch {
	case c.rang():
		return "ringing"
	case c.queued():
		return "queue"
	case c.Durations[PhaseIVR] > 0:
		return "ivr"
	}
	return stage
}
