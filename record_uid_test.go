package callcenterreceiver

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"

	"github.com/otelcallcenter/callcenterreceiver/internal/core"
	"github.com/otelcallcenter/callcenterreceiver/internal/logs"
	"github.com/otelcallcenter/callcenterreceiver/internal/tccc"
)

// uids are the log.record.uid values at a sink, in order, with their tenants.
func uids(t *testing.T, sink *consumertest.LogsSink) (out, tenants []string) {
	t.Helper()
	for _, ld := range sink.AllLogs() {
		for _, rl := range ld.ResourceLogs().All() {
			tenant, _ := rl.Resource().Attributes().Get("callcenter.tenant.id")
			for _, lr := range rl.ScopeLogs().At(0).LogRecords().All() {
				uid, ok := lr.Attributes().Get("log.record.uid")
				require.True(t, ok, "every log record has a log.record.uid")
				out = append(out, uid.Str())
				tenants = append(tenants, tenant.Str())
			}
		}
	}
	return out, tenants
}

// TestRetryAfterACrashCarriesItsOriginalsUID crashes the receiver after a push was logged and
// before its state was saved: TCCC, which got no reply, pushes it again ("X-TCCC-PUSH-UUID 头域值
// 用来唯一标识一条数据推送，如果由于推送方重试收到相同的 X-TCCC-PUSH-UUID 头域，需要接收方处理去重"), and the
// second record carries the first one's UID, derived from that header.
func TestRetryAfterACrashCarriesItsOriginalsUID(t *testing.T) {
	const pushID = "5b5e6a4e-0f4e-4c8e-a5ab-94a1a6c2f001"
	push := func(url string) {
		req, err := http.NewRequest(http.MethodPost, url+"/tccc?action=cdr&version=1", bytes.NewReader(fixture(t, "tccc/cdr.json")))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(tccc.PushIDHeader, pushID)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}
	disk := &crashableStorage{data: map[string][]byte{}}
	beforeTheSave := disk.crash() // what the disk holds if the crash comes before the journal append
	start := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	first := startCounting(t, disk, core.TemporalityCumulative, start)
	push(first.url)
	second := startCounting(t, beforeTheSave, core.TemporalityCumulative, start.Add(time.Minute))
	push(second.url)

	original, tenants := uids(t, first.logs)
	copies, _ := uids(t, second.logs)
	require.Len(t, original, 1)
	require.Len(t, copies, 1, "the state was lost with the crash: the retry is logged again")
	assert.Equal(t, original, copies, "the copy is recognizable downstream")
	assert.Equal(t, logs.PushUID("tccc", tenants[0], pushID), original[0], "derived from the push's X-TCCC-PUSH-UUID")

	third := startCounting(t, disk.crash(), core.TemporalityCumulative, start.Add(2*time.Minute))
	push(third.url)
	assert.Zero(t, third.logs.LogRecordCount(), "with the state saved, the retry is dropped at the receiver")
}

// TestUinCallEventsHaveStableUIDs: UinCall pushes carry no id and are not retried (its document
// names no retry), so each push is an event of its own: two identical bodies are two records
// with two UIDs, and the same pushes in the same order give the same UIDs on any receiver.
func TestUinCallEventsHaveStableUIDs(t *testing.T) {
	sequence := []string{"outbound-4-callout_process", "outbound-5-call_process", "outbound-6-call_talking", "outbound-6-call_talking", "outbound-7-call_hangup"}
	var runs [][]string
	for range 2 {
		ts := startReceiver(t, nil, nil, nil)
		for _, f := range sequence {
			require.Equal(t, http.StatusOK, post(t, ts.url+"/uincall", "application/json", fixture(t, "uincall/"+f+".json")).status)
		}
		got, _ := uids(t, ts.sink)
		runs = append(runs, got)
	}
	require.Len(t, runs[0], len(sequence))
	distinct := map[string]bool{}
	for _, uid := range runs[0] {
		distinct[uid] = true
	}
	assert.Len(t, distinct, len(sequence), "every push its own record, the repeated body included")
	assert.Equal(t, runs[0], runs[1], "derived from the call and the event's place in it, not from the moment")
}
