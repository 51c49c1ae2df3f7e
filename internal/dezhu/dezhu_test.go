package dezhu

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
)

var arrival = time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

func decode(t *testing.T, file string, loc *time.Location) (call.Push, error) {
	t.Helper()
	body, err := os.ReadFile("../../testdata/dezhu/" + file)
	require.NoError(t, err)
	return decodeBody(body, loc)
}

func decodeBody(body []byte, loc *time.Location) (call.Push, error) {
	pushes, err := Platform{}.Decode(platform.Request{
		Header: http.Header{}, Body: body, Arrival: arrival, Location: loc,
	})
	if err != nil {
		return call.Push{}, err
	}
	if len(pushes) != 1 {
		return call.Push{}, assert.AnError
	}
	return pushes[0], nil
}

func TestDecodeSample(t *testing.T) {
	p, err := decode(t, "record.json", time.UTC)
	require.NoError(t, err)

	assert.Equal(t, "dezhu", p.Vendor)
	assert.Equal(t, call.KindCallRecord, p.Kind)
	assert.Equal(t, "87462158132343186600590049", p.Tenant)
	assert.Equal(t, arrival, p.Arrival)
	assert.Equal(t, time.Date(2020, 11, 24, 3, 29, 31, 0, time.UTC), p.Time, "a call record happened when the call ended")
	assert.Equal(t, "0605589a-c1f7-47a5-b75c-3e639e1b928a", p.DedupKey, "the record id identifies the retries")
	assert.Nil(t, p.Recording)
	assert.Nil(t, p.Event)

	c := p.Call
	assert.Equal(t, "77321526-3971-408e-adf2-7557dba9d2c3", c.SessionID)
	assert.Equal(t, "0605589a-c1f7-47a5-b75c-3e639e1b928a", c.CallID)
	assert.Equal(t, call.DirectionInbound, c.Direction)
	assert.Equal(t, "18680872180", c.Caller)
	assert.Equal(t, "33330002", c.Callee)
	assert.Equal(t, "18680872180", c.CustomerNumber())
	assert.Equal(t, call.Location{Text: "重庆-", Carrier: "中国联通"}, c.CustomerLocation)
	assert.Equal(t, time.Date(2020, 11, 24, 3, 29, 10, 0, time.UTC), c.Start)
	assert.Equal(t, time.Date(2020, 11, 24, 3, 29, 31, 0, time.UTC), c.End)
	assert.True(t, c.Answer.IsZero(), "iccRecordDate lies ten days before the call: not its answer")
	assert.True(t, c.Queued.IsZero())
	// "parkingWaitDuration":1606188570 is no count of seconds (振铃时间(单位秒)) but a moment:
	// 2020-11-24 03:29:30 UTC, a second before "communicateEndTime":1606188571000. The ringing
	// began then and lasted until the caller hung up.
	assert.Equal(t, time.Date(2020, 11, 24, 3, 29, 30, 0, time.UTC), c.Ring)

	// Queue-abandoned: 21 s in all, 3 s queued, 1 s ringing, 5 s after-call work; its
	// communicateDuration of 0 is no talk phase.
	assert.Equal(t, map[call.Phase]time.Duration{
		call.PhaseTotal: 21 * time.Second,
		call.PhaseQueue: 3 * time.Second,
		call.PhaseRing:  1 * time.Second,
		call.PhaseACW:   5 * time.Second,
	}, c.Durations)

	assert.Equal(t, call.Queue{ID: "01105165021937Jr"}, c.Queue)
	assert.True(t, c.Agent.IsZero())
	assert.Empty(t, c.Legs, "no agent, no leg")
	assert.Equal(t, call.StatusAbandonedQueue, c.EndStatus)
	assert.Equal(t, "4", c.RawEndStatus)
	assert.Equal(t, call.HangupCustomer, c.HangupSide)
	assert.Equal(t, "0", c.RawHangup)
	assert.Equal(t, call.SatisfactionNone, c.Satisfaction)
	assert.Equal(t, "-1", c.RawSatisfaction)
	assert.Equal(t, "开始>播放语音>转AI语音>转人工", c.IVRPath)
	assert.Equal(t, "1a87a49b-7fcc-4675-b985-80dc97d373f5", c.RecordingID)
	assert.Empty(t, c.RecordingURLs)
	assert.Zero(t, c.Transfers, `transferId "0" is no transfer`)
	assert.Empty(t, c.IVRKeys)

	// expansionFields appears twice; the last one, the custom-field list, counts.
	assert.Equal(t, map[string]any{
		"expansionFields": map[string]any{
			"通话小结": []any{map[string]any{"id": "5ae13e0487284f7282c2cda41aa07a1c", "summary": "业务咨询"}},
			"紧急程度": "一般",
			"服务备注": "客户告知健康宝没有更新,已告知客户联系健康宝客服",
		},
		"communicateSource": int64(2),
		"customerId":        "81656c22af5644ec9a97127933b4cb6b",
		"callResult":        int64(3),
		"noteStatus":        int64(1),
	}, c.Custom)

	// The payload is kept whole, with the data wrapper and integers as integers.
	payload := p.Payload.AsRaw()
	require.Len(t, payload, 1)
	data, ok := payload["data"].(map[string]any)
	require.True(t, ok)
	assert.Len(t, data, 31)
	assert.Equal(t, int64(1606188570), data["parkingWaitDuration"], "dropped durations stay in the payload")
	assert.Equal(t, int64(-1), data["evaluationScore"])
	assert.Equal(t, "1605318636358", data["iccRecordDate"])
	assert.Contains(t, data["expansionFields"], "紧急程度")
}

