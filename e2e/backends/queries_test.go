//go:build backends

package backends

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcallcenter/callcenterreceiver/internal/traffic"
)

// readmeTitles maps the "# title" of each KPI query of the README's promql blocks to its measure
// (liveTitles those of the Live block). A query whose title is in neither fails the test: every
// query the README shows is checked.
var readmeTitles = []struct{ prefix, measure string }{
	{"Offered calls", "offered"},
	{"Service level at 20 s", "service_level"},
	{"Average speed of answer", "asa"},
	{"Average handle time", "aht"},
	{"Abandonment rate", "abandon_rate"},
	{"Transfer rate", "transfer_rate"},
	{"IVR containment", "ivr_containment"},
	{"Bot-handled share", "bot_handled"},
}

type readmeQuery struct{ title, measure, expr string }

// readmeQueries are the queries of the README's promql blocks, each after its "# title" lines.
func readmeQueries(t *testing.T) []readmeQuery {
	t.Helper()
	var out []readmeQuery
	rest := repoFile(t, "README.md")
	for {
		_, block, ok := strings.Cut(rest, "```promql\n")
		if !ok {
			break
		}
		block, rest, _ = strings.Cut(block, "```")
		out = append(out, blockQueries(t, block)...)
	}
	require.NotEmpty(t, out, "the README has promql blocks")
	return out
}

func blockQueries(t *testing.T, block string) []readmeQuery {
	t.Helper()
	var out []readmeQuery
	var title, expr []string
	flush := func() {
		if len(expr) == 0 {
			return
		}
		q := readmeQuery{title: strings.Join(title, " "), expr: strings.Join(expr, "\n")}
		for _, m := range append(slices.Clone(readmeTitles), liveTitles...) {
			if strings.HasPrefix(q.title, m.prefix) {
				q.measure = m.measure
			}
		}
		if q.measure == "" {
			t.Errorf("README query %q has no truth in this test: add it to readmeTitles or liveTitles", q.title)
		}
		out = append(out, q)
		title, expr = nil, nil
	}
	for _, line := range strings.Split(block, "\n") {
		switch {
		case strings.TrimSpace(line) == "":
			flush()
		case strings.HasPrefix(line, "#"):
			if len(expr) > 0 {
				flush()
			}
			title = append(title, strings.TrimSpace(strings.TrimPrefix(line, "#")))
		default:
			expr = append(expr, line)
		}
	}
	flush()
	return out
}

// dashboard is what the test reads of a dashboard JSON: its panels' queries and its variables.
type dashboard struct {
	UID    string `json:"uid"`
	Title  string `json:"title"`
	Panels []struct {
		Type    string `json:"type"`
		Title   string `json:"title"`
		Targets []struct {
			RefID      string `json:"refId"`
			Expr       string `json:"expr"`
			Query      string `json:"query"`
			Datasource struct {
				UID string `json:"uid"`
			} `json:"datasource"`
		} `json:"targets"`
	} `json:"panels"`
	Templating struct {
		List []struct {
			Name       string `json:"name"`
			Type       string `json:"type"`
			Query      any    `json:"query"`
			Datasource *struct {
				UID string `json:"uid"`
			} `json:"datasource"`
		} `json:"list"`
	} `json:"templating"`
}

const prometheusUID = "callcenter-prometheus"

// elsewhere are the dashboard queries that do not go to Prometheus, by refId, with the test that
// runs their equivalent in the backends here (Loki and Tempo are AGPL and cannot run here).
var elsewhere = map[string]string{
	"call_records":   "Call explorer filters in the log store (LogsQL equivalent in VictoriaLogs)",
	"session_pushes": "Call found by session ID, with its trace (LogsQL equivalent in VictoriaLogs)",
	"call_traces":    "Call found by session ID, with its trace (the trace fetched from Jaeger by ID)",
}

