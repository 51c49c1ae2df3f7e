//go:build backends

package backends

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcallcenter/callcenterreceiver/internal/traffic"
)

// The live gauges (README, "Live") in the backends: Udesk and UinCall traffic held at a known
// state (internal/traffic's held traffic, as e2e/live_test.go uses it) goes through the
// distribution into the same Prometheus servers, and every Live query of the README and of the
// dashboards, evaluated at a flush, must give the state the traffic declares, at two moments.
//
// It runs once the finished-call checks are done, on a second run of the distribution with
// testdata/live.yaml laid over the same configuration: the KPIs were evaluated at the first run's
// last flush and stay exact, and the live stage can use a short idle_timeout, which the
// finished traffic (fed over several flushes) must not see.

// The receiver's settings of the live stage: testdata/collector.yaml and testdata/live.yaml.
const (
	liveIdleTimeout = 6 * time.Second
	flushInterval   = time.Second
)

// liveMeasure is what a Live query computes, named by its README title or its panel's refId:
// the labels its rows are grouped by besides the vendor, and each group's value at a moment,
// from the held state.
type liveMeasure struct {
	by    []string
	age   bool // seconds since the oldest call of the group entered its phase
	truth func(st traffic.LiveTruth, at time.Time) map[string]float64
}

var liveTitles = []struct{ prefix, measure string }{
	{"Calls waiting now", "calls_waiting"},
	{"Longest wait now", "longest_wait"},
	{"Calls ringing now", "calls_ringing"},
	{"Longest ringing now", "longest_ringing"},
	{"Calls talking now", "calls_talking"},
	{"Calls in progress now", "calls_in_progress"},
	{"Agents on a call now", "agents_on_call"},
	{"UinCall agents by answer mode", "answer_modes"},
}

const (
	queueLabel      = "callcenter_queue"
	phaseLabel      = "callcenter_call_phase"
	directionLabel  = "callcenter_direction"
	answerModeLabel = "callcenter_agent_answer_mode"
)

var liveMeasures = map[string]liveMeasure{
	"calls_waiting":     {by: []string{queueLabel}, truth: callsIn("queue", func(_, _, queue string) string { return queue })},
	"longest_wait":      {by: []string{queueLabel}, age: true, truth: oldest(func(st traffic.LiveTruth) map[string]time.Time { return st.OldestQueued }, true)},
	"calls_ringing":     {truth: callsIn("ringing", func(_, _, _ string) string { return "" })},
	"longest_ringing":   {age: true, truth: oldest(func(st traffic.LiveTruth) map[string]time.Time { return st.OldestRinging }, false)},
	"calls_talking":     {by: []string{queueLabel}, truth: callsIn("talking", func(_, _, queue string) string { return queue })},
	"calls_in_progress": {by: []string{phaseLabel, directionLabel}, truth: callsIn("", func(phase, direction, _ string) string { return phase + "|" + direction })},
	"agents_on_call":    {by: []string{queueLabel}, truth: counts(func(st traffic.LiveTruth) map[string]int { return st.AgentsOnCall })},
	"answer_modes":      {by: []string{answerModeLabel}, truth: counts(func(st traffic.LiveTruth) map[string]int { return st.AnswerModes })},
}

// callsIn adds up the calls in progress in phase ("" for every phase) by the group key names.
func callsIn(phase string, key func(phase, direction, queue string) string) func(traffic.LiveTruth, time.Time) map[string]float64 {
	return func(st traffic.LiveTruth, _ time.Time) map[string]float64 {
		out := map[string]float64{}
		for k, n := range st.InProgress { // phase|direction|queue
			p := strings.SplitN(k, "|", 3)
			if phase == "" || p[0] == phase {
				out[key(p[0], p[1], p[2])] += float64(n)
			}
		}
		return out
	}
}

// oldest is the age at the moment of the oldest call of each queue (or of all), whatever its
// direction: the queries take the max over the groups they do not keep.
func oldest(since func(traffic.LiveTruth) map[string]time.Time, byQueue bool) func(traffic.LiveTruth, time.Time) map[string]float64 {
	return func(st traffic.LiveTruth, at time.Time) map[string]float64 {
		out := map[string]float64{}
		for k, s := range since(st) { // direction|queue
			_, queue, _ := strings.Cut(k, "|")
			if !byQueue {
				queue = ""
			}
			out[queue] = max(out[queue], at.Sub(s).Seconds())
		}
		return out
	}
}

func counts(of func(traffic.LiveTruth) map[string]int) func(traffic.LiveTruth, time.Time) map[string]float64 {
	return func(st traffic.LiveTruth, _ time.Time) map[string]float64 {
		out := map[string]float64{}
		for k, n := range of(st) {
			out[k] = float64(n)
		}
		return out
	}
}

// moment is a flush at which the gauges are read, and the state the held traffic declares then,
// by vendor; a vendor without held traffic (TCCC, 得助) must have no live series or 0.
type moment struct {
	name   string
	at     time.Time
	truths map[string]traffic.LiveTruth
}

