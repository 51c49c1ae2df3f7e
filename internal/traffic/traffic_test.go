package traffic

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGenerateIsDeterministic(t *testing.T) {
	o := Options{Seed: 7, Start: time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC), Duration: 10 * time.Minute, Rate: 3}
	p1, c1 := Generate(o)
	p2, c2 := Generate(o)
	assert.Equal(t, p1, p2)
	assert.Equal(t, c1, c2)
	o.Seed = 8
	p3, _ := Generate(o)
	assert.NotEqual(t, p1, p3)
}

func TestGeneratedTraffic(t *testing.T) {
	o := Options{Seed: 1, Start: time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC), Duration: 20 * time.Minute, Rate: 5}
	pushes, calls := Generate(o)
	require.Len(t, calls, 4*100)
	for i := 1; i < len(pushes); i++ {
		require.False(t, pushes[i].At.Before(pushes[i-1].At), "pushes are in sending order")
	}
	perVendor := map[string]int{}
	repeats := map[string]int{}
	for _, p := range pushes {
		perVendor[p.Vendor]++
		if p.Repeat {
			repeats[p.Vendor]++
		}
		var body map[string]any
		require.NoError(t, json.Unmarshal(p.Body, &body), "every body is a JSON object")
	}
	for _, v := range Vendors {
		assert.Positive(t, perVendor[v], v)
		assert.Positive(t, repeats[v], "%s: retries and duplicates are part of the traffic", v)
	}
	statuses := map[string]bool{}
	directions := map[string]bool{}
	for _, c := range calls {
		statuses[c.EndStatus] = true
		directions[c.Direction] = true
		if c.Timed {
			assert.InDelta(t, c.End.Sub(c.Start).Seconds(), c.Phases["total"], 0, "%s %s", c.Vendor, c.Session)
		}
	}
	assert.True(t, directions["inbound"] && directions["outbound"])
	for _, s := range []string{"answered", "abandoned_in_ivr", "abandoned_in_queue", "abandoned_ringing", "no_answer"} {
		assert.True(t, statuses[s], s)
	}

	sum := Summarize(calls, pushes)
	total := 0
	for _, n := range sum.Calls {
		total += n
	}
	assert.Equal(t, len(calls), total)
	for _, v := range []string{"tccc", "udesk", "dezhu"} {
		k := sum.KPIs[v]
		assert.Positive(t, k.Offered, v)
		assert.Greater(t, k.ServiceLevel, 0.0, v)
		assert.LessOrEqual(t, k.ServiceLevel, 1.0, v)
		assert.Positive(t, k.ASA, v)
		assert.Positive(t, k.AHT, v)
	}
	assert.Positive(t, sum.Events["uincall|agent_event|agent_status"])
	assert.Positive(t, sum.Recordings["tccc|recording"])
}

// TestSomeCallsCarryFieldsOfAnotherType: issue 8, item 11 is part of every vendor's traffic, at a
// modest rate. The bodies are checked against the documents' types, not against a decoder.
func TestSomeCallsCarryFieldsOfAnotherType(t *testing.T) {
	o := Options{Seed: 1, Start: time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC), Duration: 60 * time.Minute, Rate: 5}
	pushes, calls := Generate(o)
	// Each predicate spots a field in a type its document does not give it.
	mistyped := map[string]func(body map[string]any) bool{
		// Direction 数值 (TCCC): sent as a string.
		"tccc": func(b map[string]any) bool { _, ok := b["Direction"].(string); return ok },
		// conversation_id ... Int (Udesk): sent as a string.
		"udesk": func(b map[string]any) bool { _, ok := b["conversation_id"].(string); return ok },
		// agent_num String (UinCall): sent as a number.
		"uincall": func(b map[string]any) bool { _, ok := b["agent_num"].(float64); return ok },
		// callType Integer (得助): sent as a string; transferId String: sent as the number 0.
		"dezhu": func(b map[string]any) bool {
			data, _ := b["data"].(map[string]any)
			_, text := data["callType"].(string)
			return text
		},
	}
	sessions := map[string]map[string]bool{}
	var transferZero bool
	for _, p := range pushes {
		var body map[string]any
		require.NoError(t, json.Unmarshal(p.Body, &body))
		if p.Event == "agent_status" || !mistyped[p.Vendor](body) {
			continue
		}
		if sessions[p.Vendor] == nil {
			sessions[p.Vendor] = map[string]bool{}
		}
		sessions[p.Vendor][sessionOf(p.Vendor, body)] = true
		if data, ok := body["data"].(map[string]any); ok && data["transferId"] == 0.0 {
			transferZero = true
		}
	}
	perVendor := map[string]int{}
	for _, c := range calls {
		perVendor[c.Vendor]++
	}
	for _, v := range Vendors {
		share := float64(len(sessions[v])) / float64(perVendor[v])
		assert.Greater(t, share, 0.02, "%s: %d of %d calls", v, len(sessions[v]), perVendor[v])
		assert.Less(t, share, 0.10, "%s: %d of %d calls", v, len(sessions[v]), perVendor[v])
	}
	assert.True(t, transferZero, "得助's transferId as the number 0 is among them")
}

// sessionOf is the call a body belongs to, by the vendor's own field.
func sessionOf(vendor string, b map[string]any) string {
	var v any
	switch vendor {
	case "tccc":
		v = b["SessionId"]
	case "udesk":
		v = b["conversation_id"]
	case "uincall":
		v = b["session_id"]
	case "dezhu":
		v = b["data"].(map[string]any)["iccCallId"]
	}
	s, _ := v.(string)
	return s
}
