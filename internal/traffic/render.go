package traffic

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
)

// renderers turn a planned call into the pushes its vendor makes.
var renderers = map[string]func(*gen, *plan) []Push{
	"tccc":    renderTCCC,
	"dezhu":   renderDezhu,
	"udesk":   renderUdesk,
	"uincall": renderUinCall,
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // maps of strings and numbers
	}
	return b
}

func (p *plan) at(offset int) time.Time { return p.Start.Add(time.Duration(offset) * time.Second) }

func (p *plan) answerAt() int { return p.rang + p.ring }

func (p *plan) parties() (caller, callee string) {
	if p.inbound {
		return p.customer, p.hotline
	}
	return p.hotline, p.customer
}

// repeat returns a copy of push sent again after delay: a vendor retry or duplicate.
func repeat(p Push, delay time.Duration) Push {
	p.At = p.At.Add(delay)
	p.Repeat = true
	p.Event, p.EventKind, p.Recording = "", "", ""
	return p
}

var satisfactionLabels = []string{"", "非常满意", "满意", "一般", "不满意", "非常不满意"}

// TCCC: one CDR per call after it ends, recordings of answered calls, voicemails left in the IVR;
// a retry repeats the push with its X-TCCC-PUSH-UUID.
var tcccStatuses = map[string]string{
	"answered": "ok", "abandoned_in_ivr": "ivrGiveUp", "abandoned_in_queue": "waitingGiveUp",
	"abandoned_ringing": "ringingGiveUp", "ivr_completed": "ivrEnd", "no_agent": "noSeatOnline",
	"no_answer": "notAnswer", "busy": "busy", "unreachable": "numberNotExist", "rejected": "userReject",
}

func renderTCCC(g *gen, p *plan) []Push {
	unix := func(offset int) int64 { return p.at(offset).Unix() }
	caller, callee := p.parties()
	email := "agent" + p.agentNumber + "@example.com"
	cdr := map[string]any{
		"SdkAppId": 1400000001, "SessionId": p.Session, "Caller": caller, "Callee": callee,
		"Direction": map[bool]int{true: 0, false: 1}[p.inbound], "StartTimestamp": unix(0),
		"EndedTimestamp": p.End.Unix(), "EndStatusString": tcccStatus(g, p),
		"HungUpSide":  map[string]string{"customer": "user", "agent": "seat"}[p.HangupSide],
		"IVRDuration": 0, "Duration": 0, "QueuedTimestamp": 0, "RingTimestamp": 0, "AcceptTimestamp": 0,
		"IVRKeyPressed": nil, "IVRKeyPressedEx": nil, "PostIVRKeyPressed": nil, "ServeParticipants": []any{},
		"CallerLocation": "", "UserRemark": "", "Uui": "", "RecordId": "",
	}
	if p.inbound {
		cdr["IVRDuration"] = p.ivr
		cdr["IVRKeyPressed"] = []string{"1"}
		cdr["QueuedSkillGroupName"], cdr["QueuedSkillGroupId"] = p.Queue, 2700+p.queueIndex
	}
	if p.queued > 0 {
		cdr["QueuedTimestamp"] = unix(p.queued)
	}
	if p.rang > 0 {
		cdr["RingTimestamp"] = unix(p.rang)
	}
	if p.answered {
		cdr["AcceptTimestamp"] = unix(p.answerAt())
		cdr["Duration"] = p.talk
		cdr["RecordId"] = fmt.Sprintf("rec-%s", p.Session)
		cdr["SeatUser"] = map[string]any{
			"Mail": email, "Name": p.agentName, "Nick": p.agentName, "Phone": "", "UserId": email,
			"StaffNumber": p.agentNumber, "SkillGroupNameList": []string{p.Queue},
		}
		leg := map[string]any{
			"Mail": email, "Phone": "", "Type": "staffSeat", "Sequence": 0, "EndStatusString": "ok",
			"StartTimestamp": unix(p.rang), "RingTimestamp": unix(p.rang), "AcceptTimestamp": unix(p.answerAt()),
			"EndedTimestamp": p.End.Unix(), "SkillGroupName": p.Queue,
		}
		legs := []any{leg}
		if p.Transfers > 0 {
			legs = append(legs, tcccTransfer(p, cdr, leg))
		}
		cdr["ServeParticipants"] = legs
		if p.rating > 0 {
			cdr["PostIVRKeyPressed"] = []map[string]string{{"Key": strconv.Itoa(p.rating), "Label": satisfactionLabels[p.rating]}}
		}
	}

	var out []Push
	send := func(at time.Time, action string, body map[string]any, retry float64, recording string) {
		push := Push{
			Vendor: "tccc", At: at, Path: "/tccc?action=" + action + "&version=1", Body: mustJSON(body),
			Header:    map[string]string{"X-TCCC-PUSH-UUID": fmt.Sprintf("%08x-tccc-%06d", g.rng.Uint32(), g.next())},
			Recording: recording,
		}
		out = append(out, push)
		if g.chance(retry) {
			out = append(out, repeat(push, 30*time.Second))
		}
	}
	if p.variant == tcccNoEnd {
		tcccWithoutEnd(p, cdr, email)
	}
	send(p.End.Add(time.Second), "cdr", cdr, 0.1, "")
	if p.answered {
		for i, who := range []string{p.customer, email} {
			send(p.End.Add(2*time.Second), "record", map[string]any{
				"SdkAppId": 1400000001, "SessionId": p.Session, "RecordId": fmt.Sprintf("rec-%s-%d", p.Session, i),
				"Timestamp": p.End.Unix(), "EndpointUser": who, "RecordURL": "https://recorder.example.com/" + p.Session,
			}, 0.05, "recording")
		}
	}
	if p.EndStatus == string(call.StatusAbandonedIVR) && g.chance(0.3) {
		send(p.End.Add(2*time.Second), "voicemail", map[string]any{
			"SdkAppId": 1400000001, "SessionId": p.Session, "Timestamp": p.End.Unix(),
			"RecordURL": "https://recorder.example.com/vm/" + p.Session, "EndpointUser": json.Number(p.customer),
		}, 0.05, "voicemail")
	}
	return out
}

