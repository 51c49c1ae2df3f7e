package relay

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
	"github.com/otelcallcenter/callcenterreceiver/internal/platforms"
	"github.com/otelcallcenter/callcenterreceiver/internal/tccc"
	"github.com/otelcallcenter/callcenterreceiver/internal/traces"
)

func fixture(t *testing.T, vendor, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", vendor, name))
	require.NoError(t, err)
	return b
}

// The connector decodes from an edge record exactly the push the edge decoded: the same body,
// query, push-ID header, arrival and zone; credentials stay at the edge.
func TestARecordDecodesAgainIntoTheSamePush(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	e, _ := platforms.Lookup(tccc.Name)
	header := http.Header{} // canonical keys, as net/http hands them over
	header.Set(tccc.PushIDHeader, "push-1")
	header.Set("Authorization", "Basic c2VjcmV0")
	req := platform.Request{
		Query:    url.Values{"action": {"cdr"}, "version": {"1"}},
		Header:   header,
		Body:     fixture(t, "tccc", "cdr.json"),
		Arrival:  time.Date(2026, 11, 22, 8, 0, 0, 123456789, time.UTC),
		Location: shanghai,
	}
	pushes, err := e.Decode(req)
	require.NoError(t, err)
	pushes[0].Tenant = "edge-tenant"

	ld := Encode(tccc.Name, req, pushes, "scope")
	require.Equal(t, len(pushes), ld.LogRecordCount(), "one record per push")
	lr := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	got, err := Decode(lr)
	require.NoError(t, err)
	assert.Equal(t, tccc.Name, got.Vendor)
	assert.Equal(t, "edge-tenant", got.Tenant)
	assert.Equal(t, 0, got.Index)
	assert.Empty(t, got.Request.Header.Get("Authorization"), "credentials are not forwarded")
	assert.Equal(t, "push-1", got.Request.Header.Get(tccc.PushIDHeader))
	assert.True(t, req.Arrival.Equal(got.Request.Arrival), "the arrival to the nanosecond")
	again, err := e.Decode(got.Request)
	require.NoError(t, err)
	again[0].Tenant = "edge-tenant"
	assert.True(t, again[0].Arrival.Equal(pushes[0].Arrival))
	again[0].Arrival = pushes[0].Arrival
	assert.Equal(t, pushes, again)

	// The record's trace ID is the call's (TCCC: a session is one call).
	trace := traces.TraceID(tccc.Name, pushes[0].Tenant, pushes[0].Call.SessionID)
	assert.Equal(t, trace, lr.TraceID())
}

// Udesk's call_id is "同一客户一系列通话唯一id" (seeds/004: one ID for a customer's series of
// calls): the conversations that share it route together, so that a transfer arriving as a
// conversation of its own reaches the collector holding the call it joins.
func TestUdeskConversationsOfOneCallIDRouteTogether(t *testing.T) {
	e, _ := platforms.Lookup("udesk")
	first, err := e.Decode(platform.Request{Body: fixture(t, "udesk", "inbound-1-enqueue_succ.json"), Arrival: time.Now()})
	require.NoError(t, err)
	require.NotNil(t, first[0].Segment)
	require.NotEmpty(t, first[0].Segment.Group)
	other := first[0]
	other.Call.SessionID = "another-conversation"
	a, _ := traces.RoutingID(&first[0], "")
	b, _ := traces.RoutingID(&other, "")
	assert.Equal(t, a, b)
}

func TestABrokenRecordIsNamed(t *testing.T) {
	e, _ := platforms.Lookup(tccc.Name)
	req := platform.Request{Query: url.Values{"action": {"cdr"}}, Body: fixture(t, "tccc", "cdr.json"), Arrival: time.Now()}
	pushes, err := e.Decode(req)
	require.NoError(t, err)
	lr := Encode(tccc.Name, req, pushes, "scope").ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	lr.Attributes().PutInt("callcenter.edge.push.index", 5)
	_, err = Decode(lr)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "without a valid callcenter.edge.push.index")
	lr.Attributes().PutStr("event.name", "something.else")
	_, err = Decode(lr)
	assert.ErrorContains(t, err, "not an edge record")
}

// A push of no call (here a TCCC cdr without SessionId) routes by its push ID: TCCC retries it
// with the same X-TCCC-PUSH-UUID (seeds/000), and the retry must reach the collector that
// remembers it.
func TestAPushOfNoCallRoutesByItsID(t *testing.T) {
	e, _ := platforms.Lookup(tccc.Name)
	route := func(arrival time.Time) [16]byte {
		header := http.Header{}
		header.Set(tccc.PushIDHeader, "push-7")
		req := platform.Request{Query: url.Values{"action": {"cdr"}}, Header: header,
			Body: []byte(`{"SdkAppId":1400,"Caller":"x"}`), Arrival: arrival}
		pushes, err := e.Decode(req)
		require.NoError(t, err)
		require.Empty(t, pushes[0].Call.SessionID)
		return Encode(tccc.Name, req, pushes, "scope").ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).TraceID()
	}
	t0 := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	assert.Equal(t, route(t0), route(t0.Add(10*time.Second)), "the retry goes where the first try went")
}
