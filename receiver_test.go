package callcenterreceiver

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configauth"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/extension/extensionauth"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/otelcallcenter/callcenterreceiver/internal/auth"
	"github.com/otelcallcenter/callcenterreceiver/internal/metadata"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
	"github.com/otelcallcenter/callcenterreceiver/internal/traces"
)

// testServer is a receiver started on a free loopback port with a log sink behind it.
type testServer struct {
	url  string
	sink *consumertest.LogsSink
	tel  *componenttest.Telemetry
}

func freeEndpoint(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

func startReceiver(t *testing.T, modify func(*Config), next consumer.Logs, host component.Host) *testServer {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.ServerConfig.NetAddr.Endpoint = freeEndpoint(t)
	if modify != nil {
		modify(cfg)
	}
	ts := &testServer{url: "http://" + cfg.ServerConfig.NetAddr.Endpoint, tel: componenttest.NewTelemetry()}
	if next == nil {
		ts.sink = new(consumertest.LogsSink)
		next = ts.sink
	}
	if host == nil {
		host = componenttest.NewNopHost()
	}
	set := receivertest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = ts.tel.NewTelemetrySettings()
	rcv, err := NewFactory().CreateLogs(context.Background(), set, cfg, next)
	require.NoError(t, err)
	require.NoError(t, rcv.Start(context.Background(), host))
	t.Cleanup(func() {
		require.NoError(t, rcv.Shutdown(context.Background()))
		require.NoError(t, ts.tel.Shutdown(context.Background()))
	})
	return ts
}

type reply struct {
	status int
	header http.Header
	body   map[string]any
}

func post(t *testing.T, url, contentType string, body []byte) reply {
	t.Helper()
	return do(t, http.MethodPost, url, contentType, body)
}

func do(t *testing.T, method, url, contentType string, body []byte) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	r := reply{status: resp.StatusCode, header: resp.Header}
	require.NoError(t, json.Unmarshal(raw, &r.body), "every reply is JSON: %s", raw)
	return r
}

func fixture(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + path)
	require.NoError(t, err)
	return b
}

var tcccOK = map[string]any{"ErrCode": float64(0), "ErrMsg": ""}
var codeOK = map[string]any{"code": float64(0), "message": "success"}

func TestEverySampleBecomesALogRecord(t *testing.T) {
	ts := startReceiver(t, nil, nil, nil)
	tests := []struct {
		path, fixture, eventName, session string
		want                              map[string]any
	}{
		{"/tccc?action=cdr&version=1", "tccc/cdr.json", "callcenter.call_record", "99a1c8f8-eb3d-4xxx-8401-5f6aa8761232", tcccOK},
		{"/tccc?action=record&version=1", "tccc/record.json", "callcenter.recording", "e97be0ab-1ef6-4ad2-a8c4-2b2bbfb18e55", tcccOK},
		{"/tccc?action=voicemail", "tccc/voicemail.json", "callcenter.voicemail", "e97be0ab-1ef6-4ad2-a8c4-2b2bbfb18e55", tcccOK},
		{"/udesk", "udesk/end.json", "callcenter.call_record", "54093", codeOK},
		{"/uincall", "uincall/outbound-4-callout_process.json", "callcenter.call_event", "491e1dc5-17c6-493f-c97a-09f73322f8a1", codeOK},
		{"/uincall", "uincall/agent-login-agentstatus.json", "callcenter.agent_event", "", codeOK},
		{"/dezhu", "dezhu/record.json", "callcenter.call_record", "77321526-3971-408e-adf2-7557dba9d2c3", codeOK},
	}
	for i, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			r := post(t, ts.url+tt.path, "application/json;charset=utf8", fixture(t, tt.fixture))
			assert.Equal(t, http.StatusOK, r.status)
			assert.Equal(t, tt.want, r.body)

			require.Len(t, ts.sink.AllLogs(), i+1, "one consume per push")
			ld := ts.sink.AllLogs()[i]
			require.Equal(t, 1, ld.LogRecordCount())
			rl := ld.ResourceLogs().At(0)
			vendorName := strings.Split(strings.TrimPrefix(tt.path, "/"), "?")[0]
			assertStr(t, rl.Resource().Attributes(), "callcenter.vendor", vendorName)
			assertStr(t, rl.Resource().Attributes(), "service.name", "callcenter-"+vendorName)
			assert.Equal(t, metadata.ScopeName, rl.ScopeLogs().At(0).Scope().Name())
			lr := rl.ScopeLogs().At(0).LogRecords().At(0)
			assertStr(t, lr.Attributes(), "event.name", tt.eventName)
			if tt.session != "" {
				assertStr(t, lr.Attributes(), "callcenter.session.id", tt.session)
			}
			assert.NotZero(t, lr.Timestamp())
			assert.NotZero(t, lr.ObservedTimestamp())
			assert.Equal(t, plog.SeverityNumberInfo, lr.SeverityNumber())
			_, warned := lr.Attributes().Get("callcenter.decode.warnings")
			assert.False(t, warned, "the vendors' samples read without a warning")

			// The body is the vendor's payload, whole, its numbers as the JSON wrote them.
			dec := json.NewDecoder(bytes.NewReader(fixture(t, tt.fixture)))
			dec.UseNumber()
			var want any
			require.NoError(t, dec.Decode(&want))
			assert.Equal(t, platform.Normalize(want), lr.Body().Map().AsRaw())
		})
	}
}

