package uincall

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/flex"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
)

const testdata = "../../testdata/uincall/"

var arrival = time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)

func decode(t *testing.T, file string) (call.Push, error) {
	t.Helper()
	body, err := os.ReadFile(testdata + file)
	require.NoError(t, err)
	return decodeBody(body)
}

func decodeBody(body []byte) (call.Push, error) {
	pushes, err := Platform{}.Decode(platform.Request{
		Header: http.Header{}, Body: body, Arrival: arrival, Location: time.UTC,
	})
	if err != nil {
		return call.Push{}, err
	}
	if len(pushes) != 1 {
		return call.Push{}, assert.AnError
	}
	return pushes[0], nil
}

// The identifiers of the document's samples.
const (
	tenant     = "acf528a2-d0e2-4a7b-8513-74cb3995cfab"
	remark     = "http://10.10.21.182:9099/third/push/data"
	outSession = "491e1dc5-17c6-493f-c97a-09f73322f8a1"
	outCallID  = "2a2ca648-c9e1-42f4-c2e5-30536ca610b6"
	inSession  = "d13606a0-0f43-11ee-be46-5159e7892b86"
	inCallID   = "caf98a77-a652-4b39-cbb3-38ec8ced5192"
	inQueue    = "7e42697c076c4ff5a05e464ac0f28c90"
	business   = "02863208372" // the tenant's number: ani outbound, dnis inbound
	outCustom  = "15991752045"
	inCustom   = "15609288360"
)

type sample struct {
	kind                  call.Kind
	command               string
	eventType             call.EventType
	session, callID       string
	direction             call.Direction
	caller, callee, agent string
	queue                 string
	attrs                 map[string]any
	status                call.EndStatus
	rawStatus             string
	customer              string
	payloadLen            int
	payloadCallResult     int64
	payloadAgentType      int64
}

func attrs(dir, typ, agentType string) map[string]any {
	m := map[string]any{"dir": dir, "agent_type": agentType, "remark": remark}
	if typ != "" {
		m["type"] = typ
	}
	return m
}

