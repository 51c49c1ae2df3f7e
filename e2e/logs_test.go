//go:build e2e

package e2e

import (
	"bytes"
	"flag"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"

	"github.com/otelcallcenter/callcenterreceiver/internal/logs"
	"github.com/otelcallcenter/callcenterreceiver/internal/traces"
)

var update = flag.Bool("update", false, "rewrite the golden files from what the collector produces")

// samples are the vendors' own sample bodies (rebuilt where the documents broke them), with the
// URL each is pushed to.
var samples = []struct {
	fixture, path string
}{
	{"tccc/cdr.json", "/tccc?action=cdr&version=1"},
	{"tccc/record.json", "/tccc?action=record&version=1"},
	{"tccc/voicemail.json", "/tccc?action=voicemail"},
	{"udesk/end.json", "/udesk"},
	{"dezhu/record.json", "/dezhu"},
	{"uincall/outbound-1-agentDialout-up.json", "/uincall"},
	{"uincall/outbound-2-agentDialout-dn.json", "/uincall"},
	{"uincall/outbound-3-agentstatus.json", "/uincall"},
	{"uincall/outbound-4-callout_process.json", "/uincall"},
	{"uincall/outbound-5-call_process.json", "/uincall"},
	{"uincall/outbound-6-call_talking.json", "/uincall"},
	{"uincall/outbound-7-call_hangup.json", "/uincall"},
	{"uincall/inbound-2-incoming.json", "/uincall"},
	{"uincall/inbound-4-call_hangup.json", "/uincall"},
	{"uincall/agent-setAgentType.json", "/uincall"},
}

func TestSamplesThroughTheCollector(t *testing.T) {
	s := startSink(t)
	c := startCollector(t, "logs.yaml", configParams{SinkEndpoint: s.Endpoint})

	for i, sample := range samples {
		t.Run(sample.fixture, func(t *testing.T) {
			r := post(t, c.URL+sample.path, readFixture(t, sample.fixture))
			require.Equal(t, http.StatusOK, r.Status, r.Raw)
			if vendorOf(sample.fixture) == "tccc" {
				assert.Equal(t, map[string]any{"ErrCode": float64(0), "ErrMsg": ""}, r.Body)
			} else {
				assert.Equal(t, map[string]any{"code": float64(0), "message": "success"}, r.Body)
			}

			// The reply came after the export: the record is already at the sink.
			require.Len(t, s.Logs.AllLogs(), i+1, "one export per push, before the reply")
			got := s.Logs.AllLogs()[i]
			assertAgentTimelineOfArrivalDay(t, got)
			assertRecordUIDs(t, got)
			goldenPath := filepath.Join("testdata", "golden", strings.ReplaceAll(strings.TrimSuffix(sample.fixture, ".json"), "/", "-")+".yaml")
			if *update {
				require.NoError(t, golden.WriteLogs(t, goldenPath, forGolden(got, vendorOf(sample.fixture) == "uincall")))
			}
			want, err := golden.ReadLogs(goldenPath)
			require.NoError(t, err)
			opts := []plogtest.CompareLogsOption{plogtest.IgnoreObservedTimestamp()}
			if vendorOf(sample.fixture) == "uincall" {
				opts = append(opts, plogtest.IgnoreTimestamp()) // UinCall sends no time: arrival is the time
			}
			require.NoError(t, plogtest.CompareLogs(want, got, opts...))
			assertTimestampIsArrivalFor(t, sample.fixture, got)
		})
	}
}

// assertAgentTimelineOfArrivalDay checks that an agent event belongs to its agent's timeline of
// the day it arrived, then clears its trace context: the IDs depend on the day the test runs, so
// the golden files cannot hold them.
func assertAgentTimelineOfArrivalDay(t *testing.T, ld plog.Logs) {
	t.Helper()
	rl := ld.ResourceLogs().At(0)
	for _, lr := range rl.ScopeLogs().At(0).LogRecords().All() {
		if str(lr.Attributes(), "event.name") != "callcenter.agent_event" {
			continue
		}
		day := lr.ObservedTimestamp().AsTime().UTC().Format(time.DateOnly)
		agent := str(lr.Attributes(), "callcenter.agent.staff_number")
		res := rl.Resource().Attributes()
		want := traces.TraceID(str(res, "callcenter.vendor"), str(res, "callcenter.tenant.id"), "agent/"+agent+"/"+day)
		assert.Equal(t, want, lr.TraceID(), "the timeline of agent %s on %s", agent, day)
		assert.False(t, lr.SpanID().IsEmpty(), "the agent event's span")
		lr.SetTraceID(pcommon.NewTraceIDEmpty())
		lr.SetSpanID(pcommon.NewSpanIDEmpty())
	}
}

// assertRecordUIDs checks every record's log.record.uid: derived from the push's id when it has
// one; else, for a UinCall event of a call, kept in the golden file (the call and the event's
// place in it); else (an agent's timeline of the arrival day, a push of no call) present, then
// replaced by a placeholder, since it depends on when the test runs.
func assertRecordUIDs(t *testing.T, ld plog.Logs) {
	t.Helper()
	for _, rl := range ld.ResourceLogs().All() {
		res := rl.Resource().Attributes()
		for _, lr := range rl.ScopeLogs().At(0).LogRecords().All() {
			uid := str(lr.Attributes(), "log.record.uid")
			require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, uid, "a name-based UUID")
			if id := str(lr.Attributes(), "callcenter.push.id"); id != "" {
				assert.Equal(t, logs.PushUID(str(res, "callcenter.vendor"), str(res, "callcenter.tenant.id"), id), uid)
				continue
			}
			if str(lr.Attributes(), "event.name") == "callcenter.agent_event" || str(lr.Attributes(), "callcenter.session.id") == "" {
				lr.Attributes().PutStr("log.record.uid", "(depends on the arrival)")
			}
		}
	}
}