func assertStr(t *testing.T, m pcommon.Map, key, want string) {
	t.Helper()
	v, ok := m.Get(key)
	if assert.True(t, ok, "attribute %s is missing", key) {
		assert.Equal(t, want, v.AsString(), key)
	}
}

func TestBadInputGetsTheVendorsReply(t *testing.T) {
	ts := startReceiver(t, func(c *Config) { c.ServerConfig.MaxRequestBodySize = 4096 }, nil, nil)
	cdr := fixture(t, "tccc/cdr.json")
	tests := []struct {
		name, method, path, contentType string
		body                            []byte
		status                          int
		message                         string
		tccc                            bool
	}{
		{"broken JSON", "POST", "/tccc?action=cdr", "application/json", []byte(`{"SessionId":`), 400, "invalid JSON", true},
		{"得助 without data", "POST", "/dezhu", "application/json", []byte(`{"id":"r1"}`), 400, "field data: an object is required", false},
		{"unknown action", "POST", "/tccc?action=bill", "application/json", cdr, 400, `unknown action "bill"`, true},
		{"empty body", "POST", "/dezhu", "application/json", nil, 400, "empty body", false},
		{"array body", "POST", "/udesk", "application/json", []byte(`[]`), 400, "not a JSON object", false},
		{"wrong method", "GET", "/tccc?action=cdr", "", nil, 405, "method GET not allowed", true},
		{"wrong method other vendor", "PUT", "/uincall", "application/json", []byte(`{}`), 405, "method PUT not allowed", false},
		{"too large", "POST", "/tccc?action=cdr", "application/json", bytes.Repeat([]byte(" "), 5000), 413, "larger than the limit of 4096 bytes", true},
		{"wrong content type", "POST", "/udesk", "application/xml", []byte(`<a/>`), 415, "unsupported Content-Type application/xml", false},
		{"unknown path", "POST", "/genesys", "application/json", []byte(`{}`), 404, "no call-center endpoint at /genesys", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, tt.method, ts.url+tt.path, tt.contentType, tt.body)
			assert.Equal(t, tt.status, r.status)
			if tt.tccc {
				assert.EqualValues(t, tt.status, r.body["ErrCode"], "TCCC failures carry a non-zero ErrCode")
				assert.Contains(t, r.body["ErrMsg"], tt.message)
			} else {
				assert.EqualValues(t, tt.status, r.body["code"])
				assert.Contains(t, r.body["message"], tt.message)
			}
			if tt.status == http.StatusMethodNotAllowed {
				assert.Equal(t, "POST", r.header.Get("Allow"))
			}
		})
	}
	assert.Empty(t, ts.sink.AllLogs(), "nothing bad reaches the pipeline")
	assert.Equal(t, int64(len(tests)-1), sumMetric(t, ts.tel, "otelcol_receiver_refused_log_records"),
		"every refused push is counted (the unknown path names no vendor)")
}

