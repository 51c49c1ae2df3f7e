//go:build backends

package backends

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"time"
)

// prometheus is one Prometheus server, queried over its HTTP API.
type prometheus struct {
	name, addr, base string
}

// row is one element of an instant vector.
type row struct {
	labels map[string]string
	value  float64
}

// query evaluates expr at the instant at.
func (p *prometheus) query(ctx context.Context, expr string, at time.Time) ([]row, error) {
	var answer struct {
		Status string `json:"status"`
		Data   struct {
			ResultType string `json:"resultType"`
			Result     []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	q := url.Values{"query": {expr}, "time": {promTime(at)}}
	if err := getJSON(ctx, p.base, "/api/v1/query", q, &answer); err != nil {
		return nil, err
	}
	if answer.Data.ResultType != "vector" {
		return nil, fmt.Errorf("%s: a %s, not a vector", expr, answer.Data.ResultType)
	}
	rows := make([]row, 0, len(answer.Data.Result))
	for _, r := range answer.Data.Result {
		text, _ := r.Value[1].(string)
		v, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: value %q: %w", expr, text, err)
		}
		rows = append(rows, row{labels: r.Metric, value: v})
	}
	return rows, nil
}

// scalar evaluates an expression that gives one row.
func (p *prometheus) scalar(ctx context.Context, expr string, at time.Time) (float64, error) {
	rows, err := p.query(ctx, expr, at)
	if err != nil {
		return 0, err
	}
	if len(rows) != 1 {
		return 0, fmt.Errorf("%s: %d rows, want 1", expr, len(rows))
	}
	return rows[0].value, nil
}

// lastSample is the time of the collector's last flush that Prometheus holds: every flush
// carries every cumulative series with one timestamp, so it is the latest sample of any call
// count. timestamp() must take the selector itself: of anything computed it gives the evaluation
// time.
func (p *prometheus) lastSample(ctx context.Context) (time.Time, error) {
	return p.latest(ctx, "callcenter_calls_total")
}

// latest is the time of the latest sample of a metric's series.
func (p *prometheus) latest(ctx context.Context, metric string) (time.Time, error) {
	v, err := p.scalar(ctx, "max(timestamp("+metric+"))", time.Now())
	if err != nil {
		return time.Time{}, err
	}
	return time.UnixMilli(int64(math.Round(v * 1000))), nil
}

// labelValues lists the values of a label on the series that match, over the whole run.
func (p *prometheus) labelValues(ctx context.Context, label, match string) ([]string, error) {
	var answer struct {
		Data []string `json:"data"`
	}
	q := url.Values{"match[]": {match}, "start": {"0"}, "end": {promTime(time.Now())}}
	err := getJSON(ctx, p.base, "/api/v1/label/"+url.PathEscape(label)+"/values", q, &answer)
	return answer.Data, err
}

// seriesLabels lists the label names of the series of a metric, and the vendors they are of.
func (p *prometheus) seriesLabels(ctx context.Context, metric string) (names, vendors map[string]bool, err error) {
	var answer struct {
		Data []map[string]string `json:"data"`
	}
	q := url.Values{"match[]": {metric}, "start": {"0"}, "end": {promTime(time.Now())}}
	if err := getJSON(ctx, p.base, "/api/v1/series", q, &answer); err != nil {
		return nil, nil, err
	}
	names, vendors = map[string]bool{}, map[string]bool{}
	for _, s := range answer.Data {
		for k := range s {
			names[k] = true
		}
		vendors[s["callcenter_vendor"]] = true
	}
	return names, vendors, nil
}

func promTime(t time.Time) string {
	return strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', 3, 64)
}

// evaluation is where a Prometheus's queries are evaluated: at its last sample, over a range that
// begins before the collector started. At the last sample increase() does not extrapolate past
// it, and with the zero Prometheus writes at each series' start time it does not extrapolate
// before it either: the counts are the counts.
type evaluation struct {
	p     *prometheus
	at    time.Time
	rng   string // $__range
	label string
}

func evaluate(ctx context.Context, p *prometheus, started time.Time) (evaluation, error) {
	at, err := p.lastSample(ctx)
	if err != nil {
		return evaluation{}, err
	}
	rng := at.Sub(started.Add(-time.Minute)).Round(time.Second)
	return evaluation{p: p, at: at, rng: seconds(rng), label: p.name}, nil
}
