package traffic

// 得助's edge cases (issue 8). Its record carries every duration field on every call, 0 when
// the phase did not happen; its outbound calls reach the agent first, then the customer.
const (
	dezhuResult0    = "result0"     // speechCallResult 0, 默认值(无意义), on a call that connected
	dezhuRingMoment = "ring_moment" // parkingWaitDuration as the epoch second the ringing began
)

// dezhuCases draws 得助's edge cases at a modest rate and sets the truth of its 0 s fields.
func dezhuCases(g *gen, p *plan) {
	// queueWaitDuration 0 and acw 0 are phases that did not happen.
	if p.queue == 0 {
		delete(p.Phases, "queue")
	}
	if p.acw == 0 {
		delete(p.Phases, "acw")
	}
	switch {
	case p.answered && g.chance(0.06):
		p.variant = dezhuResult0 // the truth stays answered: the call connected
	case p.inbound && p.rang > 0 && g.chance(0.08):
		p.variant = dezhuRingMoment // the truth stays the seconds from the ring to the answer or end
	}
}

// dezhuVariant renders what the variant and the direction change in the record's data.
func dezhuVariant(p *plan, data map[string]any) {
	if !p.inbound {
		// 坐席应答时间: the agent is on the line from the start, whether or not the customer answers.
		data["agentAnswerTime"] = p.at(0).UnixMilli()
	}
	switch p.variant {
	case dezhuResult0:
		data["speechCallResult"] = 0
	case dezhuRingMoment:
		data["parkingWaitDuration"] = p.at(p.rang).Unix()
	}
}
