// Package dezhu decodes the call record pushes of 得助智能 (51ima, 通话记录回调): one push per
// completed call, {"data": {...}}, repeated up to 10 times until the receiver replies.
package dezhu

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
)

// Name is the vendor's configuration key.
const Name = "dezhu"

// maxPhase bounds the after-call work, and every phase of a call whose length is unknown: no
// phase lasts a day, while the epoch seconds the sample sends in a duration field are decades.
const maxPhase = 24 * time.Hour

// Platform implements platform.Platform for 得助.
type Platform struct{}

var _ platform.Platform = Platform{}

func (Platform) Name() string { return Name }

// Decode turns one push into one call record.
func (Platform) Decode(req platform.Request) ([]call.Push, error) {
	var b body
	payload, warnings, err := platform.Decode(req.Body, &b)
	if err != nil {
		return nil, err
	}
	// The record is data (回调信息): without it as an object there is nothing to read.
	r := b.Data
	if r == nil {
		return nil, errors.New("field data: an object is required")
	}
	if r.ICCCallID == "" && r.ID == "" {
		warnings = append(warnings, "data.iccCallId, data.id: missing, so the record joins no call")
	}
	loc := req.Location
	if loc == nil {
		loc = time.UTC
	}
	c := decodeCall(r, loc)
	p := call.Push{
		Vendor:  Name,
		Kind:    call.KindCallRecord,
		Tenant:  r.TenantID,
		Time:    call.FirstTime(c.End, r.CreateTime.In(loc)),
		Arrival: req.Arrival,
		// 得助 pushes a record again, up to 10 times, until it gets a reply: the record id
		// identifies the push across those retries.
		DedupKey: r.ID,
		Call:     c,
		Warnings: warnings,
		Payload:  payload,
	}
	return []call.Push{p}, nil
}

// PhoneFields are the numbers of 得助's record.
func (Platform) PhoneFields() []string { return []string{"data.callingNumber", "data.calledNumber"} }

// Reply answers with the generic code reply: 得助 documents no reply format, only that a
// successful call stops the retries.
func (Platform) Reply(w http.ResponseWriter, status int, err error) {
	platform.CodeReply(w, status, err)
}