func TestDecodeOutboundDateTimes(t *testing.T) {
	p, err := decode(t, "outbound-answered-datetime.json", shanghai)
	require.NoError(t, err)

	assert.Equal(t, "a9e1f7c2-6b3d-4c8e-8f10-11aa22bb33cc", p.DedupKey)
	assert.Equal(t, time.Date(2024, 5, 6, 2, 3, 12, 0, time.UTC), p.Time, "date-time texts are read in the given zone")

	c := p.Call
	assert.Equal(t, "5d0b8c1e-2f4a-4e7b-9c61-0a1b2c3d4e5f", c.SessionID)
	assert.Equal(t, call.DirectionOutbound, c.Direction)
	assert.Equal(t, "02161234567", c.Caller)
	assert.Equal(t, "13912345678", c.CustomerNumber())
	assert.Equal(t, time.Date(2024, 5, 6, 2, 0, 0, 0, time.UTC), c.Start)
	assert.Equal(t, time.Date(2024, 5, 6, 2, 3, 12, 0, time.UTC), c.End)
	assert.Equal(t, time.Date(2024, 5, 6, 2, 0, 12, 0, time.UTC), c.Answer,
		"without agentAnswerTime, iccRecordDate within the call is its answer")
	assert.Equal(t, map[call.Phase]time.Duration{
		call.PhaseTotal: 192 * time.Second,
		call.PhaseRing:  12 * time.Second,
		call.PhaseTalk:  180 * time.Second,
		call.PhaseACW:   30 * time.Second,
	}, c.Durations)

	assert.Equal(t, call.Agent{ID: "1000123", Name: "李四"}, c.Agent, "staffId may be a string")
	require.Len(t, c.Legs, 1)
	assert.Equal(t, call.Leg{
		Agent: call.Agent{ID: "1000123", Name: "李四"}, SkillGroup: call.Queue{ID: "01105165021937Jr"},
		End: time.Date(2024, 5, 6, 2, 3, 12, 0, time.UTC),
	}, c.Legs[0], "the leg's answer is agentAnswerTime only")

	assert.Equal(t, call.StatusAnswered, c.EndStatus)
	assert.Equal(t, "2", c.RawEndStatus)
	assert.Equal(t, call.HangupAgent, c.HangupSide, "hangUpDirectionType stands in for a null handupDirection")
	assert.Equal(t, "AGENT_DROPPED_CALL", c.RawHangup)
	assert.Equal(t, call.SatisfactionNotRated, c.Satisfaction)
	assert.Equal(t, "0", c.RawSatisfaction)
	assert.Empty(t, c.IVRPath)
	assert.Zero(t, c.Transfers)
	assert.Equal(t, map[string]any{
		"expansionFields":    map[string]any{"服务备注": "客户同意续约", "意向金额": 1200.5},
		"externalCustomerId": "crm-42",
		"externalData":       `{"order":"A1"}`,
		"taskId":             "88001", // a Long id: kept as text, like every id
		"communicateSource":  int64(2),
		"customerName":       "王先生",
		"customerId":         "c0ffee0000000000000000000000beef",
		"callResult":         int64(1),
		"noteStatus":         int64(0),
	}, c.Custom)
}