// attr is an attribute's value as text, "" when absent.
// assertTimestampIsArrivalFor checks the one timestamp the golden files cannot hold.
func assertTimestampIsArrivalFor(t *testing.T, fixture string, ld plog.Logs) {
	lr := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	if vendorOf(fixture) == "uincall" {
		assert.Equal(t, lr.ObservedTimestamp(), lr.Timestamp(), "UinCall events happen when they arrive")
	} else {
		assert.Less(t, lr.Timestamp(), lr.ObservedTimestamp(), "the vendor's time, before the arrival")
	}
}

func TestBadInputThroughTheCollector(t *testing.T) {
	s := startSink(t)
	c := startCollector(t, "logs.yaml", configParams{SinkEndpoint: s.Endpoint})
	cdr := readFixture(t, "tccc/cdr.json")

	tests := []struct {
		name, method, path, contentType string
		body                            []byte
		status                          int
		message                         string
	}{
		{"broken JSON", "POST", "/tccc?action=cdr", "application/json", []byte(`{"SessionId": "x",`), 400, "invalid JSON"},
		// A field of another type is no reason to refuse (issue 8, item 11): read leniently, or
		// named in callcenter.decode.warnings and kept in the body.
		{"wrong type", "POST", "/dezhu", "application/json", []byte(`{"data":{"id":"a","callType":"1"}}`), 200, "success"},
		{"unreadable field", "POST", "/dezhu", "application/json", []byte(`{"data":{"id":"b","communicateBeginTime":{}}}`), 200, "success"},
		{"no action", "POST", "/tccc", "application/json", cdr, 400, "missing query parameter action"},
		{"wrong method", "GET", "/udesk", "", nil, 405, "method GET not allowed"},
		{"too large", "POST", "/uincall", "application/json", bytes.Repeat([]byte(" "), 70000), 413, "larger than the limit of 65536 bytes"},
		{"wrong content type", "POST", "/tccc?action=cdr", "multipart/form-data; boundary=x", cdr, 415, "unsupported Content-Type"},
		{"not an object", "POST", "/uincall", "application/json", []byte(`"hello"`), 400, "not a JSON object"},
		{"deep nesting", "POST", "/udesk", "application/json", append([]byte(`{"a":`), bytes.Repeat([]byte(`[`), 11000)...), 400, "invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := send(t, tt.method, c.URL+tt.path, tt.contentType, tt.body)
			assert.Equal(t, tt.status, r.Status, r.Raw)
			if tt.status == http.StatusOK {
				assert.EqualValues(t, 0, r.Body["code"])
				assert.Equal(t, tt.message, r.Body["message"])
				return
			}
			if strings.HasPrefix(tt.path, "/tccc") {
				assert.EqualValues(t, tt.status, r.Body["ErrCode"])
				assert.Contains(t, r.Body["ErrMsg"], tt.message)
			} else {
				assert.EqualValues(t, tt.status, r.Body["code"])
				assert.Contains(t, r.Body["message"], tt.message)
			}
		})
	}
	require.Equal(t, 2, s.Logs.LogRecordCount(), "nothing refused is exported; the two accepted pushes are")
	var warnings []any
	for _, ld := range s.Logs.AllLogs() {
		for _, rl := range ld.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					if v, ok := lr.Attributes().Get("callcenter.decode.warnings"); ok {
						warnings = append(warnings, v.Slice().AsRaw()...)
					}
				}
			}
		}
	}
	assert.Equal(t, []any{"data.communicateBeginTime: expected a time (epoch milliseconds or a date-time), got object"}, warnings,
		"the wrong type read as 1 warns of nothing; the unreadable field is named")

	// The collector survived all of it.
	r := post(t, c.URL+"/tccc?action=cdr", cdr)
	assert.Equal(t, http.StatusOK, r.Status)
}

func TestExporterFailureIsAFailureReply(t *testing.T) {
	s := startSink(t)
	c := startCollector(t, "logs.yaml", configParams{SinkEndpoint: s.Endpoint})

	s.Fail(true)
	r := post(t, c.URL+"/tccc?action=cdr&version=1", readFixture(t, "tccc/cdr.json"))
	assert.Equal(t, http.StatusServiceUnavailable, r.Status, r.Raw)
	assert.EqualValues(t, 503, r.Body["ErrCode"], "TCCC retries anything but ErrCode 0")
	assert.NotEmpty(t, r.Body["ErrMsg"])
	r = post(t, c.URL+"/dezhu", readFixture(t, "dezhu/record.json"))
	assert.Equal(t, http.StatusServiceUnavailable, r.Status, r.Raw)
	assert.Zero(t, s.Logs.LogRecordCount())

	// The vendor's retry, once the backend is back, delivers it.
	s.Fail(false)
	r = post(t, c.URL+"/tccc?action=cdr&version=1", readFixture(t, "tccc/cdr.json"))
	assert.Equal(t, http.StatusOK, r.Status, r.Raw)
	assert.Equal(t, 1, s.Logs.LogRecordCount())
}