// ageTolerance is how far an age may be from the truth. Udesk's ages count from its own
// timestamp, in whole seconds like the held traffic's times: they differ only by Prometheus
// keeping the flush's time to the millisecond. UinCall's count from the arrival of the push,
// which the test keeps within a flush interval of the stage's moment.
var ageTolerance = map[string]float64{"udesk": time.Millisecond.Seconds() + 1e-9, "uincall": flushInterval.Seconds()}

func checkLive(t *testing.T, s *stack, r run) {
	s.startCollector(t, "live.yaml")
	collectorStarted := time.Now()

	// TCCC and 得助 push finished records only: their calls are counted by this collector too, and
	// their live gauges must stay empty.
	finished, _ := traffic.Generate(traffic.Options{Seed: 11, Start: callDay.Add(2 * time.Hour), Duration: 10 * time.Minute,
		Rate: 1, Vendors: []string{"tccc", "dezhu"}, Location: shanghai})
	s.push(t, finished)

	// The held traffic's times are whole seconds (Udesk's timestamp has no fraction): the first
	// stage is sent at the next one.
	now := time.Now().Truncate(time.Second).Add(time.Second)
	opts := traffic.LiveOptions{Now: now, Gap: 3 * time.Second, Waiting: 3, Oldest: 90 * time.Second,
		Ringing: 2, Talking: 3, Location: shanghai}
	stages, err := traffic.GenerateLiveStages(opts, "udesk", "uincall")
	require.NoError(t, err)

	first, lastOfFirst, truths := s.sendStage(t, stages[0])
	one := moment{name: "moment 1", at: s.liveFlushAfter(t, lastOfFirst), truths: truths}
	require.Less(t, one.at.Sub(first), liveIdleTimeout, "the first moment is read before any call could time out")
	checkLiveMoment(t, s, r, one)
	checkFinishedVendorsCounted(t, s, one.at, collectorStarted)

	firstOfSecond, _, truths := s.sendStage(t, stages[1])
	// After idle_timeout since the first stage: its calls with no news since, the one whose end
	// never came among them, have left; the second stage's are still followed.
	two := moment{name: "moment 2", at: s.liveFlushAfter(t, lastOfFirst.Add(liveIdleTimeout+100*time.Millisecond)), truths: truths}
	require.Less(t, two.at, firstOfSecond.Add(liveIdleTimeout), "the second moment is read while the second stage's calls are followed")
	checkLiveMoment(t, s, r, two)

	// The live metrics exist now: their names and labels are the ones the queries use.
	checkNamesAndLabels(t, []evaluation{{p: s.prometheus, label: s.prometheus.name}, {p: s.prometheusRemoteWrite, label: s.prometheusRemoteWrite.name}}, queryExprs(t, true), r)
}

// sendStage sends a stage at its moment and returns when its first push left, when its last one
// was answered, and the state it declares. UinCall's phases begin when its pushes arrive: the
// whole stage must arrive within a flush interval of its moment (ageTolerance).
func (s *stack) sendStage(t *testing.T, stage map[string]traffic.LiveStage) (first, last time.Time, truths map[string]traffic.LiveTruth) {
	t.Helper()
	truths = map[string]traffic.LiveTruth{}
	var at time.Time
	for v, st := range stage {
		at = st.At
		truths[v] = st.Truth()
	}
	time.Sleep(time.Until(at))
	first = time.Now()
	for _, st := range stage {
		s.push(t, st.Pushes)
	}
	last = time.Now()
	require.Less(t, last.Sub(at), flushInterval, "the stage reached the collector within a flush interval of its moment")
	return first, last, truths
}

// liveFlushAfter waits for a flush of the live gauges made after t, in every Prometheus, and
// returns its time: the queries are evaluated there, where each gauge has that flush's value.
func (s *stack) liveFlushAfter(t *testing.T, after time.Time) time.Time {
	t.Helper()
	var at time.Time
	require.Eventually(t, func() bool {
		last, err := s.prometheus.latest(context.Background(), "callcenter_calls_in_progress")
		at = last
		return err == nil && last.After(after)
	}, 20*time.Second, 50*time.Millisecond, "no flush of the live gauges after %s", after)
	for _, p := range s.all()[1:] {
		require.Eventually(t, func() bool {
			last, err := p.latest(context.Background(), "callcenter_calls_in_progress")
			return err == nil && !last.Before(at)
		}, 20*time.Second, 50*time.Millisecond, "%s never received the flush of %s", p.name, at)
	}
	return at
}

