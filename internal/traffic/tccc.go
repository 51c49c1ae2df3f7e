package traffic

import (
	"fmt"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
)

// TCCC's edge cases (issue 8): AI agent endings, records without an end time, and transfers
// whose root times are the last agent's.
const (
	tcccAI    = "ai"     // EndStatusString is an AI agent's ending
	tcccNoEnd = "no_end" // EndedTimestamp 0
)

// tcccAIEndings are codes 228-233 of Tencent's 通话结束状态码 table.
var tcccAIEndings = []string{"functionCallHangup", "maxCallDurationReached", "userInactivity",
	"callTerminatedByAPI", "userHangupDuringAiCall", "aiAgentEndCall"}

// tcccCases draws TCCC's edge cases at a modest rate: half the calls the IVR served are served
// by an AI agent alone; some answered calls were first taken by an AI agent that handed over to
// a person; a few outbound records come without an end time.
func tcccCases(g *gen, p *plan) {
	switch {
	case p.inbound && p.EndStatus == string(call.StatusIVRCompleted) && g.chance(0.5):
		// No ServeParticipants leg: no person answered. Phases as the IVR's.
		p.variant, p.EndStatus = tcccAI, string(call.StatusBotHandled)
	case p.inbound && p.answered && g.chance(0.06):
		p.variant = tcccAI // the agent's leg answered: a person took the call
	case !p.inbound && g.chance(0.02):
		tcccPlanWithoutEnd(p)
	}
	if p.Transfers > 0 {
		p.Agent = tcccTransferTarget(p)[0] // SeatUser: "如果发生转接则是最后一个客服信息"
	}
}

// tcccPlanWithoutEnd makes the call an outbound waitingGiveUp record with EndedTimestamp 0, as
// seen in a held-out day: the agent's leg rang and was accepted, nothing else is known. Without
// an end there is no total, and no phase can be measured.
func tcccPlanWithoutEnd(p *plan) {
	p.variant = tcccNoEnd
	p.EndStatus = string(call.StatusAbandonedQueue)
	p.AbandonStage = call.StatusAbandonedQueue.AbandonStage()
	p.answered, p.Agent, p.Transfers, p.rating, p.Satisfaction = false, "", 0, 0, ""
	p.rang, p.ring, p.talk = 0, 0, 0
	p.End = p.Start
	p.Phases = map[string]float64{}
}

// tcccWithoutEnd renders the record of tcccPlanWithoutEnd.
func tcccWithoutEnd(p *plan, cdr map[string]any, email string) {
	start := p.Start.Unix()
	cdr["EndedTimestamp"], cdr["EndStatusString"] = 0, "waitingGiveUp"
	cdr["ServeParticipants"] = []any{map[string]any{
		"Mail": email, "Phone": "", "Type": "outboundSeat", "Sequence": 0, "EndStatusString": "",
		"StartTimestamp": start, "RingTimestamp": start, "AcceptTimestamp": start + 1, "EndedTimestamp": 0,
	}}
}

// tcccStatus is the call's EndStatusString.
func tcccStatus(g *gen, p *plan) string {
	if p.variant == tcccAI {
		return tcccAIEndings[g.rng.IntN(len(tcccAIEndings))]
	}
	if p.inbound && p.EndStatus == string(call.StatusNoAnswer) {
		// 17 seatGiveUp: the queued call rang an agent who did not answer. It was offered.
		return "seatGiveUp"
	}
	return tcccStatuses[p.EndStatus]
}

// tcccTransferTarget is the agent a call is transferred to: staff number and name.
func tcccTransferTarget(p *plan) [2]string {
	if p.agentNumber == agents[0][0] {
		return agents[1]
	}
	return agents[0]
}

// tcccTransfer renders a transfer as TCCC reports it: the first agent hands over midway through
// the talk and leaves; the second agent's phone rings, and answers a few seconds later. The
// root's RingTimestamp, AcceptTimestamp and SeatUser are then the second agent's, and Duration is
// EndedTimestamp - AcceptTimestamp. The customer waited in the queue until the first agent's
// ring and was answered by the first agent: the truth's queue, ring and speed of answer stay the
// first agent's, its talk runs from the first answer to the end.
func tcccTransfer(p *plan, cdr, first map[string]any) map[string]any {
	handover := p.answerAt() + p.transferAt
	accept := handover + 2 + p.seq%6 // before the end: the talk is at least 20 s, the handover at its half
	target := tcccTransferTarget(p)
	other := "agent" + target[0] + "@example.com"
	first["EndedTimestamp"], first["TransferTo"], first["TransferToType"] = p.at(handover).Unix(), other, "staffSeat"
	cdr["RingTimestamp"], cdr["AcceptTimestamp"] = p.at(handover).Unix(), p.at(accept).Unix()
	cdr["Duration"] = int(p.End.Sub(p.at(accept)).Seconds())
	cdr["SeatUser"] = map[string]any{
		"Mail": other, "Name": target[1], "Nick": target[1], "Phone": "", "UserId": other,
		"StaffNumber": target[0], "SkillGroupNameList": []string{p.Queue},
	}
	return map[string]any{
		"Mail": other, "Phone": "", "Type": "staffSeat", "Sequence": 1, "EndStatusString": "ok",
		"StartTimestamp": p.at(handover).Unix(), "RingTimestamp": p.at(handover).Unix(), "AcceptTimestamp": p.at(accept).Unix(),
		"EndedTimestamp": p.End.Unix(), "TransferFrom": fmt.Sprint(first["Mail"]), "TransferFromType": "staffSeat",
		"SkillGroupName": p.Queue,
	}
}
