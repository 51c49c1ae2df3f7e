package callcenterreceiver

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcallcenter/callcenterreceiver/internal/traffic"
)

// observedCounts reads the latest flush as the truth counts it: calls by vendor, direction and
// end status, transfers and events.
func observedCounts(sink *consumertest.MetricsSink) traffic.Summary {
	s := traffic.Summary{Calls: map[string]int{}, Transfers: map[string]int{}, Events: map[string]int{}}
	all := sink.AllMetrics()
	if len(all) == 0 {
		return s
	}
	str := func(dp pmetric.NumberDataPoint, k string) string {
		v, _ := dp.Attributes().Get(k)
		return v.AsString()
	}
	for _, rm := range all[len(all)-1].ResourceMetrics().All() {
		vendor, _ := rm.Resource().Attributes().Get("callcenter.vendor")
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if m.Type() != pmetric.MetricTypeSum {
					continue
				}
				for _, dp := range m.Sum().DataPoints().All() {
					n := int(dp.IntValue())
					switch m.Name() {
					case "callcenter.calls":
						s.Calls[vendor.Str()+"|"+str(dp, "callcenter.direction")+"|"+str(dp, "callcenter.end_status")] += n
					case "callcenter.transfers":
						s.Transfers[vendor.Str()] += n
					case "callcenter.events":
						s.Events[vendor.Str()+"|"+str(dp, "callcenter.event.kind")+"|"+str(dp, "callcenter.event.type")] += n
					}
				}
			}
		}
	}
	return s
}

// The generated Udesk and UinCall traffic, with its transfers in two conversations, identical
// and late UinCall pushes, through the receiver: what it counts is the ground truth. Also when
// more calls end within late_grace than sessions.max_open keeps (the replay runs minutes of
// traffic between two sweeps): those dropped for room are settled with their grace cut short.
func TestGeneratedTrafficThroughTheReceiver(t *testing.T) {
	for name, modify := range map[string]func(*Config){
		"defaults": nil,
		"calls kept below those ending within late_grace": func(c *Config) { c.Sessions.MaxOpen = 40 },
	} {
		t.Run(name, func(t *testing.T) { checkGeneratedTraffic(t, modify) })
	}
}

func checkGeneratedTraffic(t *testing.T, modify func(*Config)) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	a := startAllSignals(t, modify)
	pushes, calls := traffic.Generate(traffic.Options{
		Seed: 5, Start: time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC), Duration: 30 * time.Minute, Rate: 3,
		Vendors: []string{"udesk", "uincall"}, Location: shanghai,
	})
	for _, p := range pushes {
		a.clock.Set(p.At) // each push arrives when the vendor sends it
		req, err := p.NewRequest(a.url)
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s %s", p.Vendor, p.Body)
	}
	a.clock.Add(time.Minute) // every call's grace for late pushes is over
	truth := traffic.Summarize(calls, pushes)
	total := func(m map[string]int) (n int) {
		for _, v := range m {
			n += v
		}
		return n
	}
	var got traffic.Summary
	require.Eventually(t, func() bool {
		got = observedCounts(a.metrics)
		return total(got.Calls) == len(calls)
	}, 10*time.Second, 50*time.Millisecond, "every call counted")
	assert.Equal(t, truth.Calls, got.Calls, "calls by vendor, direction and end status")
	assert.Equal(t, truth.Transfers, got.Transfers)
	assert.Equal(t, truth.Events, got.Events, "each event once, however often it was pushed")
}
