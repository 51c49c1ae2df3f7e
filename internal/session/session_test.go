package session

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
)

var t0 = time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)

// uincallEvent is a UinCall-like push: no time of its own, only its arrival.
func uincallEvent(session string, typ call.EventType, name string, at time.Duration, result call.EndStatus) *call.Push {
	return &call.Push{
		Vendor: "uincall", Kind: call.KindCallEvent, Tenant: "t", Arrival: t0.Add(at),
		DedupKey: session + "/" + name,
		Call: call.Call{
			SessionID: session, Direction: call.DirectionOutbound, Caller: "028", Callee: "159",
			Agent: call.Agent{StaffNumber: "8014"}, EndStatus: result,
		},
		Event: &call.Event{Name: name, Type: typ},
	}
}

func outboundCall(session string) []*call.Push {
	return []*call.Push{
		uincallEvent(session, call.EventCallStarted, "agentDialout", 0, ""),
		uincallEvent(session, call.EventAgentRinging, "callout_process", 1*time.Second, ""),
		uincallEvent(session, call.EventCustomerRinging, "call_process", 4*time.Second, ""),
		uincallEvent(session, call.EventTalking, "call_talking", 12*time.Second, ""),
		uincallEvent(session, call.EventCallEnded, "call_hangup", 72*time.Second, ""),
	}
}

func TestEventsAssembleACall(t *testing.T) {
	tr := NewTracker(Config{MaxSessions: 10, IdleTimeout: time.Minute})
	var last *Change
	for _, p := range outboundCall("s1") {
		last = tr.Apply(p)
	}
	s := last.Session
	assert.Equal(t, Ended, s.Closure)
	c, ended := s.Completed()
	require.True(t, ended)
	assert.Equal(t, call.StatusAnswered, c.EndStatus, "someone talked")
	assert.Equal(t, t0, c.Start)
	assert.Equal(t, t0.Add(4*time.Second), c.Ring, "outbound: the customer's ringing counts")
	assert.Equal(t, t0.Add(12*time.Second), c.Answer)
	assert.Equal(t, t0.Add(72*time.Second), c.End)
	assert.Equal(t, map[call.Phase]time.Duration{
		call.PhaseTotal: 72 * time.Second, call.PhaseRing: 8 * time.Second, call.PhaseTalk: 60 * time.Second,
	}, c.Durations)
	assert.Equal(t, "8014", c.Agent.StaffNumber)
	assert.Zero(t, tr.Len(), "an ended call is no longer open")
}

func TestOutOfOrderAndRepeatedEventsGiveTheSameCall(t *testing.T) {
	inOrder := NewTracker(Config{MaxSessions: 10, IdleTimeout: time.Minute})
	for _, p := range outboundCall("s1") {
		inOrder.Apply(p)
	}
	want, _ := inOrder.Apply(outboundCall("s1")[4]).Session.Completed()

	shuffled := NewTracker(Config{MaxSessions: 10, IdleTimeout: time.Minute})
	pushes := outboundCall("s1")
	pushes[2].Arrival = t0.Add(13 * time.Second) // call_process arrives after call_talking
	for _, i := range []int{0, 1, 3, 2, 3, 4} {  // and call_talking arrives twice
		shuffled.Apply(pushes[i])
	}
	ch := shuffled.Apply(pushes[4])
	got, _ := ch.Session.Completed()
	assert.Len(t, ch.Session.Events, 5, "repeats add nothing")
	assert.Equal(t, []string{"agentDialout", "callout_process", "call_process", "call_talking", "call_hangup"},
		eventNames(ch.Session), "events are put back in call order")
	assert.Equal(t, want.EndStatus, got.EndStatus)
	assert.Equal(t, want.Start, got.Start)
	assert.Equal(t, want.End, got.End)
	// UinCall events carry no time: a late one keeps its arrival, and the answer after it cannot
	// precede it, so both are at 13 s.
	assert.Equal(t, t0.Add(13*time.Second), got.Ring)
	assert.Equal(t, t0.Add(13*time.Second), got.Answer)
	assert.Equal(t, 59*time.Second, got.Durations[call.PhaseTalk])
}

