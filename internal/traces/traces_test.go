package traces

import (
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcallcenter/callcenterreceiver/internal/attrs"
	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/dezhu"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
	"github.com/otelcallcenter/callcenterreceiver/internal/session"
	"github.com/otelcallcenter/callcenterreceiver/internal/tccc"
	"github.com/otelcallcenter/callcenterreceiver/internal/traffic"
	"github.com/otelcallcenter/callcenterreceiver/internal/udesk"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

func decodeFile(t *testing.T, v platform.Platform, file string, query url.Values) call.Push {
	t.Helper()
	body, err := os.ReadFile("../../testdata/" + file)
	require.NoError(t, err)
	pushes, err := v.Decode(platform.Request{Body: body, Query: query, Location: shanghai, Arrival: time.Now()})
	require.NoError(t, err)
	return pushes[0]
}

// tree is a compact view of spans: key → parent, name, start offset and duration in seconds.
type node struct {
	parent, name string
	at, secs     float64
	err          string
}

func treeOf(spans []Span) map[string]node {
	var start time.Time
	for _, s := range spans {
		if s.Key == RootKey {
			start = s.Start
		}
	}
	out := map[string]node{}
	for _, s := range spans {
		out[s.Key] = node{parent: s.Parent, name: s.Name, at: s.Start.Sub(start).Seconds(), secs: s.End.Sub(s.Start).Seconds(), err: s.Error}
	}
	return out
}

func TestIDsAreDeterministic(t *testing.T) {
	a := TraceID("tccc", "1400", "s-1")
	assert.Equal(t, a, TraceID("tccc", "1400", "s-1"), "the same call, on any replica")
	assert.NotEqual(t, a, TraceID("tccc", "1401", "s-1"), "tenants do not share traces")
	assert.NotEqual(t, a, TraceID("udesk", "1400", "s-1"))
	q := SpanID(a, "queue")
	assert.Equal(t, q, SpanID(TraceID("tccc", "1400", "s-1"), "queue"))
	assert.NotEqual(t, SpanID(a, "queue"), SpanID(a, "ivr"))
	assert.NotEqual(t, SpanID(a, "queue"), SpanID(TraceID("tccc", "1400", "s-2"), "queue"))
}

func TestTCCCOutboundSample(t *testing.T) {
	p := decodeFile(t, tccc.Platform{}, "tccc/cdr.json", url.Values{"action": {"cdr"}})
	assert.Equal(t, map[string]node{
		"call":  {name: "outbound call", at: 0, secs: 13, err: "unreachable (numberNotExist)"},
		"setup": {parent: "call", name: "setup", at: 0, secs: 4},
		"ring":  {parent: "call", name: "customer ringing", at: 4, secs: 9},
		"leg/0": {parent: "call", name: "agent leg", at: 0, secs: 13},
	}, treeOf(RecordSpans(&p.Call)))
}

func TestInboundTransferLegsAreLinked(t *testing.T) {
	c := call.Call{
		SessionID: "s", Direction: call.DirectionInbound, EndStatus: call.StatusAnswered,
		Start: at(0), Queued: at(20), Ring: at(50), Answer: at(60), End: at(160),
		Legs: []call.Leg{
			{Sequence: 0, Agent: call.Agent{Email: "a@x.com"}, Ring: at(50), Answer: at(60), End: at(100), TransferTo: "b@x.com"},
			{Sequence: 1, Agent: call.Agent{Email: "b@x.com"}, Ring: at(100), Answer: at(105), End: at(160), TransferFrom: "a@x.com"},
		},
	}
	c.SetDuration(call.PhaseACW, 30*time.Second)
	spans := RecordSpans(&c)
	assert.Equal(t, map[string]node{
		"call":   {name: "inbound call", at: 0, secs: 160},
		"ivr":    {parent: "call", name: "ivr", at: 0, secs: 20},
		"queue":  {parent: "call", name: "queue", at: 20, secs: 30},
		"leg/0":  {parent: "call", name: "agent leg", at: 50, secs: 50},
		"ring/0": {parent: "leg/0", name: "agent ringing", at: 50, secs: 10},
		"talk/0": {parent: "leg/0", name: "talk", at: 60, secs: 40},
		"leg/1":  {parent: "call", name: "agent leg", at: 100, secs: 60},
		"ring/1": {parent: "leg/1", name: "agent ringing", at: 100, secs: 5},
		"talk/1": {parent: "leg/1", name: "talk", at: 105, secs: 55},
		"acw":    {parent: "call", name: "after-call work", at: 160, secs: 30},
	}, treeOf(spans))
	leg1 := spans[slices.IndexFunc(spans, func(s Span) bool { return s.Key == "leg/1" })]
	assert.Equal(t, Link{Key: "leg/0", TransferFrom: "a@x.com"}, leg1.Link, "who transferred to whom")
	assert.Equal(t, "b@x.com", attributesOf(leg1)["callcenter.agent.email"])
	assert.Equal(t, "a@x.com", attributesOf(leg1)["callcenter.leg.transfer.from"])
}

func TestDurationsWithoutTimesAreDerived(t *testing.T) {
	p := decodeFile(t, dezhu.Platform{}, "dezhu/inbound-transfer.json", nil)
	spans := RecordSpans(&p.Call)
	tree := treeOf(spans)
	assert.Equal(t, node{parent: "leg/0", name: "talk", at: 20, secs: 40}, tree["talk/0"], "talk ends at the end")
	assert.Equal(t, node{parent: "leg/0", name: "agent ringing", at: 15, secs: 5}, tree["ring/0"], "ringing ends at the answer")
	assert.Equal(t, node{parent: "call", name: "queue", at: 7, secs: 8}, tree["queue"], "the queue ends at the first ring")
	for _, s := range spans {
		if s.Key == "queue" || s.Key == "acw" {
			assert.Equal(t, true, attributesOf(s)[attrs.SpanDerived], "%s says its times are derived", s.Key)
		}
	}
	root := spans[slices.IndexFunc(spans, func(s Span) bool { return s.Key == RootKey })]
	assert.NotContains(t, attributesOf(root), attrs.SpanDerived, "the vendor gave the call's own times")
}

// udeskInbound are the pushes of one inbound Udesk call, in order.
var udeskInbound = []string{"inbound-1-enqueue_succ", "inbound-2-agent_lock", "inbound-3-agent_incall", "inbound-4-hangup", "inbound-5-end"}

// emitted replays pushes through a tracker as the receiver does: after each push it sends the
// settled spans not sent before. It returns everything sent, and what was sent after each push.
func emitted(t *testing.T, pushes []call.Push) (map[string]Span, [][]string) {
	t.Helper()
	tr := session.NewTracker(session.Config{MaxSessions: 10, IdleTimeout: time.Hour})
	sent := map[string]Span{}
	var steps [][]string
	send := func(s *session.Session, now time.Time) []string {
		spans, _ := Spans(s, now, time.Minute, "")
		fresh := tr.Claim(s.Key, Keys(spans))
		for _, sp := range spans {
			if slices.Contains(fresh, sp.Key) {
				sent[sp.Key] = sp
			}
		}
		slices.Sort(fresh)
		return fresh
	}
	var last *session.Session
	for i := range pushes {
		ch := tr.Apply(&pushes[i])
		last = ch.Session
		steps = append(steps, send(last, pushes[i].Arrival))
	}
	// The grace after the end runs out: whatever the record alone describes goes too.
	if last.Closure != session.Open {
		if rest := send(last, last.Closed.Add(time.Hour)); len(rest) > 0 {
			steps = append(steps, rest)
		}
	}
	return sent, steps
}

func TestPhasesAreSentAsTheyEnd(t *testing.T) {
	var pushes []call.Push
	for _, f := range udeskInbound {
		pushes = append(pushes, decodeFile(t, udesk.Platform{}, "udesk/"+f+".json", nil))
	}
	sent, steps := emitted(t, pushes)
	assert.Equal(t, [][]string{
		nil,                      // in the queue: nothing has ended
		{"queue"},                // an agent rings: the queue wait is over
		{"ring/0"},               // the agent answers
		{"talk/0"},               // a hang-up ends the talk
		{"call", "ivr", "leg/0"}, // the end closes the call; the record adds the IVR
	}, steps)
	assert.Equal(t, map[string]node{
		"call":   {name: "inbound call", at: 0, secs: 287},
		"ivr":    {parent: "call", name: "ivr", at: 0, secs: 18},
		"queue":  {parent: "call", name: "queue", at: 18, secs: 11},
		"leg/0":  {parent: "call", name: "agent leg", at: 29, secs: 258}, // the record's leg: agent_ring_at to agent_hangup_at
		"ring/0": {parent: "leg/0", name: "agent ringing", at: 29, secs: 5},
		"talk/0": {parent: "leg/0", name: "talk", at: 34, secs: 252},
	}, treeOf(valuesOf(sent)))
	assert.Equal(t, "inbound call", sent["call"].Name)
	assert.Equal(t, "answered", attributesOf(sent["call"])["callcenter.end_status"], "the record's account of the call")
}

// view is a span as it is sent: what it is and its attributes.
type view struct {
	Key, Parent, Name, Error string
	Start, End               time.Time
	Link                     Link
	Events                   []SpanEvent
	Attributes               map[string]any
}

func viewsOf(m map[string]Span) map[string]view {
	out := map[string]view{}
	for k, s := range m {
		out[k] = view{
			Key: s.Key, Parent: s.Parent, Name: s.Name, Error: s.Error, Start: s.Start, End: s.End,
			Link: s.Link, Events: s.Events, Attributes: attributesOf(s),
		}
	}
	return out
}

// attributesOf is a span's attributes as plain values.
func attributesOf(s Span) map[string]any {
	m := attrs.Raw{}
	s.putAttributes(m)
	return m
}

func valuesOf(m map[string]Span) []Span {
	var out []Span
	for _, s := range m {
		out = append(out, s)
	}
	return out
}

func TestShuffledAndRepeatedPushesGiveTheSameSpans(t *testing.T) {
	var inOrder []call.Push
	for _, f := range udeskInbound {
		inOrder = append(inOrder, decodeFile(t, udesk.Platform{}, "udesk/"+f+".json", nil))
	}
	want, _ := emitted(t, inOrder)
	for _, order := range [][]int{{4, 3, 2, 1, 0}, {1, 0, 3, 2, 4}, {2, 4, 0, 1, 3}, {0, 0, 2, 1, 1, 3, 4, 3}} {
		var pushes []call.Push
		for _, i := range order {
			pushes = append(pushes, inOrder[i])
		}
		got, steps := emitted(t, pushes)
		assert.Equal(t, viewsOf(want), viewsOf(got), "order %v", order)
		all := slices.Concat(steps...)
		assert.Len(t, all, len(want), "order %v: every span sent once, none twice: %v", order, steps)
	}
}

func at(s int) time.Time { return time.Date(2026, 11, 22, 8, 0, s, 0, time.UTC) }

func uincallPush(session string, typ call.EventType, name string, arrival int) call.Push {
	return call.Push{
		Vendor: "uincall", Kind: call.KindCallEvent, Tenant: "t", Arrival: at(arrival), DedupKey: name,
		Call:  call.Call{SessionID: session, Direction: call.DirectionOutbound, Agent: call.Agent{StaffNumber: "8014"}},
		Event: &call.Event{Name: name, Type: typ},
	}
}

func TestOutboundEventsAndAnIncompleteCall(t *testing.T) {
	pushes := []call.Push{
		uincallPush("s", call.EventCallStarted, "agentDialout", 0),
		uincallPush("s", call.EventAgentRinging, "callout_process", 1),
		uincallPush("s", call.EventCustomerRinging, "call_process", 4),
		uincallPush("s", call.EventTalking, "call_talking", 12),
	}
	sent, _ := emitted(t, pushes)
	assert.Equal(t, []string{"ring", "ring/0", "setup"}, sortedKeys(sent), "the call_hangup never came")

	// The call goes idle and is closed: its talk is cut at the last event, the root incomplete.
	tr := session.NewTracker(session.Config{MaxSessions: 10, IdleTimeout: time.Minute})
	for i := range pushes {
		tr.Apply(&pushes[i])
	}
	closed, _ := tr.Sweep(at(12).Add(2*time.Minute), time.Minute)
	require.Len(t, closed, 1)
	spans, _ := Spans(closed[0], at(200), time.Minute, "")
	tree := treeOf(spans)
	assert.Equal(t, node{name: "outbound call", at: 0, secs: 12}, tree["call"])
	assert.Equal(t, node{parent: "call", name: "talk", at: 12, secs: 0}, tree["talk"])
	for _, s := range spans {
		switch s.Key {
		case RootKey:
			assert.Equal(t, true, attributesOf(s)[attrs.SpanIncomplete])
			assert.Equal(t, "timeout", attributesOf(s)[attrs.SessionClosure])
		case "talk":
			assert.Equal(t, true, attributesOf(s)[attrs.SpanIncomplete])
		}
	}
}

func sortedKeys(m map[string]Span) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestAgentTimeline(t *testing.T) {
	tr := session.NewTracker(session.Config{MaxSessions: 10, IdleTimeout: time.Minute})
	push := func(name string, arrival int) *session.Change {
		p := call.Push{
			Vendor: "uincall", Kind: call.KindAgentEvent, Tenant: "t", Arrival: at(arrival), DedupKey: name,
			Call: call.Call{Agent: call.Agent{StaffNumber: "8014"}}, Event: &call.Event{Name: name, Type: call.EventAgentStatus},
		}
		return tr.Apply(&p)
	}
	push("agentstatus", 0)
	ch := push("setAgentType", 30)
	assert.Equal(t, "agent/8014/2026-11-22", ch.Session.Key.ID)
	spans, eventSpan := Spans(ch.Session, at(30), time.Minute, "setAgentType@setAgentType")
	require.Len(t, spans, 1, "a state lasts until the next report")
	assert.Equal(t, "agent agentstatus", spans[0].Name)
	assert.InDelta(t, 30, spans[0].End.Sub(spans[0].Start).Seconds(), 0)
	assert.Equal(t, "state/setAgentType@setAgentType", eventSpan)
}

func TestPdata(t *testing.T) {
	p := decodeFile(t, tccc.Platform{}, "tccc/cdr.json", url.Values{"action": {"cdr"}})
	td := ptrace.NewTraces()
	key := session.Key{Vendor: "tccc", Tenant: "1400482256", ID: p.Call.SessionID}
	appendTo(td, attrs.Resource{ServiceName: "callcenter-tccc", Vendor: "tccc", Tenant: "1400482256"}, "scope", key, RecordSpans(&p.Call), nil)
	require.Equal(t, 4, td.SpanCount())
	trace := TraceID("tccc", "1400482256", p.Call.SessionID)
	for _, s := range td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().All() {
		assert.Equal(t, trace, s.TraceID())
		if s.Name() == "outbound call" {
			assert.True(t, s.ParentSpanID().IsEmpty())
			assert.Equal(t, ptrace.SpanKindServer, s.Kind())
			assert.Equal(t, ptrace.StatusCodeError, s.Status().Code(), "the number did not exist")
			v, _ := s.Attributes().Get("callcenter.session.id")
			assert.Equal(t, p.Call.SessionID, v.Str())
		} else {
			assert.Equal(t, SpanID(trace, RootKey), s.ParentSpanID())
			assert.Equal(t, ptrace.StatusCodeUnset, s.Status().Code())
		}
	}
	res := td.ResourceSpans().At(0).Resource().Attributes().AsRaw()
	assert.Equal(t, map[string]any{"service.name": "callcenter-tccc", "callcenter.vendor": "tccc", "callcenter.tenant.id": "1400482256"}, res)
}

// TestTransferredCallQueueDoesNotOverlapTheLegs decodes the TCCC record of issue 8, item 1:
// queued at t+22, the first agent rings at t+30 and answers at t+34, transfers; the second rings
// at t+40 and answers at t+46; the root's RingTimestamp (t+40) and AcceptTimestamp (t+46) are the
// last agent's, as SeatUser is ("如果发生转接则是最后一个客服信息"). The queue ends when the first
// agent's phone rings; no span of the call overlaps another of its level.
func TestTransferredCallQueueDoesNotOverlapTheLegs(t *testing.T) {
	body := []byte(`{"SessionId":"s-2","Direction":0,"StartTimestamp":1700000000,"IVRDuration":22,
	"QueuedTimestamp":1700000022,"RingTimestamp":1700000040,"AcceptTimestamp":1700000046,"EndedTimestamp":1700000100,
	"Duration":54,"EndStatusString":"ok","ServeParticipants":[
	 {"Mail":"a@x.com","Sequence":0,"StartTimestamp":1700000030,"RingTimestamp":1700000030,"AcceptTimestamp":1700000034,"EndedTimestamp":1700000040,"TransferTo":"b@x.com","EndStatusString":"ok"},
	 {"Mail":"b@x.com","Sequence":1,"StartTimestamp":1700000040,"RingTimestamp":1700000040,"AcceptTimestamp":1700000046,"EndedTimestamp":1700000100,"TransferFrom":"a@x.com","EndStatusString":"ok"}]}`)
	pushes, err := tccc.Platform{}.Decode(platform.Request{Query: url.Values{"action": {"cdr"}}, Body: body, Arrival: at(0)})
	require.NoError(t, err)
	spans := RecordSpans(&pushes[0].Call)
	assert.Equal(t, map[string]node{
		"call":   {name: "inbound call", at: 0, secs: 100},
		"ivr":    {parent: "call", name: "ivr", at: 0, secs: 22},
		"queue":  {parent: "call", name: "queue", at: 22, secs: 8},
		"leg/0":  {parent: "call", name: "agent leg", at: 30, secs: 10},
		"ring/0": {parent: "leg/0", name: "agent ringing", at: 30, secs: 4},
		"talk/0": {parent: "leg/0", name: "talk", at: 34, secs: 6},
		"leg/1":  {parent: "call", name: "agent leg", at: 40, secs: 60},
		"ring/1": {parent: "leg/1", name: "agent ringing", at: 40, secs: 6},
		"talk/1": {parent: "leg/1", name: "talk", at: 46, secs: 54},
	}, treeOf(spans))
	assertNoOverlap(t, spans)
}

// assertNoOverlap checks that the IVR, the queue and the agents' legs follow each other (the
// queue ends before any leg begins), and that the phases within a leg do. An outbound call's
// customer ringing and talk run beside the agent's leg, and are not checked against it.
func assertNoOverlap(t *testing.T, spans []Span) {
	t.Helper()
	overlap := func(a, b Span) {
		assert.False(t, a.Start.Before(b.End) && b.Start.Before(a.End), "%s [%v, %v] overlaps %s [%v, %v]",
			a.Key, a.Start, a.End, b.Key, b.Start, b.End)
	}
	var waits, legs []Span
	byLeg := map[string][]Span{}
	for _, s := range spans {
		switch {
		case s.Key == ivrKey || s.Key == queueKey:
			waits = append(waits, s)
		case strings.HasPrefix(s.Key, legPrefix):
			legs = append(legs, s)
		case strings.HasPrefix(s.Parent, legPrefix):
			byLeg[s.Parent] = append(byLeg[s.Parent], s)
		}
	}
	for i, w := range waits {
		for _, other := range append(waits[i+1:], legs...) {
			overlap(w, other)
		}
	}
	for _, phases := range byLeg {
		for i, a := range phases {
			for _, b := range phases[i+1:] {
				overlap(a, b)
			}
		}
	}
}

// TestQueueEndsWhenALegBegins: a leg that began before the call's ring moment (an agent offered
// the call whose ring the record does not give) ends the queue wait.
func TestQueueEndsWhenALegBegins(t *testing.T) {
	c := call.Call{
		SessionID: "s", Direction: call.DirectionInbound, EndStatus: call.StatusAnswered,
		Start: at(0), Queued: at(10), Ring: at(30), Answer: at(35), End: at(90),
		Legs: []call.Leg{
			{Sequence: 0, Start: at(20), End: at(30), EndStatus: call.StatusNoAnswer},
			{Sequence: 1, Ring: at(30), Answer: at(35), End: at(90)},
		},
	}
	spans := RecordSpans(&c)
	assert.Equal(t, node{parent: "call", name: "queue", at: 10, secs: 10}, treeOf(spans)["queue"])
	assertNoOverlap(t, spans)
}

// TestRecordWithoutEndTimeHasItsRoot is issue 8, item 14: an outbound waitingGiveUp TCCC record
// with EndedTimestamp 0. Its log record names the call's trace, so the trace has the root, from
// the start to the last moment the record gives, marked incomplete.
func TestRecordWithoutEndTimeHasItsRoot(t *testing.T) {
	body := []byte(`{"SessionId":"s-3","Direction":1,"StartTimestamp":1700000000,"RingTimestamp":1700000003,
	"AcceptTimestamp":0,"EndedTimestamp":0,"Duration":0,"EndStatusString":"waitingGiveUp","ServeParticipants":[
	 {"Mail":"a@x.com","Sequence":0,"StartTimestamp":1700000000,"RingTimestamp":1700000000,"AcceptTimestamp":1700000001,"EndedTimestamp":0}]}`)
	pushes, err := tccc.Platform{}.Decode(platform.Request{Query: url.Values{"action": {"cdr"}}, Body: body, Arrival: at(0)})
	require.NoError(t, err)
	spans := RecordSpans(&pushes[0].Call)
	tree := treeOf(spans)
	assert.Equal(t, node{name: "outbound call", at: 0, secs: 3, err: "abandoned_in_queue (waitingGiveUp)"}, tree["call"])
	assert.Equal(t, node{parent: "call", name: "setup", at: 0, secs: 3}, tree["setup"])
	assert.Len(t, tree, 2, "no phase that would need the end: %v", tree)
	assert.Equal(t, true, attributesOf(spans[0])[attrs.SpanIncomplete])

	tr := session.NewTracker(session.Config{MaxSessions: 10, IdleTimeout: time.Hour})
	ch := tr.Apply(&pushes[0])
	assert.True(t, HasTrace(ch.Session), "its log record may name the trace")

	// A record that gives no moment at all has no trace, and its log record must not name one.
	none, err := tccc.Platform{}.Decode(platform.Request{Query: url.Values{"action": {"cdr"}}, Body: []byte(`{"SessionId":"s-4","Direction":1}`), Arrival: at(0)})
	require.NoError(t, err)
	assert.Empty(t, RecordSpans(&none[0].Call))
	assert.False(t, HasTrace(tr.Apply(&none[0]).Session))
}

// TestZeroLengthPhasesGetNoSpan is issue 8, item 15: phases a record gives as 0 s did not
// happen. An outbound call whose customer rang at once (no setup), a queue abandon whose ring
// is 0 s, a call nobody answered with after-call work 0 or more.
func TestZeroLengthPhasesGetNoSpan(t *testing.T) {
	outbound := call.Call{
		SessionID: "o", Direction: call.DirectionOutbound, EndStatus: call.StatusAnswered,
		Start: at(0), Ring: at(0), Answer: at(5), End: at(60),
	}
	outbound.SetDuration(call.PhaseQueue, 0)
	outbound.SetDuration(call.PhaseACW, 0)
	assert.Equal(t, map[string]node{
		"call": {name: "outbound call", at: 0, secs: 60},
		"ring": {parent: "call", name: "customer ringing", at: 0, secs: 5},
		"talk": {parent: "call", name: "talk", at: 5, secs: 55},
	}, treeOf(RecordSpans(&outbound)), "no setup, queue or after-call work of 0 s")

	abandon := call.Call{
		SessionID: "q", Direction: call.DirectionInbound, EndStatus: call.StatusAbandonedQueue,
		Start: at(0), End: at(30), Legs: []call.Leg{{Agent: call.Agent{ID: "1"}, End: at(30)}},
	}
	abandon.SetDuration(call.PhaseQueue, 12*time.Second)
	abandon.SetDuration(call.PhaseRing, 0)
	abandon.SetDuration(call.PhaseACW, 20*time.Second)
	tree := treeOf(RecordSpans(&abandon))
	assert.NotContains(t, tree, "ring/0", "no agent ringing of 0 s")
	assert.NotContains(t, tree, "ring")
	assert.NotContains(t, tree, "acw", "no after-call work: no person answered")
	assert.Equal(t, node{parent: "call", name: "queue", at: 18, secs: 12}, tree["queue"])
}

// TestBotHandledCallIsNoError: a call an AI agent served alone went as it should.
func TestBotHandledCallIsNoError(t *testing.T) {
	c := call.Call{SessionID: "b", Direction: call.DirectionInbound, EndStatus: call.StatusBotHandled, Start: at(0), End: at(40)}
	c.SetDuration(call.PhaseACW, 10*time.Second)
	assert.Equal(t, map[string]node{"call": {name: "inbound call", at: 0, secs: 40}}, treeOf(RecordSpans(&c)))
}

// TestGeneratedRecordSpansAreWellFormed checks every TCCC and 得助 record of generated traffic,
// edge cases of issue 8 included: each record with a start gets its root, no phase span is
// empty, the queue does not overlap the legs nor the phases within a leg each other, and no
// after-call work follows a call no person answered.
func TestGeneratedRecordSpansAreWellFormed(t *testing.T) {
	start := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	pushes, _ := traffic.Generate(traffic.Options{Seed: 5, Start: start, Duration: 4 * time.Hour, Rate: 2, Vendors: []string{"tccc", "dezhu"}})
	records := 0
	for _, p := range pushes {
		u, err := url.Parse(p.Path)
		require.NoError(t, err)
		decoded, err := decoderOf(p.Vendor).Decode(platform.Request{Query: u.Query(), Body: p.Body, Arrival: p.At, Location: shanghai})
		require.NoError(t, err)
		if decoded[0].Kind != call.KindCallRecord {
			continue // recordings
		}
		c := &decoded[0].Call
		spans := RecordSpans(c)
		require.NotEmpty(t, spans, "%s has a root: %s", c.SessionID, p.Body)
		records++
		assertNoOverlap(t, spans)
		for _, s := range spans {
			if s.Key != RootKey && !strings.HasPrefix(s.Key, legPrefix) {
				assert.True(t, s.End.After(s.Start), "%s: %s is empty", c.SessionID, s.Key)
			}
			if s.Key == acwKey {
				assert.Equal(t, call.StatusAnswered, c.EndStatus, "%s: after-call work of a call no person answered", c.SessionID)
			}
		}
	}
	assert.Greater(t, records, 500)
}

// An agent's day is sent state by state: each push builds only the states not sent yet (the
// settled ones stay sent), whatever the day's length, and every state is sent once, lasting
// until the next report, as when the whole day is built at once. A late event sorted in among
// the sent states is sent too, and a push of a state sent long ago links its log record to it.
func TestAgentTimelineIsBuiltFromWhatWasNotSent(t *testing.T) {
	tr := session.NewTracker(session.Config{MaxSessions: 10, IdleTimeout: time.Hour})
	push := func(name string, arrival int) *session.Change {
		p := call.Push{
			Vendor: "uincall", Kind: call.KindAgentEvent, Tenant: "t", Arrival: at(arrival), Time: at(arrival), DedupKey: name,
			Call: call.Call{Agent: call.Agent{StaffNumber: "8014"}}, Event: &call.Event{Name: "agentstatus", Type: call.EventAgentStatus},
		}
		return tr.Apply(&p)
	}
	sent := map[string][2]int{} // span key → start, end in seconds
	// send builds the push's spans, sends those not sent yet, and returns how many it built and
	// how many it sent.
	send := func(ch *session.Change) (built, fresh int) {
		spans, _ := Spans(ch.Session, ch.Session.Seen, time.Minute, "")
		batch := NewBatch(tr, "scope")
		batch.Add(attrs.Resource{ServiceName: "s", Vendor: "uincall", Tenant: "t"}, ch.Session, spans) // claims them
		for _, sp := range spans {
			if _, dup := sent[sp.Key]; !dup {
				sent[sp.Key] = [2]int{int(sp.Start.Sub(at(0)).Seconds()), int(sp.End.Sub(at(0)).Seconds())}
			}
		}
		return len(spans), batch.SpanCount()
	}
	key := func(i int) string { return fmt.Sprintf("state/agentstatus@s%03d", i) }
	const day = 500
	for i := range day {
		built, _ := send(push(fmt.Sprintf("s%03d", i), i*10))
		assert.LessOrEqual(t, built, 1, "push %d built the states sent before", i)
	}
	require.Len(t, sent, day-1, "every state but the latest, which lasts until the next report")
	for i := range day - 1 {
		assert.Equal(t, [2]int{i * 10, i*10 + 10}, sent[key(i)])
	}

	_, fresh := send(push("late", 15)) // between the states at 10 and 20, sent long ago
	assert.Equal(t, 1, fresh, "the late state only")
	assert.Equal(t, [2]int{15, 20}, sent["state/agentstatus@late"])
	built, fresh := send(push(fmt.Sprintf("s%03d", day), day*10))
	assert.Equal(t, 1, built, "after the late state, again only what was not sent")
	assert.Equal(t, 1, fresh)

	again := push("s001", 10) // a push of the state at 10 again
	p := call.Push{Vendor: "uincall", Kind: call.KindAgentEvent, Tenant: "t", Event: &call.Event{Name: "agentstatus"}}
	spans, eventSpan := Spans(again.Session, again.Session.Seen, time.Minute, again.EventKey)
	assert.Empty(t, spans)
	traceID, spanID := LogLink(&p, again, eventSpan)
	trace := TraceID("uincall", "t", again.Session.Key.ID)
	assert.Equal(t, trace[:], traceID)
	state := SpanID(trace, key(1))
	assert.Equal(t, state[:], spanID, "its log record is linked to its state's span")
}

// HasTrace says whether a record makes spans without building them: it must agree with
// RecordSpans on every record of every vendor's generated traffic (mistyped fields included),
// and on records missing each of their moments in turn.
func TestHasTraceAgreesWithRecordSpans(t *testing.T) {
	pushes, _ := traffic.Generate(traffic.Options{Seed: 9, Start: at(0), Duration: time.Hour, Rate: 3})
	var records []call.Call
	for _, tp := range pushes {
		_, decoded, err := tp.Decode(time.UTC)
		require.NoError(t, err)
		for _, p := range decoded {
			if p.Kind == call.KindCallRecord {
				records = append(records, p.Call)
			}
		}
	}
	require.NotEmpty(t, records)
	for _, c := range records[:50] {
		for _, drop := range []func(*call.Call){
			func(*call.Call) {}, func(c *call.Call) { c.Start = time.Time{} }, func(c *call.Call) { c.End = time.Time{} },
			func(c *call.Call) { c.Start, c.End = time.Time{}, time.Time{} },
			func(c *call.Call) {
				c.Start, c.End, c.Queued, c.Ring, c.Answer = time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}
			},
		} {
			records = append(records, c)
			drop(&records[len(records)-1])
		}
	}
	withSpans, without := 0, 0
	for i := range records {
		s := &session.Session{Record: &records[i]}
		has := len(RecordSpans(&records[i])) > 0
		require.Equal(t, has, HasTrace(s), "%+v", records[i])
		if has {
			withSpans++
		} else {
			without++
		}
	}
	assert.Positive(t, withSpans)
	assert.Positive(t, without, "some records say nothing of when the call happened")
}

