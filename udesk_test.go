package callcenterreceiver

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// udeskBody is a fixture of the inbound Udesk call with fields replaced.
func udeskBody(t *testing.T, fixtureName string, fields map[string]any) []byte {
	t.Helper()
	var body map[string]any
	require.NoError(t, json.Unmarshal(fixture(t, "udesk/"+fixtureName+".json"), &body))
	for k, v := range fields {
		body[k] = v
	}
	out, err := json.Marshal(body)
	require.NoError(t, err)
	return out
}

// transferredUdeskCall is one customer call that Udesk pushes as two conversations: agent 2051
// answers conversation 61234 (queued 11 s, rang 5 s, talked 84 s) and transfers it; agent 2052
// takes it as conversation 61299, category transfer, from_agent_id 2051 (rang 4 s, talked 164
// s). Each conversation has its own end ("每条通话必有且仅有一条推送的occasion为end"), and the
// second's end comes before its hangup. The document: call_id 同一客户一系列通话唯一id,
// conversation_id 当前通话的id, from_agent_id 高级通话时上一个客服的id, "transfer"=>转接,
// total_time 通话时长(秒), queue_time 排队耗时.
func transferredUdeskCall(t *testing.T) (pushes [][]byte, retry []byte) {
	first := map[string]any{"agent_hangup_at": "2024-05-20T10:17:00.000+08:00", "customer_hangup_at": nil}
	second := map[string]any{
		"conversation_id": 61299, "category": "transfer", "from_agent_id": 2051, "agent_id": 2052,
		"agent_email": "zhaomin@example.com", "agent_nick_name": "赵敏", "queue_time": nil, "ivr_time": nil,
		"agent_ring_at": "2024-05-20T10:17:00.000+08:00",
	}
	with := func(base map[string]any, more map[string]any) map[string]any {
		out := map[string]any{}
		for _, m := range []map[string]any{base, more} {
			for k, v := range m {
				out[k] = v
			}
		}
		return out
	}
	pushes = [][]byte{
		udeskBody(t, "inbound-1-enqueue_succ", nil),
		udeskBody(t, "inbound-2-agent_lock", nil),
		udeskBody(t, "inbound-3-agent_incall", nil),
		udeskBody(t, "inbound-2-agent_lock", with(second, map[string]any{"timestamp": "2024-05-20 10:17:00 +0800"})),
		udeskBody(t, "inbound-4-hangup", with(first, map[string]any{"timestamp": "2024-05-20 10:17:00 +0800"})),
		udeskBody(t, "inbound-5-end", with(first, map[string]any{"timestamp": "2024-05-20 10:17:01 +0800", "total_time": 84, "survey": "未评价"})),
		udeskBody(t, "inbound-3-agent_incall", with(second, map[string]any{"timestamp": "2024-05-20 10:17:04 +0800", "agent_answer_at": "2024-05-20T10:17:04.000+08:00"})),
		udeskBody(t, "inbound-5-end", with(second, map[string]any{"agent_answer_at": "2024-05-20T10:17:04.000+08:00", "total_time": 164, "ring_time": 4})),
		udeskBody(t, "inbound-4-hangup", with(second, map[string]any{"agent_answer_at": "2024-05-20T10:17:04.000+08:00"})),
	}
	// Udesk's retry of the first conversation's hangup, after its end, with a new timestamp.
	retry = udeskBody(t, "inbound-4-hangup", with(first, map[string]any{"timestamp": "2024-05-20 10:30:00 +0800"}))
	return pushes, retry
}

func TestATransferredUdeskCallIsOneCall(t *testing.T) {
	a := startAllSignals(t, nil)
	pushes, retry := transferredUdeskCall(t)
	for i, body := range pushes {
		r := post(t, a.url+"/udesk", "application/json", body)
		require.Equal(t, http.StatusOK, r.status, "push %d: %v", i, r.body)
		if i == 5 {
			r = post(t, a.url+"/udesk", "application/json", retry)
			require.Equal(t, http.StatusOK, r.status)
			assert.Equal(t, codeOK, r.body)
		}
	}
	records := logRecords(a.logs)
	require.Len(t, records, len(pushes), "every push logged once; the retry is not")
	for i, rec := range records {
		assert.Equal(t, records[0].TraceID(), rec.TraceID(), "record %d: one customer call, one trace", i)
	}
	assert.Equal(t, int64(1), sumMetric(t, a.tel, "otelcol_receiver_callcenter_duplicate_pushes"))

	require.Eventually(t, func() bool { return countCalls(a.metrics) == 1 }, 5*time.Second, 20*time.Millisecond)
	a.stop()
	assert.Equal(t, int64(1), countCalls(a.metrics), "callcenter.calls counts it once")
	assert.Equal(t, int64(1), sumOf(a.metrics, "callcenter.calls", "callcenter.end_status", "answered"))
	assert.Equal(t, int64(1), sumOf(a.metrics, "callcenter.transfers", "callcenter.direction", "inbound"), "one transfer")
	assert.InDelta(t, 84+164, histogramSum(a.metrics, "callcenter.call.talk.duration"), 0, "total_time of both conversations")
	assert.InDelta(t, 11, histogramSum(a.metrics, "callcenter.call.queue.duration"), 0, "the customer's queue_time, once")

	roots := 0
	for _, td := range a.traces.AllTraces() {
		for _, rs := range td.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, sp := range ss.Spans().All() {
					assert.Equal(t, records[0].TraceID(), sp.TraceID(), sp.Name())
					if sp.Kind() == ptrace.SpanKindServer {
						roots++
						end := time.Date(2024, 5, 20, 10, 19, 49, 0, time.FixedZone("CST", 8*3600))
						assert.True(t, end.Equal(sp.EndTimestamp().AsTime()), "the root ends with the last conversation: %s", sp.EndTimestamp())
					}
				}
			}
		}
	}
	assert.Equal(t, 1, roots, "one root span")
}

// histogramSum sums a histogram of the latest flush.
func histogramSum(sink *consumertest.MetricsSink, name string) float64 {
	all := sink.AllMetrics()
	var sum float64
	for _, rm := range all[len(all)-1].ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if m.Name() == name && m.Type() == pmetric.MetricTypeHistogram {
					for _, dp := range m.Histogram().DataPoints().All() {
						sum += dp.Sum()
					}
				}
			}
		}
	}
	return sum
}