func TestDecodeInboundTransfer(t *testing.T) {
	p, err := decode(t, "inbound-transfer.json", shanghai)
	require.NoError(t, err)

	c := p.Call
	assert.Equal(t, "f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9", p.DedupKey)
	assert.Equal(t, "f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9", c.CallID)
	assert.Equal(t, "0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b", c.SessionID)
	assert.Equal(t, call.DirectionInbound, c.Direction)
	assert.Equal(t, "18680872180", c.CustomerNumber())
	assert.Equal(t, time.Date(2024, 5, 6, 2, 10, 0, 0, time.UTC), c.Start)
	assert.Equal(t, time.Date(2024, 5, 6, 2, 10, 20, 0, time.UTC), c.Answer, "agentAnswerTime as a string of digits")
	assert.Equal(t, time.Date(2024, 5, 6, 2, 11, 0, 0, time.UTC), c.End)
	assert.Equal(t, map[call.Phase]time.Duration{
		call.PhaseTotal: 60 * time.Second,
		call.PhaseQueue: 8 * time.Second,
		call.PhaseRing:  5 * time.Second,
		call.PhaseTalk:  40 * time.Second,
		call.PhaseACW:   90 * time.Second, // after the end: not bounded by the call's length
	}, c.Durations)

	assert.Equal(t, call.Agent{ID: "20001", Name: "张三"}, c.Agent, "staffId may be a number")
	require.Len(t, c.Legs, 1)
	assert.Equal(t, c.Answer, c.Legs[0].Answer)
	assert.Equal(t, c.End, c.Legs[0].End)
	assert.Equal(t, call.Queue{ID: "01105165021937Kx"}, c.Legs[0].SkillGroup)

	assert.Equal(t, 1, c.Transfers)
	assert.Equal(t, call.HangupTransfer, c.HangupSide)
	assert.Equal(t, "3", c.RawHangup)
	assert.Equal(t, call.SatisfactionVerySatisfied, c.Satisfaction)
	assert.Equal(t, "1", c.RawSatisfaction)
	assert.Equal(t, call.StatusAnswered, c.EndStatus)
	assert.Equal(t, "7e6d5c4b-3a29-4180-b7c6-d5e4f3a2b1c0", c.RecordingID)
	assert.Equal(t, "开始>播放语音>按键菜单>转人工", c.IVRPath)
	assert.Equal(t, map[string]any{
		"expansionFields":   `{"id":121,"name":"通话小结"`, // not JSON: kept as sent
		"transferId":        "tr-20240506-0001",
		"communicateSource": int64(1),
		"callWaitDuration":  int64(13),
	}, c.Custom)
}

