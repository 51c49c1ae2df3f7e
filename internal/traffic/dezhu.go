package traffic

import "time"

// 得助's edge cases (issue 8). Its record carries every duration field on every call, 0 when
// the phase did not happen; its outbound calls reach the agent first, then the customer.
const (
	dezhuResult0    = "result0"     // speechCallResult 0, 默认值(无意义), on a call that connected
	dezhuRingMoment = "ring_moment" // parkingWaitDuration as the epoch second the ringing began
	dezhuNoWait     = "no_wait"     // answered straight from the IVR: no queue wait, no ringing
)

// dezhuCases draws 得助's edge cases at a modest rate and sets the truth of its 0 s fields.
func dezhuCases(g *gen, p *plan) {
	switch {
	case p.inbound && p.answered && g.chance(0.05):
		dezhuPlanNoWait(g, p)
	case p.answered && g.chance(0.06):
		p.variant = dezhuResult0 // the truth stays answered: the call connected
	case p.inbound && p.rang > 0 && g.chance(0.08):
		p.variant = dezhuRingMoment // the truth stays the seconds from the ring to the answer or end
	}
	// queueWaitDuration 0, parkingWaitDuration 0 and acw 0 are phases that did not happen.
	if p.queue == 0 {
		delete(p.Phases, "queue")
	}
	if p.rang > 0 && p.ring == 0 {
		delete(p.Phases, "ring")
	}
	if p.acw == 0 {
		delete(p.Phases, "acw")
	}
}

// dezhuPlanNoWait makes an answered inbound call one that an agent answered the moment it left
// the IVR: queueWaitDuration and parkingWaitDuration are 0. Every answered call has a speed of
// answer (README, KPIs): here 0 s, within service level.
func dezhuPlanNoWait(g *gen, p *plan) {
	p.variant = dezhuNoWait
	p.queued, p.queue, p.rang, p.ring = 0, 0, p.ivr, 0
	total := p.ivr + p.talk
	p.End = p.Start.Add(time.Duration(total) * time.Second)
	p.Phases = map[string]float64{}
	g.truthPhases(p, total)
}

// dezhuVariant renders what the variant and the direction change in the record's data.
func dezhuVariant(p *plan, data map[string]any) {
	if !p.inbound {
		// 坐席应答时间: the agent is on the line from the start, whether or not the customer answers.
		data["agentAnswerTime"] = p.at(0).UnixMilli()
	}
	switch {
	case p.inbound && p.EndStatus == "no_answer":
		// Two codes say an offered call went unanswered: 6 坐席振铃未接 (the agent's phone rang
		// out) and 3 无人应答 (nobody answered).
		data["speechCallResult"] = []int{6, 3}[p.seq%2]
	case p.EndStatus == "abandoned_in_queue" && p.seq%3 == 0:
		// The documented sample: 4 队列放弃 with acw 5. Nobody handled the call, so it has no
		// after-call work in the truth.
		data["acw"] = 5
	}
	switch p.variant {
	case dezhuResult0:
		data["speechCallResult"] = 0
	case dezhuRingMoment:
		data["parkingWaitDuration"] = p.at(p.rang).Unix()
	}
}
