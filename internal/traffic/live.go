package traffic

import (
	"fmt"
	"maps"
	"time"
)

// Live traffic holds a vendor's calls at a known state at two moments, for the live gauges
// (calls in progress, oldest waits, agents on a call, UinCall answer modes). Each step of a
// call names the phase the vendor's document says it puts the call in: the truth is the
// script's, not the receiver's reading of the events.

// LiveOptions shape held traffic.
type LiveOptions struct {
	Vendor string    // udesk or uincall: the vendors that push each step of a call
	Now    time.Time // when the first stage is sent; Udesk times are relative to it
	// Gap is the time between the two stages, shorter than the receiver's sessions.idle_timeout
	// so that the first stage's calls the second one moves on are still followed. Read the second
	// moment after idle_timeout since the first stage and before it since the second: the calls
	// with no news since the first stage (the one whose end never came among them) have left.
	Gap      time.Duration
	Waiting  int           // Udesk: calls waiting in the queue at each moment
	Oldest   time.Duration // Udesk: how long the oldest of them has waited at each stage's start
	Ringing  int           // calls ringing at the first moment
	Talking  int           // calls talking at the first moment, the last of which never ends
	Location *time.Location
}

// LiveCall is the ground truth of one call in progress at a moment.
type LiveCall struct {
	Session   string    `json:"session"`
	Phase     string    `json:"phase"` // dialing, queue, ringing, talking
	Direction string    `json:"direction"`
	Queue     string    `json:"queue"`
	Agent     string    `json:"agent,omitempty"` // the agent ringing or talking
	Since     time.Time `json:"since"`           // when the phase began: the vendor's time, or the push's for UinCall
}

// LiveStage is one stage of held traffic: the pushes sent at its moment and the state they
// leave when the gauges are read soon after.
type LiveStage struct {
	At     time.Time  `json:"at"`
	Pushes []Push     `json:"-"`
	Calls  []LiveCall `json:"calls"`
	// AnswerModes counts UinCall agents by the agent_type of their latest agent push.
	AnswerModes map[string]int `json:"answer_modes,omitempty"`
}

// GenerateLive returns the two stages of held traffic for one vendor.
func GenerateLive(o LiveOptions) ([2]LiveStage, error) {
	if o.Location == nil {
		o.Location = time.UTC
	}
	switch o.Vendor {
	case "udesk":
		return udeskLive(o), nil
	case "uincall":
		return uincallLive(o), nil
	}
	return [2]LiveStage{}, fmt.Errorf("vendor %q pushes no live events: only udesk and uincall do", o.Vendor)
}

// GenerateLiveStages is GenerateLive for each of the vendors: each stage holds every vendor's
// traffic of that stage, by vendor.
func GenerateLiveStages(o LiveOptions, vendors ...string) ([2]map[string]LiveStage, error) {
	stages := [2]map[string]LiveStage{{}, {}}
	for _, v := range vendors {
		o.Vendor = v
		held, err := GenerateLive(o)
		if err != nil {
			return stages, err
		}
		stages[0][v], stages[1][v] = held[0], held[1]
	}
	return stages, nil
}

// LiveTruth is what the gauges of a moment should say, keyed like their attributes.
type LiveTruth struct {
	InProgress    map[string]int       `json:"in_progress"`    // phase|direction|queue
	OldestQueued  map[string]time.Time `json:"oldest_queued"`  // direction|queue → since
	OldestRinging map[string]time.Time `json:"oldest_ringing"` // direction|queue → since
	AgentsOnCall  map[string]int       `json:"agents_on_call"` // queue → distinct agents
	AnswerModes   map[string]int       `json:"answer_modes"`
}

// Truth adds the stage's calls up as the gauges do.
func (s LiveStage) Truth() LiveTruth {
	t := LiveTruth{InProgress: map[string]int{}, OldestQueued: map[string]time.Time{},
		OldestRinging: map[string]time.Time{}, AgentsOnCall: map[string]int{}, AnswerModes: map[string]int{}}
	maps.Copy(t.AnswerModes, s.AnswerModes)
	agents := map[string]map[string]bool{}
	for _, c := range s.Calls {
		t.InProgress[c.Phase+"|"+c.Direction+"|"+c.Queue]++
		oldest := map[string]map[string]time.Time{"queue": t.OldestQueued, "ringing": t.OldestRinging}[c.Phase]
		if k := c.Direction + "|" + c.Queue; oldest != nil && (oldest[k].IsZero() || c.Since.Before(oldest[k])) {
			oldest[k] = c.Since
		}
		if c.Agent != "" && (c.Phase == "ringing" || c.Phase == "talking") {
			if agents[c.Queue] == nil {
				agents[c.Queue] = map[string]bool{}
			}
			agents[c.Queue][c.Agent] = true
		}
	}
	for q, set := range agents {
		t.AgentsOnCall[q] = len(set)
	}
	return t
}

