// Package udesk decodes Udesk's call event pushes (通话事件推送): one push per step of a call
// (occasion), and exactly one end push per call with its durations and results.
package udesk

import (
	"cmp"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
)

// Name is the vendor's configuration key.
const Name = "udesk"

// occasionEnd is the occasion of the push that closes a call (通话结束).
const occasionEnd = "end"

// maxStartLead is how long before the first ring or answer call_start_at may be and still be
// taken as the start of the call.
const maxStartLead = 24 * time.Hour

// Platform implements platform.Platform for Udesk.
type Platform struct{}

var _ platform.Platform = Platform{}

func (Platform) Name() string { return Name }

// Decode turns one push into one call.Push: the end push into a call record, every other
// occasion into a call event.
func (Platform) Decode(req platform.Request) ([]call.Push, error) {
	var r push
	payload, warnings, err := platform.Decode(req.Body, &r)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(string(r.ConversationID)) == "" {
		warnings = append(warnings, "conversation_id: missing, so the push joins no call")
	}
	occasion := strings.TrimSpace(r.Occasion)
	if occasion == "" {
		warnings = append(warnings, "occasion: missing, so the push is an event of no known step")
	}
	loc := req.Location
	if loc == nil {
		loc = time.UTC
	}
	c := decodeCall(&r, loc, occasion == occasionEnd)

	p := call.Push{
		Vendor:   Name,
		Kind:     call.KindCallEvent,
		Time:     r.Timestamp.In(loc),
		Arrival:  req.Arrival,
		DedupKey: dedupKey(c.SessionID, occasion, r.Timestamp.raw),
		// 同一conversation_id如果已经收到occasion为"end"的推送,其后的推送为之前失败后重试的推送.
		EndIsFinal: true,
		Call:       c,
		Event:      &call.Event{Name: occasion, Type: eventType(occasion), Attributes: attributes(&r)},
		Warnings:   warnings,
		Payload:    payload,
	}
	p.Segment = segment(&r)
	if occasion == occasionEnd {
		p.Kind = call.KindCallRecord
		p.Event.Type = call.EventCallEnded
	}
	return []call.Push{p}, nil
}

// dedupKey identifies a push across Udesk's retries by its call, occasion and time as sent;
// pushes of no known call have none, since they could not be told apart.
func dedupKey(session, occasion, timestamp string) string {
	if session == "" {
		return ""
	}
	return session + "/" + occasion + "/" + timestamp
}

// PhoneFields are the numbers of Udesk's pushes.
func (Platform) PhoneFields() []string {
	return []string{"customer_phone", "display_number", "outline_phone_number"}
}

// Reply answers with the generic code reply: Udesk documents no reply format.
func (Platform) Reply(w http.ResponseWriter, status int, err error) {
	platform.CodeReply(w, status, err)
}