// TestFieldsOfAnotherTypeAreAccepted: issue 8, item 11. A field of an unexpected type does not
// cost the push: it is read where unambiguous, else named in callcenter.decode.warnings and
// counted, and kept in the body.
func TestFieldsOfAnotherTypeAreAccepted(t *testing.T) {
	ts := startReceiver(t, nil, nil, nil)
	// transferId is a String (转接id,非0时才是转接id) and callType an Integer (1呼入,2:呼出) in 得助's
	// table; communicateBeginTime a Datetime.
	body := []byte(`{"data":{"id":"r1","iccCallId":"c1","transferId":0,"callType":"1","communicateBeginTime":{"at":1}}}`)
	for range 2 { // the second is 得助's retry: accepted, not counted again
		r := post(t, ts.url+"/dezhu", "application/json", body)
		assert.Equal(t, http.StatusOK, r.status)
		assert.Equal(t, codeOK, r.body)
	}
	r := post(t, ts.url+"/tccc?action=cdr", "application/json", []byte(`{"SessionId":1,"SeatUser":"x","Direction":[0]}`))
	assert.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, tcccOK, r.body)

	require.Equal(t, 2, ts.sink.LogRecordCount())
	dezhu := ts.sink.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	warnings, ok := dezhu.Attributes().Get("callcenter.decode.warnings")
	require.True(t, ok)
	assert.Equal(t, []any{"data.communicateBeginTime: expected a time (epoch milliseconds or a date-time), got object"},
		warnings.Slice().AsRaw())
	assertStr(t, dezhu.Attributes(), "callcenter.direction", "inbound")
	assertStr(t, dezhu.Attributes(), "callcenter.session.id", "c1")
	data := dezhu.Body().Map().AsRaw()["data"].(map[string]any)
	assert.Equal(t, map[string]any{"at": int64(1)}, data["communicateBeginTime"], "the body keeps what was sent")
	assert.Equal(t, int64(0), data["transferId"])

	tccc := ts.sink.AllLogs()[1].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	warnings, ok = tccc.Attributes().Get("callcenter.decode.warnings")
	require.True(t, ok)
	assert.Equal(t, []any{"SeatUser: expected an object, got string", "Direction: expected an integer, got array"},
		warnings.Slice().AsRaw())
	assertStr(t, tccc.Attributes(), "callcenter.session.id", "1")

	assert.Equal(t, int64(3), sumMetric(t, ts.tel, "otelcol_receiver_callcenter_decode_warnings"),
		"one warning of 得助's push, counted once, and two of TCCC's")
	assert.Zero(t, sumMetric(t, ts.tel, "otelcol_receiver_refused_log_records"))
}

func TestCurlFormContentTypeIsAccepted(t *testing.T) {
	ts := startReceiver(t, nil, nil, nil)
	r := post(t, ts.url+"/tccc?action=cdr&version=1", "application/x-www-form-urlencoded", fixture(t, "tccc/cdr.json"))
	assert.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, tcccOK, r.body)
	assert.Equal(t, 1, ts.sink.LogRecordCount())
}

func TestHealth(t *testing.T) {
	ts := startReceiver(t, nil, nil, nil)
	r := do(t, http.MethodGet, ts.url+"/health", "", nil)
	assert.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, map[string]any{"status": "ok"}, r.body)
	r = do(t, http.MethodPost, ts.url+"/health", "", nil)
	assert.Equal(t, http.StatusMethodNotAllowed, r.status)
}

func TestPipelineFailureIsRetryable(t *testing.T) {
	refuse := consumertest.NewErr(errors.New("backend down"))
	ts := startReceiver(t, nil, refuse, nil)

	r := post(t, ts.url+"/tccc?action=cdr", "application/json", fixture(t, "tccc/cdr.json"))
	assert.Equal(t, http.StatusServiceUnavailable, r.status)
	assert.EqualValues(t, 503, r.body["ErrCode"])
	assert.Contains(t, r.body["ErrMsg"], "backend down")

	r = post(t, ts.url+"/dezhu", "application/json", fixture(t, "dezhu/record.json"))
	assert.Equal(t, http.StatusServiceUnavailable, r.status)
	assert.EqualValues(t, 503, r.body["code"])
	assert.Equal(t, int64(2), sumMetric(t, ts.tel, "otelcol_receiver_refused_log_records"))
	assert.Equal(t, int64(0), sumMetric(t, ts.tel, "otelcol_receiver_accepted_log_records"))
}

// slowConsumer blocks until its context ends, like an exporter waiting on a dead backend.
type slowConsumer struct{ calls atomic.Int32 }

func (s *slowConsumer) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }
func (s *slowConsumer) ConsumeLogs(ctx context.Context, _ plog.Logs) error {
	s.calls.Add(1)
	<-ctx.Done()
	return ctx.Err()
}

func TestSlowPipelineGetsAFailureInTime(t *testing.T) {
	slow := &slowConsumer{}
	ts := startReceiver(t, func(c *Config) { c.vendors["dezhu"].ReplyTimeout = 200 * time.Millisecond }, slow, nil)
	start := time.Now()
	r := post(t, ts.url+"/dezhu", "application/json", fixture(t, "dezhu/record.json"))
	assert.Equal(t, http.StatusServiceUnavailable, r.status)
	assert.Contains(t, r.body["message"], "did not accept the push within 200ms")
	assert.Less(t, time.Since(start), 3*time.Second, "the vendor hears back within its own timeout")
	assert.Eventually(t, func() bool { return slow.calls.Load() == 1 }, 5*time.Second, 10*time.Millisecond, "the pipeline got the push, once")
}

