package session

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
)

// The Udesk document's parameter table: "call_id(同一客户一系列通话唯一id)" (one id for a
// customer's series of calls), "conversation_id(当前通话的id)" (this call's), "from_agent_id
// 来源(高级通话时上一个客服的id)" (in an advanced call, the previous agent's id), category
// "transfer"=>转接. A transferred call arrives as two conversations, each with its own end
// ("每条通话必有且仅有一条推送的occasion为end").
const customerCall = "3f2c9a10-udesk"

// udeskPush is a Udesk-like push of one conversation: occasion at offset seconds after t0.
func udeskPush(conversation, occasion string, typ call.EventType, offset int, agent string, seg call.Segment) *call.Push {
	at := t0.Add(time.Duration(offset) * time.Second)
	p := &call.Push{
		Vendor: "udesk", Kind: call.KindCallEvent, Time: at, Arrival: at,
		DedupKey: conversation + "/" + occasion + "/" + at.Format(time.DateTime), EndIsFinal: true,
		Call: call.Call{
			SessionID: conversation, CallID: seg.Group, Direction: call.DirectionInbound,
			Agent: call.Agent{ID: agent},
		},
		Event:   &call.Event{Name: occasion, Type: typ},
		Segment: &seg,
	}
	if typ == call.EventCallEnded {
		p.Kind = call.KindCallRecord
	}
	return p
}

// endRecord fills the end push of a conversation: its moments and the seconds the document's
// fields report (queue_time 排队耗时, ring_time 振铃时长, total_time 通话时长).
func endRecord(p *call.Push, ring, answer, end int, queue, ringSecs, talk int64, transfers int) *call.Push {
	c := &p.Call
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	c.Ring, c.Answer, c.End, c.Start = at(ring), at(answer), at(end), at(ring)
	c.EndStatus, c.RawEndStatus = call.StatusAnswered, "客服接听"
	c.Transfers = transfers
	c.Legs = []call.Leg{{Agent: c.Agent, Ring: at(ring), Answer: at(answer), End: at(end)}}
	if queue > 0 {
		c.Queued = at(ring - int(queue))
		c.Start = c.Queued
		c.SetSeconds(call.PhaseQueue, queue)
	}
	c.SetSeconds(call.PhaseRing, ringSecs)
	c.SetSeconds(call.PhaseTalk, talk)
	c.Derive()
	return p
}

// first is agent 2051's conversation: queued 11 s, rang 5 s, talked 84 s, then transferred;
// second is agent 2052's, from_agent_id 2051, category transfer: rang 4 s, talked 164 s.
func transferredCall() (first, second []*call.Push) {
	g1 := call.Segment{Group: customerCall}
	g2 := call.Segment{Group: customerCall, TransferFrom: "2051"}
	first = []*call.Push{
		udeskPush("61234", "enqueue_succ", call.EventQueued, 0, "", g1),
		udeskPush("61234", "agent_lock", call.EventAgentRinging, 11, "2051", g1),
		udeskPush("61234", "agent_incall", call.EventTalking, 16, "2051", g1),
		udeskPush("61234", "hangup", call.EventHangup, 100, "2051", g1),
		endRecord(udeskPush("61234", "end", call.EventCallEnded, 101, "2051", g1), 11, 16, 100, 11, 5, 84, 0),
	}
	second = []*call.Push{
		udeskPush("61299", "agent_lock", call.EventAgentRinging, 100, "2052", g2),
		udeskPush("61299", "agent_incall", call.EventTalking, 104, "2052", g2),
		udeskPush("61299", "hangup", call.EventHangup, 268, "2052", g2),
		endRecord(udeskPush("61299", "end", call.EventCallEnded, 269, "2052", g2), 100, 104, 268, 0, 4, 164, 1),
	}
	return first, second
}

func TestATransferredConversationJoinsItsCall(t *testing.T) {
	first, second := transferredCall()
	// Delivered out of order: the second agent rings before the first conversation's end, and
	// the second conversation's end comes before its hangup.
	order := []*call.Push{first[0], first[1], first[2], second[0], first[3], first[4], second[1], second[3], second[2]}
	tr := NewTracker(Config{MaxSessions: 10, IdleTimeout: time.Hour})
	var last *Change
	for i, p := range order {
		last = tr.Apply(p)
		assert.Equal(t, "61234", last.Session.Key.ID, "push %d: one session, one trace", i)
		if p == first[4] {
			_, ended := last.Session.Completed()
			assert.False(t, ended, "the first conversation's end is not the call's: the transfer is under way")
		}
		if p == second[3] {
			c, ended := last.Session.Completed()
			require.True(t, ended, "every conversation has its end")
			assert.Equal(t, call.StatusAnswered, c.EndStatus)
			assert.Equal(t, 1, c.Transfers, "the second conversation's category transfer")
			assert.Equal(t, 11*time.Second, c.Durations[call.PhaseQueue], "the customer's wait: the first conversation's")
			assert.Equal(t, 5*time.Second, c.Durations[call.PhaseRing], "until the first answer")
			assert.Equal(t, (84+164)*time.Second, c.Durations[call.PhaseTalk], "total_time of both conversations")
			assert.Equal(t, 268*time.Second, c.Durations[call.PhaseTotal], "from the queue to the last hang-up")
			assert.Equal(t, t0.Add(16*time.Second), c.Answer, "the first answer")
			assert.Equal(t, "2052", c.Agent.ID, "the call is the last agent's")
			assert.Equal(t, "61234", c.SessionID)
			require.Len(t, c.Legs, 2)
			assert.Equal(t, []string{"2051", "2052"}, []string{c.Legs[0].Agent.ID, c.Legs[1].Agent.ID})
			assert.Equal(t, 1, c.Legs[1].Sequence)
			assert.Equal(t, t0.Add(104*time.Second), c.Legs[1].Answer, "each leg its own answer")
		}
	}
	assert.Equal(t, Ended, last.Session.Closure)
	assert.Zero(t, tr.Len())
	assert.Len(t, last.Session.Events, 9)

	// Udesk's retry of the first conversation's hangup after its end: a retry, also while the
	// second conversation is still going.
	tr = NewTracker(Config{MaxSessions: 10, IdleTimeout: time.Hour})
	for _, p := range append(first, second[0]) {
		ch := tr.Apply(p)
		tr.Claim(ch.Session.Key, []string{AcceptedEvent(p)})
	}
	retry := *first[3]
	retry.DedupKey, retry.Arrival = "61234/hangup/later", t0.Add(200*time.Second)
	assert.True(t, tr.Apply(&retry).Retry, "a push of the first conversation after its end")
	hangup := tr.Apply(second[2])
	assert.False(t, hangup.Retry, "the second conversation's own hangup is new")
	assert.Equal(t, Open, hangup.Session.Closure)
}