func dashboards(t *testing.T) []dashboard {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "..", "dashboards", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, paths, "dashboards/*.json")
	var out []dashboard
	for _, p := range paths {
		var d dashboard
		require.NoError(t, json.Unmarshal([]byte(repoFile(t, strings.TrimPrefix(p, "../../"))), &d), p)
		out = append(out, d)
	}
	return out
}

var variable = regexp.MustCompile(`\$\{?(\w+)\}?`)

// substitute replaces the dashboard variables as Grafana does; a variable it does not know fails.
func substitute(t *testing.T, expr string, vars map[string]string) string {
	t.Helper()
	return variable.ReplaceAllStringFunc(expr, func(v string) string {
		name := variable.FindStringSubmatch(v)[1]
		value, ok := vars[name]
		if !ok {
			t.Errorf("unknown variable %s in %s", v, expr)
		}
		return value
	})
}

// variablesFor are the variables of a dashboard showing one vendor: its tenant where it has one,
// every queue, agent and direction ("All" is .*), the README's 20 s threshold, the whole run as
// the range (and as the interval of the panels over time).
func variablesFor(ev evaluation, r run, vendor string) map[string]string {
	tenant := ".*"
	for _, c := range r.calls {
		if c.Vendor == vendor && c.Tenant != "" {
			tenant = c.Tenant
		}
	}
	return map[string]string{
		"vendor": vendor, "tenant": tenant, "queue": ".*", "agent": ".*", "direction": ".*",
		"threshold": "20", "__range": ev.rng, "__rate_interval": ev.rng, "__interval": ev.rng,
	}
}

// figures collects what the test prints: got and truth per vendor and measure.
type figures map[string]map[string][2]float64

func (f figures) add(vendor, measure string, got, want float64) {
	if f[vendor] == nil {
		f[vendor] = map[string][2]float64{}
	}
	f[vendor][measure] = [2]float64{got, want}
}

func (f figures) log(t *testing.T, what string) {
	t.Helper()
	vendors := make([]string, 0, len(f))
	for v := range f {
		vendors = append(vendors, v)
	}
	sort.Strings(vendors)
	for _, v := range vendors {
		var parts []string
		for _, m := range readmeTitles {
			if g, ok := f[v][m.measure]; ok {
				parts = append(parts, fmt.Sprintf("%s %.4g (truth %.4g)", m.measure, g[0], g[1]))
			}
		}
		t.Logf("%s, %s: %s", what, v, strings.Join(parts, ", "))
	}
}

// checkReadmeQueries runs every query of the README's promql block and compares each vendor's
// row with the truth.
func checkReadmeQueries(t *testing.T, ev evaluation, r run) figures {
	t.Helper()
	got := figures{}
	zeros := map[string]int{} // rows whose truth is 0, by measure
	for _, q := range readmeQueries(t) {
		m, ok := measures[q.measure]
		if !ok {
			continue // a Live query (checkLive), or one readmeQueries reported
		}
		expr := substitute(t, q.expr, map[string]string{"__range": ev.rng})
		rows, err := ev.p.query(context.Background(), expr, ev.at)
		require.NoError(t, err, q.title)
		byVendor := map[string]row{}
		for _, rw := range rows {
			byVendor[vendorOfJob(rw.labels["job"])] = rw
		}
		for _, vendor := range traffic.Vendors {
			sub := subsetOf(r.calls, vendor, nil)
			if count(sub.sum.Calls, vendor+"|inbound|") == 0 {
				continue
			}
			rw, ok := byVendor[vendor]
			if !assert.True(t, ok, "%s: %q has no row for %s (a KPI with no data where the answer is a number)", ev.label, q.title, vendor) {
				continue
			}
			if m.timed && !sub.timed() {
				continue // UinCall's durations have no truth
			}
			want, ok := m.truth(sub, rw.labels)
			require.True(t, ok, "%s: no truth for %s", q.title, vendor)
			got.add(vendor, q.measure, rw.value, want)
			assert.True(t, equal(want, rw.value, m.tolerance), "%s: %q for %s: got %v, truth %v (±%g)", ev.label, q.title, vendor, rw.value, want, m.tolerance)
			if want == 0 {
				zeros[q.measure]++
			}
		}
	}
	// The traffic has vendors with nothing to count here (UinCall transfers nothing, Udesk has no
	// IVR-completed calls, no vendor's calls end with a bot only): their KPI is a row with 0.
	for _, m := range []string{"transfer_rate", "ivr_containment", "bot_handled"} {
		assert.Positive(t, zeros[m], "%s: no vendor checked for a %s of 0", ev.label, m)
	}
	return got
}