// checkFinishedVendorsCounted shows that the zero of TCCC and 得助 is not an absence of traffic:
// the live run's collector flushed their call counts.
func checkFinishedVendorsCounted(t *testing.T, s *stack, at, collectorStarted time.Time) {
	t.Helper()
	rows, err := s.prometheus.query(context.Background(), `max by (job) (timestamp(callcenter_calls_total{job=~"callcenter-(tccc|dezhu)"}))`, at)
	require.NoError(t, err)
	flushed := map[string]bool{}
	for _, rw := range rows {
		flushed[vendorOfJob(rw.labels["job"])] = time.UnixMilli(int64(rw.value * 1000)).After(collectorStarted)
	}
	assert.Equal(t, map[string]bool{"tccc": true, "dezhu": true}, flushed, "the live run counted TCCC's and 得助's finished calls")
}

// checkLiveMoment evaluates every Live query of the README and every Live panel target of the
// dashboards in every Prometheus at the moment's flush.
func checkLiveMoment(t *testing.T, s *stack, r run, m moment) {
	t.Helper()
	queries, boards := readmeQueries(t), dashboards(t) // read and parsed once for every Prometheus
	for _, p := range s.all() {
		for _, q := range queries {
			lm, ok := liveMeasures[q.measure]
			if !ok {
				continue
			}
			rows, err := p.query(context.Background(), q.expr, m.at)
			require.NoError(t, err, q.title)
			checkLiveRows(t, fmt.Sprintf("%s, %s: README %q", m.name, p.name, q.title), lm, m, rows, traffic.Vendors, p == s.prometheus)
		}
		for _, d := range boards {
			for _, panel := range d.Panels {
				for _, target := range panel.Targets {
					lm, ok := liveMeasures[target.RefID]
					if !ok || target.Datasource.UID != prometheusUID {
						continue
					}
					where := fmt.Sprintf("%s, %s: %s / %s / %s", m.name, p.name, d.Title, panel.Title, target.RefID)
					ev := evaluation{p: p, at: m.at}
					// As a dashboard opens (every variable "All"), then one vendor at a time.
					vars := variablesFor(ev, r, ".*")
					vars["tenant"] = ".*"
					rows, err := p.query(context.Background(), substitute(t, target.Expr, vars), m.at)
					require.NoError(t, err, where)
					checkLiveRows(t, where+" / All", lm, m, rows, traffic.Vendors, false)
					for _, vendor := range traffic.Vendors {
						rows, err := p.query(context.Background(), substitute(t, target.Expr, variablesFor(ev, r, vendor)), m.at)
						require.NoError(t, err, where)
						checkLiveRows(t, where+" / "+vendor, lm, m, rows, []string{vendor}, false)
					}
				}
			}
		}
	}
}

// checkLiveRows compares a Live query's rows with the held state: each group the state has must
// have its row with its value, and any other row must say 0 (a series that emptied). Rows are the
// vendors' by callcenter_vendor (dashboards) or job (README); vendors are the ones the query may
// show.
func checkLiveRows(t *testing.T, where string, lm liveMeasure, m moment, rows []row, vendors []string, logIt bool) {
	t.Helper()
	got := map[string]map[string]float64{}
	for _, rw := range rows {
		vendor := rw.labels["callcenter_vendor"]
		if vendor == "" {
			vendor = vendorOfJob(rw.labels["job"])
		}
		if !assert.Contains(t, vendors, vendor, "%s: a row of another vendor: %v", where, rw.labels) {
			continue
		}
		var key []string
		for _, l := range lm.by {
			key = append(key, rw.labels[l])
		}
		if got[vendor] == nil {
			got[vendor] = map[string]float64{}
		}
		k := strings.Join(key, "|")
		_, twice := got[vendor][k]
		assert.False(t, twice, "%s: two rows for %s %q", where, vendor, k)
		got[vendor][k] = rw.value
	}
	for _, vendor := range vendors {
		want := liveMeasureTruth(lm, m, vendor)
		tolerance := exactCount
		if lm.age {
			tolerance = ageTolerance[vendor]
		}
		keys := slices.Sorted(maps.Keys(want))
		for k := range got[vendor] {
			if _, ok := want[k]; !ok {
				keys = append(keys, k)
			}
		}
		for _, k := range keys {
			g, ok := got[vendor][k]
			if !ok {
				assert.Zero(t, want[k], "%s: no row for %s %q, the held state has %v", where, vendor, k, want[k])
				continue
			}
			assert.InDelta(t, want[k], g, tolerance, "%s: %s %q", where, vendor, k)
		}
		if logIt && (len(want) > 0 || len(got[vendor]) > 0) {
			t.Logf("%s, %s: got %s, held state %s", where, vendor, format(got[vendor]), format(want))
		}
	}
}

// liveMeasureTruth is the value of each group of a vendor at the moment: none for a vendor whose
// traffic was not held.
func liveMeasureTruth(lm liveMeasure, m moment, vendor string) map[string]float64 {
	st, ok := m.truths[vendor]
	if !ok {
		return map[string]float64{}
	}
	return lm.truth(st, m.at)
}

func format(values map[string]float64) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(values)) {
		parts = append(parts, fmt.Sprintf("%q=%.4g", k, values[k]))
	}
	return "{" + strings.Join(parts, " ") + "}"
}
