package traffic

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcallcenter/callcenterreceiver/internal/platforms"
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
		if v == "uincall" {
			assert.Zero(t, repeats[v], "UinCall documents no retries: every push is an event")
			continue
		}
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

// The cases of issue 8 are in the traffic, at a modest rate, with their truth.
func TestGeneratedEdgeCases(t *testing.T) {
	o := Options{Seed: 1, Start: time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC), Duration: 60 * time.Minute, Rate: 5,
		Vendors: []string{"udesk", "uincall"}}
	pushes, calls := Generate(o)
	truth := map[string]Call{}
	for _, c := range calls {
		truth[c.Session] = c
	}
	bodies := func(vendor string) []map[string]any {
		var out []map[string]any
		for _, p := range pushes {
			if p.Vendor != vendor || p.Repeat {
				continue
			}
			var b map[string]any
			require.NoError(t, json.Unmarshal(p.Body, &b))
			b["__at"] = p.At
			b["__event"] = p.Event
			out = append(out, b)
		}
		return out
	}

	// Udesk transfers as a conversation of their own: category transfer, from_agent_id the first
	// conversation's agent, the same call_id; the truth is the first conversation's call.
	firstOf := map[string]map[string]any{} // call_id → a push of the call's first conversation
	for _, b := range bodies("udesk") {
		if b["category"] == "normal" {
			firstOf[b["call_id"].(string)] = b
		}
	}
	split := 0
	for _, b := range bodies("udesk") {
		if b["category"] != "transfer" || b["occasion"] != "end" {
			continue
		}
		first, ok := firstOf[b["call_id"].(string)]
		if !ok {
			continue // a transfer within one conversation
		}
		split++
		assert.Equal(t, first["agent_id"], b["from_agent_id"], "transferred from the first conversation's agent")
		c, ok := truth[fmt.Sprint(first["conversation_id"])]
		require.True(t, ok, "the call is the first conversation's")
		assert.Equal(t, 1, c.Transfers)
		assert.Equal(t, "answered", c.EndStatus)
	}
	assert.Positive(t, split, "two-conversation transfers")
	assert.Less(t, split, len(calls)/20, "at a modest rate")

	// UinCall: the same agentstatus body twice, each an event; a call_talking after its hangup; a
	// hangup whose call_result 0 (成功) ends a call nobody answered.
	statuses := map[string][]time.Time{}
	hangupAt := map[string]time.Time{}
	lateTalks, lineUpUnanswered := 0, 0
	for _, b := range bodies("uincall") {
		session, _ := b["session_id"].(string)
		switch b["command"] {
		case "agentstatus":
			require.Equal(t, "agent_status", b["__event"], "an event, not a repeat")
			at := b["__at"].(time.Time)
			delete(b, "__at")
			statuses[string(mustJSON(b))] = append(statuses[string(mustJSON(b))], at)
		case "call_hangup":
			hangupAt[session] = b["__at"].(time.Time)
			if b["call_result"] == float64(0) && truth[session].EndStatus != "answered" {
				lineUpUnanswered++
			}
		}
	}
	for _, b := range bodies("uincall") {
		if at, ok := hangupAt[fmt.Sprint(b["session_id"])]; ok && b["command"] == "call_talking" && b["__at"].(time.Time).After(at) {
			lateTalks++
			assert.Equal(t, "answered", truth[b["session_id"].(string)].EndStatus, "the late talk is the call's answer")
		}
	}
	twice := 0 // the same body two seconds apart
	for _, times := range statuses {
		for i := range times {
			for j := range times {
				if times[j].Sub(times[i]) == 2*time.Second {
					twice++
				}
			}
		}
	}
	assert.Positive(t, twice, "identical agentstatus pushes two seconds apart")
	assert.Positive(t, lateTalks, "call_talking after call_hangup")
	assert.Positive(t, lineUpUnanswered, "call_result 0 on a call nobody answered")
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

// The generator follows the registry: every platform it renders is registered, in its order;
// today it renders all four.
func TestVendorsFollowTheRegistry(t *testing.T) {
	assert.Equal(t, platforms.Names(), Vendors)
	for name := range renderers {
		_, ok := platforms.Lookup(name)
		assert.True(t, ok, "%s renders traffic for a platform not registered", name)
	}
}