func eventNames(s *Session) []string {
	var out []string
	for _, e := range s.Events {
		out = append(out, e.Name)
	}
	return out
}

func TestUnansweredOutcomes(t *testing.T) {
	tr := NewTracker(Config{MaxSessions: 10, IdleTimeout: time.Minute})
	pushes := outboundCall("s2")
	for _, i := range []int{0, 1, 2, 4} { // never talked
		tr.Apply(pushes[i])
	}
	c, _ := tr.Apply(pushes[4]).Session.Completed()
	assert.Equal(t, call.StatusNoAnswer, c.EndStatus)
	assert.Equal(t, 68*time.Second, c.Durations[call.PhaseRing], "rang until the end")

	// The vendor's own result wins over what the events imply.
	failed := outboundCall("s3")
	failed[4].Call.EndStatus = call.StatusFailed
	for _, p := range failed[:2] {
		tr.Apply(p)
	}
	c, _ = tr.Apply(failed[4]).Session.Completed()
	assert.Equal(t, call.StatusFailed, c.EndStatus)

	// Inbound, hung up while the agent's phone rang.
	in := uincallEvent("s4", call.EventAgentRinging, "incoming", 0, "")
	in.Call.Direction = call.DirectionInbound
	end := uincallEvent("s4", call.EventCallEnded, "call_hangup", 9*time.Second, "")
	end.Call.Direction = call.DirectionInbound
	tr.Apply(in)
	c, _ = tr.Apply(end).Session.Completed()
	assert.Equal(t, call.StatusAbandonedRinging, c.EndStatus)
}

func TestRecordClosesTheSession(t *testing.T) {
	tr := NewTracker(Config{MaxSessions: 10, IdleTimeout: time.Minute})
	event := &call.Push{
		Vendor: "udesk", Kind: call.KindCallEvent, Time: t0, Arrival: t0, DedupKey: "1/enqueue_succ/x",
		Call:  call.Call{SessionID: "1", Direction: call.DirectionInbound, Queue: call.Queue{Name: "售后"}},
		Event: &call.Event{Name: "enqueue_succ", Type: call.EventQueued},
	}
	ch := tr.Apply(event)
	assert.Equal(t, Open, ch.Session.Closure)
	_, ended := ch.Session.Completed()
	assert.False(t, ended)

	record := &call.Push{
		Vendor: "udesk", Kind: call.KindCallRecord, Time: t0.Add(time.Minute), Arrival: t0.Add(time.Minute),
		DedupKey: "1/end/y",
		Call:     call.Call{SessionID: "1", EndStatus: call.StatusAnswered, Durations: map[call.Phase]time.Duration{call.PhaseTalk: time.Minute}},
		Event:    &call.Event{Name: "end", Type: call.EventCallEnded},
	}
	ch = tr.Apply(record)
	assert.Equal(t, Ended, ch.Session.Closure)
	c, ended := ch.Session.Completed()
	assert.True(t, ended)
	assert.Equal(t, time.Minute, c.Durations[call.PhaseTalk], "the record is the completed call")
	assert.Equal(t, "售后", ch.Session.Call.Queue.Name, "the merged view keeps what events said")
	assert.Len(t, ch.Session.Events, 2)

	// A push after the end (Udesk's retries) finds the closed session, not a new one.
	late := *event
	late.Arrival = t0.Add(2 * time.Minute)
	ch = tr.Apply(&late)
	assert.Equal(t, Ended, ch.Session.Closure)
	assert.Zero(t, tr.Len())
}

func TestClaims(t *testing.T) {
	tr := NewTracker(Config{MaxSessions: 10, IdleTimeout: time.Minute})
	ch := tr.Apply(outboundCall("s1")[0])
	key := ch.Session.Key
	assert.Equal(t, []string{"a", "b"}, tr.Claim(key, []string{"a", "b"}))
	assert.Equal(t, []string{"c"}, tr.Claim(key, []string{"a", "b", "c"}), "claimed once")
	tr.Release(key, []string{"b"})
	assert.Equal(t, []string{"b"}, tr.Claim(key, []string{"a", "b"}), "released items can be claimed again")
	assert.Equal(t, []string{"x"}, tr.Claim(Key{ID: "unknown"}, []string{"x"}), "forgotten sessions report rather than lose")
	assert.Equal(t, []string{"d", "e"}, tr.Claim(key, []string{"d", "a", "e", "d"}), "in their order, each once")
	assert.Nil(t, tr.Claim(key, []string{"a", "b"}), "nothing new")
}