func decodeCall(r *push, loc *time.Location, end bool) call.Call {
	c := call.Call{
		SessionID:        strings.TrimSpace(string(r.ConversationID)),
		CallID:           r.CallID,
		Direction:        call.DirectionUnknown,
		CustomerLocation: call.Location{Text: r.MobileArea},
		HangupSide:       call.HangupUnknown,
		RawHangup:        r.DropSide,
		RawSatisfaction:  r.Survey,
		Satisfaction:     call.SatisfactionFromLabel(r.Survey),
		IVRKeys:          keys(r.DTMF),
		RecordingURLs:    recordingURLs(r),
		Custom:           custom(r),
	}
	if d, ok := directions[r.Workflow]; ok {
		c.Direction = d
	}
	if side, ok := hangupSides[strings.TrimSpace(r.DropSide)]; ok {
		c.HangupSide = side
	}
	c.EndStatus, c.RawEndStatus = endStatus(string(r.DefeatCause), r.CallResult)
	if c.EndStatus == "" && end {
		c.EndStatus = call.StatusUnknown // a call record always has a status
	}

	agentRing, agentAnswer := r.AgentRingAt.In(loc), r.AgentAnswerAt.In(loc)
	customerRing, customerAnswer := r.CustomerRingAt.In(loc), r.CustomerAnsAt.In(loc)
	agentHangup := r.AgentHangupAt.In(loc)
	switch c.Direction {
	case call.DirectionInbound:
		c.Caller, c.Callee = r.CustomerPhone, r.DisplayNumber
		c.Ring, c.Answer = agentRing, agentAnswer
	case call.DirectionOutbound:
		c.Caller, c.Callee = r.DisplayNumber, r.CustomerPhone
		c.Ring, c.Answer = customerRing, customerAnswer
	}
	c.End = latest(r.CustomerHangAt.In(loc), agentHangup)
	c.Start = start(call.Earliest(agentRing, agentAnswer, customerRing, customerAnswer),
		c.End, r.Timestamp.In(loc), r.CallStartAt.In(loc))

	// total_time (通话时长) is the talk time: in the sample, customer_answer_at 15:21:56 to
	// customer_hangup_at 15:23:17 is the 81 s it reports.
	setSeconds(&c, call.PhaseTalk, r.TotalTime)
	setSeconds(&c, call.PhaseQueue, r.QueueTime)
	setSeconds(&c, call.PhaseIVR, r.IVRTime)
	setSeconds(&c, call.PhaseRing, r.RingTime)

	if r.UserGroupID != nil {
		c.Queue.ID = strconv.FormatInt(*r.UserGroupID, 10)
	}
	c.Queue.Name = r.UserGroupName
	if r.AgentID != nil {
		c.Agent.ID = strconv.FormatInt(*r.AgentID, 10)
	}
	c.Agent.Email, c.Agent.Name = r.AgentEmail, r.AgentNickName
	// user_group_name is the group the call went to; it is the agent's group once there is one.
	if r.UserGroupName != "" && !c.Agent.IsZero() {
		c.Agent.Groups = []string{r.UserGroupName}
	}
	if r.AgentID != nil {
		leg := call.Leg{
			Agent: c.Agent, Type: r.Category, SkillGroup: c.Queue,
			Ring: agentRing, Answer: agentAnswer, End: agentHangup,
		}
		if r.FromAgentID != nil {
			leg.TransferFrom = strconv.FormatInt(*r.FromAgentID, 10)
		}
		c.Legs = []call.Leg{leg}
	}
	if isTransfer(r.Category) {
		c.Transfers = 1
	}
	c.Derive()
	return c
}

// segment tells what may join the conversation to an earlier one: call_id is
// 同一客户一系列通话唯一id (one id for a customer's series of calls) and conversation_id
// 当前通话的id (this call's), so a transfer can arrive as a conversation of its own. It is one
// when its category says so (详解二 "transfer"=>转接, "transfer_outline"=>转接外线) and it names
// the agent it came from (from_agent_id, 高级通话时上一个客服的id).
func segment(r *push) *call.Segment {
	if r.CallID == "" {
		return nil
	}
	seg := &call.Segment{Group: r.CallID}
	if isTransfer(r.Category) && r.FromAgentID != nil {
		seg.TransferFrom = strconv.FormatInt(*r.FromAgentID, 10)
	}
	return seg
}

func isTransfer(category string) bool {
	return category == "transfer" || category == "transfer_outline"
}

// start is when the call began: call_start_at when it is plausible, else the first ring or
// answer. call_start_at cannot be trusted on its own: the document's sample has it on
// 2022-03-03 for a call rung and ended on 2019-07-24, and created_at likewise. It is taken only
// when it is not after the first ring or answer (or, before any, the end or the push time) and
// at most maxStartLead before it; otherwise it stays in Custom and the payload only.
func start(firstMoment, end, pushed, callStartAt time.Time) time.Time {
	ref := call.FirstTime(firstMoment, end, pushed)
	if callStartAt.IsZero() || ref.IsZero() || callStartAt.After(ref) || ref.Sub(callStartAt) > maxStartLead {
		return firstMoment
	}
	return callStartAt
}

func setSeconds(c *call.Call, p call.Phase, sec *int64) {
	if sec != nil {
		c.SetSeconds(p, *sec)
	}
}