func TestDecodeEdges(t *testing.T) {
	t.Run("id alone", func(t *testing.T) {
		p, err := decodeBody([]byte(`{"data":{"id":"r-1","callType":null,"speechCallResult":null}}`), nil)
		require.NoError(t, err)
		assert.Equal(t, "r-1", p.Call.SessionID, "the record id stands in for iccCallId")
		assert.Equal(t, "r-1", p.DedupKey)
		assert.Equal(t, call.DirectionUnknown, p.Call.Direction)
		assert.Equal(t, call.StatusUnknown, p.Call.EndStatus)
		assert.Empty(t, p.Call.RawEndStatus)
		assert.Equal(t, call.HangupUnknown, p.Call.HangupSide)
		assert.Equal(t, call.SatisfactionNone, p.Call.Satisfaction)
		assert.Nil(t, p.Call.Custom)
		assert.Nil(t, p.Call.Durations)
		assert.True(t, p.Time.IsZero())
	})
	t.Run("createTime without an end", func(t *testing.T) {
		p, err := decodeBody([]byte(`{"data":{"iccCallId":"s","createTime":"2024-05-06 10:03:15"}}`), time.UTC)
		require.NoError(t, err)
		assert.Equal(t, time.Date(2024, 5, 6, 10, 3, 15, 0, time.UTC), p.Time)
		assert.Empty(t, p.DedupKey)
	})
	t.Run("durations without the call's length", func(t *testing.T) {
		p, err := decodeBody([]byte(`{"data":{"id":"r","communicateDuration":30,
			"parkingWaitDuration":1606188570,"acw":1606188570}}`), time.UTC)
		require.NoError(t, err)
		assert.Equal(t, map[call.Phase]time.Duration{call.PhaseTalk: 30 * time.Second}, p.Call.Durations,
			"no phase lasts a day")
	})
	t.Run("unknown codes keep the raw value", func(t *testing.T) {
		p, err := decodeBody([]byte(`{"data":{"id":"r","speechCallResult":42,"handupDirection":9,
			"hangUpDirectionType":"AGENT_DROPPED_CALL","evaluationScore":7}}`), time.UTC)
		require.NoError(t, err)
		assert.Equal(t, call.StatusUnknown, p.Call.EndStatus)
		assert.Equal(t, "42", p.Call.RawEndStatus)
		assert.Equal(t, call.HangupUnknown, p.Call.HangupSide, "handupDirection decides when it is present")
		assert.Equal(t, "9", p.Call.RawHangup)
		assert.Equal(t, call.SatisfactionNone, p.Call.Satisfaction)
		assert.Equal(t, "7", p.Call.RawSatisfaction)
	})
	t.Run("iccRecordDate after the end", func(t *testing.T) {
		p, err := decodeBody([]byte(`{"data":{"id":"r","communicateBeginTime":1714961400000,
			"communicateEndTime":1714961460000,"iccRecordDate":"1714961461000"}}`), time.UTC)
		require.NoError(t, err)
		assert.True(t, p.Call.Answer.IsZero())
	})
	t.Run("expansionFields shapes", func(t *testing.T) {
		tests := []struct {
			in   string
			want any
		}{
			{`""`, nil},
			{`"{}"`, nil},
			{`"[]"`, nil},
			{`"null"`, nil},
			{`"[{\"id\":7,\"value\":12345678901}]"`, map[string]any{"7": int64(12345678901)}},
			{`"[{\"name\":\"a\"}]"`, nil},
			{`"[1,2]"`, []any{int64(1), int64(2)}},
			{`"{\"k\":\"v\"}"`, map[string]any{"k": "v"}},
			{`"[1] [2]"`, "[1] [2]"},
			{`"x"`, "x"},
			{`"12"`, "12"},
		}
		for _, tt := range tests {
			p, err := decodeBody([]byte(`{"data":{"id":"r","expansionFields":`+tt.in+`}}`), time.UTC)
			require.NoError(t, err, tt.in)
			assert.Equal(t, tt.want, p.Call.Custom["expansionFields"], tt.in)
		}
	})
}

