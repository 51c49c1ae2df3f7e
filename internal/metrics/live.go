package metrics

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcallcenter/callcenterreceiver/internal/attrs"
	"github.com/otelcallcenter/callcenterreceiver/internal/metadata"
	"github.com/otelcallcenter/callcenterreceiver/internal/session"
)

// liveMetric names the live gauges, for the series they emitted.
type liveMetric int

const (
	inProgress liveMetric = iota
	queuedOldest
	ringingOldest
	agentsOnCall
	answerModes
)

// liveSeries is one series of a live gauge: its metric and attribute values.
type liveSeries struct {
	metric                  liveMetric
	phase, direction, queue string
	answerMode              string
}

// liveValue is a live series' value now: a count, or an age in seconds.
type liveValue struct {
	count int64
	age   float64
}

// liveSeriesOf turns the live state into series: counts, and ages against now, which a call whose
// vendor's clock runs ahead of the receiver's cannot make negative.
func liveSeriesOf(l *session.Live, now time.Time) map[liveSeries]liveValue {
	out := map[liveSeries]liveValue{}
	for g, n := range l.Calls {
		out[liveSeries{metric: inProgress, phase: string(g.Phase), direction: string(g.Direction), queue: g.Queue}] = liveValue{count: int64(n)}
	}
	for g, since := range l.Oldest {
		m := queuedOldest
		if g.Phase == session.PhaseRinging {
			m = ringingOldest
		}
		k := liveSeries{metric: m, direction: string(g.Direction), queue: g.Queue}
		age := max(now.Sub(since).Seconds(), 0)
		// Calls of one queue and direction in two phases never share a series, but keep the oldest.
		if cur, ok := out[k]; !ok || age > cur.age {
			out[k] = liveValue{age: age}
		}
	}
	for queue, n := range l.AgentsOnCall {
		out[liveSeries{metric: agentsOnCall, queue: queue}] = liveValue{count: int64(n)}
	}
	for mode, n := range l.AnswerModes {
		out[liveSeries{metric: answerModes, answerMode: mode}] = liveValue{count: int64(n)}
	}
	return out
}

// recordLive records a resource's live gauges. A series emitted once is emitted at every flush
// after, 0 when nothing is in it any more, so that a wallboard shows the queue empty rather than
// the last value it had.
func (a *Aggregator) recordLive(ts pcommon.Timestamp, r attrs.Resource, now map[liveSeries]liveValue) {
	seen := a.liveSeen[r]
	if seen == nil {
		seen = map[liveSeries]bool{}
		a.liveSeen[r] = seen
	}
	for k := range now {
		seen[k] = true
	}
	for k := range seen {
		v := now[k]
		switch k.metric {
		case inProgress:
			a.mb.RecordCallcenterCallsInProgressDataPoint(ts, v.count, metadata.MapAttributeCallPhase[k.phase],
				metadata.MapAttributeDirection[k.direction], k.queue)
		case queuedOldest:
			a.mb.RecordCallcenterCallsQueuedOldestAgeDataPoint(ts, v.age, metadata.MapAttributeDirection[k.direction], k.queue)
		case ringingOldest:
			a.mb.RecordCallcenterCallsRingingOldestAgeDataPoint(ts, v.age, metadata.MapAttributeDirection[k.direction], k.queue)
		case agentsOnCall:
			a.mb.RecordCallcenterAgentsOnCallDataPoint(ts, v.count, k.queue)
		case answerModes:
			a.mb.RecordCallcenterAgentsAnswerModeDataPoint(ts, v.count, k.answerMode)
		}
	}
}