func TestBoundedByCountAndTime(t *testing.T) {
	tr := NewTracker(Config{MaxSessions: 3, IdleTimeout: time.Minute})
	var evicted []*Session
	for i := range 5 {
		ch := tr.Apply(uincallEvent(fmt.Sprint("s", i), call.EventCallStarted, "agentDialout", time.Duration(i)*time.Second, ""))
		evicted = append(evicted, ch.Closed...)
	}
	assert.Equal(t, 3, tr.Len())
	require.Len(t, evicted, 2)
	assert.Equal(t, "s0", evicted[0].Key.ID, "the oldest goes first")
	assert.Equal(t, Evicted, evicted[0].Closure)

	// s2 sees new activity; s3 and s4 go idle.
	tr.Apply(uincallEvent("s2", call.EventAgentRinging, "callout_process", 50*time.Second, ""))
	timedOut, _ := tr.Sweep(t0.Add(65*time.Second), 0)
	var ids []string
	for _, s := range timedOut {
		ids = append(ids, s.Key.ID)
		assert.Equal(t, TimedOut, s.Closure)
	}
	assert.Equal(t, []string{"s3", "s4"}, ids)
	assert.Equal(t, 1, tr.Len())

	c, ended := timedOut[0].Completed()
	assert.False(t, ended, "a timed-out call did not end")
	assert.Equal(t, t0.Add(3*time.Second), c.End, "it ends where it was last seen")
}

func TestPushesWithoutASession(t *testing.T) {
	tr := NewTracker(Config{MaxSessions: 3, IdleTimeout: time.Minute})
	dial := uincallEvent("", call.EventCallStarted, "agentDialout", 0, "")
	assert.Nil(t, tr.Apply(dial), "UinCall's dial request has no session yet")
	rec := &call.Push{Vendor: "tccc", Kind: call.KindRecording, Call: call.Call{SessionID: "x"}}
	assert.Nil(t, tr.Apply(rec), "recordings are not steps of a call")
	assert.Zero(t, tr.Len())
}

// A push without a dedup key (UinCall's: no id, no documented retries) is an event every time it
// comes, on the agent's timeline as in a call.
func TestPushesWithoutAKeyAreEachAnEvent(t *testing.T) {
	tr := NewTracker(Config{MaxSessions: 10, IdleTimeout: time.Hour})
	status := func(at time.Duration) *call.Push {
		return &call.Push{
			Vendor: "uincall", Kind: call.KindAgentEvent, Tenant: "t", Arrival: t0.Add(at),
			Call:  call.Call{Agent: call.Agent{StaffNumber: "8014"}},
			Event: &call.Event{Name: "agentstatus", Type: call.EventAgentStatus},
		}
	}
	first, second := tr.Apply(status(0)), tr.Apply(status(2*time.Second))
	assert.Equal(t, first.Session.Key, second.Session.Key, "the agent's day")
	assert.NotEqual(t, first.EventKey, second.EventKey)
	require.Len(t, second.Session.Events, 2, "the same body twice is two reports")
	assert.Equal(t, []time.Time{t0, t0.Add(2 * time.Second)}, second.Session.EventTimes())
}

// Only a vendor that documents pushes after the end as retries (Udesk) gets them marked so.
func TestOnlyAFinalEndMakesRetries(t *testing.T) {
	for _, final := range []bool{true, false} {
		tr := NewTracker(Config{MaxSessions: 10, IdleTimeout: time.Hour})
		var last *Change
		for _, p := range outboundCall("s1") {
			p.EndIsFinal = final
			last = tr.Apply(p)
			tr.Claim(last.Session.Key, []string{AcceptedEvent(p)})
		}
		require.Equal(t, Ended, last.Session.Closure)
		late := outboundCall("s1")[3] // call_talking again, after the hangup
		late.EndIsFinal = final
		late.Arrival = t0.Add(80 * time.Second)
		late.DedupKey = ""
		ch := tr.Apply(late)
		assert.Equal(t, final, ch.Retry, "end is final: %v", final)
	}
}

