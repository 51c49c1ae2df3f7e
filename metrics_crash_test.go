package callcenterreceiver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"

	"github.com/otelcallcenter/callcenterreceiver/internal/core"
	"github.com/otelcallcenter/callcenterreceiver/internal/metadata"
	"github.com/otelcallcenter/callcenterreceiver/internal/sharedcomponent"
	"github.com/otelcallcenter/callcenterreceiver/internal/state"
)

// countingRun is one life of a receiver with a logs and a metrics pipeline, its state on a disk
// that a test can crash, its clock stopped at the moment it started.
type countingRun struct {
	url     string
	logs    *consumertest.LogsSink
	metrics *consumertest.MetricsSink
	recv    *callcenterReceiver
}

func startCounting(t *testing.T, disk *crashableStorage, temporality string, now time.Time) *countingRun {
	t.Helper()
	sink := new(consumertest.MetricsSink)
	r := startCountingInto(t, disk, temporality, now, sink)
	r.metrics = sink
	return r
}

// startCountingInto starts a run whose metrics go to the consumer given.
func startCountingInto(t *testing.T, disk *crashableStorage, temporality string, now time.Time, metrics consumer.Metrics) *countingRun {
	t.Helper()
	storageID := storagetest.NewStorageID("mem")
	cfg := createDefaultConfig().(*Config)
	cfg.ServerConfig.NetAddr.Endpoint = freeEndpoint(t)
	cfg.Storage = &storageID
	cfg.MetricsTemporality = temporality
	cfg.CollectionInterval = time.Hour // the test flushes
	cfg.clock = func() time.Time { return now }
	set := receivertest.NewNopSettings(metadata.Type)
	set.ID = component.NewID(metadata.Type)
	r := &countingRun{url: "http://" + cfg.ServerConfig.NetAddr.Endpoint, logs: new(consumertest.LogsSink)}
	lr, err := NewFactory().CreateLogs(context.Background(), set, cfg, r.logs)
	require.NoError(t, err)
	mr, err := NewFactory().CreateMetrics(context.Background(), set, cfg, metrics)
	require.NoError(t, err)
	r.recv = lr.(*sharedcomponent.Component[*callcenterReceiver]).Unwrap()
	host := storagetest.NewStorageHost().WithExtension(storageID, disk)
	require.NoError(t, lr.Start(context.Background(), host))
	require.NoError(t, mr.Start(context.Background(), host))
	var once sync.Once
	t.Cleanup(func() { // a crashed run is shut down only when the test is over
		once.Do(func() {
			assert.NoError(t, lr.Shutdown(context.Background()))
			assert.NoError(t, mr.Shutdown(context.Background()))
		})
	})
	return r
}

// dezhuCalls are distinct 得助 call records, each one finished call.
func dezhuCalls(t *testing.T, n int) [][]byte {
	record := string(fixture(t, "dezhu/record.json"))
	out := make([][]byte, 0, n)
	for i := range n {
		body := strings.ReplaceAll(record, "0605589a-c1f7-47a5-b75c-3e639e1b928a", fmt.Sprintf("record-%04d", i))
		out = append(out, []byte(strings.ReplaceAll(body, "77321526-3971-408e-adf2-7557dba9d2c3", fmt.Sprintf("call-%04d", i))))
	}
	return out
}

// callsCounted adds up callcenter.calls as a backend would: with cumulative temporality the last
// value of every series, a series being its attributes and start time (a restart starts new
// series); with delta temporality every point.
func callsCounted(sinks ...*consumertest.MetricsSink) (total int64, starts map[pcommon.Timestamp]bool) {
	last := map[string]int64{}
	starts = map[pcommon.Timestamp]bool{}
	for i, sink := range sinks {
		for _, md := range sink.AllMetrics() {
			for _, rm := range md.ResourceMetrics().All() {
				for _, sm := range rm.ScopeMetrics().All() {
					for _, m := range sm.Metrics().All() {
						if m.Name() != "callcenter.calls" {
							continue
						}
						delta := m.Sum().AggregationTemporality() == pmetric.AggregationTemporalityDelta
						for n, dp := range m.Sum().DataPoints().All() {
							starts[dp.StartTimestamp()] = true
							key := fmt.Sprint(dp.StartTimestamp(), dp.Attributes().AsRaw())
							if delta {
								key = fmt.Sprint(i, dp.Timestamp(), n, key) // every point adds
								last[key] += dp.IntValue()
								continue
							}
							last[key] = dp.IntValue()
						}
					}
				}
			}
		}
	}
	for _, v := range last {
		total += v
	}
	return total, starts
}

