package callcenterreceiver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/extension/xextension/storage"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"

	"github.com/otelcallcenter/callcenterreceiver/internal/core"
	"github.com/otelcallcenter/callcenterreceiver/internal/metadata"
	"github.com/otelcallcenter/callcenterreceiver/internal/privacy"
	"github.com/otelcallcenter/callcenterreceiver/internal/sharedcomponent"
)

// run is one life of a receiver: logs and traces into sinks, state in storage.
type run struct {
	url    string
	logs   *consumertest.LogsSink
	traces *consumertest.TracesSink
	recv   *callcenterReceiver
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
	return startLogsAndTraces(t, cfg, set, host)
}

// startLogsAndTraces starts the receiver of cfg in a logs and a traces pipeline into sinks; it
// is stopped when the test ends, or before by stop.
func startLogsAndTraces(t *testing.T, cfg *Config, set receiver.Settings, host component.Host) *run {
	t.Helper()
	r := &run{url: "http://" + cfg.ServerConfig.NetAddr.Endpoint, logs: new(consumertest.LogsSink), traces: new(consumertest.TracesSink)}
	lr, err := NewFactory().CreateLogs(context.Background(), set, cfg, r.logs)
	require.NoError(t, err)
	tr, err := NewFactory().CreateTraces(context.Background(), set, cfg, r.traces)
	require.NoError(t, err)
	r.recv = lr.(*sharedcomponent.Component[*callcenterReceiver]).Unwrap()
	require.NoError(t, lr.Start(context.Background(), host))
	require.NoError(t, tr.Start(context.Background(), host))
	var once sync.Once
	r.stop = func() {
		once.Do(func() {
			assert.NoError(t, lr.Shutdown(context.Background()))
			assert.NoError(t, tr.Shutdown(context.Background()))
		})
	}
	t.Cleanup(r.stop) // also when the test fails before it stops the receiver
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

// TestCompactionDuringTrafficLosesNothing compacts the state over and over while pushes are
// saved concurrently, then "crashes": a second receiver starts on the storage as it is at that
// moment, without the first one's shutdown. Every push is still known: its retry emits nothing.
func TestCompactionDuringTrafficLosesNothing(t *testing.T) {
	storageID := storagetest.NewStorageID("mem")
	disk := &crashableStorage{data: map[string][]byte{}}
	record := string(fixture(t, "dezhu/record.json"))
	const senders, each = 4, 40
	pushes := make([][]byte, 0, senders*each)
	for i := range senders * each {
		body := strings.ReplaceAll(record, "0605589a-c1f7-47a5-b75c-3e639e1b928a", fmt.Sprintf("record-%04d", i))
		pushes = append(pushes, []byte(strings.ReplaceAll(body, "77321526-3971-408e-adf2-7557dba9d2c3", fmt.Sprintf("call-%04d", i))))
	}

	first := startWithStorage(t, storagetest.NewStorageHost().WithExtension(storageID, disk), storageID, freeEndpoint(t))
	defer first.stop()
	var wg sync.WaitGroup
	stop, stopped := make(chan struct{}), make(chan struct{})
	compactions := 0
	go func() {
		defer close(stopped)
		for {
			select {
			case <-stop:
				return
			default:
			}
			assert.NoError(t, first.recv.next.(coreProcessor).Compact(context.Background()))
			compactions++
			runtime.Gosched() // let the pushes in between
		}
	}()
	for s := range senders {
		wg.Go(func() {
			for _, body := range pushes[s*each : (s+1)*each] {
				resp, err := http.Post(first.url+"/dezhu", "application/json", bytes.NewReader(body))
				if assert.NoError(t, err) {
					resp.Body.Close()
					assert.Equal(t, http.StatusOK, resp.StatusCode)
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	<-stopped
	require.Equal(t, len(pushes), first.logs.LogRecordCount())
	require.Greater(t, compactions, senders, "the state was compacted again and again during the pushes")

	second := startWithStorage(t, storagetest.NewStorageHost().WithExtension(storageID, disk.crash()), storageID, freeEndpoint(t))
	defer second.stop()
	for _, body := range pushes {
		require.Equal(t, http.StatusOK, post(t, second.url+"/dezhu", "application/json", body).status)
	}
	assert.Zero(t, second.logs.LogRecordCount(), "every push was remembered: its retry emits nothing")
}

// crashableStorage is a storage extension whose content can be taken at any moment, as a crash
// would leave it.
type crashableStorage struct {
	component.StartFunc
	component.ShutdownFunc
	mu   sync.Mutex
	data map[string][]byte
	// written, when set, is given what the storage holds after each write, as a crash right
	// after that write would leave it.
	written func(map[string][]byte)
	// refuseWrites makes every write fail, as a full or read-only disk does.
	refuseWrites bool
}

// crash returns a storage holding what this one holds now.
func (s *crashableStorage) crash() *crashableStorage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return &crashableStorage{data: maps.Clone(s.data)}
}

func (s *crashableStorage) GetClient(context.Context, component.Kind, component.ID, string) (storage.Client, error) {
	return s, nil
}

func (s *crashableStorage) Get(ctx context.Context, key string) ([]byte, error) {
	op := storage.GetOperation(key)
	err := s.Batch(ctx, op)
	return op.Value, err
}

func (s *crashableStorage) Set(ctx context.Context, key string, value []byte) error {
	return s.Batch(ctx, storage.SetOperation(key, value))
}

func (s *crashableStorage) Delete(ctx context.Context, key string) error {
	return s.Batch(ctx, storage.DeleteOperation(key))
}

func (s *crashableStorage) Batch(_ context.Context, ops ...*storage.Operation) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refuseWrites && slices.ContainsFunc(ops, func(op *storage.Operation) bool { return op.Type != storage.Get }) {
		return errors.New("read-only file system")
	}
	wrote := false
	for _, op := range ops {
		switch op.Type {
		case storage.Get:
			op.Value = slices.Clone(s.data[op.Key])
		case storage.Set:
			s.data[op.Key] = slices.Clone(op.Value)
			wrote = true
		case storage.Delete:
			delete(s.data, op.Key)
			wrote = true
		}
	}
	if wrote && s.written != nil {
		s.written(maps.Clone(s.data))
	}
	return nil
}

func (*crashableStorage) Close(context.Context) error { return nil }

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

// A change whose write failed is in the snapshot the next sweep takes: a crash after that
// forgets nothing of it, where the journal alone would lack it until 1000 more changes.
func TestAFailedWriteIsRepairedAtTheNextSweep(t *testing.T) {
	disk := &crashableStorage{data: map[string][]byte{}}
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	first := startCountingInto(t, disk, core.TemporalityCumulative, now, new(consumertest.MetricsSink),
		func(cfg *Config) { cfg.Sessions.LateGrace = 200 * time.Millisecond }) // a sweep every 100 ms
	record := fixture(t, "dezhu/record.json")
	const recordID = "0605589a-c1f7-47a5-b75c-3e639e1b928a"
	disk.mu.Lock()
	disk.refuseWrites = true
	disk.mu.Unlock()
	require.Equal(t, http.StatusOK, post(t, first.url+"/dezhu", "application/json", record).status,
		"the push is accepted, and remembered in memory")
	disk.mu.Lock()
	disk.refuseWrites = false
	disk.mu.Unlock()
	require.Eventually(t, func() bool {
		disk.mu.Lock()
		defer disk.mu.Unlock()
		for key, value := range disk.data {
			if strings.HasPrefix(key, "snapshot") && bytes.Contains(value, []byte(recordID)) {
				return true
			}
		}
		return false
	}, 10*time.Second, 50*time.Millisecond, "no snapshot holds the push")

	second := startCounting(t, disk.crash(), core.TemporalityCumulative, now)
	require.Equal(t, http.StatusOK, post(t, second.url+"/dezhu", "application/json", record).status)
	assert.Zero(t, second.logs.LogRecordCount(), "the retry after the crash is known")
}