func TestOperatorsRunBeforeEmitting(t *testing.T) {
	ops := confmap.NewFromStringMap(map[string]any{"operators": []any{
		map[string]any{"type": "add", "field": "attributes.env", "value": "prod"},
		map[string]any{"type": "move", "from": "body.Uui", "to": "attributes.uui", "if": `body.Uui != nil`},
	}})
	ts := startReceiver(t, func(c *Config) { require.NoError(t, ops.Unmarshal(c)) }, nil, nil)
	r := post(t, ts.url+"/tccc?action=cdr", "application/json", fixture(t, "tccc/cdr.json"))
	require.Equal(t, http.StatusOK, r.status)
	lr := ts.sink.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	assertStr(t, lr.Attributes(), "env", "prod")
	assertStr(t, lr.Attributes(), "uui", "abc")
	_, inBody := lr.Body().Map().Get("Uui")
	assert.False(t, inBody, "move took it out of the body")
}

func TestOperatorErrorsReachTheReply(t *testing.T) {
	ops := confmap.NewFromStringMap(map[string]any{"operators": []any{
		map[string]any{"type": "regex_parser", "parse_from": "body.Caller", "regex": `^(?P<country>\+\d+)-`},
	}})
	ts := startReceiver(t, func(c *Config) { require.NoError(t, ops.Unmarshal(c)) }, nil, nil)
	r := post(t, ts.url+"/tccc?action=cdr", "application/json", fixture(t, "tccc/cdr.json"))
	assert.Equal(t, http.StatusInternalServerError, r.status)
	assert.EqualValues(t, 500, r.body["ErrCode"])
	assert.Contains(t, r.body["ErrMsg"], "operators failed")
	assert.Empty(t, ts.sink.AllLogs(), "a failed push is not emitted: the vendor's retry will bring it")
}

// denyAll is a server authenticator extension that refuses everything.
type denyAll struct {
	component.StartFunc
	component.ShutdownFunc
}

func (denyAll) Authenticate(ctx context.Context, _ map[string][]string) (context.Context, error) {
	return ctx, errors.New("no credentials")
}

var _ extensionauth.Server = denyAll{}

type hostWithExtensions map[component.ID]component.Component

func (h hostWithExtensions) GetExtensions() map[component.ID]component.Component { return h }

func TestServerAuthFailureIsAVendorReply(t *testing.T) {
	authID := component.MustNewID("deny")
	host := hostWithExtensions{authID: extension.Extension(denyAll{})}
	ts := startReceiver(t, func(c *Config) {
		c.ServerConfig.Auth = configoptional.Some(confighttp.AuthConfig{Config: configauth.Config{AuthenticatorID: authID}})
	}, nil, host)
	r := post(t, ts.url+"/tccc?action=cdr", "application/json", fixture(t, "tccc/cdr.json"))
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.EqualValues(t, 401, r.body["ErrCode"])
	assert.Contains(t, r.body["ErrMsg"], "no credentials")
	assert.Empty(t, ts.sink.AllLogs())
	assert.Equal(t, int64(1), sumMetric(t, ts.tel, "otelcol_receiver_refused_log_records"))
	assert.Equal(t, int64(1), sumMetric(t, ts.tel, "otelcol_receiver_callcenter_auth_failures"))
}

func TestClientInfoIsKept(t *testing.T) {
	var addr atomic.Value
	next, err := consumer.NewLogs(func(ctx context.Context, _ plog.Logs) error {
		addr.Store(client.FromContext(ctx).Addr.String())
		return nil
	})
	require.NoError(t, err)
	ts := startReceiver(t, nil, next, nil)
	r := post(t, ts.url+"/uincall", "application/json", fixture(t, "uincall/outbound-7-call_hangup.json"))
	require.Equal(t, http.StatusOK, r.status)
	assert.Contains(t, addr.Load(), "127.0.0.1", "the consumer sees who pushed")
}

