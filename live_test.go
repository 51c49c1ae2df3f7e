package callcenterreceiver

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"

	"github.com/otelcallcenter/callcenterreceiver/internal/metadata"
	"github.com/otelcallcenter/callcenterreceiver/internal/sharedcomponent"
)

// liveRun is one life of a receiver with a metrics pipeline, storage and a test clock.
type liveRun struct {
	url     string
	recv    *callcenterReceiver
	metrics *consumertest.MetricsSink
	stop    func()
}

func startLive(t *testing.T, host component.Host, storageID component.ID, endpoint string, clock *testClock) *liveRun {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.ServerConfig.NetAddr.Endpoint = endpoint
	cfg.Storage = &storageID
	cfg.CollectionInterval = time.Hour // flushed by the test
	cfg.clock = clock.Now
	set := receivertest.NewNopSettings(metadata.Type)
	set.ID = component.NewID(metadata.Type)
	r := &liveRun{url: "http://" + endpoint, metrics: new(consumertest.MetricsSink)}
	mr, err := NewFactory().CreateMetrics(context.Background(), set, cfg, r.metrics)
	require.NoError(t, err)
	r.recv = mr.(*sharedcomponent.Component[*callcenterReceiver]).Unwrap()
	require.NoError(t, mr.Start(context.Background(), host))
	stopped := false
	r.stop = func() {
		if !stopped {
			stopped = true
			assert.NoError(t, mr.Shutdown(context.Background()))
		}
	}
	t.Cleanup(r.stop)
	return r
}

// gauge returns a gauge of the latest flush: the value of each data point by its attributes.
func gauge(sink *consumertest.MetricsSink, name string) map[string]float64 {
	out := map[string]float64{}
	all := sink.AllMetrics()
	if len(all) == 0 {
		return out
	}
	for _, rm := range all[len(all)-1].ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if m.Name() != name || m.Type() != pmetric.MetricTypeGauge {
					continue
				}
				for _, dp := range m.Gauge().DataPoints().All() {
					v := float64(dp.IntValue())
					if dp.ValueType() == pmetric.NumberDataPointValueTypeDouble {
						v = dp.DoubleValue()
					}
					key := ""
					for k, a := range dp.Attributes().All() {
						key += k + "=" + a.AsString() + " "
					}
					out[key] += v
				}
			}
		}
	}
	return out
}

// The Udesk samples: enqueue_succ at 10:15:20 (+0800) in 售后服务组, agent_lock of agent 2051 at
// 10:15:31. The gauges say where the call is at each flush, on the receiver's clock, and a
// restart with storage brings them back.
func TestLiveGaugesThroughTheReceiverAndARestart(t *testing.T) {
	storageID := storagetest.NewStorageID("file")
	host := storagetest.NewStorageHost().WithFileBackedStorageExtension("file", t.TempDir())
	endpoint := freeEndpoint(t)
	clock := newTestClock()
	enqueued := time.Date(2024, 5, 20, 2, 15, 20, 0, time.UTC)
	clock.Set(enqueued.Add(25 * time.Second))

	first := startLive(t, host, storageID, endpoint, clock)
	require.Equal(t, http.StatusOK, post(t, first.url+"/udesk", "application/json", fixture(t, "udesk/inbound-1-enqueue_succ.json")).status)
	require.NoError(t, first.recv.next.(coreProcessor).Flush(context.Background()))
	queue := "callcenter.call.phase=queue callcenter.direction=inbound callcenter.queue=售后服务组 "
	assert.Equal(t, map[string]float64{queue: 1}, gauge(first.metrics, "callcenter.calls.in_progress"))
	assert.Equal(t, map[string]float64{"callcenter.direction=inbound callcenter.queue=售后服务组 ": 25},
		gauge(first.metrics, "callcenter.calls.queued.oldest_age"), "10:15:45 on the receiver's clock, queued at 10:15:20")

	clock.Set(enqueued.Add(40 * time.Second))
	require.Equal(t, http.StatusOK, post(t, first.url+"/udesk", "application/json", fixture(t, "udesk/inbound-2-agent_lock.json")).status)
	first.stop()
	http.DefaultClient.CloseIdleConnections()

	second := startLive(t, host, storageID, endpoint, clock)
	require.NoError(t, second.recv.next.(coreProcessor).Flush(context.Background()))
	ringing := "callcenter.call.phase=ringing callcenter.direction=inbound callcenter.queue=售后服务组 "
	assert.Equal(t, map[string]float64{ringing: 1}, gauge(second.metrics, "callcenter.calls.in_progress"), "restored from storage")
	assert.Equal(t, map[string]float64{"callcenter.direction=inbound callcenter.queue=售后服务组 ": 29},
		gauge(second.metrics, "callcenter.calls.ringing.oldest_age"), "10:16:00 on the receiver's clock, ringing since 10:15:31")
	assert.Equal(t, map[string]float64{"callcenter.queue=售后服务组 ": 1}, gauge(second.metrics, "callcenter.agents.on_call"))

	// Its end never comes: idle_timeout (1 h) after its last push, it leaves the gauges.
	clock.Set(enqueued.Add(40*time.Second + time.Hour))
	require.NoError(t, second.recv.next.(coreProcessor).Flush(context.Background()))
	assert.Equal(t, map[string]float64{ringing: 0}, gauge(second.metrics, "callcenter.calls.in_progress"))
	assert.Equal(t, map[string]float64{"callcenter.queue=售后服务组 ": 0}, gauge(second.metrics, "callcenter.agents.on_call"))
}
