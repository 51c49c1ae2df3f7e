package session

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
	"github.com/otelcallcenter/callcenterreceiver/internal/udesk"
	"github.com/otelcallcenter/callcenterreceiver/internal/uincall"
)

var shanghai = time.FixedZone("+0800", 8*3600)

// udeskOccasion decodes a Udesk push of an inbound conversation in queue 售前咨询 at 10:mm:ss
// (+0800) of 2026-11-22, arriving when it says plus delay.
func udeskOccasion(t *testing.T, conversation int, occasion, clock string, agentID int, delay time.Duration) *call.Push {
	t.Helper()
	agent := "null"
	if agentID > 0 {
		agent = fmt.Sprint(agentID)
	}
	body := fmt.Sprintf(`{"call_id":"c-%d","conversation_id":%d,"workflow":"in","occasion":%q,
		"timestamp":"2026-11-22 %s +0800","user_group_id":300,"user_group_name":"售前咨询","agent_id":%s}`,
		conversation, conversation, occasion, clock, agent)
	at, err := time.ParseInLocation(time.DateTime, "2026-11-22 "+clock, shanghai)
	require.NoError(t, err)
	pushes, err := udesk.Platform{}.Decode(platform.Request{Body: []byte(body), Arrival: at.Add(delay), Location: shanghai})
	require.NoError(t, err)
	return &pushes[0]
}

// at is 10:mm:ss (+0800) of 2026-11-22, in UTC as Live gives it.
func at(clock string) time.Time {
	t, _ := time.ParseInLocation(time.DateTime, "2026-11-22 "+clock, shanghai)
	return t.UTC()
}

// The document: "一般情况下,occasion依次为:"enqueue_succ"; "agent_lock"(功能开通后); "agent_incall";
// "hangup"; "end"" for an inbound call: 呼入入队成功 (queued), 锁定坐席 (an agent is offered the
// call: its phone rings), 坐席开始通话 (talking), 通话有一方挂断 (hung up); and agent_breakout
// 分配坐席未应答 (the agent offered did not answer: the call waits again).
func TestLiveFollowsAUdeskInboundCall(t *testing.T) {
	steps := []struct {
		occasion, clock string
		agent           int
		want            LiveCall
		live            bool
	}{
		{"enqueue_succ", "10:00:00", 0, LiveCall{Phase: PhaseQueue, Since: at("10:00:00")}, true},
		{"agent_lock", "10:00:30", 1941, LiveCall{Phase: PhaseRinging, Since: at("10:00:30"), Agent: "1941"}, true},
		// Back in the queue: the customer has waited since 10:00:00, not since the breakout.
		{"agent_breakout", "10:00:45", 1941, LiveCall{Phase: PhaseQueue, Since: at("10:00:00")}, true},
		{"agent_lock", "10:00:50", 1942, LiveCall{Phase: PhaseRinging, Since: at("10:00:50"), Agent: "1942"}, true},
		{"agent_incall", "10:00:55", 1942, LiveCall{Phase: PhaseTalking, Since: at("10:00:55"), Agent: "1942"}, true},
		{"hangup", "10:03:00", 1942, LiveCall{}, false},
	}
	tr := NewTracker(Config{MaxSessions: 10, IdleTimeout: time.Hour})
	for _, st := range steps {
		ch := tr.Apply(udeskOccasion(t, 54093, st.occasion, st.clock, st.agent, 0))
		got, live := ch.Session.Live()
		require.Equal(t, st.live, live, st.occasion)
		if st.live {
			st.want.Direction, st.want.Queue = call.DirectionInbound, "售前咨询"
		}
		assert.Equal(t, st.want, got, "after %s", st.occasion)
	}
}

// The same occasions pushed out of order and twice leave the call where the in-order pushes
// do: Udesk's timestamp orders them.
func TestLiveIsTheSameOutOfOrderAndRepeated(t *testing.T) {
	push := func(occasion, clock string, agent int, delay time.Duration) *call.Push {
		return udeskOccasion(t, 54094, occasion, clock, agent, delay)
	}
	tr := NewTracker(Config{MaxSessions: 10, IdleTimeout: time.Hour})
	tr.Apply(push("agent_incall", "10:00:55", 1942, 0))
	tr.Apply(push("enqueue_succ", "10:00:00", 0, 70*time.Second)) // late, after the talk began
	tr.Apply(push("agent_lock", "10:00:50", 1942, 71*time.Second))
	tr.Apply(push("enqueue_succ", "10:00:00", 0, 72*time.Second)) // twice
	now := at("10:02:00")
	live := tr.Live(now)[Key{Vendor: "udesk"}]
	require.NotNil(t, live)
	assert.Equal(t, map[LiveGroup]int{{PhaseTalking, call.DirectionInbound, "售前咨询"}: 1}, live.Calls)
	assert.Empty(t, live.Oldest, "nobody waits or rings")
	assert.Equal(t, map[string]int{"售前咨询": 1}, live.AgentsOnCall)
}