// checkDashboardQueries runs every Prometheus query of every dashboard panel for each vendor and
// compares each row with the truth; the queries of other data sources must be ones this test
// runs an equivalent of.
func checkDashboardQueries(t *testing.T, ev evaluation, r run) {
	t.Helper()
	untimed := 0
	for _, d := range dashboards(t) {
		for _, p := range d.Panels {
			agents := map[string]map[string][]row{} // refId, vendor: rows of a per-agent table
			for _, target := range p.Targets {
				where := fmt.Sprintf("%s: %s / %s / %s", ev.label, d.Title, p.Title, target.RefID)
				if target.Datasource.UID != prometheusUID {
					_, ok := elsewhere[target.RefID]
					assert.True(t, ok, "%s: a query of %s this test runs no equivalent of", where, target.Datasource.UID)
					continue
				}
				if _, ok := liveMeasures[target.RefID]; ok {
					continue // a live gauge: checkLive reads it at the moments of held traffic
				}
				m, ok := measures[target.RefID]
				if !assert.True(t, ok, "%s: no truth for measure %q: add it to measures or liveMeasures", where, target.RefID) {
					continue
				}
				perAgent := strings.Contains(target.Expr, "callcenter_agent)")
				if strings.Contains(target.Expr, "by (callcenter_vendor") && !perAgent {
					checkAllVendors(t, where, m, ev, r, target.Expr)
				}
				for _, vendor := range traffic.Vendors {
					expr := substitute(t, target.Expr, variablesFor(ev, r, vendor))
					rows, err := ev.p.query(context.Background(), expr, ev.at)
					require.NoError(t, err, where)
					if perAgent {
						if agents[target.RefID] == nil {
							agents[target.RefID] = map[string][]row{}
						}
						agents[target.RefID][vendor] = rows
						continue
					}
					untimed += checkRows(t, where+" / "+vendor, m, vendor, rows, r)
				}
			}
			if len(agents) > 0 {
				checkAgentTable(t, ev.label+": "+d.Title+" / "+p.Title, agents, r)
			}
		}
	}
	t.Logf("%s: %d rows of UinCall durations not compared (UinCall sends no times: its durations are the receiver's measurement of arrival times)", ev.label, untimed)
}

// checkAllVendors runs a per-vendor panel as a dashboard opens, every variable "All": one row
// per vendor (and queue), each the truth of its vendor.
func checkAllVendors(t *testing.T, where string, m measure, ev evaluation, r run, expr string) {
	t.Helper()
	vars := variablesFor(ev, r, ".*")
	vars["tenant"] = ".*"
	rows, err := ev.p.query(context.Background(), substitute(t, expr, vars), ev.at)
	require.NoError(t, err, where)
	seen := map[string]bool{}
	for _, rw := range rows {
		vendor := rw.labels["callcenter_vendor"]
		seen[vendor] = true
		checkRows(t, where+" / All", m, vendor, []row{rw}, r)
	}
	for _, vendor := range traffic.Vendors {
		sub := subsetOf(r.calls, vendor, nil)
		if m.timed && !sub.timed() {
			continue
		}
		if _, ok := m.truth(sub, nil); ok {
			assert.True(t, seen[vendor], "%s / All: no row for %s", where, vendor)
		}
	}
}