// samples are the expected decodings of every file in testdata/uincall.
var samples = map[string]sample{
	// 1.3.3 坐席登录 and 1.3.3 坐席切换: agent state, no call.
	"agent-login-agentstatus.json": {
		kind: call.KindAgentEvent, command: "agentstatus", eventType: call.EventAgentStatus,
		direction: call.DirectionUnknown, agent: "6666", attrs: attrs("DN", "event", "0"),
		rawStatus: "-1", payloadLen: 8, payloadCallResult: -1,
	},
	"agent-setAgentType.json": {
		kind: call.KindAgentEvent, command: "setAgentType", eventType: call.EventAgentStatus,
		direction: call.DirectionUnknown, agent: "8014", attrs: attrs("UP", "", "6"),
		rawStatus: "-1", payloadLen: 7, payloadCallResult: -1, payloadAgentType: 6,
	},
	// 1.3.2 坐席来电呼叫事件.
	"inbound-1-agentstatus.json": {
		kind: call.KindAgentEvent, command: "agentstatus", eventType: call.EventAgentStatus,
		direction: call.DirectionUnknown, agent: "8014", attrs: attrs("DN", "event", "0"),
		rawStatus: "-1", payloadLen: 8, payloadCallResult: -1,
	},
	"inbound-2-incoming.json": {
		kind: call.KindCallEvent, command: "incoming", eventType: call.EventAgentRinging,
		session: inSession, callID: inCallID, direction: call.DirectionInbound,
		caller: inCustom, callee: business, agent: "8014", queue: inQueue, attrs: attrs("DN", "event", "0"),
		rawStatus: "-1", customer: inCustom, payloadLen: 14, payloadCallResult: -1,
	},
	"inbound-3-agentstatus.json": {
		kind: call.KindAgentEvent, command: "agentstatus", eventType: call.EventAgentStatus,
		direction: call.DirectionUnknown, agent: "8014", attrs: attrs("DN", "event", "0"),
		rawStatus: "-1", payloadLen: 8, payloadCallResult: -1,
	},
	// The document's 1.3.2.5 "call_talking" sample, which carries call_hangup.
	"inbound-4-call_hangup.json": {
		kind: call.KindCallEvent, command: "call_hangup", eventType: call.EventCallEnded,
		session: inSession, callID: inCallID, direction: call.DirectionInbound,
		caller: inCustom, callee: business, agent: "8014", queue: inQueue, attrs: attrs("DN", "event", "0"),
		rawStatus: "-1", customer: inCustom, payloadLen: 14, payloadCallResult: -1,
	},
	// The document's 1.3.2.6 inbound hangup repeats the outbound call: decoded as it says.
	"inbound-5-call_hangup.json": {
		kind: call.KindCallEvent, command: "call_hangup", eventType: call.EventCallEnded,
		session: outSession, callID: outCallID, direction: call.DirectionOutbound,
		caller: business, callee: outCustom, agent: "8014", attrs: attrs("DN", "event", "0"),
		rawStatus: "-1", customer: outCustom, payloadLen: 13, payloadCallResult: -1,
	},
	// Not in the document, which promises call_talking for inbound calls too.
	"inbound-6-call_talking.json": {
		kind: call.KindCallEvent, command: "call_talking", eventType: call.EventTalking,
		session: inSession, callID: inCallID, direction: call.DirectionInbound,
		caller: inCustom, callee: business, agent: "8014", queue: inQueue, attrs: attrs("DN", "event", "0"),
		rawStatus: "-1", customer: inCustom, payloadLen: 14, payloadCallResult: -1,
	},
	// 1.3.1 坐席外呼叫事件.
	"outbound-1-agentDialout-up.json": {
		kind: call.KindCallEvent, command: "agentDialout", eventType: call.EventCallStarted,
		direction: call.DirectionUnknown, agent: "8014", attrs: attrs("UP", "", "0"),
		rawStatus: "-1", payloadLen: 7, payloadCallResult: -1,
	},
	"outbound-2-agentDialout-dn.json": {
		kind: call.KindCallEvent, command: "agentDialout", eventType: call.EventCallStarted,
		session: outSession, callID: outCallID, direction: call.DirectionUnknown,
		agent: "8014", attrs: attrs("DN", "response", "0"),
		rawStatus: "-1", payloadLen: 10, payloadCallResult: -1,
	},
	"outbound-3-agentstatus.json": {
		kind: call.KindAgentEvent, command: "agentstatus", eventType: call.EventAgentStatus,
		direction: call.DirectionUnknown, agent: "8014", attrs: attrs("DN", "event", "0"),
		rawStatus: "-1", payloadLen: 8, payloadCallResult: -1,
	},
	"outbound-4-callout_process.json": {
		kind: call.KindCallEvent, command: "callout_process", eventType: call.EventAgentRinging,
		session: outSession, callID: outCallID, direction: call.DirectionOutbound,
		caller: business, callee: outCustom, agent: "8014", attrs: attrs("DN", "event", "0"),
		rawStatus: "-1", customer: outCustom, payloadLen: 13, payloadCallResult: -1,
	},
	"outbound-5-call_process.json": {
		kind: call.KindCallEvent, command: "call_process", eventType: call.EventCustomerRinging,
		session: outSession, callID: outCallID, direction: call.DirectionOutbound,
		caller: business, callee: outCustom, agent: "8014", attrs: attrs("DN", "event", "0"),
		rawStatus: "-1", customer: outCustom, payloadLen: 13, payloadCallResult: -1,
	},
	"outbound-6-call_talking.json": {
		kind: call.KindCallEvent, command: "call_talking", eventType: call.EventTalking,
		session: outSession, callID: outCallID, direction: call.DirectionOutbound,
		caller: business, callee: outCustom, agent: "8014", attrs: attrs("DN", "event", "0"),
		rawStatus: "-1", customer: outCustom, payloadLen: 13, payloadCallResult: -1,
	},
	"outbound-7-call_hangup.json": {
		kind: call.KindCallEvent, command: "call_hangup", eventType: call.EventCallEnded,
		session: outSession, callID: outCallID, direction: call.DirectionOutbound,
		caller: business, callee: outCustom, agent: "8014", attrs: attrs("DN", "event", "0"),
		rawStatus: "-1", customer: outCustom, payloadLen: 13, payloadCallResult: -1,
	},
	// Not in the document: the hangup of a call with a result, 0 成功 and 1 线路不通.
	"outbound-8-call_hangup-success.json": {
		kind: call.KindCallEvent, command: "call_hangup", eventType: call.EventCallEnded,
		session: outSession, callID: outCallID, direction: call.DirectionOutbound,
		caller: business, callee: outCustom, agent: "8014", attrs: attrs("DN", "event", "0"),
		rawStatus: "0", customer: outCustom, payloadLen: 13, payloadCallResult: 0, // 成功: the line, not a talk
	},
	"outbound-9-call_hangup-line-failure.json": {
		kind: call.KindCallEvent, command: "call_hangup", eventType: call.EventCallEnded,
		session: outSession, callID: outCallID, direction: call.DirectionOutbound,
		caller: business, callee: outCustom, agent: "8014", attrs: attrs("DN", "event", "0"),
		status: call.StatusFailed, rawStatus: "1", customer: outCustom, payloadLen: 13, payloadCallResult: 1,
	},
}