// A call whose hangup and end never come stays in the gauges until the idle timeout after its
// last push, then leaves them, before the sweep closes it.
func TestLiveForgetsACallWhoseEndNeverCame(t *testing.T) {
	tr := NewTracker(Config{MaxSessions: 10, IdleTimeout: 5 * time.Minute})
	tr.Apply(udeskOccasion(t, 54095, "enqueue_succ", "10:00:00", 0, 0))
	tr.Apply(udeskOccasion(t, 54095, "agent_lock", "10:00:20", 1941, 0))
	last := at("10:00:20")
	assert.Equal(t, 1, tr.Live(last.Add(5*time.Minute - time.Second))[Key{Vendor: "udesk"}].Calls[LiveGroup{PhaseRinging, call.DirectionInbound, "售前咨询"}])
	assert.Nil(t, tr.Live(last.Add(5 * time.Minute))[Key{Vendor: "udesk"}], "idle for sessions.idle_timeout: gone")
	assert.Equal(t, 1, tr.Len(), "the sweep has not closed it yet")
}

func TestLiveCountsQueuesAndDistinctAgents(t *testing.T) {
	tr := NewTracker(Config{MaxSessions: 10, IdleTimeout: time.Hour})
	tr.Apply(udeskOccasion(t, 1, "enqueue_succ", "10:00:00", 0, 0))
	tr.Apply(udeskOccasion(t, 2, "enqueue_succ", "10:00:40", 0, 0))
	tr.Apply(udeskOccasion(t, 3, "enqueue_succ", "10:00:10", 0, 0))
	tr.Apply(udeskOccasion(t, 3, "agent_lock", "10:00:20", 1941, 0))
	tr.Apply(udeskOccasion(t, 4, "agent_lock", "10:00:25", 1941, 0)) // the same agent offered two calls
	tr.Apply(udeskOccasion(t, 5, "agent_incall", "10:00:30", 1942, 0))
	tr.Apply(udeskOccasion(t, 6, "enqueue_succ", "10:00:05", 0, 0))
	tr.Apply(udeskOccasion(t, 6, "hangup", "10:00:35", 0, 0)) // gave up: no longer waiting

	live := tr.Live(at("10:01:00"))[Key{Vendor: "udesk"}]
	require.NotNil(t, live)
	queue, ringing := LiveGroup{PhaseQueue, call.DirectionInbound, "售前咨询"}, LiveGroup{PhaseRinging, call.DirectionInbound, "售前咨询"}
	assert.Equal(t, map[LiveGroup]int{queue: 2, ringing: 2, {PhaseTalking, call.DirectionInbound, "售前咨询"}: 1}, live.Calls)
	assert.Equal(t, map[LiveGroup]time.Time{queue: at("10:00:00"), ringing: at("10:00:20")}, live.Oldest)
	assert.Equal(t, map[string]int{"售前咨询": 2}, live.AgentsOnCall, "1941 once, however many calls ring it, and 1942")

	restored := NewTracker(Config{MaxSessions: 10, IdleTimeout: time.Hour})
	restored.Restore(tr.Export())
	assert.Equal(t, tr.Live(at("10:01:00")), restored.Live(at("10:01:00")), "a restart with storage restores them")
}

// A transfer that Udesk pushes as a conversation of its own: the customer is where the latest
// conversation is, whatever the earlier one's agent does after handing over.
func TestLiveFollowsATransfersLatestConversation(t *testing.T) {
	first, second := transferredCall()
	tr := NewTracker(Config{MaxSessions: 10, IdleTimeout: time.Hour})
	for _, p := range first[:3] {
		tr.Apply(p)
	}
	tr.Apply(second[0])                     // agent 2052 rings at 100 s
	ch := tr.Apply(withTime(first[3], 101)) // agent 2051 hangs up after handing over
	got, live := ch.Session.Live()
	require.True(t, live)
	assert.Equal(t, LiveCall{Phase: PhaseRinging, Since: t0.Add(100 * time.Second), Direction: call.DirectionInbound, Agent: "2052"}, got)
}

func withTime(p *call.Push, offset int) *call.Push {
	p.Time = t0.Add(time.Duration(offset) * time.Second)
	p.Arrival = p.Time
	return p
}

// uincallPush decodes a UinCall push arriving at t0 plus offset seconds.
func uincallPush(t *testing.T, body string, offset int) *call.Push {
	t.Helper()
	pushes, err := uincall.Platform{}.Decode(platform.Request{Body: []byte(body), Arrival: t0.Add(time.Duration(offset) * time.Second)})
	require.NoError(t, err)
	return &pushes[0]
}

