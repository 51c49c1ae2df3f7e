//go:build backends

package backends

import (
	"math"
	"strconv"
	"strings"

	"github.com/otelcallcenter/callcenterreceiver/internal/traffic"
)

// subset is the truth of the calls one result row is about: one vendor's calls, of one queue
// when the row has a queue.
type subset struct {
	vendor string
	calls  []traffic.Call
	sum    traffic.Summary
}

func subsetOf(calls []traffic.Call, vendor string, labels map[string]string) subset {
	queue, byQueue := labels["callcenter_queue"]
	var kept []traffic.Call
	for _, c := range calls {
		if c.Vendor == vendor && (!byQueue || c.Queue == queue) {
			kept = append(kept, c)
		}
	}
	return subset{vendor: vendor, calls: kept, sum: traffic.Summarize(kept, nil)}
}

// timed says whether the vendor sends its own times: UinCall does not, and its durations are
// the receiver's measurement of arrival times, which have no truth.
func (s subset) timed() bool {
	for _, c := range s.calls {
		return c.Timed
	}
	return true
}

// count sums the counts of m whose key starts with prefix.
func count(m map[string]int, prefix string) int {
	n := 0
	for k, v := range m {
		if strings.HasPrefix(k, prefix) {
			n += v
		}
	}
	return n
}

func ratio(a, b int) float64 { return float64(a) / float64(b) }

// measure is what a query computes, named by its panel target's refId or its README title, and
// how precise the answer must be.
type measure struct {
	// timed measures need the vendor's own times; they are not compared for UinCall.
	timed bool
	// tolerance is the largest difference allowed. Counts are whole and must be exact; means and
	// ratios are sums of whole seconds and whole counts divided, exact up to float rounding:
	// every threshold (20 s, 5 s) is a bucket boundary of the receiver's default buckets.
	tolerance float64
	// truth is the expected value of one row; false when the row has none (a bucket the truth
	// does not know).
	truth func(s subset, labels map[string]string) (float64, bool)
}

const (
	exactCount = 1e-6
	exactRatio = 1e-9
	exactMean  = 1e-6
)

func kpi(f func(traffic.KPIset) float64) func(subset, map[string]string) (float64, bool) {
	return func(s subset, _ map[string]string) (float64, bool) {
		k, ok := s.sum.KPIs[s.vendor]
		return f(k), ok
	}
}

// shareOfInbound is a share of inbound calls by end status: from the KPIs for vendors with times,
// from the counts for UinCall, whose KPIs the truth leaves out (they need times).
func shareOfInbound(status string, f func(traffic.KPIset) float64) func(subset, map[string]string) (float64, bool) {
	return func(s subset, _ map[string]string) (float64, bool) {
		if k, ok := s.sum.KPIs[s.vendor]; ok {
			return f(k), true
		}
		in := s.vendor + "|inbound|"
		return ratio(s.sum.Calls[in+status], count(s.sum.Calls, in)), count(s.sum.Calls, in) > 0
	}
}

// atMost counts the subset's calls whose phase is at most the row's le: a cumulative bucket.
func atMost(phase string) func(subset, map[string]string) (float64, bool) {
	return func(s subset, labels map[string]string) (float64, bool) {
		le, err := strconv.ParseFloat(labels["le"], 64)
		if err != nil {
			return 0, false
		}
		n := 0
		for _, c := range s.calls {
			if secs, ok := c.Phases[phase]; ok && secs <= le {
				n++
			}
		}
		return float64(n), true
	}
}

var measures = map[string]measure{
	"offered": {tolerance: exactCount, truth: func(s subset, _ map[string]string) (float64, bool) {
		return float64(count(s.sum.Offered, s.vendor+"|inbound|")), true
	}},
	"answered": {tolerance: exactCount, truth: func(s subset, _ map[string]string) (float64, bool) {
		return float64(s.sum.Calls[s.vendor+"|inbound|answered"]), true
	}},
	"service_level": {timed: true, tolerance: exactRatio, truth: kpi(func(k traffic.KPIset) float64 { return k.ServiceLevel })},
	"asa":           {timed: true, tolerance: exactMean, truth: kpi(func(k traffic.KPIset) float64 { return k.ASA })},
	"aht":           {timed: true, tolerance: exactMean, truth: kpi(func(k traffic.KPIset) float64 { return k.AHT })},
	"abandon_rate":  {timed: true, tolerance: exactRatio, truth: kpi(func(k traffic.KPIset) float64 { return k.AbandonRate })},
	"transfer_rate": {tolerance: exactRatio, truth: func(s subset, _ map[string]string) (float64, bool) {
		if k, ok := s.sum.KPIs[s.vendor]; ok {
			return k.TransferRate, true
		}
		answered := s.sum.Calls[s.vendor+"|inbound|answered"]
		return ratio(s.sum.Transferred[s.vendor], answered), answered > 0
	}},
	"ivr_containment": {tolerance: exactRatio, truth: shareOfInbound("ivr_completed", func(k traffic.KPIset) float64 { return k.IVRContainment })},
	"bot_handled":     {tolerance: exactRatio, truth: shareOfInbound("bot_handled", func(k traffic.KPIset) float64 { return k.BotHandled })},
	"abandoned": {tolerance: exactCount, truth: func(s subset, _ map[string]string) (float64, bool) {
		return float64(s.sum.Abandoned[s.vendor+"|queue"] + s.sum.Abandoned[s.vendor+"|ringing"]), true
	}},
	"transferred": {tolerance: exactCount, truth: func(s subset, _ map[string]string) (float64, bool) {
		return float64(s.sum.Transferred[s.vendor]), true
	}},
	"mean_queue_wait":          {timed: true, tolerance: exactMean, truth: meanPhase("queue")},
	"mean_queue_wait_by_queue": {timed: true, tolerance: exactMean, truth: meanPhase("queue")},
	"calls_by_end_status": {tolerance: exactCount, truth: func(s subset, l map[string]string) (float64, bool) {
		return float64(s.sum.Calls[s.vendor+"|inbound|"+l["callcenter_end_status"]] + s.sum.Calls[s.vendor+"|outbound|"+l["callcenter_end_status"]]), true
	}},
	"offered_by_end_status": {tolerance: exactCount, truth: func(s subset, l map[string]string) (float64, bool) {
		return float64(s.sum.Offered[s.vendor+"|inbound|"+l["callcenter_end_status"]]), true
	}},
	"abandoned_by_queue_and_stage": {tolerance: exactCount, truth: func(s subset, l map[string]string) (float64, bool) {
		return float64(s.sum.Abandoned[s.vendor+"|"+l["callcenter_abandon_stage"]]), true
	}},
	"queue_wait_buckets":      {timed: true, tolerance: exactCount, truth: atMost("queue")},
	"speed_of_answer_buckets": {timed: true, tolerance: exactCount, truth: atMost("speed_of_answer")},
}

func meanPhase(phase string) func(subset, map[string]string) (float64, bool) {
	return func(s subset, _ map[string]string) (float64, bool) {
		st, ok := s.sum.Phases[s.vendor+"|inbound|"+phase]
		return st.Mean(), ok && st.Count > 0
	}
}

// equal compares within the tolerance; NaN and infinities only equal themselves.
func equal(want, got, tolerance float64) bool {
	if math.IsNaN(want) || math.IsInf(want, 0) {
		return math.IsNaN(want) && math.IsNaN(got) || want == got
	}
	return math.Abs(want-got) <= tolerance
}
