package callcenterreceiver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
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
	"github.com/otelcallcenter/callcenterreceiver/internal/metrics"
	"github.com/otelcallcenter/callcenterreceiver/internal/sharedcomponent"
	"github.com/otelcallcenter/callcenterreceiver/internal/state"
	"github.com/otelcallcenter/callcenterreceiver/internal/traffic"
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
func startCountingInto(t *testing.T, disk *crashableStorage, temporality string, now time.Time, metrics consumer.Metrics, modify ...func(*Config)) *countingRun {
	t.Helper()
	storageID := storagetest.NewStorageID("mem")
	cfg := createDefaultConfig().(*Config)
	for _, m := range modify {
		m(cfg)
	}
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
// value of every series, a series being its attributes and start time (with storage a restart
// continues the series it finds saved; a new start time would be a new series); with delta
// temporality every point.
func callsCounted(sinks ...*consumertest.MetricsSink) (total int64, starts map[pcommon.Timestamp]bool) {
	last := map[string]int64{}
	starts = map[pcommon.Timestamp]bool{}
	for i, sink := range sinks {
		forEachCallsPoint(sink, func(delta bool, n int, dp pmetric.NumberDataPoint) {
			starts[dp.StartTimestamp()] = true
			key := fmt.Sprint(dp.StartTimestamp(), dp.Attributes().AsRaw())
			if delta {
				key = fmt.Sprint(i, dp.Timestamp(), n, key) // every point adds
				last[key] += dp.IntValue()
				return
			}
			last[key] = dp.IntValue()
		})
	}
	for _, v := range last {
		total += v
	}
	return total, starts
}

// cumulativeDecreases counts the cumulative callcenter.calls points below their series' previous
// point, over the sinks in order: a continued series must never go back.
func cumulativeDecreases(sinks ...*consumertest.MetricsSink) int {
	last := map[string]int64{}
	decreases := 0
	for _, sink := range sinks {
		forEachCallsPoint(sink, func(delta bool, _ int, dp pmetric.NumberDataPoint) {
			if delta {
				return
			}
			key := fmt.Sprint(dp.StartTimestamp(), dp.Attributes().AsRaw())
			if prev, ok := last[key]; ok && dp.IntValue() < prev {
				decreases++
			}
			last[key] = dp.IntValue()
		})
	}
	return decreases
}

func forEachCallsPoint(sink *consumertest.MetricsSink, f func(delta bool, n int, dp pmetric.NumberDataPoint)) {
	for _, md := range sink.AllMetrics() {
		for _, rm := range md.ResourceMetrics().All() {
			for _, sm := range rm.ScopeMetrics().All() {
				for _, m := range sm.Metrics().All() {
					if m.Name() != "callcenter.calls" {
						continue
					}
					delta := m.Sum().AggregationTemporality() == pmetric.AggregationTemporalityDelta
					for n, dp := range m.Sum().DataPoints().All() {
						f(delta, n, dp)
					}
				}
			}
		}
	}
}

// TestCountsSurviveACrash crashes the receiver (its storage taken as it is, no shutdown) with
// calls counted and not flushed: the next run counts them, and none twice, whether or not the
// state was compacted before the crash. Cumulative series go on from the first run's values with
// its start time; delta series carry the unflushed counts in the next run's first delta.
func TestCountsSurviveACrash(t *testing.T) {
	for _, temporality := range []string{core.TemporalityCumulative, core.TemporalityDelta} {
		cumulative := temporality == core.TemporalityCumulative
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
				counted, starts := callsCounted(first.metrics, second.metrics)
				assert.Equal(t, int64(6), counted, "the three flushed, the two counted before the crash, and the new call")
				_, secondStarts := callsCounted(second.metrics)
				if cumulative {
					assert.Equal(t, map[pcommon.Timestamp]bool{pcommon.NewTimestampFromTime(t1): true}, starts,
						"one series per attribute set over both runs: the second run continues the first's, from its start")
				} else {
					assert.Equal(t, map[pcommon.Timestamp]bool{pcommon.NewTimestampFromTime(t2): true}, secondStarts,
						"the second run's first delta starts when it started")
				}

				third := startCounting(t, disk.crash(), temporality, t2.Add(time.Minute))
				require.NoError(t, third.recv.next.(coreProcessor).Flush(context.Background()))
				counted, _ = callsCounted(third.metrics)
				if cumulative {
					assert.Equal(t, int64(6), counted, "the same totals again, in the same series: no double count")
				} else {
					assert.Zero(t, counted, "everything was flushed and marked: nothing to replay")
				}
				total, _ := callsCounted(first.metrics, second.metrics, third.metrics)
				assert.Equal(t, int64(len(calls)), total, "every call counted once over the three runs")
				assert.Zero(t, cumulativeDecreases(first.metrics, second.metrics, third.metrics))
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

// An agent's day is journaled a push at a time: a push's change holds its event, not the day
// again (every push to a day of thousands of status changes wrote all of them), and a restart
// goes on with the day where the journal left it.
func TestAnAgentsDayIsJournaledAPushAtATime(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	disk := &crashableStorage{data: map[string][]byte{}}
	first := startCounting(t, disk, core.TemporalityCumulative, now)
	status := fixture(t, "uincall/agent-login-agentstatus.json") // each one a new event of the day
	const pushes = 300
	var sizes []int
	for range pushes {
		require.Equal(t, http.StatusOK, post(t, first.url+"/uincall", "application/json", status).status)
		sizes = append(sizes, newestJournalRecord(disk))
	}
	t.Logf("journal record of the day's second push: %d bytes; of its %dth: %d bytes", sizes[1], pushes, sizes[pushes-1])
	assert.Less(t, sizes[pushes-1], sizes[1]+100, "the last push writes what it added, not the day")

	second := startCounting(t, disk.crash(), core.TemporalityCumulative, now)
	require.Equal(t, http.StatusOK, post(t, first.url+"/uincall", "application/json", status).status)
	require.Equal(t, http.StatusOK, post(t, second.url+"/uincall", "application/json", status).status)
	want, got := logRecords(first.logs), logRecords(second.logs)
	require.Len(t, want, pushes+1)
	require.Len(t, got, 1)
	assert.Equal(t, want[pushes].Attributes().AsRaw(), got[0].Attributes().AsRaw(),
		"after the restart, the day goes on from its last event: the same record, the same uid")
}

// newestJournalRecord is the size of the journal record written last.
func newestJournalRecord(disk *crashableStorage) int {
	disk.mu.Lock()
	defer disk.mu.Unlock()
	newest, size := -1, 0
	for key, value := range disk.data {
		if n, err := strconv.Atoi(strings.TrimPrefix(key, "journal/")); err == nil && n > newest {
			newest, size = n, len(value)
		}
	}
	return size
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
// the disk as the crash leaves it and drops everything from then on. With afterAccepting, it
// takes that flush first and crashes before the receiver hears it was accepted: the window
// between an accepted flush and its flushed mark.
type crashingSink struct {
	consumertest.MetricsSink
	mu             sync.Mutex
	disk           *crashableStorage
	before         int
	afterAccepting bool
	crashed        *crashableStorage
	lastAccepted   consumertest.MetricsSink // the flush taken just before the crash, if any
}

func (c *crashingSink) ConsumeMetrics(ctx context.Context, md pmetric.Metrics) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.crashed == nil && c.before == 0 {
		if c.afterAccepting {
			_ = c.MetricsSink.ConsumeMetrics(ctx, md)
			_ = c.lastAccepted.ConsumeMetrics(ctx, md)
		}
		c.crashed = c.disk.crash()
	}
	if c.crashed != nil {
		return nil // what the killed collector would have sent never existed
	}
	c.before--
	return c.MetricsSink.ConsumeMetrics(ctx, md)
}

// TestCountsSurviveACrashAmidTraffic pushes calls over 4 connections while flushes and
// compactions run over and over, and crashes in the middle, inside a flush or just after the
// pipeline accepted one: the calls the crash kept the reply of are pushed again by their vendor.
// Over the two runs every call is counted once, except with delta series crashed in the window
// the README states: those count the accepted flush's calls once more.
func TestCountsSurviveACrashAmidTraffic(t *testing.T) {
	for _, temporality := range []string{core.TemporalityCumulative, core.TemporalityDelta} {
		for _, afterAccepting := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/after_accepting=%v", temporality, afterAccepting), func(t *testing.T) {
				const senders, each = 4, 40
				calls := dezhuCalls(t, senders*each)
				start := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
				sink := &crashingSink{disk: &crashableStorage{data: map[string][]byte{}}, before: 5, afterAccepting: afterAccepting}
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

				second := startCounting(t, sink.crashed, temporality, start.Add(time.Minute))
				for _, body := range calls { // 得助 pushes again what it heard no success for
					require.Equal(t, http.StatusOK, post(t, second.url+"/dezhu", "application/json", body).status)
				}
				require.NoError(t, second.recv.next.(coreProcessor).Flush(context.Background()))
				total, starts := callsCounted(&sink.MetricsSink, second.metrics)
				want := int64(len(calls))
				if temporality == core.TemporalityDelta && afterAccepting {
					doubled, _ := callsCounted(&sink.lastAccepted)
					t.Logf("delta, crashed between an accepted flush and its mark: its %d calls count twice", doubled)
					want += doubled
				}
				t.Logf("%d calls: %d counted over the two runs, series start times %d", len(calls), total, len(starts))
				assert.Equal(t, want, total, "every call counted once over the two runs")
				assert.Zero(t, cumulativeDecreases(&sink.MetricsSink, second.metrics))
				if temporality == core.TemporalityCumulative {
					assert.Len(t, starts, 1, "one start time: the second run continues the first run's series")
				}
			})
		}
	}
}