// The copy of a session a push gets keeps the events it had, whatever later pushes add: they
// share the events with the tracker, which never moves them in place.
func TestCopiesKeepTheirEvents(t *testing.T) {
	tr := NewTracker(Config{MaxSessions: 10, IdleTimeout: time.Hour})
	push := func(name string, at time.Duration, timed bool) *Change {
		p := uincallEvent("s1", call.EventTalking, name, at, "")
		if timed {
			p.Time = p.Arrival
		}
		return tr.Apply(p)
	}
	first := push("b", 2*time.Second, true)
	second := push("c", 3*time.Second, true)
	_ = append(second.Session.Events, Event{Key: "appended by a reader"})
	inOrder := push("d", 4*time.Second, true) // appended in place
	early := push("a", time.Second, true)     // sorted into a new slice
	untimed := push("e", 5*time.Second, false)
	assert.Equal(t, []string{"b"}, eventNames(first.Session))
	assert.Equal(t, []string{"b", "c"}, eventNames(second.Session))
	assert.Equal(t, []string{"b", "c", "d"}, eventNames(inOrder.Session))
	assert.Equal(t, []string{"a", "b", "c", "d"}, eventNames(early.Session))
	assert.Equal(t, []string{"a", "b", "c", "d", "e"}, eventNames(untimed.Session))
}

// Events are in the order that sorting all of them anew gives, whatever order they come in,
// timed or not.
func TestEventsSortAsAWhole(t *testing.T) {
	types := []call.EventType{call.EventCallStarted, call.EventQueued, call.EventAgentRinging, call.EventTalking, call.EventTransfer, call.EventHangup}
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 200 {
		tr := NewTracker(Config{MaxSessions: 10, IdleTimeout: time.Hour})
		var want []Event
		var ch *Change
		mixed := round%2 == 1
		for i := range 30 {
			p := uincallEvent("s1", types[rng.IntN(len(types))], fmt.Sprint("e", i), time.Duration(rng.IntN(60))*time.Second, "")
			if !mixed || rng.IntN(2) == 0 {
				p.Time = t0.Add(time.Duration(rng.IntN(60)) * time.Second)
			}
			ch = tr.Apply(p)
			want = append(want, ch.Session.Events[slices.IndexFunc(ch.Session.Events, func(e Event) bool { return e.Name == p.Event.Name })])
			sortEvents(want)
			require.Equal(t, want, ch.Session.Events, "round %d, event %d", round, i)
		}
	}
}

// A push's copy of its session is read (spans, the saved state) while later pushes of the same
// call change the session: what they merge into the call goes to a new map of custom fields.
func TestCopiesKeepTheirCustomFields(t *testing.T) {
	tr := NewTracker(Config{MaxSessions: 10, IdleTimeout: time.Hour})
	first := uincallEvent("s1", call.EventQueued, "queued", time.Second, "")
	first.Call.Custom = map[string]any{"a": "1"}
	ch := tr.Apply(first)
	read := make(chan map[string]any)
	go func() {
		out := map[string]any{}
		for k, v := range ch.Session.Call.Custom { // as a span's attributes read it
			out[k] = v
		}
		read <- out
	}()
	second := uincallEvent("s1", call.EventTalking, "talking", 2*time.Second, "")
	second.Call.Custom = map[string]any{"b": "2"}
	later := tr.Apply(second)
	assert.Equal(t, map[string]any{"a": "1"}, <-read)
	assert.Equal(t, map[string]any{"a": "1"}, ch.Session.Call.Custom)
	assert.Equal(t, map[string]any{"a": "1", "b": "2"}, later.Session.Call.Custom)
}