func decodeCall(r *record, loc *time.Location) call.Call {
	c := call.Call{
		SessionID:        r.ICCCallID,
		CallID:           r.ID,
		Direction:        direction(r.CallType),
		Caller:           r.CallingNumber,
		Callee:           r.CalledNumber,
		CustomerLocation: call.Location{Text: r.CustNumberAttr, Carrier: r.CustIspName},
		Start:            r.CommunicateBeginTime.In(loc),
		End:              r.CommunicateEndTime.In(loc),
		Queue:            call.Queue{ID: r.SkillSetID},
		Agent:            call.Agent{ID: string(r.StaffID), Name: r.StaffName},
		IVRPath:          r.DigitURL,
		EndStatus:        call.StatusUnknown,
		HangupSide:       call.HangupUnknown,
		RecordingID:      r.CommunicateVoiceID,
		Custom:           custom(r),
	}
	if c.SessionID == "" {
		c.SessionID = r.ID
	}
	agentAnswer := r.AgentAnswerTime.In(loc)
	// iccRecordDate, icc开始接通电话时间戳, is when the platform connected the call. The sample's
	// lies ten days before the call it belongs to, so it counts only when it falls within the call.
	icc := r.ICCRecordDate.In(loc)
	if !within(icc, c.Start, c.End) {
		icc = time.Time{}
	}
	if c.Direction == call.DirectionOutbound {
		// agentAnswerTime, 坐席应答时间, is the agent's side: on an outbound call the agent is on
		// the line before the customer is dialed. The talk starts when the customer connected.
		if talked(r) {
			c.Answer = icc
		}
	} else {
		c.Answer = call.FirstTime(agentAnswer, icc)
	}

	// A duration longer than the whole call is not a duration: the sample's
	// parkingWaitDuration is 1606188570, epoch seconds a second before the call's end. Such values are
	// left out of Durations and stay in the payload. The call's length is rounded up to whole
	// seconds, the unit of the durations; when it is unknown, maxPhase bounds them instead.
	// The after-call work follows the end of the call and is bounded by maxPhase only.
	limit := maxPhase
	if !c.Start.IsZero() && !c.End.IsZero() && !c.End.Before(c.Start) {
		limit = min(c.End.Sub(c.Start), maxPhase) // no phase is longer than a day
		if rem := limit % time.Second; rem != 0 {
			limit += time.Second - rem
		}
	}
	setSeconds(&c, call.PhaseTalk, r.CommunicateDuration, limit)
	setSeconds(&c, call.PhaseQueue, r.QueueWaitDuration, limit)
	setSeconds(&c, call.PhaseACW, r.ACW, maxPhase)
	// parkingWaitDuration, 振铃时间(单位秒), is documented as seconds, but the sample's 1606188570
	// is a moment inside its call (a second before its end): a value within the call, in epoch
	// seconds or milliseconds, is when the ringing began.
	if ring, ok := moment(r.ParkingWaitDuration, c.Start, c.End); ok {
		c.Ring = ring
	} else {
		setSeconds(&c, call.PhaseRing, r.ParkingWaitDuration, limit)
	}

	if !c.Agent.IsZero() {
		c.Legs = []call.Leg{{Agent: c.Agent, SkillGroup: c.Queue, Answer: agentAnswer, End: c.End}}
	}
	if r.SpeechCallResult != nil {
		c.EndStatus = endStatus(*r.SpeechCallResult)
		c.RawEndStatus = strconv.Itoa(*r.SpeechCallResult)
	}
	if r.SpeechCallResult == nil || *r.SpeechCallResult == 0 {
		c.EndStatus = statusFromEvidence(r, c.Direction)
	}
	switch {
	case r.HandupDirection != nil:
		c.RawHangup = strconv.Itoa(*r.HandupDirection)
		if side, ok := hangupSides[*r.HandupDirection]; ok {
			c.HangupSide = side
		}
	case r.HangUpDirectionType != "":
		c.RawHangup = r.HangUpDirectionType
		if side, ok := hangupTypes[strings.TrimSpace(r.HangUpDirectionType)]; ok {
			c.HangupSide = side
		}
	}
	if r.EvaluationScore != nil {
		c.Satisfaction = satisfactions[*r.EvaluationScore]
		c.RawSatisfaction = strconv.Itoa(*r.EvaluationScore)
	}
	if transferred(r.TransferID) {
		c.Transfers = 1
	}
	c.Derive()
	return c
}

func direction(t *int) call.Direction {
	switch {
	case t == nil:
		return call.DirectionUnknown
	case *t == 1:
		return call.DirectionInbound
	case *t == 2:
		return call.DirectionOutbound
	default:
		return call.DirectionUnknown
	}
}

// transferred reports whether transferId is a transfer's id: "非0时才是转接id".
func transferred(id string) bool {
	id = strings.TrimSpace(id)
	return id != "" && id != "0"
}

// statusFromEvidence is the status of a record whose speechCallResult says nothing ("0:默认值
// (无意义)", or absent): talk time means the call connected, and so does an agent's answer on an
// inbound call (on an outbound call the agent answers before the customer is dialed). Without
// such evidence the record does not say how the call ended.
func statusFromEvidence(r *record, d call.Direction) call.EndStatus {
	switch {
	case talked(r):
		return call.StatusAnswered
	case d == call.DirectionInbound && !r.AgentAnswerTime.IsZero():
		return call.StatusAnswered
	default:
		return call.StatusUnknown
	}
}

// talked reports whether the record gives talk time, communicateDuration (通话时长) above 0.
func talked(r *record) bool {
	return r.CommunicateDuration != nil && *r.CommunicateDuration > 0
}

// moment reads a value as epoch seconds or milliseconds within [from, to].
func moment(v *int64, from, to time.Time) (time.Time, bool) {
	if v == nil || *v <= 0 {
		return time.Time{}, false
	}
	for _, t := range []time.Time{time.Unix(*v, 0).UTC(), time.UnixMilli(*v).UTC()} {
		if within(t, from, to) {
			return t, true
		}
	}
	return time.Time{}, false
}