// TestCountsSurviveACrash crashes the receiver (its storage taken as it is, no shutdown) with
// calls counted and not flushed: the next run flushes them, in series that start when it
// started, and counts none twice, whether or not the state was compacted before the crash.
func TestCountsSurviveACrash(t *testing.T) {
	for _, temporality := range []string{core.TemporalityCumulative, core.TemporalityDelta} {
		for _, compacted := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/compacted=%v", temporality, compacted), func(t *testing.T) {
				calls := dezhuCalls(t, 6)
				t1 := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
				disk := &crashableStorage{data: map[string][]byte{}}

				first := startCounting(t, disk, temporality, t1)
				for _, body := range calls[:3] {
					require.Equal(t, http.StatusOK, post(t, first.url+"/dezhu", "application/json", body).status)
				}
				require.NoError(t, first.recv.next.(coreProcessor).Flush(context.Background()))
				for _, body := range calls[3:5] { // counted, acknowledged, not flushed
					require.Equal(t, http.StatusOK, post(t, first.url+"/dezhu", "application/json", body).status)
				}
				if compacted {
					require.NoError(t, first.recv.next.(coreProcessor).Compact(context.Background()))
				}
				counted, _ := callsCounted(first.metrics)
				require.Equal(t, int64(3), counted, "the first flush")

				t2 := t1.Add(time.Minute)
				disk = disk.crash()
				second := startCounting(t, disk, temporality, t2)
				// 得助 pushes a record "at most 10 times until a successful reply": a reply the
				// crash swallowed brings the record again.
				for _, body := range calls[3:] {
					require.Equal(t, http.StatusOK, post(t, second.url+"/dezhu", "application/json", body).status)
				}
				assert.Equal(t, 1, second.logs.LogRecordCount(), "the retries were known: only the new call is logged")
				require.NoError(t, second.recv.next.(coreProcessor).Flush(context.Background()))
				counted, starts := callsCounted(second.metrics)
				assert.Equal(t, int64(3), counted, "the two counted before the crash, and the new call")
				assert.Equal(t, map[pcommon.Timestamp]bool{pcommon.NewTimestampFromTime(t2): true}, starts,
					"the second run's series start when it started, after the first run's last point")

				third := startCounting(t, disk.crash(), temporality, t2.Add(time.Minute))
				require.NoError(t, third.recv.next.(coreProcessor).Flush(context.Background()))
				counted, _ = callsCounted(third.metrics)
				assert.Zero(t, counted, "everything was flushed and marked: nothing to replay")

				total, _ := callsCounted(first.metrics, second.metrics, third.metrics)
				assert.Equal(t, int64(len(calls)), total, "every call counted once over the three runs")
			})
		}
	}
}