func TestOneServerPerConfig(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.ServerConfig.NetAddr.Endpoint = freeEndpoint(t)
	set := receivertest.NewNopSettings(metadata.Type)
	first, err := NewFactory().CreateLogs(context.Background(), set, cfg, new(consumertest.LogsSink))
	require.NoError(t, err)
	second, err := NewFactory().CreateLogs(context.Background(), set, cfg, new(consumertest.LogsSink))
	require.NoError(t, err)
	assert.Same(t, first, second, "pipelines of one config share the receiver")
	require.NoError(t, first.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, second.Start(context.Background(), componenttest.NewNopHost()), "a second Start does not bind again")
	require.NoError(t, first.Shutdown(context.Background()))
	require.NoError(t, second.Shutdown(context.Background()))
	assert.Zero(t, receivers.Len())
}

func sumMetric(t *testing.T, tel *componenttest.Telemetry, name string) int64 {
	t.Helper()
	m, err := tel.GetMetric(name)
	if err != nil {
		return 0
	}
	var total int64
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		total += dp.Value
	}
	return total
}

func TestRetriesAreNotEmittedTwice(t *testing.T) {
	var fail atomic.Bool
	sink := new(consumertest.LogsSink)
	next, err := consumer.NewLogs(func(ctx context.Context, ld plog.Logs) error {
		if fail.Load() {
			return errors.New("backend down")
		}
		return sink.ConsumeLogs(ctx, ld)
	})
	require.NoError(t, err)
	ts := startReceiver(t, nil, next, nil)
	cdr := fixture(t, "tccc/cdr.json")
	push := func(uuid string) reply {
		req, err := http.NewRequest(http.MethodPost, ts.url+"/tccc?action=cdr&version=1", bytes.NewReader(cdr))
		require.NoError(t, err)
		req.Header.Set("X-TCCC-PUSH-UUID", uuid)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var body map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
		return reply{status: resp.StatusCode, body: body}
	}

	fail.Store(true)
	assert.Equal(t, http.StatusServiceUnavailable, push("uuid-1").status, "the first try fails")
	fail.Store(false)
	assert.Equal(t, tcccOK, push("uuid-1").body, "TCCC's retry is accepted")
	assert.Equal(t, tcccOK, push("uuid-1").body, "a second retry gets success too")
	assert.Equal(t, 1, sink.LogRecordCount(), "and nothing is emitted twice")

	assert.Equal(t, tcccOK, push("uuid-2").body, "another push of the same call is a new push")
	assert.Equal(t, 2, sink.LogRecordCount())
}

// blockingConsumer holds every push until released.
type blockingConsumer struct {
	entered chan struct{}
	release chan struct{}
}

func (b *blockingConsumer) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }
func (b *blockingConsumer) ConsumeLogs(context.Context, plog.Logs) error {
	b.entered <- struct{}{}
	<-b.release
	return nil
}

func TestTheSamePushIsNotProcessedTwiceAtOnce(t *testing.T) {
	block := &blockingConsumer{entered: make(chan struct{}, 1), release: make(chan struct{})}
	ts := startReceiver(t, nil, block, nil)
	var release sync.Once
	unblock := func() { release.Do(func() { close(block.release) }) }
	t.Cleanup(unblock) // before the shutdown, even when the test fails early
	body := fixture(t, "dezhu/record.json")
	first := make(chan int, 1)
	go func() {
		resp, err := http.Post(ts.url+"/dezhu", "application/json", bytes.NewReader(body))
		if err != nil {
			first <- 0
			return
		}
		resp.Body.Close()
		first <- resp.StatusCode
	}()
	select {
	case <-block.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the first push never reached the pipeline")
	}
	second := post(t, ts.url+"/dezhu", "application/json", body)
	assert.Equal(t, http.StatusServiceUnavailable, second.status)
	assert.Contains(t, second.body["message"], "the same push is being processed")
	unblock()
	assert.Equal(t, http.StatusOK, <-first)
}

func TestUdeskPushAfterEndIsARetry(t *testing.T) {
	ts := startReceiver(t, nil, nil, nil)
	for _, f := range []string{"inbound-1-enqueue_succ", "inbound-2-agent_lock", "inbound-3-agent_incall", "inbound-4-hangup", "inbound-5-end"} {
		require.Equal(t, http.StatusOK, post(t, ts.url+"/udesk", "application/json", fixture(t, "udesk/"+f+".json")).status)
	}
	require.Equal(t, 5, ts.sink.LogRecordCount())

	// Udesk retries a push of the ended conversation, with a new timestamp.
	var retry map[string]any
	require.NoError(t, json.Unmarshal(fixture(t, "udesk/inbound-4-hangup.json"), &retry))
	retry["timestamp"] = "2099-01-01 00:00:00 +0800"
	body, err := json.Marshal(retry)
	require.NoError(t, err)
	r := post(t, ts.url+"/udesk", "application/json", body)
	assert.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, codeOK, r.body)
	assert.Equal(t, 5, ts.sink.LogRecordCount(), "recognized as a retry: nothing new")
}

