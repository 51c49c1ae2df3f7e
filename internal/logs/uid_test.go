package logs

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
	"github.com/otelcallcenter/callcenterreceiver/internal/platformtest"
)

// TestUIDsAreRFC9562NameBased checks the UIDs against Python's uuid module, an implementation
// that shares nothing with this one (netstring lengths are in bytes):
//
//	ns = uuid.UUID('6d0c5a3e-8b41-4f7a-9e52-1cd30768b42f')
//	name = lambda *p: ''.join('%d:%s,' % (len(x.encode()), x) for x in p)
//	uuid.uuid5(ns, name('push', 'tccc', '1400', '68f0a1d2-7c3b-4e55-9a3e-2b1f4d5c6e7f'))
//	uuid.uuid5(ns, name('event', 'uincall', '', 'S-20251120-0001', 'call_hangup#3'))
//	uuid.uuid5(ns, name('push', 'dezhu', '', '得助-记录-1'))
func TestUIDsAreRFC9562NameBased(t *testing.T) {
	assert.Equal(t, "c5707470-f623-51a1-8b51-63d0e55e86c2", PushUID("tccc", "1400", "68f0a1d2-7c3b-4e55-9a3e-2b1f4d5c6e7f"))
	assert.Equal(t, "dadbc1dd-2bdf-57f7-b847-e1523bdfd0bc", EventUID("uincall", "", "S-20251120-0001", "call_hangup#3"))
	assert.Equal(t, "5e14e5f7-13b7-5255-87e3-a470e8311859", PushUID("dezhu", "", "得助-记录-1"))
}

func TestUIDsTellPushesApart(t *testing.T) {
	assert.NotEqual(t, PushUID("tccc", "1400", "a"), PushUID("tccc", "1401", "a"), "another tenant")
	assert.NotEqual(t, PushUID("tccc", "", "a"), PushUID("dezhu", "", "a"), "another vendor")
	assert.NotEqual(t, PushUID("tccc", "1", "2\x003"), PushUID("tccc", "1\x002", "3"), "no two part lists join the same")
	assert.NotEqual(t, EventUID("uincall", "", "s", "call_talking#1"), EventUID("uincall", "", "s", "call_talking#2"),
		"two identical UinCall bodies are two events")
	t0 := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	body := payload(t, map[string]any{"command": "agentstatus"})
	assert.Equal(t, ArrivalUID("uincall", "", t0, body), ArrivalUID("uincall", "", t0, payload(t, map[string]any{"command": "agentstatus"})))
	assert.NotEqual(t, ArrivalUID("uincall", "", t0, body), ArrivalUID("uincall", "", t0.Add(time.Nanosecond), body))
}

func TestRecordCarriesItsUID(t *testing.T) {
	p := &call.Push{Vendor: "dezhu", Kind: call.KindCallRecord, DedupKey: "r-1", Payload: payload(t, map[string]any{"data": map[string]any{}})}
	ld, err := NewBuilder("scope", nil).Build(context.Background(), []Record{{Push: p, UID: PushUID("dezhu", "", "r-1")}, {Push: p}})
	require.NoError(t, err)
	records := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
	require.Equal(t, 2, records.Len())
	uid, ok := records.At(0).Attributes().Get("log.record.uid")
	require.True(t, ok)
	assert.Equal(t, PushUID("dezhu", "", "r-1"), uid.Str())
	_, ok = records.At(1).Attributes().Get("log.record.uid")
	assert.False(t, ok, "no UID given, none made up")
}

func payload(t *testing.T, raw map[string]any) pcommon.Map {
	t.Helper()
	m := pcommon.NewMap()
	require.NoError(t, m.FromRaw(raw))
	return m
}

// An arrival UID names the body as plain values encoded by encoding/json, as when the payload
// was those plain values (platform.Value): the same push keeps its UID. Over every vendor's
// samples and their fields replaced by hostile values (numbers of every range, escapes, invalid
// UTF-8, null, nesting).
func TestArrivalUIDNamesThePlainBody(t *testing.T) {
	files, err := filepath.Glob("../../testdata/*/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	t0 := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	for _, f := range files {
		sample, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, body := range append(platformtest.FieldMutations(t, sample), sample) {
			plain, err := platform.Value(body)
			require.NoError(t, err)
			name, err := json.Marshal(plain)
			require.NoError(t, err)
			want := uuid5("arrival", "v", "t", strconv.FormatInt(t0.UnixNano(), 10), string(name))
			p, err := platform.Payload(body)
			require.NoError(t, err)
			require.Equal(t, want, ArrivalUID("v", "t", t0, p), "%s", body)
		}
	}
}