// TestJournalGrowthPerPush measures what a push adds to the state journal, and what of it the
// metric observations take: a 得助 call record (a completed call) and a TCCC recording notice.
func TestJournalGrowthPerPush(t *testing.T) {
	disk := &crashableStorage{data: map[string][]byte{}}
	run := startCounting(t, disk, core.TemporalityCumulative, time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	const pushes = 20
	for _, body := range dezhuCalls(t, pushes) {
		require.Equal(t, http.StatusOK, post(t, run.url+"/dezhu", "application/json", body).status)
	}
	total, observations, records := journalSize(t, disk)
	require.Equal(t, pushes, records, "one journal record per push")
	t.Logf("journal growth per 得助 call record: %d bytes, of which metric observations %d", total/records, observations/records)
	assert.Less(t, observations/records, 300, "the observations, not the call")

	require.Equal(t, http.StatusOK, post(t, run.url+"/tccc?action=record&version=1", "application/json", fixture(t, "tccc/record.json")).status)
	withRecording, recordingObservations, n := journalSize(t, disk)
	require.Equal(t, pushes+1, n)
	t.Logf("journal growth per TCCC recording notice: %d bytes, of which metric observations %d", withRecording-total, recordingObservations-observations)
	assert.Less(t, recordingObservations-observations, 100)
}

// journalSize adds up the journal records on the disk: their bytes, and the bytes of their
// metric observations alone.
func journalSize(t *testing.T, disk *crashableStorage) (total, observations, records int) {
	disk.mu.Lock()
	defer disk.mu.Unlock()
	for key, value := range disk.data {
		if !strings.HasPrefix(key, "journal/") {
			continue
		}
		var rec state.Record
		require.NoError(t, json.Unmarshal(value, &rec))
		if len(rec.Metrics) > 0 {
			body, err := json.Marshal(rec.Metrics)
			require.NoError(t, err)
			observations += len(body)
		}
		total += len(value)
		records++
	}
	return total, observations, records
}

// crashingSink takes metrics until its crash: at the flush after the first `before`, it takes
// the disk as the crash leaves it and drops everything from then on. The crash comes inside a
// flush, after the previous flush's mark was saved: outside the one window a kill can double.
type crashingSink struct {
	consumertest.MetricsSink
	mu      sync.Mutex
	disk    *crashableStorage
	before  int
	crashed *crashableStorage
}

func (c *crashingSink) ConsumeMetrics(ctx context.Context, md pmetric.Metrics) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.crashed == nil && c.before == 0 {
		c.crashed = c.disk.crash()
	}
	if c.crashed != nil {
		return nil // what the killed collector would have sent never existed
	}
	c.before--
	return c.MetricsSink.ConsumeMetrics(ctx, md)
}

// TestCountsSurviveACrashAmidTraffic pushes calls over 4 connections while flushes and
// compactions run over and over, and crashes in the middle: the calls the crash kept the reply
// of are pushed again by their vendor, and over the two runs every call is counted once.
func TestCountsSurviveACrashAmidTraffic(t *testing.T) {
	for _, temporality := range []string{core.TemporalityCumulative, core.TemporalityDelta} {
		t.Run(temporality, func(t *testing.T) {
			const senders, each = 4, 40
			calls := dezhuCalls(t, senders*each)
			start := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
			sink := &crashingSink{disk: &crashableStorage{data: map[string][]byte{}}, before: 5}
			first := startCountingInto(t, sink.disk, temporality, start, sink)

			stop, stopped := make(chan struct{}), make(chan struct{})
			go func() {
				defer close(stopped)
				for {
					select {
					case <-stop:
						return
					case <-time.After(time.Millisecond):
					}
					_ = first.recv.next.(coreProcessor).Flush(context.Background())
					assert.NoError(t, first.recv.next.(coreProcessor).Compact(context.Background()))
				}
			}()
			var wg sync.WaitGroup
			for s := range senders {
				wg.Go(func() {
					for _, body := range calls[s*each : (s+1)*each] {
						resp, err := http.Post(first.url+"/dezhu", "application/json", bytes.NewReader(body))
						if assert.NoError(t, err) {
							resp.Body.Close()
						}
					}
				})
			}
			wg.Wait()
			require.Eventually(t, func() bool { sink.mu.Lock(); defer sink.mu.Unlock(); return sink.crashed != nil }, 5*time.Second, time.Millisecond)
			close(stop)
			<-stopped
			beforeCrash, _ := callsCounted(&sink.MetricsSink)

			second := startCounting(t, sink.crashed, temporality, start.Add(time.Minute))
			for _, body := range calls { // 得助 pushes again what it heard no success for
				require.Equal(t, http.StatusOK, post(t, second.url+"/dezhu", "application/json", body).status)
			}
			require.NoError(t, second.recv.next.(coreProcessor).Flush(context.Background()))
			afterCrash, _ := callsCounted(second.metrics)
			t.Logf("%d calls: %d counted in the flushes before the crash, %d after it", len(calls), beforeCrash, afterCrash)
			assert.Equal(t, int64(len(calls)), beforeCrash+afterCrash, "every call counted once over the two runs")
		})
	}
}