// udeskStep is one occasion of a held Udesk call: when it happened (seconds before its stage's
// moment), the agent it names, and the phase the document says the call is in after it.
type udeskStep struct {
	occasion string
	before   int
	agent    int
	phase    string // "" when the call is over
}

// The phases, from the document: enqueue_succ 呼入入队成功 (queued), agent_lock 锁定坐席 (an
// agent is offered the call: it rings), agent_incall 坐席开始通话 (talking), hangup 通话有一方挂断
// and end 通话结束 (over); agent_answer 呼出回拨坐席接听 (the agent answered a callback: the
// customer is called next, the call rings).
var (
	queued    = func(before int) udeskStep { return udeskStep{"enqueue_succ", before, 0, "queue"} }
	offered   = func(before, agent int) udeskStep { return udeskStep{"agent_lock", before, agent, "ringing"} }
	inCall    = func(before, agent int) udeskStep { return udeskStep{"agent_incall", before, agent, "talking"} }
	hungUp    = func(before, agent int) udeskStep { return udeskStep{"hangup", before, agent, ""} }
	callEnded = func(before, agent int) udeskStep { return udeskStep{"end", before, agent, ""} }
)

// udeskHeld renders held Udesk calls: each occasion a push, its fields as the document names them.
type udeskHeld struct {
	o            LiveOptions
	conversation int
}

func (h *udeskHeld) push(stage time.Time, conversation int, workflow, queue string, st udeskStep) Push {
	at := stage.Add(-time.Duration(st.before) * time.Second)
	body := map[string]any{
		"call_id": fmt.Sprintf("live-%d", conversation), "conversation_id": conversation, "workflow": workflow,
		"category": "normal", "occasion": st.occasion, "timestamp": at.In(h.o.Location).Format("2006-01-02 15:04:05 -0700"),
		"customer_phone": fmt.Sprintf("139%08d", conversation), "display_number": "4008001234",
	}
	if queue != "" {
		body["user_group_id"], body["user_group_name"] = 300, queue
	}
	if st.agent > 0 {
		body["agent_id"], body["agent_nick_name"] = st.agent, fmt.Sprintf("坐席%d", st.agent)
	}
	if st.occasion == "end" {
		body["call_result"], body["total_time"] = "客服接听", 60
	}
	return Push{Vendor: "udesk", At: stage, Path: "/udesk", Body: mustJSON(body)}
}

// call renders one call's steps at a stage and returns its state after them.
func (h *udeskHeld) call(s *LiveStage, conversation int, workflow, queue string, steps ...udeskStep) {
	direction := map[string]string{"in": "inbound"}[workflow]
	if direction == "" {
		direction = "outbound"
	}
	var last *LiveCall
	for _, st := range steps {
		s.Pushes = append(s.Pushes, h.push(s.At, conversation, workflow, queue, st))
		if st.phase == "" {
			last = nil
			continue
		}
		since := s.At.Add(-time.Duration(st.before) * time.Second)
		if last != nil && last.Phase == st.phase {
			since = last.Since
		}
		agent := ""
		if st.agent > 0 {
			agent = fmt.Sprint(st.agent)
		}
		last = &LiveCall{Session: fmt.Sprint(conversation), Phase: st.phase, Direction: direction, Queue: queue, Agent: agent, Since: since}
	}
	if last != nil {
		s.Calls = append(s.Calls, *last)
	}
}

func (h *udeskHeld) next() int { h.conversation++; return h.conversation }

// waiting renders o.Waiting calls queued in 售前咨询, the oldest o.Oldest before the stage.
func (h *udeskHeld) waiting(s *LiveStage) []int {
	var ids []int
	step := max(int(h.o.Oldest/time.Second)/max(h.o.Waiting, 1), 1)
	for i := range h.o.Waiting {
		id := h.next()
		ids = append(ids, id)
		h.call(s, id, "in", "售前咨询", queued(int(h.o.Oldest/time.Second)-i*step))
	}
	return ids
}

