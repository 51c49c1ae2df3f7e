package tccc

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
)

var arrival = time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)

func decode(t *testing.T, action, file string) (call.Push, error) {
	t.Helper()
	body, err := os.ReadFile("../../testdata/tccc/" + file)
	require.NoError(t, err)
	return decodeBody(action, body, nil)
}

func decodeBody(action string, body []byte, header http.Header) (call.Push, error) {
	if header == nil {
		header = http.Header{}
	}
	pushes, err := Platform{}.Decode(platform.Request{
		Query: url.Values{"action": {action}, "version": {"1"}}, Header: header, Body: body,
		Arrival: arrival, Location: time.UTC,
	})
	if err != nil {
		return call.Push{}, err
	}
	if len(pushes) != 1 {
		return call.Push{}, assert.AnError
	}
	return pushes[0], nil
}

func TestDecodeCDRSample(t *testing.T) {
	p, err := decode(t, "cdr", "cdr.json")
	require.NoError(t, err)

	assert.Equal(t, "tccc", p.Vendor)
	assert.Equal(t, call.KindCallRecord, p.Kind)
	assert.Equal(t, "1400482256", p.Tenant)
	assert.Equal(t, time.Unix(1677140081, 0).UTC(), p.Time, "a call record happened when the call ended")
	assert.Equal(t, "cdr/99a1c8f8-eb3d-4xxx-8401-5f6aa8761232", p.DedupKey)

	c := p.Call
	assert.Equal(t, "99a1c8f8-eb3d-4xxx-8401-5f6aa8761232", c.SessionID)
	assert.Equal(t, call.DirectionOutbound, c.Direction)
	assert.Equal(t, "0086400xxx6666", c.Caller)
	assert.Equal(t, "0086184xxxx7605", c.Callee)
	assert.Equal(t, "0086184xxxx7605", c.CustomerNumber())
	assert.Equal(t, call.StatusUnreachable, c.EndStatus)
	assert.Equal(t, "numberNotExist", c.RawEndStatus)
	assert.Equal(t, call.HangupAgent, c.HangupSide)
	assert.Equal(t, call.Queue{ID: "2734", Name: "顾问外呼"}, c.Queue)
	assert.Equal(t, call.Location{Country: "中国", Province: "贵州", City: "安顺", Carrier: "移动"}, c.CustomerLocation)
	assert.Equal(t, "f65472d9-400a-4xxx-a51f-a49a55dab99a", c.RecordingID)
	assert.Equal(t, map[string]any{"UserRemark": "*****7605", "Uui": "abc"}, c.Custom)
	assert.Equal(t, call.Agent{
		ID: "zhangsan@tencent.com", Name: "张三", Nick: "优优", Email: "zhangsan@tencent.com",
		StaffNumber: "8546", Groups: []string{"顾问外呼"},
	}, c.Agent)
	assert.Empty(t, c.IVRKeys, "null arrays decode as empty")

	// Outbound, never accepted: 13 s in all, ringing from 72 to the end at 81, no IVR, no talk.
	assert.Equal(t, map[call.Phase]time.Duration{
		call.PhaseTotal: 13 * time.Second,
		call.PhaseRing:  9 * time.Second,
	}, c.Durations)
	assert.True(t, c.Answer.IsZero())

	require.Len(t, c.Legs, 1)
	leg := c.Legs[0]
	assert.Equal(t, "zhangsan@tencent.com", leg.Agent.Email)
	assert.Equal(t, "miniProgramSeat", leg.Type)
	assert.Equal(t, call.Queue{ID: "2734", Name: "顾问外呼"}, leg.SkillGroup)
	assert.Equal(t, time.Unix(1677140068, 0).UTC(), leg.Ring)
	assert.Equal(t, time.Unix(1677140069, 0).UTC(), leg.Answer)
	assert.Equal(t, time.Unix(1677140081, 0).UTC(), leg.End)
	assert.Equal(t, call.StatusAnswered, leg.EndStatus)
	assert.Equal(t, "dbe87035-019c-4xxx-bf4f-c29701ad315d", leg.RecordingID)

	// The payload is kept whole, with integers as integers.
	payload := p.Payload.AsRaw()
	assert.Equal(t, int64(1400482256), payload["SdkAppId"])
	assert.Equal(t, "贵州", payload["TelLocation"].(map[string]any)["Province"])
	assert.Len(t, payload, 26)
}

