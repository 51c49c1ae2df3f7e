// Package tccc decodes the data pushes of Tencent Cloud Contact Center (腾讯云联络中心):
// call records (?action=cdr), recordings (?action=record) and voicemails (?action=voicemail).
package tccc

import (
	"cmp"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/flex"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
)

// Name is the vendor's configuration key.
const Name = "tccc"

// PushIDHeader identifies one push across TCCC's retries.
const PushIDHeader = "X-TCCC-PUSH-UUID"

// pushIDKey is PushIDHeader as http.Header keys it: Header.Get would canonicalize the name, into
// a new string, on every push.
var pushIDKey = http.CanonicalHeaderKey(PushIDHeader)

// missingSession warns of a push without SessionId: it is logged, but joins no call.
const missingSession = "SessionId: missing, so the push joins no call"

// Platform implements platform.Platform for TCCC.
type Platform struct{}

var _ platform.Platform = Platform{}

func (Platform) Name() string { return Name }

// Decode reads the push type from the action query parameter.
func (Platform) Decode(req platform.Request) ([]call.Push, error) {
	action := req.Query.Get("action")
	var (
		push call.Push
		err  error
	)
	switch action {
	case "cdr":
		push, err = decodeCDR(req.Body)
	case "record":
		push, err = decodeRecording(req.Body, call.KindRecording)
	case "voicemail":
		push, err = decodeRecording(req.Body, call.KindVoicemail)
	case "":
		return nil, errors.New("missing query parameter action: expected cdr, record or voicemail")
	default:
		return nil, fmt.Errorf("unknown action %q: expected cdr, record or voicemail", action)
	}
	if err != nil {
		return nil, err
	}
	push.Vendor = Name
	push.Arrival = req.Arrival
	if id := req.Header.Get(pushIDKey); id != "" {
		push.DedupKey = id
	}
	return []call.Push{push}, nil
}

// PhoneFields are the numbers of TCCC's pushes: the parties, the agents' phones, the customer's
// location record and the recorded endpoint (a number on the customer's side).
func (Platform) PhoneFields() []string {
	return []string{"Caller", "Callee", "SeatUser.Phone", "ServeParticipants[].Phone", "TelLocation.TelNumber", "EndpointUser"}
}

// Reply answers in TCCC's format: ErrCode 0 is success, anything else makes TCCC retry.
// Failures carry the HTTP status as ErrCode.
func (Platform) Reply(w http.ResponseWriter, status int, err error) {
	if err == nil {
		success.Write(w, status)
		return
	}
	platform.WriteJSON(w, status, reply{ErrCode: status, ErrMsg: err.Error()})
}

// reply is TCCC's reply format.
type reply struct {
	ErrCode int    `json:"ErrCode"`
	ErrMsg  string `json:"ErrMsg"`
}

var success = platform.Encode(reply{})

