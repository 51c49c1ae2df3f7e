package main

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/logs"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/tempo"
)

// Filters of the dashboard variables. "All" is ".*", which also matches a missing label.
const (
	vendorFilters = `callcenter_vendor=~"$vendor", callcenter_tenant_id=~"$tenant"`
	queueFilters  = vendorFilters + `, callcenter_queue=~"$queue"`
	agentFilters  = queueFilters + `, callcenter_agent=~"$agent"`
)

func newDashboard(title, description string) *dashboard.DashboardBuilder {
	return dashboard.NewDashboardBuilder(title).
		Description(description).
		Tags([]string{"callcenter"}).
		Editable().
		Time("now-6h", "now").
		Timezone(common.TimeZoneBrowser).
		Refresh("1m").
		Link(dashboard.NewDashboardLinkBuilder("Call center").
			Type(dashboard.DashboardLinkTypeDashboards).
			Tags([]string{"callcenter"}).
			AsDropdown(true).
			IncludeVars(true).
			KeepTime(true))
}

const kpiNote = " Inbound calls over the dashboard's time range; definitions in the receiver's README (KPIs)."

// serviceOverview is the KPIs of the whole center (or of the selected vendors, tenants, queues).
func serviceOverview() *dashboard.DashboardBuilder {
	s := scope{by: "callcenter_vendor", filters: queueFilters, callFilters: vendorFilters}
	byVendor := "{{callcenter_vendor}}"
	return newDashboard("Call center: service overview", "Offered and answered calls, service level, speed of answer, handle time, abandons, transfers and IVR containment, per vendor.").
		WithVariable(vendorVariable()).
		WithVariable(tenantVariable()).
		WithVariable(queueVariable()).
		WithVariable(directionVariable()).
		WithVariable(thresholdVariable()).
		WithRow(dashboard.NewRowBuilder("KPIs")).
		WithPanel(kpiStat("Offered", "Calls that reached a queue or an agent."+kpiNote, "short", promQuery("offered", s.offered(), byVendor))).
		WithPanel(kpiStat("Answered", "Calls a person answered."+kpiNote, "short", promQuery("answered", s.answered(), byVendor))).
		WithPanel(kpiStat("Service level ($threshold s)", "Answered within the threshold / (offered - short abandons)."+kpiNote, "percentunit", promQuery("service_level", s.serviceLevel(), byVendor))).
		WithPanel(kpiStat("Average speed of answer", "From entering the queue (or the first ring) to the first answer."+kpiNote, "s", promQuery("asa", s.averageSpeedOfAnswer(), byVendor))).
		WithPanel(kpiStat("Average handle time", "Talk plus after-call work of answered calls."+kpiNote, "s", promQuery("aht", s.averageHandleTime(), byVendor))).
		WithPanel(kpiStat("Abandonment rate", "Abandons in the queue or while ringing, short abandons (5 s) left out."+kpiNote, "percentunit", promQuery("abandon_rate", s.abandonRate(), byVendor))).
		WithPanel(kpiStat("Transfer rate", "Answered calls transferred at least once / answered."+kpiNote, "percentunit", promQuery("transfer_rate", s.transferRate(), byVendor))).
		WithPanel(kpiStat("IVR containment", "Calls completed in the IVR / inbound calls (the queue variable does not apply)."+kpiNote, "percentunit", promQuery("ivr_containment", s.share("ivr_completed"), byVendor))).
		WithPanel(kpiStat("Bot-handled share", "Calls only a bot talked to / inbound calls (the queue variable does not apply)."+kpiNote, "percentunit", promQuery("bot_handled", s.share("bot_handled"), byVendor))).
		WithRow(dashboard.NewRowBuilder("Over time")).
		WithPanel(timeSeries("End statuses", "Completed calls by end status, both directions unless filtered.", "short",
			rangeQuery("calls_by_end_status", overTime("callcenter_end_status", "callcenter_calls_total", queueFilters+`, callcenter_direction=~"$direction"`), "{{callcenter_end_status}}"))).
		WithPanel(timeSeries("Offered by end status", "Offered calls by how they ended: answered, abandoned in the queue or while ringing, no agent...", "short",
			rangeQuery("offered_by_end_status", overTime("callcenter_end_status", "callcenter_calls_offered_total", queueFilters+`, `+inbound), "offered, {{callcenter_end_status}}"))).
		WithPanel(bucketHeatmap("Queue wait", "Calls by time waited in the queue.", "queue_wait_buckets",
			"callcenter_call_queue_duration_seconds_bucket", queueFilters+`, callcenter_direction=~"$direction"`)).
		WithPanel(bucketHeatmap("Speed of answer", "Answered calls by speed of answer.", "speed_of_answer_buckets",
			"callcenter_call_speed_of_answer_seconds_bucket", queueFilters+`, callcenter_direction=~"$direction"`))
}