func TestDecodeInboundTransfer(t *testing.T) {
	body := []byte(`{"SdkAppId":1400000001,"SessionId":"s-1","Caller":"13800000000","Callee":"4001234567",
	"Direction":0,"Duration":100,"IVRDuration":20,"StartTimestamp":1700000000,"QueuedTimestamp":1700000020,
	"RingTimestamp":1700000050,"AcceptTimestamp":1700000060,"EndedTimestamp":1700000160,
	"IVRKeyPressed":["1","2"],"IVRKeyPressedEx":[{"Key":"1","Label":"售前"},{"Key":"2","Label":"人工"}],
	"PostIVRKeyPressed":[{"Key":"1","Label":"非常满意"}],"HungUpSide":"user","EndStatusString":"ok",
	"CallerLocation":"广东深圳","ServeParticipants":[
	 {"Mail":"b@x.com","Sequence":1,"StartTimestamp":1700000100,"RingTimestamp":1700000100,"AcceptTimestamp":1700000105,"EndedTimestamp":1700000160,"TransferFrom":"a@x.com","TransferFromType":"staffSeat","EndStatusString":"ok"},
	 {"Mail":"a@x.com","Sequence":0,"StartTimestamp":1700000050,"RingTimestamp":1700000050,"AcceptTimestamp":1700000060,"EndedTimestamp":1700000100,"TransferTo":"b@x.com","TransferToType":"staffSeat","EndStatusString":"ok"}]}`)
	header := http.Header{}
	header.Set(PushIDHeader, "uuid-1")
	p, err := decodeBody("cdr", body, header)
	require.NoError(t, err)
	c := p.Call
	assert.Equal(t, "uuid-1", p.DedupKey, "the push UUID header identifies a push")
	assert.Equal(t, call.DirectionInbound, c.Direction)
	assert.Equal(t, "13800000000", c.CustomerNumber())
	assert.Equal(t, "广东深圳", c.CustomerLocation.Text)
	assert.Equal(t, call.HangupCustomer, c.HangupSide)
	assert.Equal(t, []call.Key{{Key: "1", Label: "售前"}, {Key: "2", Label: "人工"}}, c.IVRKeys)
	assert.Equal(t, call.SatisfactionVerySatisfied, c.Satisfaction)
	assert.Equal(t, map[call.Phase]time.Duration{
		call.PhaseTotal: 160 * time.Second,
		call.PhaseIVR:   20 * time.Second,
		call.PhaseQueue: 30 * time.Second,
		call.PhaseRing:  10 * time.Second,
		call.PhaseTalk:  100 * time.Second,
	}, c.Durations)
	require.Len(t, c.Legs, 2)
	assert.Equal(t, "a@x.com", c.Legs[0].Agent.Email, "legs are ordered by Sequence")
	assert.Equal(t, "b@x.com", c.Legs[0].TransferTo)
	assert.Equal(t, 1, c.Transfers)
}

func TestDecodeRecordingAndVoicemail(t *testing.T) {
	rec, err := decode(t, "record", "record.json")
	require.NoError(t, err)
	assert.Equal(t, call.KindRecording, rec.Kind)
	assert.Equal(t, "1400264214", rec.Tenant)
	assert.Equal(t, time.Unix(1608130650, 0).UTC(), rec.Time)
	assert.Equal(t, &call.Recording{
		ID: "1608130650", URL: "http://recorder-10018504.cos.ap-shanghai.myqcloud.com/def/month12",
		EndpointUser: "lululing@tencent.com",
	}, rec.Recording)
	assert.Equal(t, "e97be0ab-1ef6-4ad2-a8c4-2b2bbfb18e55", rec.Call.SessionID)

	vm, err := decode(t, "voicemail", "voicemail.json")
	require.NoError(t, err)
	assert.Equal(t, call.KindVoicemail, vm.Kind)
	assert.Equal(t, "13123456789", vm.Recording.EndpointUser, "EndpointUser may be a JSON number")
	assert.Equal(t, int64(13123456789), vm.Payload.AsRaw()["EndpointUser"])
}

