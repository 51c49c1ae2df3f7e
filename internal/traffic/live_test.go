package traffic

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
	"github.com/otelcallcenter/callcenterreceiver/internal/session"
	"github.com/otelcallcenter/callcenterreceiver/internal/udesk"
	"github.com/otelcallcenter/callcenterreceiver/internal/uincall"
)

// liveOf replays the stages' pushes through the vendor's decoder into a session tracker, the
// second stage Gap after the first, and reads the live state at moment.
func liveOf(t *testing.T, v platform.Platform, stages []LiveStage, idle time.Duration, moment time.Time) LiveTruth {
	t.Helper()
	tr := session.NewTracker(session.Config{MaxSessions: 1000, IdleTimeout: idle})
	for _, s := range stages {
		for _, p := range s.Pushes {
			pushes, err := v.Decode(platform.Request{Body: p.Body, Arrival: p.At, Location: time.UTC})
			require.NoError(t, err)
			tr.Apply(&pushes[0])
		}
	}
	got := LiveTruth{InProgress: map[string]int{}, OldestQueued: map[string]time.Time{}, OldestRinging: map[string]time.Time{},
		AgentsOnCall: map[string]int{}, AnswerModes: map[string]int{}}
	for _, l := range tr.Live(moment) {
		for g, n := range l.Calls {
			got.InProgress[string(g.Phase)+"|"+string(g.Direction)+"|"+g.Queue] += n
		}
		for g, since := range l.Oldest {
			m := map[session.Phase]map[string]time.Time{session.PhaseQueue: got.OldestQueued, session.PhaseRinging: got.OldestRinging}[g.Phase]
			m[string(g.Direction)+"|"+g.Queue] = since
		}
		for q, n := range l.AgentsOnCall {
			got.AgentsOnCall[q] += n
		}
		for m, n := range l.AnswerModes {
			got.AnswerModes[m] += n
		}
	}
	return got
}

// The held traffic is the state its script declares at both moments, once the receiver's session
// tracker has read it: the first moment right after the first stage, the second after
// idle_timeout since the first stage, when the calls without news (the lost end among them) left.
func TestHeldTrafficIsTheStateItDeclares(t *testing.T) {
	now := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	idle := 6 * time.Second
	for _, v := range []platform.Platform{udesk.Platform{}, uincall.Platform{}} {
		stages, err := GenerateLive(LiveOptions{Vendor: v.Name(), Now: now, Gap: 3 * time.Second, Waiting: 3, Oldest: 90 * time.Second, Ringing: 2, Talking: 3})
		require.NoError(t, err)
		first, second := stages[0].Truth(), stages[1].Truth()
		if v.Name() == "udesk" {
			assert.Equal(t, 3, first.InProgress["queue|inbound|售前咨询"])
			assert.Equal(t, now.Add(-90*time.Second), first.OldestQueued["inbound|售前咨询"], "the oldest waits 90 s")
		}
		assert.Equal(t, 3, countPhase(first, "talking"), v.Name())
		assert.Equal(t, first, liveOf(t, v, stages[:1], idle, now.Add(time.Second)), "%s first moment", v.Name())
		assert.Equal(t, second, liveOf(t, v, stages[:], idle, now.Add(idle)), "%s second moment", v.Name())
		assert.NotEqual(t, first, second)
	}
	_, err := GenerateLive(LiveOptions{Vendor: "tccc"})
	assert.Error(t, err, "TCCC pushes finished records only")
}

func countPhase(t LiveTruth, phase string) int {
	n := 0
	for k, v := range t.InProgress {
		if len(k) > len(phase) && k[:len(phase)+1] == phase+"|" {
			n += v
		}
	}
	return n
}