// What addEvent and ended know of the leading events (ordered, endless) changes nothing: random
// sequences of timed and untimed events, in and out of order, ends among them, give the events
// and the answers of checking the whole list every time.
func TestEventOrderKnownChangesNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	types := []call.EventType{call.EventQueued, call.EventTalking, call.EventAgentStatus, call.EventCallEnded, call.EventHangup}
	base := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	wholeInOrder := func(evs []Event) bool {
		return !slices.ContainsFunc(evs, func(e Event) bool { return e.Timed != evs[0].Timed }) &&
			slices.IsSortedFunc(evs, compareEvents)
	}
	// The times of the whole list, looking at every event: a session that knows nothing of its
	// order.
	wholeTimes := func(evs []Event) []time.Time { return (&Session{Events: evs}).EventTimes() }
	for round := range 300 {
		var s Session
		var want []Event
		mostlyTimed := round%3 != 0
		kinds := types
		if round%4 == 3 {
			kinds = []call.EventType{call.EventAgentStatus} // an agent's day: one rank
		}
		for i := range 1 + rng.IntN(60) {
			ev := Event{
				Key:   fmt.Sprint(i),
				Type:  kinds[rng.IntN(len(kinds))],
				Time:  base.Add(time.Duration(i*10-rng.IntN(25)) * time.Second), // now and then earlier
				Timed: mostlyTimed == (rng.IntN(20) != 0),
			}
			// The list as addEvent made it before it knew anything.
			want = append(slices.Clip(want), ev)
			if !wholeInOrder(want) {
				want = slices.Clone(want)
				sortEvents(want)
			}
			appended := s.addEvent(ev)
			require.Equal(t, want, s.Events, "round %d, event %d", round, i)
			require.Equal(t, s.Events[len(s.Events)-1].Key == ev.Key && appended, appended)
			wantEnded := slices.ContainsFunc(want, func(e Event) bool { return e.Type == call.EventCallEnded })
			require.Equal(t, wantEnded, s.ended(), "round %d, event %d", round, i)
			require.Equal(t, wholeInOrder(want), inOrder(s.Events, s.ordered), "round %d, event %d", round, i)
			from := rng.IntN(len(want) + 1)
			require.Equal(t, wholeTimes(want)[from:], s.EventTimesFrom(from), "round %d, event %d, from %d", round, i, from)
		}
	}
}

// endedCalls are n calls ended a second apart, from t0: assembled from events (UinCall's, no
// record) when events, else a final record each (TCCC's).
func endedCalls(tr *Tracker, n int, t0 time.Time, events bool) {
	for i := range n {
		at := t0.Add(time.Duration(i) * time.Second)
		id := fmt.Sprint("call-", i)
		if !events {
			tr.Apply(&call.Push{Vendor: "tccc", Kind: call.KindCallRecord, Arrival: at, Time: at,
				Call: call.Call{SessionID: id, Start: at.Add(-time.Minute), End: at}})
			continue
		}
		for _, typ := range []call.EventType{call.EventTalking, call.EventCallEnded} {
			tr.Apply(&call.Push{Vendor: "uincall", Kind: call.KindCallEvent, Arrival: at,
				Call: call.Call{SessionID: id}, Event: &call.Event{Name: string(typ), Type: typ}})
		}
	}
}