func TestOnlyATransferJoins(t *testing.T) {
	first, _ := transferredCall()
	g := func(from string) call.Segment { return call.Segment{Group: customerCall, TransferFrom: from} }
	tests := []struct {
		name string
		next *call.Push
	}{
		// The same customer calling again: the same call_id, category normal.
		{"the customer's next call", udeskPush("61300", "enqueue_succ", call.EventQueued, 102, "", g(""))},
		{"transferred from another agent", udeskPush("61301", "agent_lock", call.EventAgentRinging, 100, "2052", g("2099"))},
		{"long after the call", udeskPush("61302", "agent_lock", call.EventAgentRinging, 3600, "2052", g("2051"))},
		{"another customer", udeskPush("61303", "agent_lock", call.EventAgentRinging, 100, "2052",
			call.Segment{Group: "another", TransferFrom: "2051"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := NewTracker(Config{MaxSessions: 10, IdleTimeout: 2 * time.Hour})
			for _, p := range first {
				tr.Apply(p)
			}
			ch := tr.Apply(tt.next)
			assert.Equal(t, tt.next.Call.SessionID, ch.Session.Key.ID, "a call of its own")
		})
	}
}

// A transfer inside one conversation (category transfer, the same conversation_id) stays one
// conversation: its own session, as before.
func TestATransferWithinAConversation(t *testing.T) {
	g := call.Segment{Group: customerCall, TransferFrom: "2051"}
	tr := NewTracker(Config{MaxSessions: 10, IdleTimeout: time.Hour})
	ch := tr.Apply(endRecord(udeskPush("70001", "end", call.EventCallEnded, 300, "2052", g), 11, 16, 300, 11, 5, 284, 1))
	c, ended := ch.Session.Completed()
	require.True(t, ended)
	assert.Equal(t, "70001", ch.Session.Key.ID)
	assert.Equal(t, 1, c.Transfers)
	assert.Equal(t, 284*time.Second, c.Durations[call.PhaseTalk])
}

// The joins survive a restart: a segment pushed after it finds its call.
func TestJoinsAreRestored(t *testing.T) {
	first, second := transferredCall()
	tr := NewTracker(Config{MaxSessions: 10, IdleTimeout: time.Hour})
	for _, p := range append(first[:3], second[0]) {
		tr.Apply(p)
	}
	restored := NewTracker(Config{MaxSessions: 10, IdleTimeout: time.Hour})
	restored.Restore(tr.Export())
	for _, p := range []*call.Push{first[3], first[4], second[1], second[2], second[3]} {
		assert.Equal(t, "61234", restored.Apply(p).Session.Key.ID)
	}
	assert.Zero(t, restored.Len(), "the call ended")
}

// A conversation's call cut short for room is handed out to be settled; before the core says it
// was, the transfer's second conversation joins it, it ends again and is cut short again. The
// core settled what it was handed, not the second conversation: that must not be forgotten.
func TestACallReopenedWhileSettledIsNotForgotten(t *testing.T) {
	first, second := transferredCall()
	other := func(conversation string, at int) *call.Push {
		p := udeskPush(conversation, "end", call.EventCallEnded, at, "2060", call.Segment{Group: "other-" + conversation})
		return endRecord(p, at-20, at-15, at-1, 0, 5, 14, 0)
	}
	tr := NewTracker(Config{MaxSessions: 1, IdleTimeout: time.Hour, LateGrace: time.Hour})
	for _, p := range first {
		tr.Apply(p)
	}
	tr.Apply(other("70001", 102)) // the first conversation's call no longer fits
	handed := tr.TakeCutShort()
	require.Len(t, handed.Sessions, 1)
	require.Equal(t, "61234", handed.Sessions[0].Key.ID)
	require.Len(t, handed.Sessions[0].Events, len(first))

	for _, p := range second {
		assert.Equal(t, "61234", tr.Apply(p).Session.Key.ID, "the transfer joins the call it continues")
	}
	tr.Apply(other("70002", 300)) // and now the whole call no longer fits

	tr.EndCutShort(handed)
	var again *Session
	for _, s := range tr.TakeCutShort().Sessions {
		if s.Key.ID == "61234" {
			again = s
		}
	}
	require.NotNil(t, again, "the call as it is now still waits to be settled")
	assert.Len(t, again.Events, len(first)+len(second))
	assert.Len(t, again.Segments, 2)
}