// 得助: one record per call after it ends, pushed again (same id) until it gets a success.
var dezhuResults = map[string]int{
	"answered": 2, "abandoned_in_queue": 4, "abandoned_in_ivr": 8, "abandoned_ringing": 7,
	"outside_hours": 5, "no_answer": 3, "unreachable": 1,
}

func renderDezhu(g *gen, p *plan) []Push {
	millis := func(offset int) int64 { return p.at(offset).UnixMilli() }
	caller, callee := p.parties()
	data := map[string]any{
		"id": fmt.Sprintf("dz-%s", p.Session), "iccCallId": p.Session, "tenantId": tenants["dezhu"],
		"callType": map[bool]int{true: 1, false: 2}[p.inbound], "callingNumber": caller, "calledNumber": callee,
		"communicateBeginTime": millis(0), "communicateEndTime": p.End.UnixMilli(), "createTime": p.End.Add(time.Second).UnixMilli(),
		"communicateDuration": 0, "speechCallResult": dezhuResults[p.EndStatus], "queueWaitDuration": 0,
		"parkingWaitDuration": 0, "acw": 0,
		"handupDirection": map[string]int{"customer": 0, "agent": 1}[p.HangupSide],
		"evaluationScore": -1, "transferId": "0", "expansionFields": "[]", "communicateSource": 1,
		"digitUrl": "开始>播放语音>转人工",
	}
	if p.inbound {
		p.Queue = fmt.Sprintf("skill-%d", p.queueIndex) // 得助 names the queue by skillSetId only
		data["skillSetId"] = p.Queue
	}
	if p.queued > 0 {
		data["queueWaitDuration"] = p.queue
	}
	if p.rang > 0 {
		data["parkingWaitDuration"] = p.ring
	}
	dezhuVariant(p, data)
	if p.answered {
		data["communicateDuration"] = p.talk
		data["acw"] = p.acw
		if p.inbound {
			data["agentAnswerTime"] = millis(p.answerAt())
		}
		data["staffId"], data["staffName"] = p.agentNumber, p.agentName
		data["evaluationScore"] = p.rating // 0: not rated
		if p.Transfers > 0 {
			data["transferId"] = fmt.Sprintf("tr-%s", p.Session)
		}
	}
	// 得助 has no staff number: the receiver's agent is its staffId, which these calls set to it.
	push := Push{Vendor: "dezhu", At: p.End.Add(time.Second), Path: "/dezhu", Body: mustJSON(map[string]any{"data": data})}
	out := []Push{push}
	for i := 1; i <= 2 && g.chance(0.12); i++ {
		out = append(out, repeat(push, time.Duration(i)*10*time.Second))
	}
	return out
}

// Udesk: a push per occasion of the call, the fields filled in as the call goes, and one end
// push with the durations and results. Pushes can arrive out of order, some twice, and retries
// come after the end.
var udeskResults = map[string]string{
	"abandoned_in_queue": "放弃排队", "abandoned_in_ivr": "未选择队列", "abandoned_ringing": "客户速挂",
	"no_answer": "客户未接", "no_agent": "排队超时", "abandoned": "客户挂机",
}