// checkRows compares each row with the truth of its vendor (and queue); it returns how many rows
// it could not compare because the vendor sends no times.
func checkRows(t *testing.T, where string, m measure, vendor string, rows []row, r run) int {
	t.Helper()
	sub := subsetOf(r.calls, vendor, nil)
	if m.timed && !sub.timed() {
		return len(rows)
	}
	if !assert.NotEmpty(t, rows, "%s: no rows", where) {
		return 0
	}
	for _, rw := range rows {
		if v, ok := rw.labels["callcenter_vendor"]; ok {
			assert.Equal(t, vendor, v, where)
		}
		want, ok := m.truth(subsetOf(r.calls, vendor, rw.labels), rw.labels)
		if !assert.True(t, ok, "%s: no truth for the row %v", where, rw.labels) {
			continue
		}
		assert.True(t, equal(want, rw.value, m.tolerance), "%s %v: got %v, truth %v (±%g)", where, rw.labels, rw.value, want, m.tolerance)
	}
	return 0
}

// checkAgentTable checks a per-agent table by its totals: the agent label is the vendor's own
// identifier of the agent (staff number, ID or e-mail), which the truth does not carry, so the
// rows are added up (counts) or weighted by each agent's answered calls (means) and compared with
// the vendor's truth. A call counted under no agent or under two would show.
func checkAgentTable(t *testing.T, where string, agents map[string]map[string][]row, r run) {
	t.Helper()
	answered, ok := agents["answered"]
	require.True(t, ok, "%s: a per-agent table needs the answered column to weigh its means", where)
	for refID, byVendor := range agents {
		m := measures[refID]
		for vendor, rows := range byVendor {
			sub := subsetOf(r.calls, vendor, nil)
			if m.timed && !sub.timed() {
				continue
			}
			want, ok := m.truth(sub, nil)
			require.True(t, ok, "%s / %s: no truth", where, refID)
			var got float64
			switch refID {
			case "answered", "transferred":
				for _, rw := range rows {
					got += rw.value
				}
			case "asa", "aht":
				weights := map[string]float64{}
				var total float64
				for _, rw := range answered[vendor] {
					weights[rw.labels["callcenter_agent"]] = rw.value
					total += rw.value
				}
				for _, rw := range rows {
					got += rw.value * weights[rw.labels["callcenter_agent"]] / total
				}
			default:
				t.Errorf("%s: %s per agent has no check", where, refID)
				continue
			}
			assert.True(t, equal(want, got, m.tolerance*float64(len(rows)+1)), "%s / %s / %s: got %v over %d agents, truth %v", where, refID, vendor, got, len(rows), want)
		}
	}
}

var (
	// metricName is a name with its selector's matchers, if any; a label in matchers (followed by
	// an operator) is not a metric, and the labels of "by (...)" are taken out first.
	metricName = regexp.MustCompile(`\b(callcenter_[a-z0-9_]+)\s*(\{[^}]*\}|=~|!~|!=|=)?`)
	matcher    = regexp.MustCompile(`(\w+)\s*(?:=~|!~|!=|=)\s*"`)
	groupBy    = regexp.MustCompile(`by \(([^)]*)\)`)
	labelQuery = regexp.MustCompile(`^label_values\((.*),\s*(\w+)\)$`)
)

// queryExprs are the Prometheus queries of the README and of the dashboards' panels: the Live
// ones (live) or all the others.
func queryExprs(t *testing.T, live bool) []string {
	t.Helper()
	var exprs []string
	for _, q := range readmeQueries(t) {
		if _, ok := liveMeasures[q.measure]; ok == live {
			exprs = append(exprs, q.expr)
		}
	}
	for _, d := range dashboards(t) {
		for _, p := range d.Panels {
			for _, target := range p.Targets {
				if _, ok := liveMeasures[target.RefID]; ok == live && target.Datasource.UID == prometheusUID {
					exprs = append(exprs, target.Expr)
				}
			}
		}
	}
	require.NotEmpty(t, exprs)
	return exprs
}

