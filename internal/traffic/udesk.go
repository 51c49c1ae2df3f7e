package traffic

import (
	"fmt"
	"maps"
	"strconv"
	"time"
)

// udeskNoWait is an answered inbound call whose end push has queue_time and ring_time null and
// no occasion before the hang-up: nothing says how long the caller waited.
const udeskNoWait = "no_wait"

// udeskCases draws Udesk's edge cases. An answered call with no reported wait has a speed of
// answer of 0 s (README, KPIs: every answered call has one) and no queue or ring phase.
func udeskCases(g *gen, p *plan) {
	if p.inbound && p.answered && p.Transfers == 0 && g.chance(0.04) {
		p.variant = udeskNoWait
		delete(p.Phases, "queue")
		delete(p.Phases, "ring")
		p.Phases["speed_of_answer"] = 0
	}
}

// udeskOccasion is one push of a Udesk conversation: its occasion, when, and the fields it fills.
type udeskOccasion struct {
	name   string
	offset int // seconds after the call's start
	fields map[string]any
}

// renderUdeskTransfer renders an inbound call that one agent answers and transfers to another,
// as Udesk pushes it when the transfer is a conversation of its own. The document's parameter
// table: call_id "同一客户一系列通话唯一id" (one id for the customer's series of calls),
// conversation_id "当前通话的id" (this call's), from_agent_id "高级通话时上一个客服的id" (the
// previous agent), category "transfer"=>转接. Each conversation has its occasions and its own end
// ("每条通话必有且仅有一条推送的occasion为end"), whose total_time (通话时长) is its own talk. The
// second agent answers at once. The truth is the plan's one call: one transfer, the customer's
// IVR, queue and ringing from the first conversation, the talk of both.
func renderUdeskTransfer(g *gen, p *plan) []Push {
	first, second := 100000+g.next(), 100000+g.next()
	p.Session = strconv.Itoa(first)
	iso := func(offset int) string { return p.at(offset).In(g.loc).Format("2006-01-02T15:04:05.000-07:00") }
	handover := p.answerAt() + p.transferAt
	total := int(p.End.Sub(p.Start) / time.Second)
	firstAgent := agents[0]
	if firstAgent[0] == p.agentNumber {
		firstAgent = agents[1]
	}
	base := map[string]any{
		"call_id": fmt.Sprintf("%08x-udesk", g.rng.Uint32()), "customer_phone": p.customer,
		"display_number": p.hotline, "workflow": "in", "call_start_at": p.Start.In(g.loc).Format("2006-01-02 15:04:05"),
		"user_group_id": 300 + p.queueIndex, "user_group_name": p.Queue,
		"agent_ring_at": nil, "agent_answer_at": nil, "agent_hangup_at": nil,
		"customer_ring_at": nil, "customer_answer_at": nil, "customer_hangup_at": nil,
		"queue_time": nil, "ring_time": nil, "ivr_time": nil, "total_time": nil,
		"call_result": nil, "survey": nil, "drop_side": nil, "defeat_cause": nil, "from_agent_id": nil,
	}
	withAgent := func(conversation int, category string, agent [2]string) map[string]any {
		b := maps.Clone(base)
		b["conversation_id"], b["category"] = conversation, category
		b["agent_id"], b["agent_nick_name"] = udeskAgentID(agent[0]), agent[1]
		b["agent_email"] = "agent" + agent[0] + "@example.com"
		return b
	}
	one := withAgent(first, "normal", firstAgent)
	two := withAgent(second, "transfer", [2]string{p.agentNumber, p.agentName})
	two["from_agent_id"] = udeskAgentID(firstAgent[0])

	survey := satisfactionLabels[p.rating]
	if p.rating == 0 {
		survey = "未评价"
	}
	out := udeskConversation(g, p, one, []udeskOccasion{
		{"enqueue_succ", p.queued, nil},
		{"agent_lock", p.rang, map[string]any{"agent_ring_at": iso(p.rang)}},
		{"agent_incall", p.answerAt(), map[string]any{"agent_answer_at": iso(p.answerAt())}},
		{"hangup", handover, map[string]any{"agent_hangup_at": iso(handover)}},
	}, map[string]any{
		"ivr_time": p.ivr, "queue_time": p.queue, "ring_time": p.ring, "total_time": p.transferAt,
		"call_result": "客服接听", "drop_side": "客服",
	})
	out = append(out, udeskConversation(g, p, two, []udeskOccasion{
		{"agent_lock", handover, map[string]any{"agent_ring_at": iso(handover)}},
		{"agent_incall", handover, map[string]any{"agent_answer_at": iso(handover)}},
		{"hangup", total, map[string]any{"customer_hangup_at": iso(total), "agent_hangup_at": iso(total)}},
	}, map[string]any{
		"ring_time": 0, "total_time": p.talk - p.transferAt, "call_result": "客服接听", "survey": survey,
		"drop_side": map[string]string{"customer": "客户", "agent": "客服"}[p.HangupSide],
	})...)
	return out
}

func udeskAgentID(staffNumber string) int { return 1900 + int(staffNumber[3]-'0') }

// udeskConversation renders one conversation: its occasions, each with the fields known by
// then, and its end a second after the last, with the durations and results. Two occasions may
// be swapped, some sent twice, and the hangup retried after the end.
func udeskConversation(g *gen, p *plan, body map[string]any, occasions []udeskOccasion, results map[string]any) []Push {
	stamp := func(offset int) string { return p.at(offset).In(g.loc).Format("2006-01-02 15:04:05 -0700") }
	known := maps.Clone(body)
	snapshot := func(o udeskOccasion) Push {
		b := maps.Clone(known)
		b["occasion"], b["timestamp"] = o.name, stamp(o.offset)
		return Push{Vendor: "udesk", At: p.at(o.offset), Path: "/udesk", Body: mustJSON(b), Event: string(udeskTypes[o.name]), EventKind: "call_event"}
	}
	var out []Push
	for _, o := range occasions {
		maps.Copy(known, o.fields)
		out = append(out, snapshot(o))
	}
	last := occasions[len(occasions)-1]
	maps.Copy(known, results)
	end := snapshot(udeskOccasion{name: "end", offset: last.offset})
	end.At = end.At.Add(time.Second)

	if g.chance(0.15) {
		i := g.rng.IntN(len(out) - 1)
		out[i].At, out[i+1].At = out[i+1].At, out[i].At
	}
	var extra []Push
	for _, push := range out {
		if g.chance(0.1) {
			extra = append(extra, repeat(push, 20*time.Second))
		}
	}
	hangup := out[len(out)-1]
	if g.chance(0.5) {
		extra = append(extra, repeat(hangup, time.Minute+end.At.Sub(hangup.At)))
	}
	return append(append(out, end), extra...)
}