// udeskLive: at the first moment, Waiting calls queued (one enqueue_succ pushed twice), Ringing
// calls offered to an agent each, Talking calls talking (the first delivered out of order, the
// last never ending), an outbound callback ringing the customer, and a call that ended (its
// hangup retried after the end). At the second, Gap later: the oldest waiting call rings an
// agent, the next one talks, a ringing call was given up and a talking one hung up; the calls
// with no news since the first stage (the one whose end never came among them) are gone once
// idle_timeout passed; new calls wait.
func udeskLive(o LiveOptions) [2]LiveStage {
	h := &udeskHeld{o: o, conversation: int(o.Now.Unix()%100000) * 1000}
	agent := 3000
	nextAgent := func() int { agent++; return agent }
	one := LiveStage{At: o.Now}
	waiting := h.waiting(&one)
	one.Pushes = append(one.Pushes, one.Pushes[0]) // Udesk pushes an occasion twice

	var ringing, talking []int
	for range o.Ringing {
		id := h.next()
		ringing = append(ringing, id)
		h.call(&one, id, "in", "售后服务", queued(60), offered(5+len(ringing), nextAgent()))
	}
	talkingAgents := map[int]int{}
	for i := range o.Talking {
		id, a := h.next(), nextAgent()
		talking, talkingAgents[id] = append(talking, id), a
		from := len(one.Pushes)
		h.call(&one, id, "in", "投诉建议", queued(200), offered(190, a), inCall(185-i, a))
		if i == 0 { // out of order: the talk arrives first, then the ring, then the queue
			p := one.Pushes[from:]
			p[0], p[2] = p[2], p[0]
		}
	}
	h.call(&one, h.next(), "out_callback", "", udeskStep{"agent_answer", 3, nextAgent(), "ringing"})
	done, doneAgent := h.next(), nextAgent()
	h.call(&one, done, "in", "售前咨询", queued(100), offered(90, doneAgent), inCall(85, doneAgent), hungUp(10, doneAgent), callEnded(9, doneAgent))
	one.Pushes = append(one.Pushes, h.push(one.At, done, "in", "售前咨询", hungUp(10, doneAgent))) // a retry after the end

	two := LiveStage{At: o.Now.Add(o.Gap)}
	if len(waiting) > 0 {
		a := nextAgent()
		h.call(&two, waiting[0], "in", "售前咨询", offered(10, a))
	}
	if len(waiting) > 1 {
		a := nextAgent()
		h.call(&two, waiting[1], "in", "售前咨询", offered(20, a), inCall(12, a))
	}
	if len(ringing) > 0 {
		h.call(&two, ringing[0], "in", "售后服务", hungUp(30, 0), callEnded(29, 0))
	}
	if len(talking) > 1 {
		id := talking[0]
		h.call(&two, id, "in", "投诉建议", hungUp(5, talkingAgents[id]), callEnded(4, talkingAgents[id]))
	}
	h.waiting(&two)
	return [2]LiveStage{one, two}
}

// UinCall sends no time: a phase begins when its push arrives, which is its stage's moment here.
// The document's commands: incoming 坐席来电事件 (an inbound call offered to the agent: it
// rings), agentDialout 坐席外呼 (the agent dials: nothing rings yet), callout_process 呼叫坐席中
// (the agent's phone is called: it rings), call_talking 客户接听并开始通话 (talking), call_hangup
// 坐席通话结束 (over); agentstatus and setAgentType carry agent_type, 座席接听方式.
type uincallHeld struct {
	tenant string
	seq    int
}

func (h *uincallHeld) push(at time.Time, session, command, direction, agent string) Push {
	return h.pushWithType(at, session, command, direction, agent, 0)
}

func (h *uincallHeld) pushWithType(at time.Time, session, command, direction, agent string, agentType int) Push {
	body := map[string]any{
		"tenant_id": h.tenant, "remark": "https://callcenter.example.com/uincall", "type": "event", "dir": "DN",
		"agent_num": agent, "command": command, "agent_type": agentType, "call_result": -1,
	}
	if session != "" {
		body["session_id"], body["call_id"] = session, session+"-call"
		body["calldirection"] = map[string]string{"inbound": "call in", "outbound": "call out"}[direction]
		body["ani"], body["dnis"] = "15609288360", "02863208372"
		if direction == "inbound" {
			body["queue_id"] = "q0001"
		}
	}
	return Push{Vendor: "uincall", At: at, Path: "/uincall", Body: mustJSON(body)}
}

