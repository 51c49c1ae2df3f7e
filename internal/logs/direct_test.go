package logs

import (
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/adapter"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/entry"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcallcenter/callcenterreceiver/internal/attrs"
	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/traffic"
)

// Without operators the records are built straight into pdata; with them, through stanza
// entries and adapter.ConvertEntries. Both must give the same logs: for every vendor's generated
// pushes (mistyped fields and their warnings included), several resources in one request,
// records with and without a trace link and a UID.
func TestDirectBuildEqualsTheStanzaConversion(t *testing.T) {
	pushes, _ := traffic.Generate(traffic.Options{
		Seed: 3, Start: time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC), Duration: time.Hour, Rate: 2,
	})
	var records []Record
	for i, tp := range pushes {
		for _, p := range decode(t, tp) {
			r := Record{Push: &p, Resource: attrs.Resource{ServiceName: "cc-" + p.Vendor, Vendor: p.Vendor, Tenant: p.Tenant}}
			if i%2 == 0 {
				r.TraceID, r.SpanID = []byte("0123456789abcdef"), []byte("01234567")
				r.UID = PushUID(p.Vendor, p.Tenant, p.DedupKey)
			}
			records = append(records, r)
		}
	}
	require.Greater(t, len(records), 100)
	b := NewBuilder("scope", nil)
	entries := make([]*entry.Entry, 0, len(records))
	for _, r := range records {
		entries = append(entries, b.entry(r))
	}
	direct, err := b.Build(t.Context(), records)
	require.NoError(t, err)
	require.NoError(t, plogtest.CompareLogs(adapter.ConvertEntries(entries), direct))
	require.Equal(t, len(traffic.Vendors), direct.ResourceLogs().Len(), "one resource per vendor and tenant")
}

// Values no decoder makes (in the call's custom data) come out as the adapter writes them, and
// so does the body, taken from the push in the direct build.
func TestDirectBuildConvertsEveryValueAsTheAdapter(t *testing.T) {
	payload := pcommon.NewMap()
	require.NoError(t, payload.FromRaw(map[string]any{
		"s": "x", "i": int64(1), "f": 1.5, "t": true, "null": nil, "big": "1e400",
		"list": []any{nil, "s", int64(5), 1.5, true, map[string]any{"k": "v"}}, "map": map[string]any{"k": []any{}},
	}))
	p := &call.Push{Vendor: "tccc", Kind: call.KindCallRecord, Payload: payload, Call: call.Call{Custom: map[string]any{
		"i": 1, "i8": int8(-2), "u": uint(3), "u64": uint64(4), "f32": float32(0.5), "b": []byte("x"),
		"ss": []string{"a", "b"}, "nil": nil, "list": []any{nil, "s", int64(5), 1.5, true, map[string]any{"k": "v"}},
		"other": time.Duration(7),
	}}}
	for _, push := range []*call.Push{p, {Vendor: "tccc", Kind: call.KindCallRecord}} {
		r := []Record{{Push: push, Resource: attrs.Resource{ServiceName: "s", Vendor: "tccc"}}}
		b := NewBuilder("scope", nil)
		viaStanza := adapter.ConvertEntries([]*entry.Entry{b.entry(r[0])}) // before the build takes the payload
		direct, err := b.Build(t.Context(), r)
		require.NoError(t, err)
		require.NoError(t, plogtest.CompareLogs(viaStanza, direct))
	}
	assert.Zero(t, p.Payload.Len(), "the record took the payload, without a copy")
}

// decode is the pushes the receiver decodes from a generated request.
func decode(t *testing.T, tp traffic.Push) []call.Push {
	t.Helper()
	_, pushes, err := tp.Decode(time.UTC)
	require.NoError(t, err)
	for i := range pushes {
		pushes[i].Tenant = tp.Vendor + "-tenant"
	}
	return pushes
}

// A key put twice (the call's recording ID, then the recording notice's own) holds the later
// value once, in the direct build as in the plain map the stanza path converts.
func TestDirectBuildKeepsTheLaterOfARepeatedKey(t *testing.T) {
	p := &call.Push{Vendor: "tccc", Kind: call.KindRecording,
		Call:      call.Call{SessionID: "s1", RecordingID: "from-the-call"},
		Recording: &call.Recording{ID: "from-the-notice"}}
	r := []Record{{Push: p, Resource: attrs.Resource{ServiceName: "s", Vendor: "tccc"}, UID: "u1"}}
	b := NewBuilder("scope", nil)
	direct, err := b.Build(t.Context(), r)
	require.NoError(t, err)
	require.NoError(t, plogtest.CompareLogs(adapter.ConvertEntries([]*entry.Entry{b.entry(r[0])}), direct))
	got := direct.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes()
	n := 0
	for k := range got.All() {
		if k == attrs.RecordingID {
			n++
		}
	}
	require.Equal(t, 1, n)
	v, _ := got.Get(attrs.RecordingID)
	require.Equal(t, "from-the-notice", v.Str())
	uid, _ := got.Get(attrs.LogRecordUID)
	require.Equal(t, "u1", uid.Str())
}