func within(t, from, to time.Time) bool {
	return !t.IsZero() && !from.IsZero() && !to.IsZero() && !t.Before(from) && !t.After(to)
}

// setSeconds records a duration in seconds unless it is longer than limit. The record carries
// every duration field on every call (the sample's communicateDuration is 0 on a call that never
// connected): 0 s is a phase that did not happen, and is left out.
func setSeconds(c *call.Call, p call.Phase, sec *int64, limit time.Duration) {
	if sec != nil && *sec > 0 && *sec <= int64(limit/time.Second) {
		c.SetSeconds(p, *sec)
	}
}

// custom keeps the tenant's own data, under the document's field names: the custom fields
// (expansionFields, name → value), the outbound task's data, the call's source, the customer,
// the wait and ring time together (callWaitDuration, which is no single phase), the transfer
// id, and the fields only the sample shows.
func custom(r *record) map[string]any {
	m := map[string]any{}
	if v := expansionFields(r.ExpansionFields); v != nil {
		m["expansionFields"] = v
	}
	putStr(m, "externalCustomerId", r.ExternalCustomerID)
	putStr(m, "externalData", r.ExternalData)
	putStr(m, "taskId", string(r.TaskID))
	putInt(m, "communicateSource", r.CommunicateSource)
	putStr(m, "customerName", r.CustomerName)
	putStr(m, "customerId", string(r.CustomerID))
	putInt(m, "callWaitDuration", r.CallWaitDuration)
	if transferred(r.TransferID) {
		m["transferId"] = r.TransferID
	}
	if r.CallResult.Valid {
		m["callResult"] = r.CallResult.Value
	}
	if r.NoteStatus.Valid {
		m["noteStatus"] = r.NoteStatus.Value
	}
	putStr(m, "agentLoginType", string(r.AgentLoginType))
	if len(m) == 0 {
		return nil
	}
	return m
}

// expansionFields reads 扩展字段, a JSON array as a string:
//
//	[{"id":153,"type":4,"name":"紧急程度","required":false,"otherRules":{...},"value":"一般"}]
//
// into custom-field name (or id, when the name is empty) → value, values as plain Go values.
// It returns nil when there is nothing; JSON of another shape as parsed; text that is not JSON
// as it is, so that a broken field does not cost the whole record.
func expansionFields(s string) any {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	v, err := platform.Value([]byte(s))
	if err != nil {
		return s
	}
	switch t := v.(type) {
	case nil:
		return nil
	case map[string]any:
		if len(t) == 0 {
			return nil
		}
		return t
	case []any:
		if len(t) == 0 {
			return nil
		}
		fields, ok := namedValues(t)
		switch {
		case !ok:
			return t
		case len(fields) == 0:
			return nil
		default:
			return fields
		}
	default: // a JSON string, number or bool
		return s
	}
}

// namedValues maps every field of a custom-field list to its value; ok is false when an element
// is not a field with a name or an id. Fields without a value are left out.
func namedValues(list []any) (map[string]any, bool) {
	fields := make(map[string]any, len(list))
	for _, e := range list {
		f, ok := e.(map[string]any)
		if !ok {
			return nil, false
		}
		name, _ := f["name"].(string)
		if name = strings.TrimSpace(name); name == "" {
			name = text(f["id"])
		}
		if name == "" {
			return nil, false
		}
		if v := f["value"]; v != nil {
			fields[name] = v
		}
	}
	return fields, true
}

func text(v any) string {
	switch t := v.(type) {
	case string:
		return strings.TrimSpace(t)
	case int64:
		return strconv.FormatInt(t, 10)
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	default:
		return ""
	}
}

func putStr(m map[string]any, k, v string) {
	if strings.TrimSpace(v) != "" {
		m[k] = v
	}
}

func putInt(m map[string]any, k string, v *int64) {
	if v != nil {
		m[k] = *v
	}
}
