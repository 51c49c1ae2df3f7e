package main

import (
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
)

// The live gauges (README, "Live"): what is happening now, as a wallboard shows it. Each query is
// the README's Live PromQL, grouped by callcenter_vendor instead of job and filtered by the
// dashboard's variables; its refId names the measure the backend test checks it against.

// liveFilters filter the gauges that carry a direction: calls in progress and the oldest ages.
const liveFilters = queueFilters + `, callcenter_direction=~"$direction"`

func callsInPhase(by, phase string) string {
	return fmt.Sprintf(`sum by (%s) (callcenter_calls_in_progress{%s, callcenter_call_phase="%s"})`, by, liveFilters, phase)
}

func oldestAge(by, metric string) string {
	return fmt.Sprintf(`max by (%s) (%s{%s})`, by, metric, liveFilters)
}

const liveNote = " Udesk and UinCall only: TCCC and 得助 push finished calls only (README, Live)."

// live is the wallboard: calls waiting, ringing and talking now, the longest wait and ring, agents
// on a call, UinCall agents' answer modes.
func live() *dashboard.DashboardBuilder {
	byQueue := "callcenter_vendor, callcenter_queue"
	return newDashboard("Call center: live", "What is happening now: calls waiting, ringing and talking, the longest wait, agents on a call. Gauges the receiver refreshes at each collection_interval.").
		Time("now-15m", "now").
		Refresh("10s").
		WithVariable(vendorVariable()).
		WithVariable(tenantVariable()).
		WithVariable(queueVariable()).
		WithVariable(directionVariable()).
		WithRow(dashboard.NewRowBuilder("Queues now")).
		WithPanel(liveBars("Calls waiting now", "Calls in the queue now, per queue."+liveNote, "short",
			promQuery("calls_waiting", callsInPhase(byQueue, "queue"), "{{callcenter_vendor}} {{callcenter_queue}}"))).
		WithPanel(liveBars("Longest wait now", "Per queue, how long the call waiting longest has waited (since it first entered the queue)."+liveNote, "s",
			promQuery("longest_wait", oldestAge(byQueue, "callcenter_calls_queued_oldest_age_seconds"), "{{callcenter_vendor}} {{callcenter_queue}}"))).
		WithPanel(liveBars("Calls talking now", "Calls an agent is talking on now, per queue (outbound calls have none)."+liveNote, "short",
			promQuery("calls_talking", callsInPhase(byQueue, "talking"), "{{callcenter_vendor}} {{callcenter_queue}}"))).
		WithPanel(liveBars("Agents on a call now", "Distinct agents with a call ringing or talking, per queue (the direction variable does not apply)."+liveNote, "short",
			promQuery("agents_on_call", fmt.Sprintf(`sum by (%s) (callcenter_agents_on_call{%s})`, byQueue, queueFilters), "{{callcenter_vendor}} {{callcenter_queue}}"))).
		WithRow(dashboard.NewRowBuilder("Ringing now")).
		WithPanel(liveStat("Calls ringing now", "Calls ringing an agent (or, on a Udesk callback, the customer) now."+liveNote, "short",
			promQuery("calls_ringing", callsInPhase("callcenter_vendor", "ringing"), "{{callcenter_vendor}}"))).
		WithPanel(liveStat("Longest ringing now", "How long the call ringing longest has rung."+liveNote, "s",
			promQuery("longest_ringing", oldestAge("callcenter_vendor", "callcenter_calls_ringing_oldest_age_seconds"), "{{callcenter_vendor}}"))).
		WithRow(dashboard.NewRowBuilder("All calls in progress")).
		WithPanel(liveBars("Calls in progress by phase and direction", "Calls dialing, in the queue, ringing and talking now."+liveNote, "short",
			promQuery("calls_in_progress", fmt.Sprintf(`sum by (callcenter_vendor, callcenter_call_phase, callcenter_direction) (callcenter_calls_in_progress{%s})`, liveFilters),
				"{{callcenter_vendor}} {{callcenter_call_phase}} {{callcenter_direction}}"))).
		WithPanel(liveBars("UinCall agents by answer mode", "UinCall agents by the agent_type (座席接听方式, answering mode) of their latest agentstatus or setAgentType push, as sent. Not a presence state: UinCall sends none (the queue and direction variables do not apply).", "short",
			promQuery("answer_modes", fmt.Sprintf(`sum by (callcenter_vendor, callcenter_agent_answer_mode) (callcenter_agents_answer_mode{%s})`, vendorFilters),
				"{{callcenter_vendor}} agent_type {{callcenter_agent_answer_mode}}")))
}

// liveStat is one big number per selected vendor; 0, not "No data", when nothing is happening.
func liveStat(title, description, unit string, q *prometheus.DataqueryBuilder) *stat.PanelBuilder {
	return stat.NewPanelBuilder().
		Title(title).
		Description(description).
		Datasource(promDS).
		Unit(unit).
		Height(5).
		Span(12).
		NoValue("0").
		GraphMode(common.BigValueGraphModeNone).
		ReduceOptions(common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"})).
		WithTarget(q)
}

// liveBars is one bar per group (queue, phase...), as a wallboard lists its queues.
func liveBars(title, description, unit string, q *prometheus.DataqueryBuilder) *bargauge.PanelBuilder {
	return bargauge.NewPanelBuilder().
		Title(title).
		Description(description).
		Datasource(promDS).
		Unit(unit).
		Min(0).
		Height(8).
		Span(12).
		NoValue("0").
		Orientation(common.VizOrientationHorizontal).
		DisplayMode(common.BarGaugeDisplayModeBasic).
		ValueMode(common.BarGaugeValueModeText).
		ReduceOptions(common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"})).
		WithTarget(q)
}