func TestMetricsShareTheServer(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.ServerConfig.NetAddr.Endpoint = freeEndpoint(t)
	cfg.CollectionInterval = 50 * time.Millisecond
	set := receivertest.NewNopSettings(metadata.Type)
	logsSink, metricsSink := new(consumertest.LogsSink), new(consumertest.MetricsSink)
	lr, err := NewFactory().CreateLogs(context.Background(), set, cfg, logsSink)
	require.NoError(t, err)
	mr, err := NewFactory().CreateMetrics(context.Background(), set, cfg, metricsSink)
	require.NoError(t, err)
	require.NoError(t, lr.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, mr.Start(context.Background(), componenttest.NewNopHost()), "one server for both")
	url := "http://" + cfg.ServerConfig.NetAddr.Endpoint

	for _, f := range []string{"tccc/cdr.json", "dezhu/record.json", "udesk/end.json"} {
		path := "/" + strings.Split(f, "/")[0]
		if strings.HasPrefix(f, "tccc") {
			path += "?action=cdr"
		}
		require.Equal(t, http.StatusOK, post(t, url+path, "application/json", fixture(t, f)).status)
	}
	// The same record again, as a vendor retry: counted once.
	require.Equal(t, http.StatusOK, post(t, url+"/dezhu", "application/json", fixture(t, "dezhu/record.json")).status)
	require.Equal(t, http.StatusOK, post(t, url+"/tccc?action=voicemail", "application/json", fixture(t, "tccc/voicemail.json")).status)

	require.Eventually(t, func() bool { return countCalls(metricsSink) == 3 }, 5*time.Second, 20*time.Millisecond)
	require.NoError(t, lr.Shutdown(context.Background()))
	require.NoError(t, mr.Shutdown(context.Background()))

	byVendor := map[string]string{}
	last := metricsSink.AllMetrics()[len(metricsSink.AllMetrics())-1]
	for _, rm := range last.ResourceMetrics().All() {
		vendorName, _ := rm.Resource().Attributes().Get("callcenter.vendor")
		for _, m := range rm.ScopeMetrics().At(0).Metrics().All() {
			if m.Name() != "callcenter.calls" {
				continue
			}
			for _, dp := range m.Sum().DataPoints().All() {
				status, _ := dp.Attributes().Get("callcenter.end_status")
				byVendor[vendorName.Str()] = status.Str()
				assert.Equal(t, int64(1), dp.IntValue())
			}
		}
	}
	assert.Equal(t, map[string]string{"tccc": "unreachable", "dezhu": "abandoned_in_queue", "udesk": "answered"}, byVendor)
	assert.Equal(t, 4, logsSink.LogRecordCount(), "the retry was not logged again either")
}

// countCalls sums callcenter.calls in the latest flush.
func countCalls(sink *consumertest.MetricsSink) int64 {
	all := sink.AllMetrics()
	if len(all) == 0 {
		return 0
	}
	var n int64
	for _, rm := range all[len(all)-1].ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if m.Name() == "callcenter.calls" {
					for _, dp := range m.Sum().DataPoints().All() {
						n += dp.IntValue()
					}
				}
			}
		}
	}
	return n
}

func TestTracesAndLogsShareIDs(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.ServerConfig.NetAddr.Endpoint = freeEndpoint(t)
	r := startLogsAndTraces(t, cfg, receivertest.NewNopSettings(metadata.Type), componenttest.NewNopHost())
	logsSink, tracesSink := r.logs, r.traces
	url := "http://" + cfg.ServerConfig.NetAddr.Endpoint

	cdr := fixture(t, "tccc/cdr.json")
	require.Equal(t, http.StatusOK, post(t, url+"/tccc?action=cdr", "application/json", cdr).status)
	require.Equal(t, http.StatusOK, post(t, url+"/tccc?action=cdr", "application/json", cdr).status, "a retry")
	require.Equal(t, http.StatusOK, post(t, url+"/tccc?action=record", "application/json", fixture(t, "tccc/record.json")).status)

	require.Equal(t, 4, tracesSink.SpanCount(), "root, setup, customer ringing, agent leg; nothing twice")
	var root ptrace.Span
	for _, td := range tracesSink.AllTraces() {
		for _, sp := range td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().All() {
			if sp.ParentSpanID().IsEmpty() {
				root = sp
			}
		}
	}
	assert.Equal(t, "outbound call", root.Name())
	lr0 := logsSink.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	assert.Equal(t, root.TraceID(), lr0.TraceID(), "the call record's log is in the call's trace")
	assert.Equal(t, root.SpanID(), lr0.SpanID(), "on its root span")
	rec := logsSink.AllLogs()[1].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	assert.False(t, rec.TraceID().IsEmpty(), "a recording of another call names that call's trace")
	assert.NotEqual(t, root.TraceID(), rec.TraceID())
}