func (h *uincallHeld) agentPush(at time.Time, agent, command string, agentType int) Push {
	return h.pushWithType(at, "", command, "", agent, agentType)
}

func (h *uincallHeld) session() string {
	h.seq++
	return fmt.Sprintf("live-%08x-%d", uint32(h.seq*2654435761), h.seq)
}

func uincallLive(o LiveOptions) [2]LiveStage {
	h := &uincallHeld{tenant: tenants["uincall"]}
	agentSeq := 7000
	nextAgent := func() string { agentSeq++; return fmt.Sprint(agentSeq) }
	one := LiveStage{At: o.Now, AnswerModes: map[string]int{"0": 2, "6": 1}}
	for _, a := range []string{"6601", "6602", "6603"} {
		one.Pushes = append(one.Pushes, h.agentPush(one.At, a, "agentstatus", 0))
	}
	one.Pushes = append(one.Pushes, h.agentPush(one.At, "6603", "setAgentType", 6))

	call := func(s *LiveStage, session, direction, agent string, steps ...[2]string) {
		for _, st := range steps {
			s.Pushes = append(s.Pushes, h.push(s.At, session, st[0], direction, agent))
		}
		if phase := steps[len(steps)-1][1]; phase != "" {
			queue := map[string]string{"inbound": "q0001"}[direction]
			s.Calls = append(s.Calls, LiveCall{Session: session, Phase: phase, Direction: direction, Queue: queue, Agent: agent, Since: s.At})
		}
	}
	var ringing, talking []string
	ringingAgents := map[string]string{}
	for range o.Ringing {
		id, a := h.session(), nextAgent()
		ringing, ringingAgents[id] = append(ringing, id), a
		call(&one, id, "inbound", a, [2]string{"incoming", "ringing"})
	}
	talkingAgents := map[string]string{}
	for i := range o.Talking {
		id, a := h.session(), nextAgent()
		talking, talkingAgents[id] = append(talking, id), a
		if i == 0 { // out of order: the talk arrives before the call was offered
			call(&one, id, "inbound", a, [2]string{"call_talking", "talking"})
			one.Pushes = append(one.Pushes, h.push(one.At, id, "incoming", "inbound", a))
			continue
		}
		call(&one, id, "inbound", a, [2]string{"incoming", "ringing"}, [2]string{"call_talking", "talking"})
	}
	call(&one, h.session(), "outbound", nextAgent(), [2]string{"agentDialout", "dialing"})
	call(&one, h.session(), "outbound", nextAgent(), [2]string{"agentDialout", "dialing"}, [2]string{"callout_process", "ringing"})
	call(&one, h.session(), "inbound", nextAgent(), [2]string{"incoming", "ringing"}, [2]string{"call_talking", "talking"}, [2]string{"call_hangup", ""})

	// Gap later, the agents of the first moment sent nothing more: only 6601's new answer mode
	// counts once idle_timeout passed. A ringing call is answered, another hung up, the first
	// talking one ended; the rest had no news and are gone by then, the last talking call, whose
	// hangup never came, among them.
	two := LiveStage{At: o.Now.Add(o.Gap), AnswerModes: map[string]int{"6": 1}}
	two.Pushes = append(two.Pushes, h.agentPush(two.At, "6601", "setAgentType", 6))
	if len(ringing) > 0 {
		call(&two, ringing[0], "inbound", ringingAgents[ringing[0]], [2]string{"call_talking", "talking"})
	}
	if len(ringing) > 1 {
		call(&two, ringing[1], "inbound", ringingAgents[ringing[1]], [2]string{"call_hangup", ""})
	}
	if len(talking) > 1 {
		call(&two, talking[0], "inbound", talkingAgents[talking[0]], [2]string{"call_hangup", ""})
	}
	for range o.Ringing {
		call(&two, h.session(), "inbound", nextAgent(), [2]string{"incoming", "ringing"})
	}
	return [2]LiveStage{one, two}
}
