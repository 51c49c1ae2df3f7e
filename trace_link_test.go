package callcenterreceiver

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcallcenter/callcenterreceiver/internal/metadata"
)

// TestEveryLogRecordNamesATraceThatExists is issue 8, item 14: a TCCC record with
// EndedTimestamp 0 (an outbound waitingGiveUp) still gets its call's root span, which its log
// record names; a record that gives no moment of its call gets no spans and its log record names
// no trace.
func TestEveryLogRecordNamesATraceThatExists(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.ServerConfig.NetAddr.Endpoint = freeEndpoint(t)
	r := startLogsAndTraces(t, cfg, receivertest.NewNopSettings(metadata.Type), componenttest.NewNopHost())
	logsSink, tracesSink := r.logs, r.traces
	url := "http://" + cfg.ServerConfig.NetAddr.Endpoint + "/tccc?action=cdr"

	noEnd := []byte(`{"SdkAppId":1400000001,"SessionId":"no-end","Direction":1,"StartTimestamp":1700000000,
		"RingTimestamp":0,"AcceptTimestamp":0,"EndedTimestamp":0,"Duration":0,"EndStatusString":"waitingGiveUp",
		"ServeParticipants":[{"Mail":"a@x.com","Sequence":0,"StartTimestamp":1700000000,"RingTimestamp":1700000000,"AcceptTimestamp":1700000002,"EndedTimestamp":0}]}`)
	require.Equal(t, http.StatusOK, post(t, url, "application/json", noEnd).status)
	noTimes := []byte(`{"SdkAppId":1400000001,"SessionId":"no-times","Direction":1,"EndStatusString":"waitingGiveUp"}`)
	require.Equal(t, http.StatusOK, post(t, url, "application/json", noTimes).status)

	spans := map[pcommon.TraceID]map[pcommon.SpanID]string{}
	for _, td := range tracesSink.AllTraces() {
		for _, rs := range td.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, sp := range ss.Spans().All() {
					if spans[sp.TraceID()] == nil {
						spans[sp.TraceID()] = map[pcommon.SpanID]string{}
					}
					spans[sp.TraceID()][sp.SpanID()] = sp.Name()
				}
			}
		}
	}
	require.Len(t, logsSink.AllLogs(), 2)
	withEnd := logsSink.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	require.False(t, withEnd.TraceID().IsEmpty())
	assert.Equal(t, "outbound call", spans[withEnd.TraceID()][withEnd.SpanID()], "the log record's span is the call's root")
	without := logsSink.AllLogs()[1].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	assert.True(t, without.TraceID().IsEmpty(), "no spans, so no trace to name")
	assert.True(t, without.SpanID().IsEmpty())
	assert.Len(t, spans, 1, "one trace, the first call's")
}
