package metrics

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcallcenter/callcenterreceiver/internal/attrs"
	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/session"
)

// gaugePoints maps a gauge's data points by their attributes to their values.
func gaugePoints(t *testing.T, md pmetric.Metrics, name string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for _, dp := range find(t, md, name).Gauge().DataPoints().All() {
		v := float64(dp.IntValue())
		if dp.ValueType() == pmetric.NumberDataPointValueTypeDouble {
			v = dp.DoubleValue()
		}
		out[fmt.Sprint(rawAttrs(dp.Attributes()))] = v
	}
	return out
}

func TestLiveGaugesAtEachFlush(t *testing.T) {
	udesk := attrs.Resource{ServiceName: "callcenter-udesk", Vendor: "udesk"}
	queue := session.LiveGroup{Phase: session.PhaseQueue, Direction: call.DirectionInbound, Queue: "售前"}
	ringing := session.LiveGroup{Phase: session.PhaseRinging, Direction: call.DirectionInbound, Queue: "售前"}
	talking := session.LiveGroup{Phase: session.PhaseTalking, Direction: call.DirectionInbound, Queue: "售前"}
	now := &session.Live{
		Calls:        map[session.LiveGroup]int{queue: 3, ringing: 1, talking: 2},
		Oldest:       map[session.LiveGroup]time.Time{queue: t0.Add(-95 * time.Second), ringing: t0.Add(-7 * time.Second)},
		AgentsOnCall: map[string]int{"售前": 3},
		AnswerModes:  map[string]int{"0": 4, "6": 1},
	}
	var asked []time.Time
	a := newAggregator(t, func(s *Settings) {
		s.Live = func(at time.Time) map[attrs.Resource]*session.Live {
			asked = append(asked, at)
			return map[attrs.Resource]*session.Live{udesk: now}
		}
	})
	md, _ := a.Flush(t0)
	assert.Equal(t, []time.Time{t0}, asked, "the state at the flush's time")
	assert.Equal(t, map[string]float64{
		"map[callcenter.call.phase:queue callcenter.direction:inbound callcenter.queue:售前]":   3,
		"map[callcenter.call.phase:ringing callcenter.direction:inbound callcenter.queue:售前]": 1,
		"map[callcenter.call.phase:talking callcenter.direction:inbound callcenter.queue:售前]": 2,
	}, gaugePoints(t, md, "callcenter.calls.in_progress"))
	assert.Equal(t, map[string]float64{"map[callcenter.direction:inbound callcenter.queue:售前]": 95},
		gaugePoints(t, md, "callcenter.calls.queued.oldest_age"), "seconds since the oldest call entered the queue")
	assert.Equal(t, map[string]float64{"map[callcenter.direction:inbound callcenter.queue:售前]": 7},
		gaugePoints(t, md, "callcenter.calls.ringing.oldest_age"))
	assert.Equal(t, map[string]float64{"map[callcenter.queue:售前]": 3}, gaugePoints(t, md, "callcenter.agents.on_call"))
	assert.Equal(t, map[string]float64{"map[callcenter.agent.answer_mode:0]": 4, "map[callcenter.agent.answer_mode:6]": 1},
		gaugePoints(t, md, "callcenter.agents.answer_mode"))
	assert.Equal(t, "s", find(t, md, "callcenter.calls.queued.oldest_age").Unit())

	// Everyone answered and hung up: the series say 0 rather than vanish with their last value.
	now = &session.Live{Calls: map[session.LiveGroup]int{}, Oldest: map[session.LiveGroup]time.Time{},
		AgentsOnCall: map[string]int{}, AnswerModes: map[string]int{"0": 5}}
	md, _ = a.Flush(t0.Add(15 * time.Second))
	for _, p := range []string{"queue", "ringing", "talking"} {
		assert.Zero(t, gaugePoints(t, md, "callcenter.calls.in_progress")["map[callcenter.call.phase:"+p+" callcenter.direction:inbound callcenter.queue:售前]"], p)
	}
	assert.Len(t, gaugePoints(t, md, "callcenter.calls.in_progress"), 3)
	assert.Equal(t, map[string]float64{"map[callcenter.direction:inbound callcenter.queue:售前]": 0}, gaugePoints(t, md, "callcenter.calls.queued.oldest_age"))
	assert.Equal(t, map[string]float64{"map[callcenter.queue:售前]": 0}, gaugePoints(t, md, "callcenter.agents.on_call"))
	assert.Equal(t, map[string]float64{"map[callcenter.agent.answer_mode:0]": 5, "map[callcenter.agent.answer_mode:6]": 0},
		gaugePoints(t, md, "callcenter.agents.answer_mode"))
}

// A vendor's clock running ahead of the receiver's cannot make an age negative.
func TestLiveAgesAreNeverNegative(t *testing.T) {
	udesk := attrs.Resource{ServiceName: "callcenter-udesk", Vendor: "udesk"}
	g := session.LiveGroup{Phase: session.PhaseQueue, Direction: call.DirectionInbound}
	a := newAggregator(t, func(s *Settings) {
		s.Live = func(time.Time) map[attrs.Resource]*session.Live {
			return map[attrs.Resource]*session.Live{udesk: {Calls: map[session.LiveGroup]int{g: 1},
				Oldest: map[session.LiveGroup]time.Time{g: t0.Add(3 * time.Second)}}}
		}
	})
	md, _ := a.Flush(t0)
	require.Equal(t, map[string]float64{"map[callcenter.direction:inbound callcenter.queue:]": 0}, gaugePoints(t, md, "callcenter.calls.queued.oldest_age"))
}