// TestDecodeRefusesOnlyTheEnvelope: a push is refused only when its envelope cannot be read:
// not JSON, not an object, or no record in data (回调信息). 得助 retries a refused record up to 10
// times and then drops it, so nothing inside the record is a reason to refuse it.
func TestDecodeRefusesOnlyTheEnvelope(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"empty body", ``, "empty body"},
		{"not an object", `[{"data":{}}]`, "not a JSON object"},
		{"broken JSON", `{"data":{"id":"a",`, "invalid JSON"},
		{"missing data", `{"id":"a"}`, "field data: an object is required"},
		{"null data", `{"data":null}`, "field data: an object is required"},
		{"data not an object", `{"data":"x"}`, "field data: an object is required"},
		{"data an array", `{"data":[]}`, "field data: an object is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeBody([]byte(tt.body), time.UTC)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestDecodeReadsFieldsOfAnotherType: the cases of issue 8, item 11. A field of an unexpected
// type is read when its meaning is unambiguous; otherwise it is left zero and named in a
// warning, and the record is accepted with the value kept in the payload.
func TestDecodeReadsFieldsOfAnotherType(t *testing.T) {
	t.Run("transferId as the number 0", func(t *testing.T) {
		// | transferId | String | 转接id,非0时才是转接id |: 0 is no transfer, as a number too.
		p, err := decodeBody([]byte(`{"data":{"id":"r","transferId":0}}`), time.UTC)
		require.NoError(t, err)
		assert.Empty(t, p.Warnings, "a number where text is expected is read as its digits")
		assert.Equal(t, 0, p.Call.Transfers)
		assert.NotContains(t, p.Call.Custom, "transferId")
		assert.Equal(t, int64(0), data(t, p)["transferId"], "the body keeps the value as sent")

		p, err = decodeBody([]byte(`{"data":{"id":"r","transferId":1234}}`), time.UTC)
		require.NoError(t, err)
		assert.Equal(t, 1, p.Call.Transfers, "a non-zero number is a transfer's id")
	})
	t.Run("callType as a string", func(t *testing.T) {
		// | callType | Integer | 通话类型(1呼入,2:呼出) |: "1" is 呼入, inbound.
		p, err := decodeBody([]byte(`{"data":{"id":"r","callType":"1"}}`), time.UTC)
		require.NoError(t, err)
		assert.Empty(t, p.Warnings)
		assert.Equal(t, call.DirectionInbound, p.Call.Direction)
		p, err = decodeBody([]byte(`{"data":{"id":"r","callType":" 2 "}}`), time.UTC)
		require.NoError(t, err)
		assert.Equal(t, call.DirectionOutbound, p.Call.Direction, "2:呼出")
	})
	t.Run("durations and ids of the other type", func(t *testing.T) {
		p, err := decodeBody([]byte(`{"data":{"id":5,"queueWaitDuration":"3","speechCallResult":"2"}}`), time.UTC)
		require.NoError(t, err)
		assert.Empty(t, p.Warnings)
		assert.Equal(t, "5", p.Call.CallID)
		assert.Equal(t, "5", p.DedupKey)
		d, ok := p.Call.Duration(call.PhaseQueue)
		assert.True(t, ok)
		assert.Equal(t, 3*time.Second, d)
		assert.Equal(t, call.StatusAnswered, p.Call.EndStatus, "2 已接通")
	})

	unreadable := []struct {
		name, fields, field, warning string
		sent                         any
	}{
		{"time object", `"communicateBeginTime":{"t":1}`, "communicateBeginTime",
			"data.communicateBeginTime: expected a time (epoch milliseconds or a date-time), got object", map[string]any{"t": int64(1)}},
		{"undocumented time text", `"communicateEndTime":"2024/05/06 10:00"`, "communicateEndTime",
			"data.communicateEndTime: expected a time (epoch milliseconds or a date-time), got string", "2024/05/06 10:00"},
		{"callType as a word", `"callType":"in"`, "callType", "data.callType: expected an integer, got string", "in"},
		{"speechCallResult as a list", `"speechCallResult":[2]`, "speechCallResult",
			"data.speechCallResult: expected an integer, got array", []any{int64(2)}},
		{"staffId object", `"staffId":{}`, "staffId", "data.staffId: expected a string, got object", map[string]any{}},
		{"expansionFields array", `"expansionFields":[]`, "expansionFields", "data.expansionFields: expected a string, got array", []any{}},
		{"duration fraction", `"queueWaitDuration":1.5`, "queueWaitDuration", "data.queueWaitDuration: expected an integer, got number", 1.5},
	}
	for _, tt := range unreadable {
		t.Run(tt.name, func(t *testing.T) {
			p, err := decodeBody([]byte(`{"data":{"id":"r","staffName":"n",`+tt.fields+`}}`), time.UTC)
			require.NoError(t, err, "accepted")
			assert.Equal(t, []string{tt.warning}, p.Warnings)
			assert.Equal(t, tt.sent, data(t, p)[tt.field], "the body keeps the value as sent")
			assert.Equal(t, "n", p.Call.Agent.Name, "the rest of the record is read")
			assert.Equal(t, "r", p.Call.SessionID)
		})
	}
	t.Run("unreadable fields are zero", func(t *testing.T) {
		p, err := decodeBody([]byte(`{"data":{"id":"r","communicateBeginTime":{},"callType":"in",`+
			`"speechCallResult":[2],"staffId":{},"queueWaitDuration":1.5}}`), time.UTC)
		require.NoError(t, err)
		assert.Len(t, p.Warnings, 5)
		assert.True(t, p.Call.Start.IsZero())
		assert.Equal(t, call.DirectionUnknown, p.Call.Direction)
		assert.Equal(t, call.StatusUnknown, p.Call.EndStatus)
		assert.Empty(t, p.Call.Agent.ID)
		_, ok := p.Call.Duration(call.PhaseQueue)
		assert.False(t, ok)
	})
	t.Run("no id", func(t *testing.T) {
		p, err := decodeBody([]byte(`{"data":{"tenantId":"t","iccCallId":"","id":null}}`), time.UTC)
		require.NoError(t, err, "logged, though it joins no call")
		assert.Equal(t, []string{"data.iccCallId, data.id: missing, so the record joins no call"}, p.Warnings)
		assert.Empty(t, p.Call.SessionID)
		assert.Empty(t, p.DedupKey)
	})
}

// data is the record in the push's payload.
func data(t *testing.T, p call.Push) map[string]any {
	t.Helper()
	payload := p.Payload.AsRaw()
	m, ok := payload["data"].(map[string]any)
	require.True(t, ok, "payload data: %v", payload)
	return m
}

// decodeData decodes one record whose data object holds fields, through the decoder.
func decodeData(t *testing.T, fields string) call.Call {
	t.Helper()
	p, err := decodeBody([]byte(`{"data":{"id":"r",`+fields+`}}`), time.UTC)
	require.NoError(t, err, fields)
	return p.Call
}

// TestEveryDocumentedStatusIsMapped pins the coded fields of the push document's 回调信息 table
// (seeds 002_992a9c8029cdd91a.txt) value by value. The expected values are written out here, not
// read from the package's tables, so a row dropped from them or mapped differently fails.
func TestEveryDocumentedStatusIsMapped(t *testing.T) {
	// speechCallResult, "呼叫中心自定义通话结果", every value of the row, in its order.
	statuses := []struct {
		code int
		want call.EndStatus
	}{
		{0, call.StatusUnknown},        // 默认值(无意义): no result to report
		{1, call.StatusUnreachable},    // 无法接通
		{2, call.StatusAnswered},       // 已接通
		{3, call.StatusNoAnswer},       // 无人应答
		{4, call.StatusAbandonedQueue}, // 队列放弃 (the sample's value)
		{5, call.StatusOutsideHours},   // 非服务时间
		// 坐席振铃未接: the agent's phone rang and nobody picked it up.
		{6, call.StatusNoAnswer},
		// 客户速挂: the customer hung up quickly. Ambiguous: the document does not say at which
		// stage; status.go reads it as "the customer hung up at once while it rang".
		{7, call.StatusAbandonedRinging},
		{8, call.StatusAbandonedIVR}, // IVR中放弃
		// 客户振铃坐席挂机: the customer's phone rang and the agent hung up (an outbound call the
		// agent gave up on); status.go reads it as canceled by the calling side.
		{9, call.StatusCanceled},
		{10, call.StatusBlocked}, // 禁止呼叫
	}
	for _, tt := range statuses {
		t.Run("speechCallResult/"+strconv.Itoa(tt.code), func(t *testing.T) {
			assert.Equal(t, tt.want, endStatus(tt.code), "endStatus(%d)", tt.code)
			c := decodeData(t, `"speechCallResult":`+strconv.Itoa(tt.code))
			assert.Equal(t, tt.want, c.EndStatus)
			assert.Equal(t, strconv.Itoa(tt.code), c.RawEndStatus)
		})
	}
	assert.Equal(t, call.StatusUnknown, endStatus(11), "not documented")
	assert.Equal(t, call.StatusUnknown, endStatus(-1), "not documented")

	// handupDirection, "挂机方向:0表示客户挂断,1表示坐席挂断,2表示未知,3转接挂断".
	sides := []struct {
		code int
		want call.HangupSide
	}{
		{0, call.HangupCustomer}, // 客户挂断 (the sample's value)
		{1, call.HangupAgent},    // 坐席挂断
		{2, call.HangupUnknown},  // 未知
		{3, call.HangupTransfer}, // 转接挂断
		{4, call.HangupUnknown},  // not documented
	}
	for _, tt := range sides {
		c := decodeData(t, `"handupDirection":`+strconv.Itoa(tt.code))
		assert.Equal(t, tt.want, c.HangupSide, "handupDirection %d", tt.code)
		assert.Equal(t, strconv.Itoa(tt.code), c.RawHangup)
	}

	// hangUpDirectionType, "客户挂机: CONTACT_DROPPED_CALL,坐席挂机:AGENT_DROPPED_CALL,转接挂断:
	// TRANSFER_DROPPED_CALL" (read when handupDirection is absent).
	types := []struct {
		raw  string
		want call.HangupSide
	}{
		{"CONTACT_DROPPED_CALL", call.HangupCustomer},  // 客户挂机 (the sample's value)
		{"AGENT_DROPPED_CALL", call.HangupAgent},       // 坐席挂机
		{"TRANSFER_DROPPED_CALL", call.HangupTransfer}, // 转接挂断
		{"SYSTEM_DROPPED_CALL", call.HangupUnknown},    // not documented
	}
	for _, tt := range types {
		c := decodeData(t, `"hangUpDirectionType":"`+tt.raw+`"`)
		assert.Equal(t, tt.want, c.HangupSide, "hangUpDirectionType %s", tt.raw)
		assert.Equal(t, tt.raw, c.RawHangup)
	}

	// evaluationScore, "满意度评价结果0:未评价 1:非常满意 2:满意 3:一般,4:不满意 5:非常不满意".
	scores := []struct {
		code int
		want call.Satisfaction
	}{
		{0, call.SatisfactionNotRated},         // 未评价
		{1, call.SatisfactionVerySatisfied},    // 非常满意
		{2, call.SatisfactionSatisfied},        // 满意
		{3, call.SatisfactionNeutral},          // 一般
		{4, call.SatisfactionDissatisfied},     // 不满意
		{5, call.SatisfactionVeryDissatisfied}, // 非常不满意
		// The sample's -1 is not in the table: no rating, the raw value is kept.
		{-1, call.SatisfactionNone},
	}
	for _, tt := range scores {
		c := decodeData(t, `"evaluationScore":`+strconv.Itoa(tt.code))
		assert.Equal(t, tt.want, c.Satisfaction, "evaluationScore %d", tt.code)
		assert.Equal(t, strconv.Itoa(tt.code), c.RawSatisfaction)
	}

	// callType, "通话类型(1呼入,2:呼出)".
	directions := []struct {
		code int
		want call.Direction
	}{
		{1, call.DirectionInbound},  // 呼入 (the sample's value)
		{2, call.DirectionOutbound}, // 呼出
		{0, call.DirectionUnknown},  // not documented
	}
	for _, tt := range directions {
		c := decodeData(t, `"callType":`+strconv.Itoa(tt.code))
		assert.Equal(t, tt.want, c.Direction, "callType %d", tt.code)
	}
}

func TestReply(t *testing.T) {
	assert.Equal(t, "dezhu", Platform{}.Name())

	w := httptest.NewRecorder()
	Platform{}.Reply(w, http.StatusOK, nil)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.JSONEq(t, `{"code":0,"message":"success"}`, w.Body.String())

	w = httptest.NewRecorder()
	Platform{}.Reply(w, http.StatusBadRequest, assert.AnError)
	assert.Equal(t, http.StatusBadRequest, w.Code)
	assert.JSONEq(t, `{"code":400,"message":"`+assert.AnError.Error()+`"}`, w.Body.String())
}

// TestDefaultResultFallsBackOnEvidence is issue 8, item 5: speechCallResult "0:默认值(无意义)"
// says nothing, so the record's own fields decide. communicateDuration (通话时长) above 0 is a
// conversation; agentAnswerTime (坐席应答时间) is one on an inbound call only, since an outbound
// call's agent answers before the customer is dialed.
func TestDefaultResultFallsBackOnEvidence(t *testing.T) {
	times := `"communicateBeginTime":1714961400000,"communicateEndTime":1714961460000,`
	tests := []struct {
		name, fields string
		want         call.EndStatus
	}{
		{"inbound talk", `"callType":1,"speechCallResult":0,"communicateDuration":40`, call.StatusAnswered},
		{"inbound agent answer", `"callType":1,"speechCallResult":0,"communicateDuration":0,"agentAnswerTime":1714961420000`, call.StatusAnswered},
		{"outbound talk", `"callType":2,"speechCallResult":0,"communicateDuration":40,"agentAnswerTime":1714961400000`, call.StatusAnswered},
		{"outbound agent answer only", `"callType":2,"speechCallResult":0,"communicateDuration":0,"agentAnswerTime":1714961400000`, call.StatusUnknown},
		{"no evidence", `"callType":1,"speechCallResult":0,"communicateDuration":0,"queueWaitDuration":9`, call.StatusUnknown},
		{"absent result, talk", `"callType":1,"communicateDuration":40`, call.StatusAnswered},
		{"a documented result wins", `"callType":1,"speechCallResult":4,"communicateDuration":40`, call.StatusAbandonedQueue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := decodeData(t, times+tt.fields)
			assert.Equal(t, tt.want, c.EndStatus)
			if strings.Contains(tt.fields, `"speechCallResult":0`) {
				assert.Equal(t, "0", c.RawEndStatus, "the raw value is kept")
			}
		})
	}
}

