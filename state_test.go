package callcenterreceiver

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"

	"github.com/otelcallcenter/callcenterreceiver/internal/metadata"
	"github.com/otelcallcenter/callcenterreceiver/internal/privacy"
)

// run is one life of a receiver: logs and traces into sinks, state in storage.
type run struct {
	url    string
	logs   *consumertest.LogsSink
	traces *consumertest.TracesSink
	stop   func()
}

func startWithStorage(t *testing.T, host component.Host, storageID component.ID, endpoint string) *run {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.ServerConfig.NetAddr.Endpoint = endpoint
	cfg.Storage = &storageID
	cfg.Sessions.LateGrace = 0
	set := receivertest.NewNopSettings(metadata.Type)
	set.ID = component.NewID(metadata.Type) // the state belongs to the receiver's ID: the same after a restart
	r := &run{url: "http://" + endpoint, logs: new(consumertest.LogsSink), traces: new(consumertest.TracesSink)}
	lr, err := NewFactory().CreateLogs(context.Background(), set, cfg, r.logs)
	require.NoError(t, err)
	tr, err := NewFactory().CreateTraces(context.Background(), set, cfg, r.traces)
	require.NoError(t, err)
	require.NoError(t, lr.Start(context.Background(), host))
	require.NoError(t, tr.Start(context.Background(), host))
	r.stop = func() {
		require.NoError(t, lr.Shutdown(context.Background()))
		require.NoError(t, tr.Shutdown(context.Background()))
	}
	return r
}

func TestStateSurvivesARestart(t *testing.T) {
	storageID := storagetest.NewStorageID("file")
	host := storagetest.NewStorageHost().WithFileBackedStorageExtension("file", t.TempDir())
	endpoint := freeEndpoint(t)
	udesk := []string{"inbound-1-enqueue_succ", "inbound-2-agent_lock", "inbound-3-agent_incall", "inbound-4-hangup", "inbound-5-end"}

	first := startWithStorage(t, host, storageID, endpoint)
	require.Equal(t, http.StatusOK, post(t, first.url+"/tccc?action=cdr", "application/json", fixture(t, "tccc/cdr.json")).status)
	for _, f := range udesk[:3] {
		require.Equal(t, http.StatusOK, post(t, first.url+"/udesk", "application/json", fixture(t, "udesk/"+f+".json")).status)
	}
	assert.Equal(t, 4, first.logs.LogRecordCount())
	spansBefore := first.traces.SpanCount() // the CDR's four, the queue and the ringing
	assert.Equal(t, 6, spansBefore)
	first.stop()
	http.DefaultClient.CloseIdleConnections() // the old server closed them

	second := startWithStorage(t, host, storageID, endpoint)
	defer second.stop()
	// TCCC retries the CDR it never heard back about, and Udesk goes on with the call.
	require.Equal(t, http.StatusOK, post(t, second.url+"/tccc?action=cdr", "application/json", fixture(t, "tccc/cdr.json")).status)
	require.Equal(t, http.StatusOK, post(t, second.url+"/udesk", "application/json", fixture(t, "udesk/"+udesk[2]+".json")).status)
	for _, f := range udesk[3:] {
		require.Equal(t, http.StatusOK, post(t, second.url+"/udesk", "application/json", fixture(t, "udesk/"+f+".json")).status)
	}
	assert.Equal(t, 2, second.logs.LogRecordCount(), "the retries were recognized: only the new pushes")
	names := map[string]int{}
	for _, td := range second.traces.AllTraces() {
		for _, sp := range td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().All() {
			names[sp.Name()]++
		}
	}
	assert.Equal(t, map[string]int{"talk": 1, "inbound call": 1, "ivr": 1, "agent leg": 1}, names,
		"the call goes on where it was: nothing sent before is sent again")
}

// strs collects every string in a pdata value, recursively.
func strs(v pcommon.Value, out *[]string) {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		*out = append(*out, v.Str())
	case pcommon.ValueTypeInt:
		*out = append(*out, strconv.FormatInt(v.Int(), 10))
	case pcommon.ValueTypeMap:
		for k, e := range v.Map().All() {
			*out = append(*out, k)
			strs(e, out)
		}
	case pcommon.ValueTypeSlice:
		for _, e := range v.Slice().All() {
			strs(e, out)
		}
	}
}

// sampleNumbers are the phone numbers in the vendors' samples.
var sampleNumbers = []string{
	"18680872180", "33330002", "1388888888", "0211234567", "15991752045", "02863208372",
	"15609288360", "13123456789", "008618486147605", "0086184xxxx7605", "0086400xxx6666",
}

func TestMaskedNumbersNeverLeave(t *testing.T) {
	for _, mode := range []privacy.Mode{privacy.Mask, privacy.Hash} {
		t.Run(string(mode), func(t *testing.T) {
			logsSink, tracesSink := new(consumertest.LogsSink), new(consumertest.TracesSink)
			cfg := createDefaultConfig().(*Config)
			cfg.ServerConfig.NetAddr.Endpoint = freeEndpoint(t)
			cfg.Privacy = PrivacyConfig{PhoneNumbers: mode, HashKey: "a-key-of-sixteen-chars"}
			set := receivertest.NewNopSettings(metadata.Type)
			lr, err := NewFactory().CreateLogs(context.Background(), set, cfg, logsSink)
			require.NoError(t, err)
			tr, err := NewFactory().CreateTraces(context.Background(), set, cfg, tracesSink)
			require.NoError(t, err)
			require.NoError(t, lr.Start(context.Background(), componenttest.NewNopHost()))
			require.NoError(t, tr.Start(context.Background(), componenttest.NewNopHost()))
			url := "http://" + cfg.ServerConfig.NetAddr.Endpoint
			for path, f := range map[string]string{
				"/tccc?action=cdr": "tccc/cdr.json", "/tccc?action=record": "tccc/record.json", "/tccc?action=voicemail": "tccc/voicemail.json",
				"/udesk": "udesk/end.json", "/dezhu": "dezhu/record.json",
			} {
				require.Equal(t, http.StatusOK, post(t, url+path, "application/json", fixture(t, f)).status)
			}
			for _, f := range []string{"outbound-4-callout_process", "outbound-5-call_process", "outbound-6-call_talking", "outbound-8-call_hangup-success", "inbound-2-incoming"} {
				require.Equal(t, http.StatusOK, post(t, url+"/uincall", "application/json", fixture(t, "uincall/"+f+".json")).status)
			}
			require.NoError(t, lr.Shutdown(context.Background()))
			require.NoError(t, tr.Shutdown(context.Background()))

			var all []string
			for _, ld := range logsSink.AllLogs() {
				for _, rl := range ld.ResourceLogs().All() {
					for _, lr := range rl.ScopeLogs().At(0).LogRecords().All() {
						strs(lr.Body(), &all)
						m := pcommon.NewValueMap()
						lr.Attributes().CopyTo(m.Map())
						strs(m, &all)
					}
				}
			}
			for _, td := range tracesSink.AllTraces() {
				for _, rs := range td.ResourceSpans().All() {
					for _, sp := range rs.ScopeSpans().At(0).Spans().All() {
						m := pcommon.NewValueMap()
						sp.Attributes().CopyTo(m.Map())
						strs(m, &all)
					}
				}
			}
			require.Greater(t, len(all), 300, "the output was read")
			require.Positive(t, tracesSink.SpanCount())
			for _, s := range all {
				for _, n := range sampleNumbers {
					assert.NotContains(t, s, n, "a phone number in clear")
				}
			}
		})
	}
}
