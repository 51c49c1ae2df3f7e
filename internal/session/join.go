package session

import (
	"maps"
	"slices"
	"time"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
)

// joinRecords is the final record of a call from the records of its segments (a Udesk transfer
// arrives as a conversation of its own, each with its end): one call as the customer lived it.
// The customer's wait (IVR, queue, ringing until the first answer) is the first segment's; the
// talk is every segment's; the call ends with the last segment, whose agent, hang-up and survey
// are the call's; it was answered if a person answered any segment; each segment's agents are
// legs, and each transfer a segment counts is the call's. latest is the record that just came,
// for a call of one segment.
func joinRecords(segs []Segment, latest *call.Call) *call.Call {
	var recs []*call.Call
	for _, g := range segs {
		if g.Record != nil {
			recs = append(recs, g.Record)
		}
	}
	if len(segs) < 2 || len(recs) == 0 {
		return latest
	}
	first, last := recs[0], recs[len(recs)-1]
	c := *last
	c.SessionID, c.CallID, c.Direction = first.SessionID, first.CallID, first.Direction
	c.Caller, c.Callee, c.CustomerLocation, c.Queue = first.Caller, first.Callee, first.CustomerLocation, first.Queue
	c.Start, c.Queued, c.Ring = first.Start, first.Queued, first.Ring
	c.IVRKeys, c.IVRPath = first.IVRKeys, first.IVRPath
	c.Answer, c.End, c.Transfers = time.Time{}, time.Time{}, 0
	c.Legs, c.RecordingURLs, c.Custom = nil, nil, nil
	c.Durations = map[call.Phase]time.Duration{}
	for _, p := range []call.Phase{call.PhaseIVR, call.PhaseQueue, call.PhaseRing} {
		if d, ok := first.Durations[p]; ok {
			c.Durations[p] = d
		}
	}
	if d, ok := last.Durations[call.PhaseACW]; ok {
		c.Durations[call.PhaseACW] = d
	}
	for _, r := range recs {
		if c.Answer.IsZero() {
			c.Answer = r.Answer
		}
		if r.End.After(c.End) {
			c.End = r.End
		}
		if talk, ok := r.Durations[call.PhaseTalk]; ok {
			c.Durations[call.PhaseTalk] += talk
		}
		if r.EndStatus == call.StatusAnswered && c.EndStatus != call.StatusAnswered {
			c.EndStatus, c.RawEndStatus = r.EndStatus, r.RawEndStatus
		}
		if c.Satisfaction == "" {
			c.Satisfaction, c.RawSatisfaction = r.Satisfaction, r.RawSatisfaction
		}
		c.Transfers += r.Transfers
		for _, l := range r.Legs {
			l.Sequence = len(c.Legs)
			c.Legs = append(c.Legs, l)
		}
		c.RecordingURLs = append(c.RecordingURLs, r.RecordingURLs...)
		if len(r.Custom) > 0 {
			if c.Custom == nil {
				c.Custom = map[string]any{}
			}
			maps.Copy(c.Custom, r.Custom)
		}
	}
	c.Legs = slices.Clip(c.Legs)
	c.Derive()
	return &c
}