// queuesAndAgents is the same KPIs per queue, and per agent where per_agent_metrics is on.
func queuesAndAgents() *dashboard.DashboardBuilder {
	q := scope{by: "callcenter_vendor, callcenter_queue", filters: queueFilters}
	a := scope{by: "callcenter_vendor, callcenter_agent", filters: agentFilters}
	queueColumns := map[string]string{
		"callcenter_vendor": "Vendor", "callcenter_queue": "Queue",
		"Value #offered": "Offered", "Value #answered": "Answered", "Value #service_level": "Service level",
		"Value #asa": "ASA (s)", "Value #aht": "AHT (s)", "Value #abandoned": "Abandoned",
		"Value #abandon_rate": "Abandonment rate", "Value #transfer_rate": "Transfer rate",
		"Value #mean_queue_wait": "Mean queue wait (s)",
	}
	agentColumns := map[string]string{
		"callcenter_vendor": "Vendor", "callcenter_agent": "Agent",
		"Value #answered": "Answered", "Value #asa": "ASA (s)", "Value #aht": "AHT (s)", "Value #transferred": "Transferred",
	}
	return newDashboard("Call center: queues and agents", "The service KPIs per queue, and per agent (the receiver's per_agent_metrics must be on).").
		WithVariable(vendorVariable()).
		WithVariable(tenantVariable()).
		WithVariable(queueVariable()).
		WithVariable(agentVariable()).
		WithVariable(thresholdVariable()).
		WithRow(dashboard.NewRowBuilder("Queues")).
		WithPanel(kpiTable("Queues", "Per queue."+kpiNote, queueColumns,
			tableQuery("offered", q.offered()),
			tableQuery("answered", q.answered()),
			tableQuery("service_level", q.serviceLevel()),
			tableQuery("asa", q.averageSpeedOfAnswer()),
			tableQuery("aht", q.averageHandleTime()),
			tableQuery("abandoned", orZero(q.abandoned(), q.offered())),
			tableQuery("abandon_rate", q.abandonRate()),
			tableQuery("transfer_rate", q.transferRate()),
			tableQuery("mean_queue_wait", q.meanQueueWait()),
		)).
		WithPanel(timeSeries("Abandons per queue", "Abandons in the queue or while ringing, by queue and stage.", "short",
			rangeQuery("abandoned_by_queue_and_stage", overTime("callcenter_queue, callcenter_abandon_stage", "callcenter_calls_abandoned_total", queueFilters+`, `+inbound+`, `+offeredAbandons), "{{callcenter_queue}} {{callcenter_abandon_stage}}"))).
		WithPanel(timeSeries("Queue wait per queue", "Mean time waited in the queue, by queue.", "s",
			rangeQuery("mean_queue_wait_by_queue", "("+overTime("callcenter_queue", "callcenter_call_queue_duration_seconds_sum", queueFilters+`, `+inbound)+")\n/ "+overTime("callcenter_queue", "callcenter_call_queue_duration_seconds_count", queueFilters+`, `+inbound), "{{callcenter_queue}}"))).
		WithRow(dashboard.NewRowBuilder("Agents")).
		WithPanel(kpiTable("Agents", "Per agent: needs per_agent_metrics: true in the receiver."+kpiNote, agentColumns,
			tableQuery("answered", a.answered()),
			tableQuery("asa", a.averageSpeedOfAnswer()),
			tableQuery("aht", a.averageHandleTime()),
			tableQuery("transferred", orZero(a.transferred(), a.answered())),
		))
}

