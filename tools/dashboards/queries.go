package main

import (
	"fmt"
	"strings"
)

// The PromQL of the dashboards. Metric and label names are Prometheus's default translation of
// the receiver's OTLP metrics (README, "KPIs"): dots become underscores, counters get _total,
// histograms _seconds_bucket/_sum/_count; callcenter_vendor and callcenter_tenant_id are resource
// attributes promoted to labels (Prometheus's otlp.promote_resource_attributes, or the remote-write
// exporter's resource_constant_labels).
//
// Every query's refId names the measure it computes ("offered", "service_level"...): the backend
// test (e2e/backends) looks the truth up by it, so a panel whose measure it does not know fails.

const (
	inbound = `callcenter_direction="inbound"`
	// offeredAbandons are the abandons of offered calls: in the queue or while an agent's phone rang.
	offeredAbandons = `callcenter_abandon_stage=~"queue|ringing"`
	// shortAbandonBound is the README's short abandon: within 5 s, a bucket boundary.
	shortAbandonBound = `le="5"`
)

// scope is what a set of KPI queries is computed over: the labels it is grouped by and the
// dashboard variables that filter it.
type scope struct {
	by      string // e.g. "callcenter_vendor, callcenter_queue"
	filters string // label matchers of the dashboard variables
	// callFilters filter the IVR containment and bot-handled shares, which are over every inbound
	// call: calls that ended in the IVR have no queue, so the queue variable does not apply.
	callFilters string
}

// increase is the count of a counter (or histogram series) over the dashboard's range, grouped.
func (s scope) increase(metric, matchers string) string {
	return s.increaseWith(s.filters, metric, matchers)
}

func (s scope) increaseWith(filters, metric, matchers string) string {
	return fmt.Sprintf("sum by (%s) (increase(%s{%s}[$__range]))", s.by, metric, joinMatchers(filters, matchers))
}

func joinMatchers(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, ", ")
}

// orZero gives 0 for every group of like where x has no series: a count that never happened is 0,
// not "No data" (Prometheus has no series for a counter that was never incremented).
func orZero(x, like string) string {
	return fmt.Sprintf("(\n  %s\n  or 0 * %s\n)", x, like)
}

func (s scope) offered() string {
	return s.increase("callcenter_calls_offered_total", inbound)
}

func (s scope) answered() string {
	return s.increase("callcenter_calls_total", inbound+`, callcenter_end_status="answered"`)
}

// shortAbandons are offered calls abandoned within 5 s: out of service level and abandonment
// rate, numerator and denominator.
func (s scope) shortAbandons() string {
	return orZero(s.increase("callcenter_call_time_to_abandon_seconds_bucket", joinMatchers(inbound, offeredAbandons, shortAbandonBound)), s.offered())
}

// serviceLevel is answered within $threshold seconds / (offered - short abandons). $threshold
// must be a bucket boundary (5, 10, 20, 30, 60 by default) for the count to be exact.
func (s scope) serviceLevel() string {
	inTime := s.increase("callcenter_call_speed_of_answer_seconds_bucket", inbound+`, le="$threshold"`)
	return fmt.Sprintf("%s\n/ (\n  %s\n  - %s\n)", orZero(inTime, s.offered()), s.offered(), s.shortAbandons())
}

func (s scope) averageSpeedOfAnswer() string {
	return fmt.Sprintf("%s\n/ %s",
		s.increase("callcenter_call_speed_of_answer_seconds_sum", inbound),
		s.increase("callcenter_call_speed_of_answer_seconds_count", inbound))
}

// averageHandleTime is (talk of answered calls + after-call work) / answered; "or" keeps the talk
// of vendors that report no after-call work.
func (s scope) averageHandleTime() string {
	talk := s.increase("callcenter_call_talk_duration_seconds_sum", inbound+`, callcenter_end_status="answered"`)
	acw := s.increase("callcenter_call_acw_duration_seconds_sum", inbound)
	return fmt.Sprintf("(\n  %s\n  + %s\n  or %s\n)\n/ %s", talk, acw, talk, s.answered())
}

func (s scope) abandonRate() string {
	abandons := orZero(s.abandoned(), s.offered())
	return fmt.Sprintf("(\n  %s\n  - %s\n)\n/ (\n  %s\n  - %s\n)", abandons, s.shortAbandons(), s.offered(), s.shortAbandons())
}

func (s scope) transferRate() string {
	return fmt.Sprintf("%s\n/ %s", orZero(s.transferred(), s.answered()), s.answered())
}

// share is the share of inbound calls that ended with status.
func (s scope) share(status string) string {
	calls := s.increaseWith(s.callFilters, "callcenter_calls_total", inbound)
	ended := s.increaseWith(s.callFilters, "callcenter_calls_total", inbound+`, callcenter_end_status="`+status+`"`)
	return fmt.Sprintf("%s\n/ %s", orZero(ended, calls), calls)
}

func (s scope) abandoned() string {
	return s.increase("callcenter_calls_abandoned_total", joinMatchers(inbound, offeredAbandons))
}

func (s scope) meanQueueWait() string {
	return fmt.Sprintf("%s\n/ %s",
		s.increase("callcenter_call_queue_duration_seconds_sum", inbound),
		s.increase("callcenter_call_queue_duration_seconds_count", inbound))
}

func (s scope) transferred() string {
	return s.increase("callcenter_calls_transferred_total", inbound)
}

// overTime is a counter's increase per panel interval, for time series and heatmaps.
func overTime(by, metric, matchers string) string {
	return fmt.Sprintf("sum by (%s) (increase(%s{%s}[$__rate_interval]))", by, metric, matchers)
}