// checkNamesAndLabels checks that every metric the queries use exists in Prometheus with every
// label they filter or group it by: a rename on either side fails here. The tenant is a label only
// of the vendors that send one: a metric of tenant-less vendors alone (the oldest queue wait is
// Udesk's only, and Udesk sends no tenant) lacks it, and the dashboards' tenant filter ("All" is
// .*) keeps its series.
func checkNamesAndLabels(t *testing.T, evs []evaluation, exprs []string, r run) {
	t.Helper()
	withTenant := map[string]bool{}
	for _, c := range r.calls {
		withTenant[c.Vendor] = withTenant[c.Vendor] || c.Tenant != ""
	}
	for _, ev := range evs {
		labelsOf := map[string]map[string]bool{}
		tenantOf := map[string]bool{} // a vendor of the metric's series sends a tenant
		for _, expr := range exprs {
			var grouped []string
			for _, g := range groupBy.FindAllStringSubmatch(expr, -1) {
				for _, l := range strings.Split(g[1], ",") {
					grouped = append(grouped, strings.TrimSpace(l))
				}
			}
			for _, m := range metricName.FindAllStringSubmatch(groupBy.ReplaceAllString(expr, ""), -1) {
				if m[2] != "" && m[2][0] != '{' {
					continue // a label of a selector's matchers
				}
				name := m[1]
				if labelsOf[name] == nil {
					names, vendors, err := ev.p.seriesLabels(context.Background(), name)
					require.NoError(t, err)
					if !assert.NotEmpty(t, vendors, "%s: no series of %s, which the queries use", ev.label, name) {
						continue
					}
					labelsOf[name] = names
					for v := range vendors {
						tenantOf[name] = tenantOf[name] || withTenant[v]
					}
				}
				used := grouped
				for _, l := range matcher.FindAllStringSubmatch(m[2], -1) {
					used = append(used, l[1])
				}
				for _, l := range used {
					if l == "le" && !strings.HasSuffix(name, "_bucket") {
						continue // grouped by le: only the bucket series of the expression
					}
					if l == "callcenter_tenant_id" && !tenantOf[name] {
						continue
					}
					assert.True(t, labelsOf[name][l], "%s: %s has no label %s, which the queries use: it has %v", ev.label, name, l, keys(labelsOf[name]))
				}
			}
		}
	}
}

// checkVariables runs the dashboards' label_values variables and compares their values with the
// traffic's vendors, tenants and queues.
func checkVariables(t *testing.T, ev evaluation, r run) {
	t.Helper()
	want := map[string][]string{"callcenter_vendor": traffic.Vendors}
	for _, c := range r.calls {
		if c.Tenant != "" {
			want["callcenter_tenant_id"] = append(want["callcenter_tenant_id"], c.Tenant)
		}
		if c.Offered {
			want["callcenter_queue"] = append(want["callcenter_queue"], c.Queue)
		}
		if c.Agent != "" {
			want["callcenter_agent"] = append(want["callcenter_agent"], c.Agent)
		}
	}
	for _, d := range dashboards(t) {
		for _, v := range d.Templating.List {
			if v.Type != "query" {
				continue
			}
			query, _ := v.Query.(string)
			m := labelQuery.FindStringSubmatch(query)
			if !assert.NotNil(t, m, "%s: variable %s: %q is not label_values(selector, label)", d.Title, v.Name, query) {
				continue
			}
			selector := substitute(t, m[1], map[string]string{"vendor": ".*"})
			values, err := ev.p.labelValues(context.Background(), m[2], selector)
			require.NoError(t, err)
			expected := unique(want[m[2]])
			if m[2] == "callcenter_agent" {
				// The agent label is the vendor's identifier (staff number, ID or e-mail): only
				// its presence is the truth's.
				assert.NotEmpty(t, values, "%s: variable %s", d.Title, v.Name)
				continue
			}
			assert.Equal(t, expected, values, "%s: variable %s lists the traffic's %s", d.Title, v.Name, m[2])
		}
	}
}

func unique(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