func TestEverySampleIsChecked(t *testing.T) {
	files, err := filepath.Glob(testdata + "*.json")
	require.NoError(t, err)
	names := make([]string, 0, len(files))
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	want := make([]string, 0, len(samples))
	for name := range samples {
		want = append(want, name)
	}
	sort.Strings(want)
	assert.Equal(t, want, names, "every file in testdata/uincall has its expected decoding")
	assert.Len(t, names, 17, "the document's 14 samples and 3 of our own")
}

func TestDecodeSamples(t *testing.T) {
	for file, want := range samples {
		t.Run(file, func(t *testing.T) {
			p, err := decode(t, file)
			require.NoError(t, err)

			assert.Equal(t, "uincall", p.Vendor)
			assert.Equal(t, want.kind, p.Kind)
			assert.Equal(t, tenant, p.Tenant)
			assert.True(t, p.Time.IsZero(), "UinCall events carry no time")
			assert.Equal(t, arrival, p.Arrival)
			assert.Equal(t, arrival, p.When())
			assert.Empty(t, p.DedupKey, "no id, no retries: nothing to deduplicate")
			assert.Nil(t, p.Recording)

			require.NotNil(t, p.Event)
			assert.Equal(t, want.command, p.Event.Name)
			assert.Equal(t, want.eventType, p.Event.Type)
			assert.Equal(t, want.attrs, p.Event.Attributes)

			c := p.Call
			assert.Equal(t, want.session, c.SessionID)
			assert.Equal(t, want.callID, c.CallID)
			assert.Equal(t, want.direction, c.Direction)
			assert.Equal(t, want.caller, c.Caller)
			assert.Equal(t, want.callee, c.Callee)
			assert.Equal(t, want.customer, c.CustomerNumber())
			assert.Equal(t, call.Agent{StaffNumber: want.agent}, c.Agent)
			assert.Equal(t, call.Queue{ID: want.queue}, c.Queue)
			assert.Equal(t, want.status, c.EndStatus)
			assert.Equal(t, want.rawStatus, c.RawEndStatus)
			assert.Equal(t, call.HangupSide(""), c.HangupSide, "UinCall does not say who hung up")
			assert.True(t, c.Start.IsZero() && c.End.IsZero() && c.Answer.IsZero())
			assert.Empty(t, c.Durations)

			// The payload is kept whole, with integers as integers.
			payload := p.Payload.AsRaw()
			assert.Len(t, payload, want.payloadLen)
			assert.Equal(t, want.command, payload["command"])
			assert.Equal(t, tenant, payload["tenant_id"])
			assert.Equal(t, want.payloadCallResult, payload["call_result"])
			assert.Equal(t, want.payloadAgentType, payload["agent_type"])
		})
	}
}