// callExplorer lists the call records in Loki, each linked to its trace by the Loki data source's
// derived field on trace_id (see provisioning), and searches the traces in Tempo.
func callExplorer() *dashboard.DashboardBuilder {
	statuses := "answered,no_answer,busy,rejected,unreachable,abandoned_in_ivr,abandoned_in_queue,abandoned_ringing,abandoned,ivr_completed,bot_handled,no_agent,outside_hours,blocked,canceled,failed,unknown"
	return newDashboard("Call center: call explorer", "Call records from Loki, filtered by vendor, queue, end status and session ID, each linked to its trace.").
		WithVariable(dashboard.NewCustomVariableBuilder("vendor").Label("Vendor").Values(text(vendors)).
			Multi(true).IncludeAll(true).AllValue(".*").Current(dashboard.VariableOption{Text: all(), Value: allValue()})).
		WithVariable(dashboard.NewTextBoxVariableBuilder("queue").Label("Queue (name or ID, regex)").DefaultValue(text(""))).
		WithVariable(dashboard.NewCustomVariableBuilder("end_status").Label("End status").Values(text(statuses)).
			Multi(true).IncludeAll(true).AllValue(".*").Current(dashboard.VariableOption{Text: all(), Value: allValue()})).
		WithVariable(dashboard.NewTextBoxVariableBuilder("session").Label("Session ID (prefix)").DefaultValue(text(""))).
		WithPanel(logs.NewPanelBuilder().
			Title("Call records").
			Description("One record per call (TCCC cdr, Udesk end, 得助 record; UinCall sends events only). Open a record: its trace_id links to the trace in Tempo or Jaeger.").
			Datasource(lokiDS).
			Height(14).
			Span(24).
			ShowTime(true).
			EnableLogDetails(true).
			SortOrder(common.LogsSortOrderDescending).
			WithTarget(lokiQuery("call_records", callRecordsLogQL))).
		WithPanel(logs.NewPanelBuilder().
			Title("Every push of the session").
			Description("All log records whose session ID starts with the session variable: events, records, recordings.").
			Datasource(lokiDS).
			Height(10).
			Span(24).
			ShowTime(true).
			EnableLogDetails(true).
			SortOrder(common.LogsSortOrderAscending).
			WithTarget(lokiQuery("session_pushes", sessionLogQL))).
		WithPanel(traceSearch())
}

// The call records in Loki's OTLP layout: service.name is the stream label service_name, the other
// attributes are structured metadata with dots as underscores, the trace ID is trace_id.
const callRecordsLogQL = `{service_name=~"callcenter-.+"}
  | event_name="callcenter.call_record"
  | callcenter_vendor=~"$vendor"
  | callcenter_queue_name=~"$queue.*" or callcenter_queue_id=~"$queue.*"
  | callcenter_end_status=~"$end_status"
  | callcenter_session_id=~"$session.*"`

const sessionLogQL = `{service_name=~"callcenter-.+"}
  | callcenter_vendor=~"$vendor"
  | callcenter_session_id=~"$session.+"`

// traceSearch finds the calls' root spans in Tempo by the same variables.
func traceSearch() cog.Builder[dashboard.Panel] {
	q := tempo.NewDataqueryBuilder().
		Datasource(ref("tempo", tempoUID)).
		RefId("call_traces").
		QueryType("traceql").
		Query(`{resource.callcenter.vendor=~"$vendor" && span.callcenter.session.id=~"$session.*" && span.callcenter.end_status=~"$end_status" && nestedSetParent<0}`).
		Limit(50)
	return table.NewPanelBuilder().
		Title("Call traces").
		Description("Root spans of the calls in Tempo (TraceQL); a trace ID opens the call's trace.").
		Datasource(ref("tempo", tempoUID)).
		Height(10).
		Span(24).
		WithTarget(q)
}