func renderUdesk(g *gen, p *plan) []Push {
	if p.Transfers > 0 && g.chance(0.5) {
		return renderUdeskTransfer(g, p)
	}
	conversation := 100000 + g.next()
	p.Session = strconv.Itoa(conversation)
	stamp := func(offset int) string { return p.at(offset).In(g.loc).Format("2006-01-02 15:04:05 -0700") }
	iso := func(offset int) string { return p.at(offset).In(g.loc).Format("2006-01-02T15:04:05.000-07:00") }
	caller, callee := p.parties()
	customer := caller
	if !p.inbound {
		customer = callee
	}
	body := map[string]any{
		"call_id": fmt.Sprintf("%08x-udesk", g.rng.Uint32()), "conversation_id": conversation,
		"customer_phone": customer, "display_number": p.hotline, "workflow": map[bool]string{true: "in", false: "out_direct"}[p.inbound],
		"category": "normal", "call_start_at": p.Start.In(g.loc).Format("2006-01-02 15:04:05"),
		"agent_ring_at": nil, "agent_answer_at": nil, "agent_hangup_at": nil,
		"customer_ring_at": nil, "customer_answer_at": nil, "customer_hangup_at": nil,
		"queue_time": nil, "ring_time": nil, "ivr_time": nil, "total_time": nil,
		"call_result": nil, "survey": nil, "drop_side": nil, "defeat_cause": nil,
	}
	if p.inbound {
		body["user_group_id"], body["user_group_name"] = 300+p.queueIndex, p.Queue
	}
	if p.answered {
		body["agent_id"], body["agent_nick_name"] = 1900+int(p.agentNumber[3]-'0'), p.agentName
		body["agent_email"] = "agent" + p.agentNumber + "@example.com"
		if p.Transfers > 0 {
			body["category"] = "transfer"
		}
	}

	type occasion struct {
		name   string
		offset int
	}
	var occasions []occasion
	if p.inbound {
		if p.queued > 0 {
			occasions = append(occasions, occasion{"enqueue_succ", p.queued})
		}
		if p.rang > 0 {
			occasions = append(occasions, occasion{"agent_lock", p.rang})
		}
		if p.answered {
			occasions = append(occasions, occasion{"agent_incall", p.answerAt()})
		}
	} else {
		occasions = append(occasions, occasion{"agent_answer", 0})
		if p.answered {
			occasions = append(occasions, occasion{"customer_answer", p.answerAt()})
		}
	}
	if p.variant == udeskNoWait {
		occasions = nil // an account that pushes the hang-up and the end only
	}
	total := int(p.End.Sub(p.Start) / time.Second)
	occasions = append(occasions, occasion{"hangup", total})

	var out []Push
	snapshot := func(o occasion, fields map[string]any) Push {
		b := map[string]any{}
		for k, v := range body {
			b[k] = v
		}
		for k, v := range fields {
			b[k] = v
		}
		b["occasion"], b["timestamp"] = o.name, stamp(o.offset)
		return Push{Vendor: "udesk", At: p.at(o.offset), Path: "/udesk", Body: mustJSON(b), Event: string(udeskTypes[o.name]), EventKind: "call_event"}
	}
	// Fields known at each moment.
	known := map[string]any{}
	for _, o := range occasions {
		switch o.name {
		case "agent_lock":
			known["agent_ring_at"] = iso(p.rang)
		case "agent_incall":
			known["agent_answer_at"] = iso(p.answerAt())
		case "agent_answer":
			if p.rang > 0 {
				known["customer_ring_at"] = iso(p.rang)
			}
		case "customer_answer":
			known["customer_answer_at"] = iso(p.answerAt())
		case "hangup":
			known["customer_hangup_at"] = iso(total)
			if p.answered {
				known["agent_hangup_at"] = iso(total)
			}
		}
		out = append(out, snapshot(o, known))
	}
	// The end push carries the durations and results.
	end := map[string]any{}
	for k, v := range known {
		end[k] = v
	}
	if p.inbound {
		end["ivr_time"] = p.ivr
	}
	if p.queued > 0 && p.variant != udeskNoWait {
		end["queue_time"] = p.queue
	}
	if p.rang > 0 && p.variant != udeskNoWait {
		end["ring_time"] = p.ring
		if p.inbound {
			end["agent_ring_at"] = iso(p.rang)
		} else {
			end["customer_ring_at"] = iso(p.rang)
		}
	}
	end["total_time"] = 0
	if p.answered {
		end["total_time"] = p.talk
		end["call_result"] = map[bool]string{true: "客服接听", false: "客户接听"}[p.inbound]
		end["survey"] = satisfactionLabels[p.rating]
		if p.rating == 0 {
			end["survey"] = "未评价"
		}
	} else {
		end["call_result"] = udeskResults[p.EndStatus]
		if p.inbound && p.EndStatus == "no_answer" {
			end["call_result"] = "客服未接" // the agent's phone rang out
		}
		switch p.EndStatus {
		case "unreachable":
			end["call_result"], end["defeat_cause"] = "客户未接", "空号"
		case "busy":
			end["call_result"], end["defeat_cause"] = "客户未接", "用户正忙"
		}
	}
	end["drop_side"] = map[string]string{"customer": "客户", "agent": "客服"}[p.HangupSide]
	endPush := snapshot(occasion{"end", total}, end)
	endPush.At = p.End.Add(time.Second)
	out = append(out, endPush)

	// Delivery: two occasions swapped, some sent twice, a retry of the hangup after the end.
	if len(out) > 2 && g.chance(0.15) {
		i := g.rng.IntN(len(out) - 2)
		out[i].At, out[i+1].At = out[i+1].At, out[i].At
	}
	var extra []Push
	for _, push := range out[:len(out)-1] {
		if g.chance(0.1) {
			extra = append(extra, repeat(push, 20*time.Second))
		}
	}
	if g.chance(0.1) {
		extra = append(extra, repeat(out[len(out)-2], time.Minute+p.End.Sub(out[len(out)-2].At)))
	}
	return append(out, extra...)
}