// TestRingMomentInParkingWaitDuration is issue 8, item 6: a parkingWaitDuration within the call,
// in epoch seconds (as the sample's) or milliseconds, is when the ringing began; a small value is
// 振铃时间(单位秒), seconds of ringing.
func TestRingMomentInParkingWaitDuration(t *testing.T) {
	// Begin 1714961400 (10:10:00 +08:00), agent answer 1714961420, end 1714961460.
	base := `"callType":1,"speechCallResult":2,"communicateBeginTime":1714961400000,"communicateEndTime":1714961460000,
		"agentAnswerTime":1714961420000,"communicateDuration":40,`
	for _, parking := range []string{"1714961412", "1714961412000"} {
		c := decodeData(t, base+`"parkingWaitDuration":`+parking)
		assert.Equal(t, time.Unix(1714961412, 0).UTC(), c.Ring, parking)
		assert.Equal(t, 8*time.Second, c.Durations[call.PhaseRing], "%s: ringing from 1714961412 to the answer at 1714961420", parking)
	}
	c := decodeData(t, base+`"parkingWaitDuration":8`)
	assert.True(t, c.Ring.IsZero(), "8 is seconds, not a moment")
	assert.Equal(t, 8*time.Second, c.Durations[call.PhaseRing])

	c = decodeData(t, base+`"parkingWaitDuration":1714961470`)
	assert.True(t, c.Ring.IsZero(), "after the end: neither a moment of the call nor its seconds")
	assert.NotContains(t, c.Durations, call.PhaseRing)
}

