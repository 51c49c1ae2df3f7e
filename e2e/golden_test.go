//go:build e2e

package e2e

import (
	"slices"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// forGolden puts every map of the logs in key order and drops the arrival times (observed, and
// the timestamp of vendors that send no time), so that rewritten golden files only differ where
// the output does.
func forGolden(ld plog.Logs, arrivalIsTime bool) plog.Logs {
	out := plog.NewLogs()
	ld.CopyTo(out)
	for _, rl := range out.ResourceLogs().All() {
		sortMap(rl.Resource().Attributes())
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				sortMap(lr.Attributes())
				sortValue(lr.Body())
				lr.SetObservedTimestamp(0)
				if arrivalIsTime {
					lr.SetTimestamp(0)
				}
			}
		}
	}
	return out
}

func sortMap(m pcommon.Map) {
	raw := m.AsRaw()
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	sorted := pcommon.NewMap()
	for _, k := range keys {
		v, _ := m.Get(k)
		dst := sorted.PutEmpty(k)
		v.CopyTo(dst)
		sortValue(dst)
	}
	sorted.MoveTo(m)
}

func sortValue(v pcommon.Value) {
	switch v.Type() {
	case pcommon.ValueTypeMap:
		sortMap(v.Map())
	case pcommon.ValueTypeSlice:
		for _, e := range v.Slice().All() {
			sortValue(e)
		}
	}
}
