package callcenterreceiver

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer/consumertest"

	"github.com/otelcallcenter/callcenterreceiver/internal/relay"
	"github.com/otelcallcenter/callcenterreceiver/internal/traces"
)

// In mode edge a push leaves as one edge record carrying its call's trace ID and the request,
// and the vendor's reply waits for the logs pipeline; nothing is remembered: the same push again
// is forwarded again (the assembly tier recognizes it).
func TestEdgeModeForwardsEachPush(t *testing.T) {
	ts := startReceiver(t, func(c *Config) { c.Mode = ModeEdge }, nil, nil)
	for range 2 {
		r := post(t, ts.url+"/tccc?action=cdr&version=1", "application/json", fixture(t, "tccc/cdr.json"))
		require.Equal(t, http.StatusOK, r.status)
		assert.Equal(t, tcccOK, r.body)
	}
	require.Len(t, ts.sink.AllLogs(), 2)
	lr := ts.sink.AllLogs()[1].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	push, err := relay.Decode(lr)
	require.NoError(t, err)
	assert.Equal(t, "tccc", push.Vendor)
	assert.Equal(t, "cdr", push.Request.Query.Get("action"))
	assert.Equal(t, fixture(t, "tccc/cdr.json"), push.Request.Body)
	// TCCC's CDR: SdkAppId 1400482256, SessionId 99a1c8f8-… (testdata/tccc/cdr.json).
	assert.Equal(t, traces.TraceID("tccc", "1400482256", "99a1c8f8-eb3d-4xxx-8401-5f6aa8761232"), lr.TraceID())
}

func TestEdgeModeFailsWithThePipeline(t *testing.T) {
	ts := startReceiver(t, func(c *Config) { c.Mode = ModeEdge }, consumertest.NewErr(assert.AnError), nil)
	r := post(t, ts.url+"/dezhu", "application/json", fixture(t, "dezhu/record.json"))
	assert.Equal(t, http.StatusServiceUnavailable, r.status, "a failure 得助 retries")
	assert.Contains(t, r.body["message"], "the assembly tier did not accept the push")
}

func TestModeIsValidated(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Mode = "cluster"
	require.ErrorContains(t, confmap.Validate(cfg), `mode: "cluster" must be all-in-one or edge`)
	cfg.Mode = ModeEdge
	cfg.Sessions.MaxOpen = 0 // the core's options are the assembly tier's
	assert.NoError(t, confmap.Validate(cfg))
}