// UinCall's pushes carry no id and the document describes no retries: the two agentstatus
// samples of agent 8014 are the same bytes and are two reports of its state. No push gets a
// dedup key, and none is a retry after the end of its call.
func TestNoPushIsARepeat(t *testing.T) {
	for file := range samples {
		p, err := decode(t, file)
		require.NoError(t, err)
		assert.Empty(t, p.DedupKey, file)
		assert.False(t, p.EndIsFinal, file)
	}
	first, err := os.ReadFile(testdata + "inbound-1-agentstatus.json")
	require.NoError(t, err)
	second, err := os.ReadFile(testdata + "inbound-3-agentstatus.json")
	require.NoError(t, err)
	assert.Equal(t, string(first), string(second), "the document sends the same body twice in one flow")
}

func TestDecodeFieldForms(t *testing.T) {
	// agent_type is String in the inbound table, and call_result may arrive as digits.
	p, err := decodeBody([]byte(`{"tenant_id":"t1","command":"call_hangup","agent_type":"6","call_result":"2",
	"calldirection":"call in","session_id":"s1"}`))
	require.NoError(t, err)
	assert.Equal(t, "6", p.Event.Attributes["agent_type"])
	assert.Equal(t, call.StatusFailed, p.Call.EndStatus)
	assert.Equal(t, "2", p.Call.RawEndStatus)
	assert.Equal(t, call.DirectionInbound, p.Call.Direction)

	// null is accepted everywhere and is the same as absent.
	p, err = decodeBody([]byte(`{"command":"call_talking","call_id":null,"queue_id":null,"remark":null,
	"session_id":null,"type":null,"dir":null,"agent_num":null,"calldirection":null,"agent_type":null,
	"tenant_id":null,"dnis":null,"call_result":null,"ani":null}`))
	require.NoError(t, err)
	assert.Equal(t, call.KindCallEvent, p.Kind)
	assert.Equal(t, call.EventTalking, p.Event.Type)
	assert.Empty(t, p.Tenant)
	assert.Equal(t, call.Call{Direction: call.DirectionUnknown}, p.Call)
	assert.Nil(t, p.Event.Attributes)
	assert.Len(t, p.Payload.AsRaw(), 14)

	// A command the document does not list is accepted as another event.
	p, err = decodeBody([]byte(`{"tenant_id":"t1","command":"call_transfer","session_id":"s1","calldirection":"sideways"}`))
	require.NoError(t, err)
	assert.Equal(t, call.KindCallEvent, p.Kind)
	assert.Equal(t, "call_transfer", p.Event.Name)
	assert.Equal(t, call.EventOther, p.Event.Type)
	assert.Equal(t, call.DirectionUnknown, p.Call.Direction)
	assert.Equal(t, "s1", p.Call.SessionID)
}

func TestCallResults(t *testing.T) {
	tests := []struct {
		body      string
		status    call.EndStatus
		rawStatus string
	}{
		{`0`, "", "0"}, // 成功: the line went through; the events say whether anyone talked
		{`1`, call.StatusFailed, "1"},
		{`2`, call.StatusFailed, "2"},
		{`-1`, "", "-1"},
		{`"-1"`, "", "-1"},
		{`3`, call.StatusUnknown, "3"},
		{`"07"`, call.StatusUnknown, "7"},
		{`""`, "", ""},
		{`null`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			p, err := decodeBody([]byte(`{"command":"call_hangup","call_result":` + tt.body + `}`))
			require.NoError(t, err)
			assert.Equal(t, tt.status, p.Call.EndStatus)
			assert.Equal(t, tt.rawStatus, p.Call.RawEndStatus)
		})
	}
	p, err := decodeBody([]byte(`{"command":"call_hangup"}`))
	require.NoError(t, err)
	assert.Equal(t, call.EndStatus(""), p.Call.EndStatus, "no call_result, no status")
	assert.Empty(t, p.Call.RawEndStatus)
}