func latest(ts ...time.Time) time.Time {
	var out time.Time
	for _, t := range ts {
		if t.After(out) {
			out = t
		}
	}
	return out
}

// keys makes one key press of each character of dtmf ("12#"), spaces left out.
func keys(dtmf string) []call.Key {
	var out []call.Key
	for _, ch := range dtmf {
		if !unicode.IsSpace(ch) {
			out = append(out, call.Key{Key: string(ch)})
		}
	}
	return out
}

// recordingURLs lists the call's recording, then the IVR's.
func recordingURLs(r *push) []string {
	var out []string
	if r.RecordURL != "" {
		out = append(out, r.RecordURL)
	}
	for _, rec := range r.IVRRecordURLs {
		if rec.URL != "" {
			out = append(out, rec.URL)
		}
	}
	return out
}

// custom keeps the tenant's own data, as plain values for attributes: the business record's
// custom fields (name → value), the IVR variables, the questionnaire, the tickets and callout
// tasks the call produced or came from, the caller's own call id (biz_id), the automatic
// callout task, and call_start_at as sent (see start).
func custom(r *push) map[string]any {
	m := map[string]any{}
	if len(r.NoteFields) > 0 {
		fields := make(map[string]any, len(r.NoteFields))
		for _, f := range r.NoteFields {
			name := f.Name
			if name == "" {
				name = f.ID
			}
			if name != "" && f.Value.value != nil {
				fields[name] = f.Value.value
			}
		}
		if len(fields) > 0 {
			m["note_custom_fields"] = fields
		}
	}
	if vars := ivrVariables(r.IVRVariables); len(vars) > 0 {
		m["ivr_variables"] = vars
	}
	if len(r.Questionnaire) > 0 {
		q := make(map[string]any, len(r.Questionnaire))
		for k, v := range r.Questionnaire {
			q[k] = v
		}
		m["questionnaire_contents"] = q
	}
	if len(r.TicketNumbers) > 0 {
		tickets := make([]any, len(r.TicketNumbers))
		for i, t := range r.TicketNumbers {
			tickets[i] = t
		}
		m["ticket_numbers"] = tickets
	}
	if len(r.CalloutTasks) > 0 {
		tasks := make([]any, 0, len(r.CalloutTasks))
		for _, t := range r.CalloutTasks {
			task := map[string]any{}
			if t.ID != nil {
				task["id"] = *t.ID
			}
			if t.Name != "" {
				task["name"] = t.Name
			}
			tasks = append(tasks, task)
		}
		m["callout_tasks"] = tasks
	}
	putStr(m, "biz_id", r.BizID)
	putStr(m, "task_name", r.TaskName)
	putStr(m, "call_start_at", r.CallStartAt.raw)
	if len(m) == 0 {
		return nil
	}
	return m
}

// ivrVariables parses ivr_variables, "aa:11,bb:22" (详解四).
func ivrVariables(s string) map[string]any {
	m := map[string]any{}
	for pair := range strings.SplitSeq(s, ",") {
		k, v, _ := strings.Cut(pair, ":")
		if k = strings.TrimSpace(k); k != "" {
			m[k] = strings.TrimSpace(v)
		}
	}
	return m
}

// attributes are the per-call state fields that are set, for Event.Attributes.
func attributes(r *push) map[string]any {
	m := map[string]any{}
	putStr(m, "category", r.Category)
	putStr(m, "queue_overflow", r.QueueOverflow)
	// Both spellings report the same state; the attribute takes the parameter table's.
	putStr(m, "queue_statue", cmp.Or(r.QueueStatue, r.QueueStatus))
	putStr(m, "device_info", r.DeviceInfo)
	if r.MultiRingCount != nil {
		m["multi_ring_count"] = *r.MultiRingCount
	}
	if r.IsLeaveMessage != nil {
		m["is_leave_message"] = *r.IsLeaveMessage
	}
	if r.IsBlocked != nil {
		m["is_blocked"] = *r.IsBlocked
	}
	putStr(m, "level", r.Level)
	if len(m) == 0 {
		return nil
	}
	return m
}

func putStr(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}
