//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcallcenter/callcenterreceiver/internal/traffic"
)

// acknowledge sends a push as its vendor does after a failure, again until the reply says
// success: TCCC "ErrCode 字段需要置为 0。否则 TCCC 会尝试重推数据", 得助 "每条通话记录最多通知10次,调用接口并成功
// 返回则该通话记录不会再通知". Here every push is retried until it gets through, within a minute: a
// restart in the middle must not be what drops it.
func acknowledge(client *http.Client, url string, p traffic.Push) (tries int, err error) {
	deadline := time.Now().Add(time.Minute)
	for tries = 1; ; tries++ {
		if err = pushOnce(client, url, p); err == nil {
			return tries, nil
		}
		if time.Now().After(deadline) {
			return tries, fmt.Errorf("%s %s never acknowledged: %w", p.Vendor, p.Path, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// pushOnce sends one try; nil means the vendor's success reply.
func pushOnce(client *http.Client, url string, p traffic.Push) error {
	req, err := p.NewRequest(url)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err // the collector is down, or died during the request
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var reply struct {
		ErrCode *int `json:"ErrCode"` // TCCC
		Code    *int `json:"code"`    // 得助
	}
	if err := json.Unmarshal(raw, &reply); err != nil {
		return fmt.Errorf("reply %d %q: %w", resp.StatusCode, raw, err)
	}
	ok := (reply.ErrCode != nil && *reply.ErrCode == 0) || (reply.Code != nil && *reply.Code == 0)
	if resp.StatusCode != http.StatusOK || !ok {
		return fmt.Errorf("reply %d %s", resp.StatusCode, raw)
	}
	return nil
}

// killRightAfterAnExport waits, for at most 3 s, until the sink takes a metrics export, and
// kills the collector at once: in the instant between the exporter's success and whatever the
// collector does next. With cumulative series nothing there can count twice: the restart
// continues the same series from totals that hold every journaled observation.
func killRightAfterAnExport(t *testing.T, s *sink, c *collector) {
	before := s.metricsAt.Load()
	deadline := time.Now().Add(3 * time.Second)
	for s.metricsAt.Load() == before && time.Now().Before(deadline) {
		time.Sleep(100 * time.Microsecond)
	}
	c.Kill(t)
}

// logged is one log record at the sink, by what identifies its push.
type logged struct{ vendor, pushID, uid, session string }

func loggedRecords(s *sink) []logged {
	var out []logged
	for _, ld := range s.Logs.AllLogs() {
		for _, rl := range ld.ResourceLogs().All() {
			vendor := str(rl.Resource().Attributes(), "callcenter.vendor")
			for _, lr := range rl.ScopeLogs().At(0).LogRecords().All() {
				out = append(out, logged{
					vendor: vendor, pushID: str(lr.Attributes(), "callcenter.push.id"),
					uid: str(lr.Attributes(), "log.record.uid"), session: str(lr.Attributes(), "callcenter.session.id"),
				})
			}
		}
	}
	return out
}

// TestCallDayThroughSIGKILLs pushes a call day of TCCC and 得助 calls as the vendors push them,
// over 8 connections, into a collector with its state in file_storage and cumulative metrics
// (the default), and kills it with SIGKILL several times in the middle of the traffic,
// restarting it each time: every other kill the moment the traffic reaches its mark, the others
// right after the sink took a metrics export. No call may be missing from the logs; every call
// is counted once in callcenter.calls over all series of all runs, and the restarts continue
// one series per attribute set (one start time); a push logged twice (the crash came after its
// export, before its reply) carries the same log.record.uid both times.
func TestCallDayThroughSIGKILLs(t *testing.T) {
	// The kills, at these numbers of acknowledged pushes (of 723): the 3 and 10.
	for _, killAt := range [][]int64{{150, 350, 550}, {60, 120, 180, 240, 300, 360, 420, 480, 540, 600}} {
		t.Run(fmt.Sprintf("%d SIGKILLs", len(killAt)), func(t *testing.T) { callDayThroughSIGKILLs(t, killAt) })
	}
}

func callDayThroughSIGKILLs(t *testing.T, killAt []int64) {
	s := startSink(t)
	params := configParams{SinkEndpoint: s.Endpoint, Endpoint: freePort(t), StorageDir: t.TempDir()}
	c := startCollector(t, "durable.yaml", params)

	pushes, calls := traffic.Generate(traffic.Options{
		Seed: 13, Start: time.Now().Add(-2 * time.Hour).Truncate(time.Second), Duration: 20 * time.Minute,
		Rate: 10, Location: shanghai, Vendors: []string{"tccc", "dezhu"},
	})
	require.Len(t, calls, 400)
	require.Greater(t, int64(len(pushes)), killAt[len(killAt)-1]+50, "the last kill is in the middle of the traffic")

	// 8 connections; each paces its pushes so that the traffic spans several flushes.
	queue := make(chan traffic.Push)
	var acked, tries atomic.Int64
	var failures sync.Map
	var wg sync.WaitGroup
	for range 8 {
		client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
		wg.Go(func() {
			for p := range queue {
				n, err := acknowledge(client, c.URL, p)
				tries.Add(int64(n))
				if err != nil {
					failures.Store(p.Vendor+p.Path+string(p.Body), err)
					continue
				}
				acked.Add(1)
				time.Sleep(30 * time.Millisecond)
			}
		})
	}
	go func() {
		defer close(queue)
		for _, p := range pushes {
			queue <- p
		}
	}()

	kills, recounted := 0, 0
	for i, at := range killAt {
		for acked.Load() < at {
			time.Sleep(2 * time.Millisecond)
		}
		if i%2 == 1 {
			killRightAfterAnExport(t, s, c)
		} else {
			c.Kill(t)
		}
		kills++
		c = startCollector(t, "durable.yaml", params) // same endpoint, same storage
		recounted += recountedObservations(t, c)
	}
	wg.Wait()
	failures.Range(func(_, err any) bool { t.Error(err); return true })
	require.Equal(t, int64(len(pushes)), acked.Load(), "every push acknowledged")
	time.Sleep(2500 * time.Millisecond) // flushes after the last push
	c.Stop(t)

	// Logs: every push once, or more than once with one UID.
	want := map[string]bool{}
	for _, p := range pushes {
		if !p.Repeat {
			want[p.Vendor+"|"+pushIDOf(t, p)] = true
		}
	}
	records := loggedRecords(s)
	uidOf := map[string]string{}
	owner := map[string]string{}
	copies := 0
	for _, r := range records {
		push := r.vendor + "|" + r.pushID
		require.NotEmpty(t, r.uid, "every record has a log.record.uid")
		if uid, seen := uidOf[push]; seen {
			copies++
			assert.Equal(t, uid, r.uid, "a copy of push %s shares its original's log.record.uid", push)
			continue
		}
		uidOf[push] = r.uid
		other, taken := owner[r.uid]
		assert.False(t, taken, "pushes %s and %s share a log.record.uid", push, other)
		owner[r.uid] = push
	}
	lost := 0
	for push := range want {
		if _, ok := uidOf[push]; !ok {
			lost++
			t.Errorf("push %s missing from the logs", push)
		}
	}
	assert.Len(t, uidOf, len(want), "no push logged that the traffic does not have")
	sessions := map[string]bool{}
	for _, r := range records {
		sessions[r.vendor+"|"+r.session] = true
	}
	for _, call := range calls {
		assert.True(t, sessions[call.Vendor+"|"+call.Session], "call %s/%s missing from the logs", call.Vendor, call.Session)
	}

	// Metrics: every call once, over all series of all runs, in series the restarts continued.
	counted, starts := callsCounted(s)
	assert.Equal(t, int64(len(calls)), counted, "callcenter.calls over all runs")
	assert.Len(t, starts, 1, "one start time: every restart continued the first run's series")
	assert.Positive(t, recounted, "the restarts counted again what was journaled after the saved totals")

	t.Logf("%d pushes (%d of them vendor retries or duplicates), %d tries; %d journaled observations counted again by the restarts",
		len(pushes), len(pushes)-len(want), tries.Load(), recounted)
	t.Logf("\n| SIGKILLs | pushes acknowledged | log records lost | log records doubled | calls in `callcenter.calls` (all restarts' series summed) |\n"+
		"|---|---|---|---|---|\n| %d | %d of %d | %d | %d | %d of %d |",
		kills, acked.Load(), len(pushes), lost, copies, counted, len(calls))
}

var journaledObservations = regexp.MustCompile(`"journaled_observations": (\d+)`)

// recountedObservations reads from the collector's log how many journaled metric observations
// it counted again onto the saved totals at its start.
func recountedObservations(t *testing.T, c *collector) int {
	m := journaledObservations.FindStringSubmatch(c.Output())
	require.NotNil(t, m, "the collector logs what it restored:\n%s", c.Output())
	n, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	return n
}

// pushIDOf is the push's callcenter.push.id: TCCC's X-TCCC-PUSH-UUID header, 得助's record id.
func pushIDOf(t *testing.T, p traffic.Push) string {
	if id := p.Header["X-TCCC-PUSH-UUID"]; id != "" {
		return id
	}
	var body struct {
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(p.Body, &body))
	require.NotEmpty(t, body.Data.ID, "a 得助 record without id: %s", p.Body)
	return body.Data.ID
}