// TestDecodeRefusesOnlyTheEnvelope: a push is refused only when its envelope cannot be read: an
// action other than cdr, record or voicemail, or a body that is not one JSON object. TCCC retries
// a refused push 3 times and then drops it, so nothing inside the body is a reason to refuse it.
func TestDecodeRefusesOnlyTheEnvelope(t *testing.T) {
	tests := []struct {
		name, action, body, want string
	}{
		{"missing action", "", `{}`, "missing query parameter action"},
		{"unknown action", "imcdr", `{}`, `unknown action "imcdr"`},
		{"empty body", "cdr", ``, "empty body"},
		{"not an object", "cdr", `[1,2]`, "not a JSON object"},
		{"broken JSON", "cdr", `{"SessionId": "a",`, "invalid JSON"},
		{"trailing data", "cdr", `{"SessionId": "a"} {}`, "data after the value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeBody(tt.action, []byte(tt.body), nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestDecodeReadsFieldsOfAnotherType: issue 8, item 11. A field of an unexpected type is read
// when its meaning is unambiguous; otherwise it is left zero and named in a warning, and the push
// is accepted with the value kept in the payload.
func TestDecodeReadsFieldsOfAnotherType(t *testing.T) {
	t.Run("numbers as text and text as numbers", func(t *testing.T) {
		// SessionId 字符串 会话 ID; StartTimestamp 数值 整个会话开始时间戳（UNIX 秒级时间戳）.
		p, err := decodeBody("cdr", []byte(`{"SessionId":5,"StartTimestamp":"1677140068","Direction":"0"}`), nil)
		require.NoError(t, err)
		assert.Empty(t, p.Warnings)
		assert.Equal(t, "5", p.Call.SessionID)
		assert.Equal(t, time.Date(2023, 2, 23, 8, 14, 28, 0, time.UTC), p.Call.Start, "Unix seconds 1677140068")
		assert.Equal(t, call.DirectionInbound, p.Call.Direction)
	})

	unreadable := []struct {
		name, action, body, warning, field string
		sent                               any
	}{
		{"time object", "cdr", `{"SessionId":"a","StartTimestamp":{"s":1}}`,
			"StartTimestamp: expected an integer, got object", "StartTimestamp", map[string]any{"s": int64(1)}},
		{"huge number", "cdr", `{"SessionId":"a","StartTimestamp":1e400}`,
			"StartTimestamp: expected an integer, got number", "StartTimestamp", "1e400"},
		{"agent not an object", "cdr", `{"SessionId":"a","SeatUser":"x"}`,
			"SeatUser: expected an object, got string", "SeatUser", "x"},
		{"endpoint user object", "voicemail", `{"SessionId":"a","RecordURL":"u","EndpointUser":{}}`,
			"EndpointUser: expected a string, got object", "EndpointUser", map[string]any{}},
	}
	for _, tt := range unreadable {
		t.Run(tt.name, func(t *testing.T) {
			p, err := decodeBody(tt.action, []byte(tt.body), nil)
			require.NoError(t, err, "accepted")
			assert.Equal(t, []string{tt.warning}, p.Warnings)
			assert.Equal(t, tt.sent, p.Payload.AsRaw()[tt.field], "the body keeps the value as sent")
			assert.Equal(t, "a", p.Call.SessionID, "the rest of the push is read")
			assert.True(t, p.Call.Start.IsZero())
			assert.True(t, p.Call.Agent.IsZero())
			if p.Recording != nil {
				assert.Empty(t, p.Recording.EndpointUser)
			}
		})
	}
	t.Run("nested field", func(t *testing.T) {
		p, err := decodeBody("cdr", []byte(`{"SessionId":"a","ServeParticipants":[{"Mail":"m","Sequence":"x"}]}`), nil)
		require.NoError(t, err)
		assert.Equal(t, []string{"ServeParticipants[0].Sequence: expected an integer, got string"}, p.Warnings)
		require.Len(t, p.Call.Legs, 1, "the leg is read without its Sequence")
		assert.Equal(t, "m", p.Call.Legs[0].Agent.Email)
		assert.Equal(t, 0, p.Call.Legs[0].Sequence)
	})
	t.Run("missing session", func(t *testing.T) {
		p, err := decodeBody("cdr", []byte(`{"Caller":"1"}`), nil)
		require.NoError(t, err, "logged, though it joins no call")
		assert.Equal(t, []string{"SessionId: missing, so the push joins no call"}, p.Warnings)
		assert.Empty(t, p.DedupKey, "session-less records would all share one key")
	})
	t.Run("missing record URL", func(t *testing.T) {
		p, err := decodeBody("record", []byte(`{"SessionId":"a"}`), nil)
		require.NoError(t, err)
		assert.Equal(t, []string{"RecordURL: missing, so the notice has no recording"}, p.Warnings)
		assert.Empty(t, p.Call.RecordingURLs)
	})
}

func TestReply(t *testing.T) {
	w := httptest.NewRecorder()
	Platform{}.Reply(w, http.StatusOK, nil)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.JSONEq(t, `{"ErrCode":0,"ErrMsg":""}`, w.Body.String())

	w = httptest.NewRecorder()
	Platform{}.Reply(w, http.StatusServiceUnavailable, assert.AnError)
	assert.Equal(t, http.StatusServiceUnavailable, w.Code)
	assert.JSONEq(t, `{"ErrCode":503,"ErrMsg":"`+assert.AnError.Error()+`"}`, w.Body.String())
}

// statusRow is one EndStatusString value and the status it must decode to.
type statusRow struct {
	raw  string
	want call.EndStatus
}

// checkEndStatus decodes raw through endStatus, the function the decoder uses, and through a
// whole CDR whose root and only ServeParticipants entry both carry it, the entry never accepted.
func checkEndStatus(t *testing.T, row statusRow) {
	t.Helper()
	assert.Equal(t, row.want, endStatus(row.raw, false), "endStatus(%q)", row.raw)

	body := `{"SessionId":"s1","EndStatusString":"` + row.raw + `","ServeParticipants":[{"Sequence":0,"EndStatusString":"` + row.raw + `"}]}`
	p, err := decodeBody("cdr", []byte(body), nil)
	require.NoError(t, err, row.raw)
	assert.Equal(t, row.want, p.Call.EndStatus, "root EndStatusString %q", row.raw)
	assert.Equal(t, row.raw, p.Call.RawEndStatus)
	require.Len(t, p.Call.Legs, 1)
	assert.Equal(t, row.want, p.Call.Legs[0].EndStatus, "ServeParticipants EndStatusString %q", row.raw)
	assert.Equal(t, row.raw, p.Call.Legs[0].RawEndStatus)
}

// TestEveryDocumentedStatusIsMapped pins EndStatusString value by value. The expected statuses
// are written out here, not read from endStatuses, so a value dropped from the table or mapped
// to another status fails.
func TestEveryDocumentedStatusIsMapped(t *testing.T) {
	// The push document (seeds 000_216420adf5780d71.txt, 电话 CDR 数据推送) describes
	// EndStatusString in the REQUEST table (会话整体结束状态) and in the ServeParticipants table
	// (会话参与者结束状态) only as "详情请参见 EndStatusString": it does not reproduce the list of
	// values. The values it does show are those of its 数据样例.
	seed := []statusRow{
		// 数据样例, ServeParticipants[0].EndStatusString: the leg rang and was accepted
		// (AcceptTimestamp set), a normal call.
		{"ok", call.StatusAnswered},
		// 数据样例, root EndStatusString of an outbound call (Direction 1) that was never
		// accepted (AcceptTimestamp 0): 被叫空号, the callee's number does not exist.
		{"numberNotExist", call.StatusUnreachable},
	}
	for _, row := range seed {
		t.Run("seed/"+row.raw, func(t *testing.T) { checkEndStatus(t, row) })
	}

	// Not in the seed document: the table its "详情请参见 EndStatusString" refers to, Tencent's
	// 通话结束状态码 (cloud.tencent.com/document/product/679/123938, the source status.go cites),
	// code and 通话状态名称 in the comments, plus the older values of the CDR and IM CDR documents
	// (no code). Pinned so that they are not lost either.
	linked := []statusRow{
		// 呼入/呼出
		{"clientError", call.StatusFailed}, // 211 客户端错误
		{"error", call.StatusFailed},       // older CDR/IM CDR: 系统错误
		// older CDR document: 未接通. Ambiguous: not connected for any reason; the
		// implementation reads it as no answer.
		{"unconnected", call.StatusNoAnswer},
		// 智能体 (AI agent) calls that failed. The endings 228-233 are pinned, with and without
		// a person, in TestAIAgentEndings.
		{"asrError", call.StatusFailed},    // 225 语音识别错误
		{"llmasrError", call.StatusFailed}, // 226 模型错误
		{"ttsError", call.StatusFailed},    // 227 语音合成错误
		// 呼入
		// 17 座席超时转接: the agent did not answer in time and the call went on to another
		// agent. As a call's final status, status.go reads it as the agent letting it ring out.
		{"seatGiveUp", call.StatusNoAnswer},
		{"seatForward", call.StatusAnswered},           // older CDR/IM CDR: 座席转接
		{"blackList", call.StatusBlocked},              // 100 呼入黑名单
		{"ivrGiveUp", call.StatusAbandonedIVR},         // 102 IVR 期间用户放弃
		{"waitingGiveUp", call.StatusAbandonedQueue},   // 103 排队时用户放弃
		{"ringingGiveUp", call.StatusAbandonedRinging}, // 104 振铃时用户放弃
		{"noSeatOnline", call.StatusNoAgent},           // 105 无座席在线
		{"notWorkTime", call.StatusOutsideHours},       // 106 非工作时间
		{"ivrEnd", call.StatusIVRCompleted},            // 107 IVR 全自动结束 (无人工介入)
		{"autoFinished", call.StatusNoAnswer},          // older IM CDR: 用户回答超时自动结束
		{"callConflict", call.StatusFailed},            // 501 用户通话冲突
		{"clientTimeout", call.StatusFailed},           // 502 用户侧异常超时
		// 呼出
		{"restrictedCallee", call.StatusBlocked}, // 108 外呼黑名单
		{"tooManyRequest", call.StatusBlocked},   // 109 外呼频控限制
		{"restrictedArea", call.StatusBlocked},   // 110 外呼地域限制
		{"restrictedTime", call.StatusBlocked},   // 111 外呼时段限制
		{"notAnswer", call.StatusNoAnswer},       // 202 被叫未接听
		{"userReject", call.StatusRejected},      // 203 被叫拒接挂断
		{"powerOff", call.StatusUnreachable},     // 204 被叫关机
		{"busy", call.StatusBusy},                // 206 被叫忙
		{"outOfCredit", call.StatusUnreachable},  // 207 被叫欠费
		{"operatorError", call.StatusFailed},     // 208 运营商线路异常
		{"callerCancel", call.StatusCanceled},    // 209 未振铃主叫取消
		{"notInService", call.StatusUnreachable}, // 210 被叫不在服务区
		{"carrierBlocked", call.StatusBlocked},   // 212 运营商拦截
	}
	for _, row := range linked {
		t.Run("linked/"+row.raw, func(t *testing.T) { checkEndStatus(t, row) })
	}

	// Values in no document are unknown, and the raw value is kept.
	checkEndStatus(t, statusRow{"somethingNew", call.StatusUnknown})
}

// TestEveryDocumentedCodeIsMapped pins the other coded fields of the seed's REQUEST table
// (电话 CDR 数据推送), through the decoder.
func TestEveryDocumentedCodeIsMapped(t *testing.T) {
	// Direction: "会话整体方向： 0：呼入 1：呼出".
	directions := []struct {
		raw  string
		want call.Direction
	}{
		{"0", call.DirectionInbound},
		{"1", call.DirectionOutbound},
		{"2", call.DirectionUnknown}, // not documented
	}
	for _, tt := range directions {
		p, err := decodeBody("cdr", []byte(`{"SessionId":"s1","Direction":`+tt.raw+`}`), nil)
		require.NoError(t, err, tt.raw)
		assert.Equal(t, tt.want, p.Call.Direction, "Direction %s", tt.raw)
	}

	// HungUpSide: "挂断方（user - 用户挂断 或 seat - 坐席挂断）".
	sides := []struct {
		raw  string
		want call.HangupSide
	}{
		{"user", call.HangupCustomer},
		{"seat", call.HangupAgent},
		{"nobody", call.HangupUnknown}, // not documented
	}
	for _, tt := range sides {
		p, err := decodeBody("cdr", []byte(`{"SessionId":"s1","HungUpSide":"`+tt.raw+`"}`), nil)
		require.NoError(t, err, tt.raw)
		assert.Equal(t, tt.want, p.Call.HangupSide, "HungUpSide %q", tt.raw)
		assert.Equal(t, tt.raw, p.Call.RawHangup)
	}
}

// TestAIAgentEndings pins the endings of AI agent (智能体) calls. The seed documents do not list
// them: they are codes 228-233 of Tencent's 通话结束状态码 table
// (cloud.tencent.com/document/product/679/123938, the table status.go cites), which name how the
// AI's part of the call ended. Whether a person answered is told by ServeParticipants, "服务参与者
// 列表" whose 参与者类型 are all agents (staffSeat outboundSeat staffPhoneSeat miniProgramSeat), and
// their AcceptTimestamp, "接听时间戳". A call no agent accepted was served by the bot alone
// (bot_handled, out of the agents' KPIs); one an agent accepted after the AI handed over is
// answered by a person.
func TestAIAgentEndings(t *testing.T) {
	endings := []string{
		"functionCallHangup",     // 228 模型函数调用挂断
		"maxCallDurationReached", // 229 通话时长超限挂断
		"userInactivity",         // 230 用户静默超时挂断
		"callTerminatedByAPI",    // 231 调用系统挂断接口
		"userHangupDuringAiCall", // 232 用户挂断智能体通话
		"aiAgentEndCall",         // 233 智能体结束通话
	}
	for _, raw := range endings {
		t.Run(raw, func(t *testing.T) {
			botOnly := `{"SessionId":"s1","Direction":0,"StartTimestamp":1700000000,"EndedTimestamp":1700000090,
				"EndStatusString":"` + raw + `","ServeParticipants":[]}`
			p, err := decodeBody("cdr", []byte(botOnly), nil)
			require.NoError(t, err)
			assert.Equal(t, call.StatusBotHandled, p.Call.EndStatus, "no agent accepted: the bot alone")
			assert.Equal(t, raw, p.Call.RawEndStatus, "the raw value is kept")
			assert.False(t, p.Call.EndStatus.Connected(), "out of the agents' KPIs")

			rangOut := `{"SessionId":"s1","Direction":0,"EndStatusString":"` + raw + `",
				"ServeParticipants":[{"Sequence":0,"RingTimestamp":1700000060,"AcceptTimestamp":0,"EndStatusString":"seatGiveUp"}]}`
			p, err = decodeBody("cdr", []byte(rangOut), nil)
			require.NoError(t, err)
			assert.Equal(t, call.StatusBotHandled, p.Call.EndStatus, "an agent rang but never accepted")

			handedOver := `{"SessionId":"s1","Direction":0,"StartTimestamp":1700000000,"EndedTimestamp":1700000090,
				"EndStatusString":"` + raw + `","ServeParticipants":[{"Sequence":0,"RingTimestamp":1700000060,
				"AcceptTimestamp":1700000064,"EndedTimestamp":1700000090,"EndStatusString":"` + raw + `"}]}`
			p, err = decodeBody("cdr", []byte(handedOver), nil)
			require.NoError(t, err)
			assert.Equal(t, call.StatusAnswered, p.Call.EndStatus, "the AI handed over to an agent who answered")
			assert.Equal(t, raw, p.Call.RawEndStatus)
			assert.Equal(t, call.StatusAnswered, p.Call.Legs[0].EndStatus, "the agent's leg was answered")
		})
	}
}

// TestTransferredCallWaitsUntilTheFirstRing is the case of issue 8, item 1: queued at t+22, the
// first agent rings at t+30 and answers at t+34, transfers; the second rings at t+40 and answers
// at t+46; the root's RingTimestamp and AcceptTimestamp are the second agent's. The document:
// SeatUser "如果发生转接则是最后一个客服信息" (the last agent after a transfer); RingTimestamp
// "会话方向为呼入时，表示座席侧开始振铃时间戳"; ServeParticipants "每一条数据代表了一次服务轨迹".
// The caller waited in the queue until an agent's phone first rang (22→30: 8 s), then rang until
// the first answer (30→34: 4 s), and was served from t+34 to the end at t+100 (会话整体服务时间).
func TestTransferredCallWaitsUntilTheFirstRing(t *testing.T) {
	body := []byte(`{"SessionId":"s-2","Direction":0,"StartTimestamp":1700000000,"IVRDuration":22,
	"QueuedTimestamp":1700000022,"RingTimestamp":1700000040,"AcceptTimestamp":1700000046,"EndedTimestamp":1700000100,
	"Duration":54,"EndStatusString":"ok","SeatUser":{"Mail":"b@x.com","StaffNumber":"8015"},"ServeParticipants":[
	 {"Mail":"a@x.com","Sequence":0,"StartTimestamp":1700000030,"RingTimestamp":1700000030,"AcceptTimestamp":1700000034,"EndedTimestamp":1700000046,"TransferTo":"b@x.com","EndStatusString":"ok"},
	 {"Mail":"b@x.com","Sequence":1,"StartTimestamp":1700000040,"RingTimestamp":1700000040,"AcceptTimestamp":1700000046,"EndedTimestamp":1700000100,"TransferFrom":"a@x.com","EndStatusString":"ok"}]}`)
	p, err := decodeBody("cdr", body, nil)
	require.NoError(t, err)
	c := p.Call
	assert.Equal(t, time.Unix(1700000030, 0).UTC(), c.Ring, "the first agent's ring")
	assert.Equal(t, time.Unix(1700000034, 0).UTC(), c.Answer, "the first agent's answer")
	assert.Equal(t, map[call.Phase]time.Duration{
		call.PhaseTotal: 100 * time.Second,
		call.PhaseIVR:   22 * time.Second,
		call.PhaseQueue: 8 * time.Second,  // 22 → 30
		call.PhaseRing:  4 * time.Second,  // 30 → 34
		call.PhaseTalk:  66 * time.Second, // 34 → 100, both agents
	}, c.Durations)
	assert.Equal(t, time.Unix(1700000040, 0).UTC(), c.Legs[1].Ring, "each leg keeps its own moments")
	assert.Equal(t, time.Unix(1700000046, 0).UTC(), c.Legs[1].Answer)
	assert.Equal(t, "8015", c.Agent.StaffNumber, "the call is attributed to the last agent")
	assert.Equal(t, 1, c.Transfers)
}

// TestRecordWithoutEndTime is an outbound waitingGiveUp record with EndedTimestamp 0 (issue 8,
// item 14): the call has no end and no phases that need one.
func TestRecordWithoutEndTime(t *testing.T) {
	body := []byte(`{"SessionId":"s-3","Direction":1,"StartTimestamp":1700000000,"RingTimestamp":0,
	"AcceptTimestamp":0,"EndedTimestamp":0,"Duration":0,"EndStatusString":"waitingGiveUp","ServeParticipants":[]}`)
	p, err := decodeBody("cdr", body, nil)
	require.NoError(t, err)
	assert.True(t, p.Call.End.IsZero())
	assert.Equal(t, time.Unix(1700000000, 0).UTC(), p.Time, "the record is about the call's start")
	assert.Empty(t, p.Call.Durations, "no phase is known without the end")
}