// crashPoint is a moment the first run can be killed at: after its first `writes` storage
// writes and `exports` metrics exports.
type crashPoint struct{ writes, exports int }

// timeline records, in order, what the storage holds after each write and each metrics export
// the pipeline accepted: every prefix is what a SIGKILL at that moment leaves.
type timeline struct {
	mu      sync.Mutex
	disks   []map[string][]byte
	exports []pmetric.Metrics
	points  []crashPoint
}

func (tl *timeline) wrote(data map[string][]byte) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.disks = append(tl.disks, data)
	tl.points = append(tl.points, crashPoint{len(tl.disks), len(tl.exports)})
}

func (tl *timeline) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

func (tl *timeline) ConsumeMetrics(_ context.Context, md pmetric.Metrics) error {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	kept := pmetric.NewMetrics()
	md.CopyTo(kept)
	tl.exports = append(tl.exports, kept)
	tl.points = append(tl.points, crashPoint{len(tl.disks), len(tl.exports)})
	return nil
}

// at returns the storage and the exports a crash at p leaves, and whether p comes right after
// an export: the exporter accepted it and the receiver has saved nothing since.
func (tl *timeline) at(p crashPoint) (disk *crashableStorage, exported *consumertest.MetricsSink, afterExport bool) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	disk = &crashableStorage{data: map[string][]byte{}}
	if p.writes > 0 {
		disk.data = maps.Clone(tl.disks[p.writes-1])
	}
	exported = new(consumertest.MetricsSink)
	for _, md := range tl.exports[:p.exports] {
		_ = exported.ConsumeMetrics(context.Background(), md)
	}
	for i, q := range tl.points {
		if q == p {
			afterExport = q.exports > 0 && (i == 0 || tl.points[i-1].exports < q.exports)
			break
		}
	}
	return disk, exported, afterExport
}