// The calls kept after their end are bounded by MaxSessions too. One dropped for room while it
// still holds something back for its late pushes (a call assembled from events: its root, its
// count) is not lost: it waits out of the bound, its claims working, until the core settled it.
func TestCallsCutShortWaitToBeSettled(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	tr := NewTracker(Config{MaxSessions: 3, IdleTimeout: time.Hour, LateGrace: time.Minute})
	endedCalls(tr, 5, t0, true)

	select {
	case <-tr.CutShort():
	default:
		require.Fail(t, "the core is not told of the calls cut short")
	}
	cut := tr.TakeCutShort()
	require.Len(t, cut.Sessions, 2, "the two oldest did not fit")
	for i, s := range cut.Sessions {
		assert.Equal(t, fmt.Sprint("call-", i), s.Key.ID)
		assert.Len(t, s.Events, 2)
		assert.Equal(t, Ended, s.Closure)
		assert.Equal(t, []string{"call"}, tr.Claim(s.Key, []string{"call"}), "claims hold until settled")
		assert.Empty(t, tr.Claim(s.Key, []string{"call"}))
	}
	assert.Len(t, tr.Export(), 5, "kept, so saved, until settled")
	assert.Len(t, tr.Settling(time.Minute), 5, "a shutdown settles them with the others")
	assert.Len(t, tr.TakeCutShort().Sessions, 2, "handed out again until the core says they are settled")

	tr.EndCutShort(cut)
	assert.Empty(t, tr.TakeCutShort().Sessions)
	assert.Len(t, tr.Export(), 3)
	assert.Equal(t, []string{"call"}, tr.Claim(cut.Sessions[0].Key, []string{"call"}), "forgotten once settled")
	_, ripe := tr.Sweep(t0.Add(2*time.Minute), time.Minute)
	assert.Len(t, ripe, 3, "the others are settled by the sweep, after their grace")

	// Nothing held back, nothing cut short: calls with a final record, agents' days, no grace.
	for name, tr := range map[string]*Tracker{
		"records":  NewTracker(Config{MaxSessions: 3, IdleTimeout: time.Hour, LateGrace: time.Minute}),
		"no grace": NewTracker(Config{MaxSessions: 3, IdleTimeout: time.Hour}),
	} {
		endedCalls(tr, 5, t0, name != "records")
		assert.Empty(t, tr.TakeCutShort().Sessions, name)
		assert.Len(t, tr.Export(), 3, name)
	}
	// Past their grace at the last sweep, they were handed out ripe then: dropped as before.
	late := NewTracker(Config{MaxSessions: 3, IdleTimeout: time.Hour, LateGrace: time.Minute})
	endedCalls(late, 3, t0, true)
	_, ripe = late.Sweep(t0.Add(2*time.Minute), time.Minute)
	require.Len(t, ripe, 3)
	for i := range 2 {
		at := t0.Add(3*time.Minute + time.Duration(i)*time.Second)
		for _, typ := range []call.EventType{call.EventTalking, call.EventCallEnded} {
			late.Apply(&call.Push{Vendor: "uincall", Kind: call.KindCallEvent, Arrival: at,
				Call: call.Call{SessionID: fmt.Sprint("later-", i)}, Event: &call.Event{Name: string(typ), Type: typ}})
		}
	}
	assert.Empty(t, late.TakeCutShort().Sessions, "the calls dropped had been settled by the sweep")
}

// A call that holds nothing back for late pushes (TCCC's, with its final record) stays decoded
// only for the claims of the push that closed it: it is frozen once briefClosed newer ones have
// closed, or been restored, while a call of events within its grace (UinCall's) stays among the
// warm ones. Kept all decoded (WarmClosed at least MaxSessions), neither is frozen.
func TestCallsHoldingNothingBackAreFrozenSoon(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	cfg := Config{MaxSessions: 10 * DefaultWarmClosed, IdleTimeout: time.Hour, LateGrace: time.Minute}
	first, second := Key{Vendor: "tccc", ID: "call-0"}, Key{Vendor: "tccc", ID: "call-1"}

	records := NewTracker(cfg)
	endedCalls(records, briefClosed+1, t0, false)
	assert.NotNil(t, records.frozenOf(first), "frozen once briefClosed newer ones closed")
	assert.Nil(t, records.frozenOf(second), "decoded while its push's claims may come")
	assert.Equal(t, []string{"root"}, records.Claim(first, []string{"root"}))
	assert.Empty(t, records.Claim(first, []string{"root"}))

	restored := NewTracker(cfg)
	restored.Restore(records.Export())
	assert.NotNil(t, restored.frozenOf(first), "restored, and frozen as newer ones are")
	assert.Empty(t, restored.Claim(first, []string{"root"}), "with its claims")

	events := NewTracker(cfg)
	endedCalls(events, briefClosed+1, t0, true)
	assert.Nil(t, events.frozenOf(Key{Vendor: "uincall", ID: "call-0"}), "a call of events waits warm for its late pushes")

	all := cfg
	all.WarmClosed = cfg.MaxSessions
	warm := NewTracker(all)
	endedCalls(warm, briefClosed+1, t0, false)
	assert.Nil(t, warm.frozenOf(first), "room for every call kept: all decoded")
}