var udeskTypes = map[string]call.EventType{
	"enqueue_succ": call.EventQueued, "agent_lock": call.EventAgentRinging, "agent_incall": call.EventTalking,
	"agent_answer": call.EventAgentAnswered, "customer_answer": call.EventCustomerAnswered,
	"hangup": call.EventHangup, "end": call.EventCallEnded,
}

// UinCall: an event per step, no time of its own. UinCall documents no retries: every push is
// an event (see uincall.go for the identical and late ones).
func renderUinCall(g *gen, p *plan) []Push {
	caller, callee := p.parties()
	base := func(command string) map[string]any {
		b := map[string]any{
			"tenant_id": tenants["uincall"], "session_id": p.Session, "call_id": p.Session + "-call",
			"remark": "https://callcenter.example.com/uincall", "type": "event", "dir": "DN",
			"agent_num": p.agentNumber, "command": command, "agent_type": 0, "call_result": -1,
			"calldirection": map[bool]string{true: "call in", false: "call out"}[p.inbound],
			"ani":           caller, "dnis": callee,
		}
		if p.inbound {
			p.Queue = fmt.Sprintf("q%04d", p.queueIndex) // UinCall names the queue by queue_id
			b["queue_id"] = p.Queue
		}
		return b
	}
	type step struct {
		command string
		offset  int
		typ     call.EventType
	}
	var steps []step
	if p.inbound {
		steps = append(steps, step{"incoming", 0, call.EventAgentRinging})
	} else {
		steps = append(steps, step{"agentDialout", 0, call.EventCallStarted}, step{"callout_process", 0, call.EventAgentRinging})
		if p.rang > 0 {
			steps = append(steps, step{"call_process", p.rang, call.EventCustomerRinging})
		}
	}
	if p.answered {
		steps = append(steps, step{"call_talking", p.answerAt(), call.EventTalking})
	}
	total := int(p.End.Sub(p.Start) / time.Second)
	steps = append(steps, step{"call_hangup", total, call.EventCallEnded})

	var out []Push
	for _, s := range steps {
		b := base(s.command)
		if s.command == "agentDialout" {
			b["type"] = "response"
			delete(b, "calldirection")
		}
		if s.command == "call_hangup" {
			b["call_result"] = uincallResult(g, p)
		}
		push := Push{Vendor: "uincall", At: p.at(s.offset), Path: "/uincall", Body: mustJSON(b), Event: string(s.typ), EventKind: "call_event"}
		out = append(out, push)
	}
	return uincallDelivery(g, p, out)
}

// agentLogins are the agent events of a vendor before its calls: UinCall reports each agent's
// state and answering mode.
func (g *gen) agentLogins(start time.Time) []Push {
	if g.vendor != "uincall" {
		return nil
	}
	var out []Push
	for i, a := range agents {
		for j, command := range []string{"agentstatus", "setAgentType"} {
			body := map[string]any{
				"tenant_id": tenants["uincall"], "remark": "https://callcenter.example.com/uincall", "type": "event",
				"dir": "DN", "agent_num": a[0], "command": command, "agent_type": 0, "call_result": -1,
			}
			at := start.Add(-time.Duration(10*(len(agents)-i)+j) * time.Second)
			out = append(out, Push{Vendor: "uincall", At: at, Path: "/uincall", Body: mustJSON(body),
				Event: string(call.EventAgentStatus), EventKind: "agent_event"})
		}
	}
	return out
}