// TestCrashAtEveryPoint runs pushes, flushes and a compaction, and restarts from every moment
// of it a SIGKILL could hit: after each storage write, and after each export the pipeline
// accepted (before the receiver could save anything about it). The vendor then pushes every
// call again (those it heard success for are recognized) and the new run flushes. Cumulative
// series count every call exactly once at every point, in one series that never goes back;
// delta series do too, except right after an accepted export, where what it carried counts
// twice (the window the README states for delta).
func TestCrashAtEveryPoint(t *testing.T) {
	for _, temporality := range []string{core.TemporalityCumulative, core.TemporalityDelta} {
		t.Run(temporality, func(t *testing.T) {
			calls := dezhuCalls(t, 8)
			t1 := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
			tl := &timeline{points: []crashPoint{{}}}
			disk := &crashableStorage{data: map[string][]byte{}, written: tl.wrote}
			first := startCountingInto(t, disk, temporality, t1, tl)
			for i, body := range calls {
				require.Equal(t, http.StatusOK, post(t, first.url+"/dezhu", "application/json", body).status)
				if i%3 == 2 {
					require.NoError(t, first.recv.next.(coreProcessor).Flush(context.Background()))
				}
				if i == 4 {
					require.NoError(t, first.recv.next.(coreProcessor).Compact(context.Background()))
				}
			}
			require.NoError(t, first.recv.next.(coreProcessor).Flush(context.Background()))
			tl.mu.Lock()
			points := slices.Clone(tl.points)
			tl.mu.Unlock()
			require.GreaterOrEqual(t, len(points), len(calls)+3, "a point after every push's write and every flush")

			windows := 0
			for _, p := range points {
				crashed, exported, afterExport := tl.at(p)
				second := startCounting(t, crashed, temporality, t1.Add(time.Hour))
				for _, body := range calls {
					require.Equal(t, http.StatusOK, post(t, second.url+"/dezhu", "application/json", body).status)
				}
				require.NoError(t, second.recv.next.(coreProcessor).Flush(context.Background()))

				total, starts := callsCounted(exported, second.metrics)
				want := int64(len(calls))
				if temporality == core.TemporalityDelta && afterExport {
					carried, _ := callsCounted(tl.lastOf(p))
					want += carried
				}
				if afterExport {
					windows++
				}
				assert.Equal(t, want, total, "crash after %d writes and %d exports (right after an export: %v)", p.writes, p.exports, afterExport)
				assert.Zero(t, cumulativeDecreases(exported, second.metrics), "crash at %+v", p)
				if temporality == core.TemporalityCumulative {
					assert.Len(t, starts, 1, "crash at %+v: one series per attribute set over both runs", p)
				}
			}
			t.Logf("%d crash points, %d of them between an accepted export and anything saved after it", len(points), windows)
			assert.Equal(t, 3, windows, "the three flushes")
		})
	}
}

