package main

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/heatmap"
	"github.com/grafana/grafana-foundation-sdk/go/loki"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// Data sources by UID: the provisioning files declare them with these UIDs.
const (
	prometheusUID = "callcenter-prometheus"
	lokiUID       = "callcenter-loki"
	tempoUID      = "callcenter-tempo"
	jaegerUID     = "callcenter-jaeger"
)

func ref(pluginType, uid string) common.DataSourceRef {
	return common.DataSourceRef{Type: cog.ToPtr(pluginType), Uid: cog.ToPtr(uid)}
}

var (
	promDS = ref("prometheus", prometheusUID)
	lokiDS = ref("loki", lokiUID)
)

func text(s string) dashboard.StringOrMap { return dashboard.StringOrMap{String: cog.ToPtr(s)} }

// labelVariable is a multi-select variable over a label's values in Prometheus, "All" meaning any
// value, a missing label included (Udesk sends no tenant, IVR-only calls have no queue).
func labelVariable(name, label, query string) *dashboard.QueryVariableBuilder {
	return dashboard.NewQueryVariableBuilder(name).
		Label(label).
		Datasource(promDS).
		Query(text(query)).
		Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
		Sort(dashboard.VariableSortAlphabeticalAsc).
		Multi(true).
		IncludeAll(true).
		AllValue(".*").
		Current(dashboard.VariableOption{Text: all(), Value: allValue()})
}

func all() dashboard.StringOrArrayOfString {
	return dashboard.StringOrArrayOfString{String: cog.ToPtr("All")}
}

func allValue() dashboard.StringOrArrayOfString {
	return dashboard.StringOrArrayOfString{String: cog.ToPtr("$__all")}
}

func option(v string) dashboard.StringOrArrayOfString {
	return dashboard.StringOrArrayOfString{String: cog.ToPtr(v)}
}

func vendorVariable() *dashboard.QueryVariableBuilder {
	return labelVariable("vendor", "Vendor", "label_values(callcenter_calls_total, callcenter_vendor)")
}

func tenantVariable() *dashboard.QueryVariableBuilder {
	return labelVariable("tenant", "Tenant", `label_values(callcenter_calls_total{callcenter_vendor=~"$vendor"}, callcenter_tenant_id)`)
}

func queueVariable() *dashboard.QueryVariableBuilder {
	return labelVariable("queue", "Queue", `label_values(callcenter_calls_offered_total{callcenter_vendor=~"$vendor"}, callcenter_queue)`)
}

func agentVariable() *dashboard.QueryVariableBuilder {
	return labelVariable("agent", "Agent", `label_values(callcenter_calls_total{callcenter_vendor=~"$vendor"}, callcenter_agent)`)
}

func directionVariable() *dashboard.CustomVariableBuilder {
	return dashboard.NewCustomVariableBuilder("direction").
		Label("Direction").
		Values(text("inbound,outbound")).
		Multi(true).
		IncludeAll(true).
		AllValue(".*").
		Current(dashboard.VariableOption{Text: all(), Value: allValue()})
}

// thresholdVariable is the service level's threshold in seconds: only bucket boundaries of the
// receiver's default histogram_buckets, so that the count within it is exact.
func thresholdVariable() *dashboard.CustomVariableBuilder {
	return dashboard.NewCustomVariableBuilder("threshold").
		Label("Service level threshold (s)").
		Values(text("5,10,15,20,30,45,60")).
		Current(dashboard.VariableOption{Text: option("20"), Value: option("20")})
}

// promQuery is an instant query whose refId names its measure.
func promQuery(measure, expr, legend string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().
		Datasource(promDS).
		RefId(measure).
		Expr(expr).
		Instant().
		LegendFormat(legend)
}

// rangeQuery is a query over time whose refId names its measure.
func rangeQuery(measure, expr, legend string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().
		Datasource(promDS).
		RefId(measure).
		Expr(expr).
		Range().
		LegendFormat(legend)
}

// kpiStat is one KPI per selected vendor.
func kpiStat(title, description, unit string, q *prometheus.DataqueryBuilder) *stat.PanelBuilder {
	p := stat.NewPanelBuilder().
		Title(title).
		Description(description).
		Datasource(promDS).
		Unit(unit).
		Height(4).
		Span(6).
		GraphMode(common.BigValueGraphModeNone).
		ReduceOptions(common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"})).
		WithTarget(q)
	if unit == "percentunit" {
		p.Decimals(1)
	}
	return p
}

// kpiTable is one row per group (queue, agent) and one column per measure.
func kpiTable(title, description string, names map[string]string, queries ...cog.Builder[variants.Dataquery]) *table.PanelBuilder {
	return table.NewPanelBuilder().
		Title(title).
		Description(description).
		Datasource(promDS).
		Height(10).
		Span(24).
		Targets(queries).
		WithTransformation(dashboard.DataTransformerConfig{Id: "merge", Options: map[string]any{}}).
		WithTransformation(dashboard.DataTransformerConfig{Id: "organize", Options: map[string]any{
			"excludeByName": map[string]any{"Time": true},
			"renameByName":  names,
		}})
}

func tableQuery(measure, expr string) cog.Builder[variants.Dataquery] {
	return promQuery(measure, expr, "").Format(prometheus.PromQueryFormatTable)
}

func timeSeries(title, description, unit string, q *prometheus.DataqueryBuilder) *timeseries.PanelBuilder {
	return timeseries.NewPanelBuilder().
		Title(title).
		Description(description).
		Datasource(promDS).
		Unit(unit).
		Height(8).
		Span(12).
		WithTarget(q)
}

// bucketHeatmap shows a duration histogram's buckets over time, as Prometheus stores them.
func bucketHeatmap(title, description, measure, metric, filters string) *heatmap.PanelBuilder {
	return heatmap.NewPanelBuilder().
		Title(title).
		Description(description).
		Datasource(promDS).
		Height(8).
		Span(12).
		Calculate(false).
		YAxis(heatmap.NewYAxisConfigBuilder().Unit("s")).
		RowsFrame(heatmap.NewRowsHeatmapOptionsBuilder().Layout(common.HeatmapCellLayoutLe)).
		WithTarget(rangeQuery(measure, overTime("le", metric, filters), "{{le}}").Format(prometheus.PromQueryFormatHeatmap))
}

func lokiQuery(measure, expr string) *loki.DataqueryBuilder {
	return loki.NewDataqueryBuilder().Datasource(lokiDS).RefId(measure).Expr(expr)
}