// TestTransferAndInstantsFromEvents checks the pdata of a call assembled from events alone: a
// transfer starts the next agent's leg, numbered and linked to the leg it came from, and what
// happened at an instant (a consult) is an event of the root with the vendor's details.
func TestTransferAndInstantsFromEvents(t *testing.T) {
	tr := session.NewTracker(session.Config{MaxSessions: 10, IdleTimeout: time.Hour})
	var ch *session.Change
	for _, e := range []struct {
		typ   call.EventType
		staff string
		at    int
	}{
		{call.EventQueued, "", 0}, {call.EventAgentRinging, "8001", 5}, {call.EventTalking, "8001", 10},
		{call.EventConsult, "8001", 20}, {call.EventTransfer, "8002", 30}, {call.EventHangup, "8002", 60},
		{call.EventCallEnded, "", 61},
	} {
		p := call.Push{
			Vendor: "uincall", Kind: call.KindCallEvent, Tenant: "t", Time: at(e.at), Arrival: at(e.at), DedupKey: string(e.typ),
			Call:  call.Call{SessionID: "s", Direction: call.DirectionInbound, Agent: call.Agent{StaffNumber: e.staff}},
			Event: &call.Event{Name: string(e.typ), Type: e.typ},
		}
		if e.typ == call.EventConsult {
			p.Event.Attributes = map[string]any{"to": "8003"}
		}
		ch = tr.Apply(&p)
	}
	spans, _ := Spans(ch.Session, at(61).Add(2*time.Minute), time.Minute, "")
	td := ptrace.NewTraces()
	appendTo(td, attrs.Resource{ServiceName: "s", Vendor: "uincall", Tenant: "t"}, "scope", ch.Session.Key, spans, nil)
	trace := TraceID("uincall", "t", "s")
	byName := map[string]ptrace.Span{}
	for _, s := range td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().All() {
		for key := range treeOf(spans) {
			if SpanID(trace, key) == s.SpanID() {
				byName[key] = s
			}
		}
	}
	require.Len(t, byName, 7, "call, queue, ring/0, talk/0, leg/0, talk/1, leg/1: %v", treeOf(spans))

	leg0, leg1 := byName["leg/0"].Attributes().AsRaw(), byName["leg/1"].Attributes().AsRaw()
	assert.Equal(t, map[string]any{attrs.LegSeq: int64(0), attrs.AgentStaffNumber: "8001"}, leg0)
	assert.Equal(t, map[string]any{attrs.LegSeq: int64(1), attrs.AgentStaffNumber: "8002"}, leg1)
	links := byName["leg/1"].Links()
	require.Equal(t, 1, links.Len())
	assert.Equal(t, SpanID(trace, "leg/0"), links.At(0).SpanID())
	assert.Equal(t, map[string]any{attrs.TransferFrom: "8001"}, links.At(0).Attributes().AsRaw(), "who transferred")

	events := byName[RootKey].Events()
	require.Equal(t, 1, events.Len())
	assert.Equal(t, "consult", events.At(0).Name())
	assert.Equal(t, pcommon.NewTimestampFromTime(at(20)), events.At(0).Timestamp())
	assert.Equal(t, map[string]any{"to": "8003"}, events.At(0).Attributes().AsRaw())
}