// TestDecodeRefusesOnlyTheEnvelope: a push is refused only when it is not one JSON object: a
// refused push would come back with the same body and get the same answer.
func TestDecodeRefusesOnlyTheEnvelope(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"empty body", ``, "empty body"},
		{"blank body", " \n ", "empty body"},
		{"not an object", `[{"command":"incoming"}]`, "not a JSON object"},
		{"a string", `"incoming"`, "not a JSON object"},
		{"broken JSON", `{"command": "incoming",`, "invalid JSON"},
		{"trailing data", `{"command": "incoming"} {}`, "data after the value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeBody([]byte(tt.body))
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
		// "4 session_id String 会话id"; "13 call_result int twc返回的外呼通话结果:0,成功 1、2线路不通".
		p, err := decodeBody([]byte(`{"command":"call_hangup","session_id":491,"tenant_id":7,"call_result":"0"}`))
		require.NoError(t, err)
		assert.Empty(t, p.Warnings)
		assert.Equal(t, "491", p.Call.SessionID)
		assert.Equal(t, "7", p.Tenant)
		assert.Equal(t, "0", p.Call.RawEndStatus)
		assert.Equal(t, call.EndStatus(""), p.Call.EndStatus, "0,成功: the line, not a talk; the events decide")
	})

	unreadable := []struct {
		name, field, value, warning string
	}{
		{"agent type as object", "agent_type", `{"v":0}`, "agent_type: expected a string, got object"},
		{"agent type as bool", "agent_type", `true`, "agent_type: expected a string, got bool"},
		{"call result as text", "call_result", `"abc"`, "call_result: expected an integer, got string"},
		{"call result as fraction", "call_result", `0.5`, "call_result: expected an integer, got number"},
		{"call result as array", "call_result", `[0]`, "call_result: expected an integer, got array"},
		{"session as object", "session_id", `{"id":"s"}`, "session_id: expected a string, got object"},
	}
	for _, tt := range unreadable {
		t.Run(tt.name, func(t *testing.T) {
			p, err := decodeBody([]byte(`{"command":"call_hangup","agent_num":"8014","` + tt.field + `":` + tt.value + `}`))
			require.NoError(t, err, "accepted")
			assert.Equal(t, []string{tt.warning}, p.Warnings)
			absent, err := decodeBody([]byte(`{"command":"call_hangup","agent_num":"8014"}`))
			require.NoError(t, err)
			assert.Equal(t, absent.Call, p.Call, "the field is zero, the rest is read")
			assert.Equal(t, absent.Event, p.Event)
			sent, err := platform.Value([]byte(tt.value))
			require.NoError(t, err)
			assert.Equal(t, sent, p.Payload.AsRaw()[tt.field], "the body keeps the value as sent")
		})
	}
	t.Run("command missing or unreadable", func(t *testing.T) {
		for body, want := range map[string][]string{
			`{"tenant_id":"t1","session_id":"s1"}`: {"command: missing, so the push is an event of no known kind"},
			`{"command":""}`:                       {"command: missing, so the push is an event of no known kind"},
			`{"command":null}`:                     {"command: missing, so the push is an event of no known kind"},
			`{"command":["call_hangup"]}`: {
				"command: expected a string, got array", "command: missing, so the push is an event of no known kind",
			},
		} {
			p, err := decodeBody([]byte(body))
			require.NoError(t, err, body)
			assert.Equal(t, want, p.Warnings, body)
			assert.Equal(t, call.KindCallEvent, p.Kind, body)
			assert.Equal(t, call.EventOther, p.Event.Type, body)
		}
	})
}

func TestReply(t *testing.T) {
	w := httptest.NewRecorder()
	Platform{}.Reply(w, http.StatusOK, nil)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.JSONEq(t, `{"code":0,"message":"success"}`, w.Body.String())
	assert.True(t, strings.HasPrefix(w.Header().Get("Content-Type"), "application/json"))

	w = httptest.NewRecorder()
	Platform{}.Reply(w, http.StatusBadRequest, assert.AnError)
	assert.Equal(t, http.StatusBadRequest, w.Code)
	assert.JSONEq(t, `{"code":400,"message":"`+assert.AnError.Error()+`"}`, w.Body.String())
}