func TestEndpointAuth(t *testing.T) {
	ts := startReceiver(t, func(c *Config) {
		c.vendors["tccc"].Auth = auth.Config{Type: auth.TypeOAuth2, ClientID: "tccc", ClientSecret: "a-secret-of-16-chars", TokenPath: "/tccc/token", TokenTTL: time.Minute}
		c.vendors["dezhu"].Auth = auth.Config{Type: auth.TypeBasic, Username: "dezhu", Password: "pa55word"}
	}, nil, nil)

	// TCCC fetches a token with its client credentials, then pushes with it.
	form := strings.NewReader("grant_type=client_credentials")
	req, err := http.NewRequest(http.MethodPost, ts.url+"/tccc/token", form)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("tccc", "a-secret-of-16-chars")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var token struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&token))
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "Bearer", token.TokenType)
	assert.Equal(t, 60, token.ExpiresIn)

	push := func(path, authz string, body []byte) reply {
		req, err := http.NewRequest(http.MethodPost, ts.url+path, bytes.NewReader(body))
		require.NoError(t, err)
		if authz != "" {
			req.Header.Set("Authorization", authz)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		r := reply{status: resp.StatusCode, header: resp.Header}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&r.body))
		return r
	}
	cdr := fixture(t, "tccc/cdr.json")
	assert.Equal(t, tcccOK, push("/tccc?action=cdr", "Bearer "+token.AccessToken, cdr).body)

	r := push("/tccc?action=cdr", "Bearer not-a-token", cdr)
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.EqualValues(t, 401, r.body["ErrCode"])
	assert.Contains(t, r.body["ErrMsg"], "unknown token")
	assert.Contains(t, r.header.Get("WWW-Authenticate"), `Bearer realm="callcenter"`)
	r = push("/tccc?action=cdr", "", cdr)
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.Contains(t, r.body["ErrMsg"], "missing Authorization header")

	record := fixture(t, "dezhu/record.json")
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("dezhu:pa55word"))
	assert.Equal(t, codeOK, push("/dezhu", basic, record).body)
	r = push("/dezhu", "Basic "+base64.StdEncoding.EncodeToString([]byte("dezhu:wrong")), record)
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.Contains(t, r.body["message"], "wrong username or password")
	assert.Equal(t, `Basic realm="callcenter"`, r.header.Get("WWW-Authenticate"))

	assert.Equal(t, codeOK, push("/udesk", "", fixture(t, "udesk/end.json")).body, "udesk has no auth of its own")
	assert.Equal(t, 3, ts.sink.LogRecordCount(), "only the authenticated pushes")
	assert.Equal(t, int64(3), sumMetric(t, ts.tel, "otelcol_receiver_callcenter_auth_failures"), "failed authentications are counted")

	// A token request with a wrong secret is refused in RFC 6749's format, and counted too.
	req, err = http.NewRequest(http.MethodPost, ts.url+"/tccc/token", strings.NewReader("grant_type=client_credentials"))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("tccc", "not-the-secret-at-all")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	var refusal map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&refusal))
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, "invalid_client", refusal["error"])
	assert.Equal(t, int64(4), sumMetric(t, ts.tel, "otelcol_receiver_callcenter_auth_failures"), "so is a token request with wrong credentials")
}

func TestDuplicatesAreCounted(t *testing.T) {
	ts := startReceiver(t, nil, nil, nil)
	for range 3 {
		require.Equal(t, http.StatusOK, post(t, ts.url+"/dezhu", "application/json", fixture(t, "dezhu/record.json")).status)
	}
	assert.Equal(t, 1, ts.sink.LogRecordCount())
	assert.Equal(t, int64(2), sumMetric(t, ts.tel, "otelcol_receiver_callcenter_duplicate_pushes"))
}