func uincallCall(session, command, direction, agent string) string {
	return fmt.Sprintf(`{"tenant_id":"acf528a2","session_id":%q,"type":"event","dir":"DN","agent_num":%q,
		"command":%q,"agent_type":0,"calldirection":%q,"queue_id":"7e42697c","call_result":-1}`, session, agent, command, direction)
}

// The document's commands: incoming 坐席来电事件 (an inbound call offered to the agent: it
// rings), agentDialout 坐席外呼 (the agent dials out), callout_process 呼叫坐席中 (calling the
// agent), call_process 呼叫客户中 (calling the customer), call_talking 客户接听并开始通话
// (talking), call_hangup 坐席通话结束 (over). Its events carry no time: arrival is the time.
func TestLiveFollowsUinCallCommands(t *testing.T) {
	tr := NewTracker(Config{MaxSessions: 20, IdleTimeout: time.Hour})
	tr.Apply(uincallPush(t, uincallCall("in-1", "incoming", "call in", "8014"), 0))
	// Out of order: the talk arrives before the call was offered; the command's place in a call
	// puts it back.
	tr.Apply(uincallPush(t, uincallCall("in-2", "call_talking", "call in", "8015"), 5))
	tr.Apply(uincallPush(t, uincallCall("in-2", "incoming", "call in", "8015"), 6))
	tr.Apply(uincallPush(t, uincallCall("out-1", "agentDialout", "call out", "8016"), 7))
	tr.Apply(uincallPush(t, uincallCall("out-2", "agentDialout", "call out", "8017"), 8))
	tr.Apply(uincallPush(t, uincallCall("out-2", "callout_process", "call out", "8017"), 9))
	tr.Apply(uincallPush(t, uincallCall("in-3", "incoming", "call in", "8018"), 10))
	tr.Apply(uincallPush(t, uincallCall("in-3", "call_hangup", "call in", "8018"), 11))

	live := tr.Live(t0.Add(30 * time.Second))[Key{Vendor: "uincall", Tenant: "acf528a2"}]
	require.NotNil(t, live)
	in, out := call.DirectionInbound, call.DirectionOutbound
	assert.Equal(t, map[LiveGroup]int{
		{PhaseRinging, in, "7e42697c"}: 1, {PhaseTalking, in, "7e42697c"}: 1,
		{PhaseDialing, out, "7e42697c"}: 1, {PhaseRinging, out, "7e42697c"}: 1,
	}, live.Calls)
	assert.Equal(t, map[LiveGroup]time.Time{
		{PhaseRinging, in, "7e42697c"}: t0, {PhaseRinging, out, "7e42697c"}: t0.Add(9 * time.Second),
	}, live.Oldest, "from the arrival of the push that began the phase")
	assert.Equal(t, map[string]int{"7e42697c": 3}, live.AgentsOnCall, "8014 and 8017 ringing, 8015 talking")
}

// The document's agent pushes: "10 agent_type int 座席接听方式" (how the agent takes calls), on
// agentstatus (坐席状态变更) and setAgentType (坐席切换, whose sample sends "agent_type": 6).
// Each agent counts once, by the value of its latest push.
func TestLiveAnswerModesAreEachAgentsLatest(t *testing.T) {
	agentPush := func(agent, command string, agentType, offset int) *call.Push {
		return uincallPush(t, fmt.Sprintf(`{"tenant_id":"acf528a2","type":"event","dir":"DN","agent_num":%q,
			"command":%q,"agent_type":%d,"call_result":-1}`, agent, command, agentType), offset)
	}
	tr := NewTracker(Config{MaxSessions: 20, IdleTimeout: 24 * time.Hour})
	tr.Apply(agentPush("8014", "agentstatus", 0, 0))
	tr.Apply(agentPush("8014", "setAgentType", 6, 10))
	tr.Apply(agentPush("6666", "agentstatus", 0, 20))
	tr.Apply(agentPush("6666", "agentstatus", 0, 21)) // the same body twice: still one agent
	// 8015's day changes at midnight UTC: its latest push is on the next day's timeline.
	midnight := t0.Truncate(24 * time.Hour).Add(24 * time.Hour)
	late := int(midnight.Sub(t0)/time.Second) - 5
	tr.Apply(agentPush("8015", "setAgentType", 6, late))
	tr.Apply(agentPush("8015", "agentstatus", 0, late+10))

	live := tr.Live(midnight.Add(time.Minute))[Key{Vendor: "uincall", Tenant: "acf528a2"}]
	require.NotNil(t, live)
	assert.Equal(t, map[string]int{"0": 2, "6": 1}, live.AnswerModes)
	assert.Empty(t, live.Calls, "agent pushes are no calls")
}