// lastOf returns the export a crash point comes right after.
func (tl *timeline) lastOf(p crashPoint) *consumertest.MetricsSink {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	out := new(consumertest.MetricsSink)
	_ = out.ConsumeMetrics(context.Background(), tl.exports[p.exports-1])
	return out
}

// TestStateOfThePreviousFormatContinues starts a cumulative run on state written before totals
// existed (observations with their flush numbers and flush marks): it counts what no accepted
// flush sent into new series, as that version did, saves their start and totals at once, and a
// crash after that continues those series.
func TestStateOfThePreviousFormatContinues(t *testing.T) {
	const call = `{"r":{"s":"callcenter-dezhu","v":"dezhu"},"c":{"dir":"inbound","st":"answered","hs":"customer"}}`
	disk := &crashableStorage{data: map[string][]byte{
		// The snapshot keeps flush 3's call after the mark of flush 2; the journal has a call
		// counted into flush 4 and then the mark of flush 3: only flush 4's call is unsent.
		"snapshot":      []byte(`{"metrics":[{"f":3,"o":[` + call + `]}],"flushed":2}`),
		"journal.first": []byte("0"),
		"journal.next":  []byte("2"),
		"journal/0":     []byte(`{"metrics":[{"f":4,"o":[` + call + `]}]}`),
		"journal/1":     []byte(`{"flushed":3}`),
	}}
	t2 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	second := startCounting(t, disk, core.TemporalityCumulative, t2)
	require.NoError(t, second.recv.next.(coreProcessor).Flush(context.Background()))
	counted, starts := callsCounted(second.metrics)
	assert.Equal(t, int64(1), counted, "the call of flush 4, which no accepted flush sent")
	assert.Equal(t, map[pcommon.Timestamp]bool{pcommon.NewTimestampFromTime(t2): true}, starts, "new series, from this run's start")

	var snapshot state.Record
	disk.mu.Lock()
	require.NoError(t, json.Unmarshal(disk.data["snapshot"], &snapshot))
	disk.mu.Unlock()
	require.NotNil(t, snapshot.Cumulative, "the start and totals were saved before the first flush")
	assert.True(t, t2.Equal(snapshot.Cumulative.Start))

	third := startCounting(t, disk.crash(), core.TemporalityCumulative, t2.Add(time.Hour))
	require.NoError(t, third.recv.next.(coreProcessor).Flush(context.Background()))
	total, starts := callsCounted(second.metrics, third.metrics)
	assert.Equal(t, int64(1), total, "the crash after the first flush counts nothing twice")
	assert.Len(t, starts, 1, "the third run continues the second run's series")
}