// TestOutboundTalkStartsWithTheCustomer is issue 8, item 7: on an outbound call agentAnswerTime
// (坐席应答时间) is the agent's side; a customer who did not answer (speechCallResult 3 无人应答,
// communicateDuration 0) has no talk phase at all, not one of 0 s.
func TestOutboundTalkStartsWithTheCustomer(t *testing.T) {
	c := decodeData(t, `"callType":2,"speechCallResult":3,"communicateBeginTime":1714961400000,
		"communicateEndTime":1714961425000,"agentAnswerTime":1714961400000,"communicateDuration":0,
		"parkingWaitDuration":24,"queueWaitDuration":0,"acw":0,"staffId":"7","staffName":"李四"`)
	assert.Equal(t, call.StatusNoAnswer, c.EndStatus)
	assert.True(t, c.Answer.IsZero(), "the customer never connected")
	assert.Equal(t, map[call.Phase]time.Duration{
		call.PhaseTotal: 25 * time.Second,
		call.PhaseRing:  24 * time.Second,
	}, c.Durations, "no talk, and no queue or after-call work reported as 0")
	require.Len(t, c.Legs, 1)
	assert.Equal(t, time.Unix(1714961400, 0).UTC(), c.Legs[0].Answer, "the agent's own leg did answer")

	// Answered: the talk is the customer's, communicateDuration, whatever the agent's answer time.
	c = decodeData(t, `"callType":2,"speechCallResult":2,"communicateBeginTime":1714961400000,
		"communicateEndTime":1714961460000,"agentAnswerTime":1714961400000,"communicateDuration":40`)
	assert.Equal(t, 40*time.Second, c.Durations[call.PhaseTalk])
	assert.True(t, c.Answer.IsZero(), "not the agent's answer")
}