func TestShutdownSendsWhatWaitsForLateGrace(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.ServerConfig.NetAddr.Endpoint = freeEndpoint(t)
	cfg.Sessions.LateGrace = time.Hour // no sweep releases anything during the test
	set := receivertest.NewNopSettings(metadata.Type)
	sink := new(consumertest.TracesSink)
	tr, err := NewFactory().CreateTraces(context.Background(), set, cfg, sink)
	require.NoError(t, err)
	require.NoError(t, tr.Start(context.Background(), componenttest.NewNopHost()))
	url := "http://" + cfg.ServerConfig.NetAddr.Endpoint
	// The queueing, then the end: the talk and agent leg the record describes wait for the
	// occasions in between, which may still come, for late_grace.
	for _, f := range []string{"inbound-1-enqueue_succ", "inbound-5-end"} {
		require.Equal(t, http.StatusOK, post(t, url+"/udesk", "application/json", fixture(t, "udesk/"+f+".json")).status)
	}
	names := func() map[string]int {
		out := map[string]int{}
		for _, td := range sink.AllTraces() {
			for _, sp := range td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().All() {
				out[sp.Name()]++
			}
		}
		return out
	}
	require.Equal(t, map[string]int{"inbound call": 1, "ivr": 1}, names(), "the phases wait")

	require.NoError(t, tr.Shutdown(context.Background()))
	assert.Equal(t, map[string]int{"inbound call": 1, "ivr": 1, "queue": 1, "agent ringing": 1, "talk": 1, "agent leg": 1}, names(),
		"a shutdown cuts the grace short: the phases are sent from the record, once")
}

// UinCall sends no time: an agent's status pushes belong to the agent's timeline of the day
// they arrive. The day comes from the receiver's clock, which a test sets.
func TestAgentTimelinesFollowTheReceiversClock(t *testing.T) {
	body := fixture(t, "uincall/outbound-3-agentstatus.json")
	for _, day := range []string{"2026-03-01", "2031-12-31"} {
		t.Run(day, func(t *testing.T) {
			midday, err := time.Parse(time.DateOnly, day)
			require.NoError(t, err)
			midday = midday.Add(12 * time.Hour)
			ts := startReceiver(t, func(c *Config) { c.clock = func() time.Time { return midday } }, nil, nil)
			require.Equal(t, http.StatusOK, post(t, ts.url+"/uincall", "application/json", body).status)

			lr := ts.sink.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
			assert.Equal(t, pcommon.NewTimestampFromTime(midday), lr.ObservedTimestamp())
			assert.Equal(t, lr.ObservedTimestamp(), lr.Timestamp(), "UinCall events happen when they arrive")
			// The fixture's agent_num is 8014 and tenant_id acf528a2-d0e2-4a7b-8513-74cb3995cfab.
			want := traces.TraceID("uincall", "acf528a2-d0e2-4a7b-8513-74cb3995cfab", "agent/8014/"+day)
			assert.Equal(t, want, lr.TraceID())
		})
	}
}

// Without storage, nothing keeps a call in progress or an agent's day for a restart: a shutdown
// sends what is known of them, so that every span a log record names exists.
func TestShutdownWithoutStorageSendsWhatLogsName(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.ServerConfig.NetAddr.Endpoint = freeEndpoint(t)
	r := startLogsAndTraces(t, cfg, receivertest.NewNopSettings(metadata.Type), componenttest.NewNopHost())
	logsSink, tracesSink := r.logs, r.traces
	url := "http://" + cfg.ServerConfig.NetAddr.Endpoint
	// An agent's status (the state lasts until the next report) and a call still ringing.
	for _, f := range []string{"outbound-3-agentstatus", "inbound-2-incoming"} {
		require.Equal(t, http.StatusOK, post(t, url+"/uincall", "application/json", fixture(t, "uincall/"+f+".json")).status)
	}
	sent := func() map[string]bool {
		out := map[string]bool{}
		for _, td := range tracesSink.AllTraces() {
			for _, rs := range td.ResourceSpans().All() {
				for _, sp := range rs.ScopeSpans().At(0).Spans().All() {
					out[sp.TraceID().String()+"/"+sp.SpanID().String()] = true
				}
			}
		}
		return out
	}
	named := func() []string {
		var out []string
		for _, ld := range logsSink.AllLogs() {
			for _, rec := range ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().All() {
				out = append(out, rec.TraceID().String()+"/"+rec.SpanID().String())
			}
		}
		return out
	}
	require.Len(t, named(), 2)
	for _, id := range named() {
		assert.False(t, sent()[id], "%s waits for what comes next", id)
	}

	r.stop()
	for _, id := range named() {
		assert.True(t, sent()[id], "%s was sent at shutdown", id)
	}
}