// TestEveryDocumentedCommandIsMapped pins command, value by value, against the push document
// (seeds 001_73e5362c6341dda2.txt, 1.3 数据类型说明). The expected event types and kinds are
// written out here, not read from eventTypes or agentCommands, so a command dropped from the
// tables or mapped to another type fails.
func TestEveryDocumentedCommandIsMapped(t *testing.T) {
	documented := []struct {
		command string
		want    call.EventType
		kind    call.Kind
	}{
		// 1.3.1.1 / 1.3.1.2 坐席外呼叫事件 - agentDialout() UP 上行 / DN 下行 (type response): the
		// agent dials out.
		{"agentDialout", call.EventCallStarted, call.KindCallEvent},
		// field table 1.3.1 and 1.3.2, row 7 command, and 1.3.1.4: "callout_process 呼叫坐席中".
		{"callout_process", call.EventAgentRinging, call.KindCallEvent},
		// row 7 and the second 1.3.1.4: "call_process 呼叫客户中".
		{"call_process", call.EventCustomerRinging, call.KindCallEvent},
		// row 7 and 1.3.1.5: "call_talking 客户接听并开始通话". (The heading 1.3.2.5 "call_talking -
		// 接听" shows a sample whose command is call_hangup: ambiguous, the command wins.)
		{"call_talking", call.EventTalking, call.KindCallEvent},
		// row 7, 1.3.1.6 and 1.3.2.6: "call_hangup 坐席通话结束" / 挂机. The document says the agent's
		// call ended; the implementation reads it as the end of the call (eventTypes: "nothing
		// follows, the call is over"), not as one side's hangup.
		{"call_hangup", call.EventCallEnded, call.KindCallEvent},
		// 1.3.2.2 坐席来电事件 - incoming: a call is offered to the agent.
		{"incoming", call.EventAgentRinging, call.KindCallEvent},
		// 1.3.1.3 and the second 1.3.1.3 "agentstatus - 坐席状态变更", the second 1.3.3 坐席登录, and
		// the sample under 1.3.2.1 (headed agentDialout() but whose command is agentstatus).
		{"agentstatus", call.EventAgentStatus, call.KindAgentEvent},
		// the first 1.3.3 坐席切换 (UP, agent_type 6).
		{"setAgentType", call.EventAgentStatus, call.KindAgentEvent},
	}
	for _, tt := range documented {
		t.Run(tt.command, func(t *testing.T) {
			assert.Equal(t, tt.want, eventType(tt.command), "eventType(%q)", tt.command)

			p, err := decodeBody([]byte(`{"command":"` + tt.command + `","call_result":-1}`))
			require.NoError(t, err)
			assert.Equal(t, tt.want, p.Event.Type)
			assert.Equal(t, tt.kind, p.Kind)
			assert.Equal(t, tt.command, p.Event.Name)
		})
	}

	// "不在上述范围内的暂不关注": any other command is an other call event.
	assert.Equal(t, call.EventOther, eventType("somethingNew"))
	p, err := decodeBody([]byte(`{"command":"somethingNew"}`))
	require.NoError(t, err)
	assert.Equal(t, call.EventOther, p.Event.Type)
	assert.Equal(t, call.KindCallEvent, p.Kind)

	assert.Equal(t, Name, Platform{}.Name())
}

// TestEveryDocumentedCallResultIsMapped pins call_result, "twc返回的外呼通话结果：0,成功 1、2线路不通"
// (row 13 of the field tables of 1.3.1 and 1.3.2), through endStatus, the function the decoder
// uses. -1 is in every sample, the hangups included, and is not in the table: no result yet.
func TestEveryDocumentedCallResultIsMapped(t *testing.T) {
	documented := []struct {
		value int64
		want  call.EndStatus
		raw   string
	}{
		{0, "", "0"},                 // 成功: the line went through, not a talk: no status of its own
		{1, call.StatusFailed, "1"},  // 线路不通
		{2, call.StatusFailed, "2"},  // 线路不通
		{-1, "", "-1"},               // every sample: no status yet, the raw value is kept
		{3, call.StatusUnknown, "3"}, // not documented
	}
	for _, tt := range documented {
		got, raw := endStatus(flex.Int{Value: tt.value, Valid: true})
		assert.Equal(t, tt.want, got, "call_result %d", tt.value)
		assert.Equal(t, tt.raw, raw, "call_result %d", tt.value)
	}
	got, raw := endStatus(flex.Int{})
	assert.Equal(t, call.EndStatus(""), got, "absent call_result")
	assert.Empty(t, raw)
}
