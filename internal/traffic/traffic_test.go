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