func tenant(id, typo int64) string {
	if id == 0 {
		id = typo
	}
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

func decodeCDR(body []byte) (call.Push, error) {
	var r cdr
	payload, warnings, err := platform.Decode(body, &r)
	if err != nil {
		return call.Push{}, err
	}
	dedupKey := "cdr/" + r.SessionID
	if r.SessionID == "" {
		warnings = append(warnings, missingSession)
		dedupKey = "" // records without a session would all share "cdr/"
	}
	c := call.Call{
		SessionID:    r.SessionID,
		Direction:    direction(r.Direction),
		Caller:       r.Caller,
		Callee:       r.Callee,
		Start:        flex.Unix(r.StartTimestamp),
		Queued:       flex.Unix(r.QueuedTimestamp),
		Ring:         flex.Unix(r.RingTimestamp),
		Answer:       flex.Unix(r.AcceptTimestamp),
		End:          flex.Unix(r.EndedTimestamp),
		Queue:        call.Queue{Name: r.QueuedSkillGroupName},
		IVRKeys:      keys(r.IVRKeyPressed, r.IVRKeyPressedEx),
		PostIVRKeys:  keys(nil, r.PostIVRKeyPressed),
		RawEndStatus: r.EndStatusString,
		HangupSide:   call.HangupUnknown,
		RawHangup:    r.HungUpSide,
	}
	if r.QueuedSkillGroupID != 0 {
		c.Queue.ID = strconv.FormatInt(r.QueuedSkillGroupID, 10)
	}
	if side, ok := hangupSides[r.HungUpSide]; ok {
		c.HangupSide = side
	}
	// IVRDuration is QueuedTimestamp - StartTimestamp and Duration is EndedTimestamp -
	// AcceptTimestamp: they describe phases only when those phases happened.
	if r.IVRDuration != nil && (*r.IVRDuration > 0 || !c.Queued.IsZero()) {
		c.SetSeconds(call.PhaseIVR, *r.IVRDuration)
	}
	if loc := r.TelLocation; loc != nil {
		c.CustomerLocation = call.Location{Country: loc.Country, Province: loc.Province, City: loc.City, Carrier: loc.Operator}
	}
	if c.Direction == call.DirectionInbound {
		c.CustomerLocation.Text = r.CallerLocation
	}
	c.Legs = legs(r.ServeParticipants)
	for _, l := range c.Legs {
		if l.TransferTo != "" {
			c.Transfers++
		}
	}
	c.EndStatus = endStatus(r.EndStatusString, personAnswered(c.Legs))
	if c.Direction == call.DirectionInbound {
		firstAgentMoments(&c)
	}
	// Duration is EndedTimestamp - AcceptTimestamp, 会话整体服务时间: the whole service. When
	// an earlier leg answered before the root's AcceptTimestamp (the last agent's, as SeatUser
	// is), the talk runs from that first answer and Derive takes it from the moments.
	if r.Duration != nil && !c.Answer.IsZero() && c.Answer.Equal(flex.Unix(r.AcceptTimestamp)) {
		c.SetSeconds(call.PhaseTalk, *r.Duration)
	}
	if s := r.SeatUser; s != nil {
		c.Agent = call.Agent{
			ID: s.UserID, Name: s.Name, Nick: s.Nick, Email: s.Mail, StaffNumber: s.StaffNumber,
			Phone: s.Phone, Groups: s.SkillGroupNameList,
		}
	}
	for _, k := range c.PostIVRKeys {
		if s := call.SatisfactionFromLabel(k.Label); s != call.SatisfactionNone {
			c.Satisfaction, c.RawSatisfaction = s, k.Label
		}
	}
	c.RecordingID = r.RecordID
	c.Custom = custom(r)
	c.Derive()

	push := call.Push{
		Kind:     call.KindCallRecord,
		Tenant:   tenant(r.SdkAppID, r.SdkAppIDTypo),
		Time:     call.FirstTime(c.End, c.Start),
		DedupKey: dedupKey,
		Call:     c,
		Warnings: warnings,
		Payload:  payload,
	}
	return push, nil
}

func decodeRecording(body []byte, kind call.Kind) (call.Push, error) {
	var r recording
	payload, warnings, err := platform.Decode(body, &r)
	if err != nil {
		return call.Push{}, err
	}
	if r.SessionID == "" {
		warnings = append(warnings, missingSession)
	}
	if r.RecordURL == "" {
		warnings = append(warnings, "RecordURL: missing, so the notice has no recording")
	}
	rec := &call.Recording{
		ID: r.RecordID, URL: r.RecordURL, CustomURL: r.CustomRecordURL, EndpointUser: string(r.EndpointUser),
	}
	c := call.Call{SessionID: r.SessionID}
	urlSum := sha256.Sum256([]byte(r.RecordURL))
	for _, u := range []string{r.RecordURL, r.CustomRecordURL} {
		if u != "" {
			c.RecordingURLs = append(c.RecordingURLs, u)
		}
	}
	return call.Push{
		Kind:   kind,
		Tenant: tenant(r.SdkAppID, r.SdkAppIDTypo),
		Time:   flex.Unix(r.Timestamp),
		// Without the push UUID header: the recording's identity (the sides of one call share
		// SessionId and RecordId, their URLs differ), never the recorded number.
		DedupKey:  fmt.Sprintf("%s/%s/%s/%d/%x", kind, r.SessionID, r.RecordID, r.Timestamp, urlSum[:8]),
		Call:      c,
		Recording: rec,
		Warnings:  warnings,
		Payload:   payload,
	}, nil
}

func direction(d *int) call.Direction {
	switch {
	case d == nil:
		return call.DirectionUnknown
	case *d == 0:
		return call.DirectionInbound
	case *d == 1:
		return call.DirectionOutbound
	default:
		return call.DirectionUnknown
	}
}

// keys merges IVRKeyPressed (keys only) with IVRKeyPressedEx (keys and labels).
func keys(plain []string, labeled []keyPress) []call.Key {
	if len(labeled) > 0 {
		out := make([]call.Key, 0, len(labeled))
		for _, k := range labeled {
			out = append(out, call.Key{Key: k.Key, Label: k.Label})
		}
		return out
	}
	out := make([]call.Key, 0, len(plain))
	for _, k := range plain {
		out = append(out, call.Key{Key: k})
	}
	return out
}

func legs(ps []serveParticipant) []call.Leg {
	out := make([]call.Leg, 0, len(ps))
	for _, p := range ps {
		leg := call.Leg{
			Sequence:         p.Sequence,
			Agent:            call.Agent{Email: p.Mail, Phone: p.Phone},
			Type:             p.Type,
			SkillGroup:       call.Queue{Name: p.SkillGroupName},
			Start:            flex.Unix(p.StartTimestamp),
			Ring:             flex.Unix(p.RingTimestamp),
			Answer:           flex.Unix(p.AcceptTimestamp),
			End:              flex.Unix(p.EndedTimestamp),
			EndStatus:        endStatus(p.EndStatusString, p.AcceptTimestamp != 0),
			RawEndStatus:     p.EndStatusString,
			RecordingID:      p.RecordID,
			TransferFrom:     p.TransferFrom,
			TransferFromType: p.TransferFromType,
			TransferTo:       p.TransferTo,
			TransferToType:   p.TransferToType,
			Priority:         p.SkillGroupPriority,
		}
		if p.SkillGroupID != 0 {
			leg.SkillGroup.ID = strconv.FormatInt(p.SkillGroupID, 10)
		}
		out = append(out, leg)
	}
	slices.SortStableFunc(out, func(a, b call.Leg) int { return cmp.Compare(a.Sequence, b.Sequence) })
	return out
}

// firstAgentMoments sets an inbound call's ring and answer to the first agent's. On a transferred
// call the root's RingTimestamp and AcceptTimestamp are the last agent's (SeatUser: "如果发生转接
// 则是最后一个客服信息"), yet the caller stopped waiting in the queue when the first agent's phone
// rang and was answered when the first agent picked up (ServeParticipants: "每一条数据代表了一次
// 服务轨迹").
func firstAgentMoments(c *call.Call) {
	for _, l := range c.Legs {
		c.Ring = call.Earliest(c.Ring, l.Ring)
		c.Answer = call.Earliest(c.Answer, l.Answer)
	}
}

// personAnswered reports whether an agent accepted any leg of the call: ServeParticipants are
// the agents who served it (staffSeat, outboundSeat, staffPhoneSeat, miniProgramSeat).
func personAnswered(legs []call.Leg) bool {
	for _, l := range legs {
		if !l.Answer.IsZero() {
			return true
		}
	}
	return false
}

// custom keeps the tenant's own data: the user remark and the data the outbound call API
// carried (Uui).
func custom(r cdr) map[string]any {
	m := map[string]any{}
	if r.UserRemark != "" {
		m["UserRemark"] = r.UserRemark
	}
	if r.UUI != "" {
		m["Uui"] = r.UUI
	}
	if len(m) == 0 {
		return nil
	}
	return m
}
