package traffic

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/dezhu"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
	"github.com/otelcallcenter/callcenterreceiver/internal/tccc"
)

// TestGeneratedRecordsDecodeToTheirTruth decodes every TCCC and 得助 call record of a day of
// generated traffic and compares the call each decoder makes of it with the ground truth the
// generator planned: end status, transfers and the phases a record gives (the speed of answer
// and time to abandon are the metrics' to derive). It also checks that each edge case of issue 8
// is part of the traffic, at a modest rate.
func TestGeneratedRecordsDecodeToTheirTruth(t *testing.T) {
	start := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	pushes, calls := Generate(Options{Seed: 3, Start: start, Duration: 8 * time.Hour, Rate: 2, Vendors: []string{"tccc", "dezhu"}})
	truth := map[string]Call{}
	for _, c := range calls {
		truth[c.Session] = c
	}
	decoders := map[string]platform.Platform{"tccc": tccc.Platform{}, "dezhu": dezhu.Platform{}}
	seen := map[string]int{}
	for _, p := range pushes {
		if p.Repeat || p.Recording != "" {
			continue
		}
		u, err := url.Parse(p.Path)
		require.NoError(t, err)
		decoded, err := decoders[p.Vendor].Decode(platform.Request{Query: u.Query(), Body: p.Body, Arrival: p.At, Location: time.UTC})
		require.NoError(t, err)
		c := decoded[0].Call
		want, ok := truth[c.SessionID]
		require.True(t, ok, c.SessionID)
		assert.Equal(t, want.EndStatus, string(c.EndStatus), "%s end status (raw %s)", c.SessionID, c.RawEndStatus)
		assert.Equal(t, want.Transfers, c.Transfers, c.SessionID)
		got := map[string]float64{}
		for phase, d := range c.Durations {
			got[string(phase)] = d.Seconds()
		}
		if !c.EndStatus.Connected() {
			// After-call work reported on a call nobody handled stays in the record (its log
			// shows it); the metrics and spans leave it out, and the truth has none.
			delete(got, "acw")
		}
		wantPhases := map[string]float64{}
		for phase, secs := range want.Phases {
			if phase != "speed_of_answer" && phase != "time_to_abandon" {
				wantPhases[phase] = secs
			}
		}
		assert.Equal(t, wantPhases, got, "%s phases (%s %s)", c.SessionID, want.Direction, want.EndStatus)
		seen[p.Vendor+"/"+edgeCase(p, c)]++
	}
	t.Logf("cases: %v", seen)
	for _, k := range []string{"tccc/transfer", "tccc/bot_handled", "tccc/ai_handover", "tccc/no_end",
		"dezhu/result0", "dezhu/ring_moment", "dezhu/outbound_not_answered", "dezhu/acw0",
		"tccc/seat_give_up", "dezhu/offered_unanswered", "dezhu/acw_on_abandon", "dezhu/no_wait"} {
		assert.Positive(t, seen[k], k)
		assert.Less(t, float64(seen[k]), 0.15*float64(len(calls)/2), "%s is an edge case, at a modest rate", k)
	}
}

// edgeCase names the issue-8 case a record is, from its body.
func edgeCase(p Push, c call.Call) string {
	var body map[string]any
	if err := json.Unmarshal(p.Body, &body); err != nil {
		return "unreadable"
	}
	if data, ok := body["data"].(map[string]any); ok {
		switch {
		case data["speechCallResult"] == 0.0:
			return "result0"
		case data["callType"] == 1.0 && (data["speechCallResult"] == 6.0 || data["speechCallResult"] == 3.0):
			return "offered_unanswered"
		case c.EndStatus == call.StatusAbandonedQueue && data["acw"] == 5.0:
			return "acw_on_abandon"
		case data["callType"] == 1.0 && c.EndStatus == call.StatusAnswered && data["queueWaitDuration"] == 0.0 && data["parkingWaitDuration"] == 0.0:
			return "no_wait"
		case data["parkingWaitDuration"].(float64) > 1e9:
			return "ring_moment"
		case data["callType"] == 2.0 && data["agentAnswerTime"] != nil && data["communicateDuration"] == 0.0:
			return "outbound_not_answered"
		case c.EndStatus == call.StatusAnswered && data["acw"] == 0.0:
			return "acw0"
		}
		return "other"
	}
	switch {
	case body["EndedTimestamp"] == 0.0:
		return "no_end"
	case body["EndStatusString"] == "seatGiveUp":
		return "seat_give_up"
	case c.EndStatus == call.StatusBotHandled:
		return "bot_handled"
	case c.EndStatus == call.StatusAnswered && c.RawEndStatus != "ok":
		return "ai_handover"
	case c.Transfers > 0:
		return "transfer"
	}
	return "other"
}