// TestSnapshotSizeForADay pushes a day of generated TCCC, Udesk and 得助 traffic and measures the
// cumulative totals a compaction saves, at midday and at the end of the day: their size is set
// by the attribute values (directions, end statuses, queues, agents), not by the number of calls.
func TestSnapshotSizeForADay(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	day := time.Date(2026, 11, 22, 0, 0, 0, 0, shanghai)
	pushes, calls := traffic.Generate(traffic.Options{
		Seed: 21, Start: day, Duration: 24 * time.Hour, Rate: 0.5, Vendors: []string{"tccc", "udesk", "dezhu"}, Location: shanghai,
	})
	for _, perAgent := range []bool{false, true} {
		t.Run(fmt.Sprintf("per_agent_metrics=%v", perAgent), func(t *testing.T) {
			disk := &crashableStorage{data: map[string][]byte{}}
			run := startCountingInto(t, disk, core.TemporalityCumulative, day, new(consumertest.MetricsSink),
				func(cfg *Config) { cfg.PerAgentMetrics = perAgent })
			var sizes []int
			for i, p := range pushes {
				req, err := http.NewRequest(http.MethodPost, run.url+p.Path, bytes.NewReader(p.Body))
				require.NoError(t, err)
				req.Header.Set("Content-Type", "application/json")
				for k, v := range p.Header {
					req.Header.Set(k, v)
				}
				resp, err := http.DefaultClient.Do(req)
				require.NoError(t, err)
				resp.Body.Close()
				require.Equal(t, http.StatusOK, resp.StatusCode)
				if i == len(pushes)/2 || i == len(pushes)-1 {
					require.NoError(t, run.recv.next.(coreProcessor).Compact(context.Background()))
					sizes = append(sizes, len(savedTotals(t, disk)))
				}
			}
			var totals metrics.Totals
			require.NoError(t, json.Unmarshal(savedTotals(t, disk), &totals))
			series, counted := 0, int64(0)
			for _, rt := range totals.Series {
				series += len(rt.Counters) + len(rt.Histograms)
				for _, c := range rt.Counters {
					if c.Metric == "callcenter.calls" {
						counted += c.Value
					}
				}
			}
			assert.Equal(t, int64(len(calls)), counted, "the totals count every call of the day")
			disk.mu.Lock()
			whole := 0 // the snapshot and its parts
			for k, v := range disk.data {
				if k == "snapshot" || strings.HasPrefix(k, "snapshot/") {
					whole += len(v)
				}
			}
			disk.mu.Unlock()
			t.Logf("%d calls, %d pushes: cumulative totals %d bytes at midday, %d bytes at the end of the day (%d series), of a %d-byte snapshot",
				len(calls), len(pushes), sizes[0], sizes[1], series, whole)
			limit := 96 << 10
			if perAgent {
				limit *= 2 // the agent is an attribute of the per-call counters and histograms
			}
			assert.Less(t, sizes[1], limit)
			assert.Less(t, sizes[1], sizes[0]*3/2, "half the day more traffic, few more series")
		})
	}
}

// savedTotals returns the cumulative totals in the disk's snapshot, as JSON.
func savedTotals(t *testing.T, disk *crashableStorage) []byte {
	disk.mu.Lock()
	defer disk.mu.Unlock()
	var snapshot struct {
		Cumulative json.RawMessage `json:"cumulative"`
	}
	require.NoError(t, json.Unmarshal(disk.data["snapshot"], &snapshot))
	require.NotEmpty(t, snapshot.Cumulative)
	return snapshot.Cumulative
}

// TestUnsavableStartFailsTheStart: cumulative series whose start time cannot be saved could not
// be continued after a crash, so a storage that refuses writes fails the receiver's start with
// an error that says so.
func TestUnsavableStartFailsTheStart(t *testing.T) {
	storageID := storagetest.NewStorageID("readonly")
	cfg := createDefaultConfig().(*Config)
	cfg.ServerConfig.NetAddr.Endpoint = freeEndpoint(t)
	cfg.Storage = &storageID
	set := receivertest.NewNopSettings(metadata.Type)
	mr, err := NewFactory().CreateMetrics(context.Background(), set, cfg, new(consumertest.MetricsSink))
	require.NoError(t, err)
	disk := &crashableStorage{data: map[string][]byte{}, refuseWrites: true}
	err = mr.Start(context.Background(), storagetest.NewStorageHost().WithExtension(storageID, disk))
	require.ErrorContains(t, err, "saving the start of the cumulative metrics")
	require.ErrorContains(t, err, "read-only file system")
	assert.NoError(t, mr.Shutdown(context.Background()))
}
