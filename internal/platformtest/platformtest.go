// Package platformtest holds what the vendors' fuzz targets share: seed corpora built from the
// vendors' samples and hostile values, and the invariants every decoded push must hold.
package platformtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
)

// Arrival is the arrival time fuzz targets give their requests; CheckPush expects it back.
var Arrival = time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)

// Zones are the zones of times without one: none configured, UTC, Shanghai's offset and the two
// extremes.
var Zones = []*time.Location{
	nil, time.UTC, time.FixedZone("+08", 8*3600), time.FixedZone("+14", 14*3600), time.FixedZone("-12", -12*3600),
}

// Samples reads every file in dir, by name.
func Samples(tb testing.TB, dir string) map[string][]byte {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	samples := map[string][]byte{}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		body, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		samples[e.Name()] = body
	}
	if len(samples) == 0 {
		tb.Fatalf("no samples in %s", dir)
	}
	return samples
}

// Fixtures reads every vendor's sample bodies (testdata/<vendor>/*.json) by path, from a
// package two levels below the repository's root (internal/<package>).
func Fixtures(tb testing.TB) map[string][]byte {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "*", "*.json"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no vendor fixtures: %v", err)
	}
	out := make(map[string][]byte, len(files))
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		out[f] = body
	}
	return out
}

// HostileValues replace each field of a sample in turn: every JSON kind, numbers out of
// every range, invalid UTF-8, a lone surrogate, and texts that look like times and numbers.
var HostileValues = []string{
	`null`, `true`, `-1`, `1.5`, `1e400`, `99999999999999999999`, `9223372036854775807`,
	`-9223372036854775808`, `18446744074`, `""`, `"x"`, "\"\xff\xfe\"", `"\ud800"`, `"00"`,
	`"2019-07-24 15:23:17 +0800"`, `{}`, `[]`, `[null,1,"a",{},[]]`,
}

// HostileBodies are whole bodies that are not what any vendor sends.
func HostileBodies() [][]byte {
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	deepObject := func(n int) string { return strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n) }
	return [][]byte{
		nil, []byte(" \n\t"), []byte("null"), []byte("[]"), []byte("{}"), []byte(`""`), []byte("0"),
		[]byte("1e400"), []byte("99999999999999999999"), []byte("true"), []byte("{"), []byte(`{"a":`),
		[]byte("{}{}"), []byte("{} x"), []byte("{}\x00"), []byte("\xef\xbb\xbf{}"), []byte("\xff\xfe{}"),
		// Nesting past encoding/json's limit of 10000 fails while scanning: no need to close it.
		[]byte(`{"a":` + strings.Repeat("[", 10001)), []byte(`{"a":` + deep(1000) + `}`), []byte(deepObject(100)),
		[]byte("{\"\xff\":\"\xfe\"}"), []byte(`{"a":1e400,"b":-1e400}`),
		[]byte(`{"a":99999999999999999999}`), []byte(`{"a":"\ud800\udc00\ud800"}`), []byte(`{"a":1,"a":2}`),
	}
}

// FieldMutations returns the sample with each of its values, at every depth, replaced in
// turn by each of HostileValues (of an array, the first element).
func FieldMutations(tb testing.TB, sample []byte) [][]byte {
	tb.Helper()
	dec := json.NewDecoder(bytes.NewReader(sample))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		tb.Fatal(err)
	}
	const hole = "\x00hole\x00"
	quotedHole, _ := json.Marshal(hole)
	var out [][]byte
	mutate := func(set func(any), old any) {
		set(hole)
		marked, err := json.Marshal(doc)
		set(old)
		if err != nil {
			tb.Fatal(err)
		}
		for _, v := range HostileValues {
			out = append(out, bytes.Replace(marked, quotedHole, []byte(v), 1))
		}
	}
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(t)) {
				e := t[k]
				mutate(func(x any) { t[k] = x }, e)
				walk(e)
			}
		case []any:
			if len(t) > 0 { // the other elements have the first one's shape
				mutate(func(x any) { t[0] = x }, t[0])
				walk(t[0])
			}
		}
	}
	walk(doc)
	return out
}

// IsObject is the envelope check every vendor shares, written apart from the decoders: the body,
// between JSON whitespace, is one JSON object.
func IsObject(body []byte) bool {
	body = bytes.Trim(body, " \t\r\n")
	return len(body) > 0 && body[0] == '{' && json.Valid(body)
}

// CheckRefusal checks a decoder's refusal: an error comes alone and says something, and only for
// a body outside the envelope (envelope is false). Inside it every field is read leniently: a
// vendor retries a refused push and gets the same answer, so a refusal would lose the call.
func CheckRefusal(t *testing.T, body []byte, pushes []call.Push, err error, envelope bool) {
	t.Helper()
	if len(pushes) != 0 || err.Error() == "" {
		t.Fatalf("an error comes alone and says something: %d pushes, %q", len(pushes), err)
	}
	if envelope {
		t.Fatalf("refused a push whose envelope is readable: %v\n%q", err, body)
	}
}

// HasWarning reports whether one of the push's warnings is about field.
func HasWarning(p call.Push, field string) bool {
	return slices.ContainsFunc(p.Warnings, func(w string) bool { return strings.HasPrefix(w, field) })
}

// CheckPush checks what every decoded push must be, whatever the body was.
func CheckPush(t *testing.T, body []byte, p call.Push, vendorName string) {
	t.Helper()
	if !json.Valid(body) {
		t.Errorf("accepted a body that is not JSON: %q", body)
	}
	if p.Vendor != vendorName {
		t.Errorf("Vendor %q, want %q", p.Vendor, vendorName)
	}
	if !p.Arrival.Equal(Arrival) {
		t.Errorf("Arrival %s, want the request's", p.Arrival)
	}
	if p.Payload == (pcommon.Map{}) {
		t.Error("no Payload")
	}
	for _, w := range p.Warnings {
		if path, why, ok := strings.Cut(w, ": "); !ok || path == "" || why == "" {
			t.Errorf("a warning names a field and what was wrong: %q", w)
		}
	}
	checkBody(t, "payload", p.Payload)
	if _, err := json.Marshal(p.Payload.AsRaw()); err != nil {
		t.Errorf("the payload does not encode: %v", err)
	}
	switch p.Kind {
	case call.KindCallRecord, call.KindRecording, call.KindVoicemail, call.KindCallEvent, call.KindAgentEvent:
	default:
		t.Errorf("unknown kind %q", p.Kind)
	}
	c := p.Call
	times := map[string]time.Time{
		"Time": p.Time, "Start": c.Start, "Queued": c.Queued, "Ring": c.Ring, "Answer": c.Answer, "End": c.End,
	}
	for i, l := range c.Legs {
		for name, v := range map[string]time.Time{"Start": l.Start, "Ring": l.Ring, "Answer": l.Answer, "End": l.End} {
			times[fmt.Sprintf("%s of leg %d", name, i)] = v
		}
	}
	for name, v := range times {
		if !v.IsZero() && v.Location() != time.UTC {
			t.Errorf("%s %s is not in UTC", name, v)
		}
	}
	for phase, d := range c.Durations {
		if d < 0 {
			t.Errorf("negative %s duration %s", phase, d)
		}
		if !slices.Contains(call.Phases, phase) {
			t.Errorf("unknown phase %q", phase)
		}
	}
	if c.EndStatus != "" && !slices.Contains(call.EndStatuses, c.EndStatus) {
		t.Errorf("unknown end status %q", c.EndStatus)
	}
	switch c.Direction {
	case "", call.DirectionUnknown, call.DirectionInbound, call.DirectionOutbound:
	default:
		t.Errorf("unknown direction %q", c.Direction)
	}
	switch c.HangupSide {
	case "", call.HangupUnknown, call.HangupCustomer, call.HangupAgent, call.HangupSystem, call.HangupTransfer:
	default:
		t.Errorf("unknown hang-up side %q", c.HangupSide)
	}
	if c.Transfers < 0 {
		t.Errorf("%d transfers", c.Transfers)
	}
	checkPlain(t, "custom", c.Custom)
	if p.Event != nil {
		checkPlain(t, "event attributes", p.Event.Attributes)
	}
}

// checkBody checks that a payload holds only what a decoded JSON object can: maps, slices,
// strings, bools, ints, finite doubles and empty values (null), no bytes.
func checkBody(t *testing.T, path string, m pcommon.Map) {
	t.Helper()
	for k, v := range m.All() {
		checkBodyValue(t, path+"."+k, v)
	}
}

func checkBodyValue(t *testing.T, path string, v pcommon.Value) {
	t.Helper()
	switch v.Type() {
	case pcommon.ValueTypeEmpty, pcommon.ValueTypeStr, pcommon.ValueTypeBool, pcommon.ValueTypeInt:
	case pcommon.ValueTypeDouble:
		if math.IsNaN(v.Double()) || math.IsInf(v.Double(), 0) {
			t.Errorf("%s: %v", path, v.Double())
		}
	case pcommon.ValueTypeSlice:
		for _, e := range v.Slice().All() {
			checkBodyValue(t, path+"[]", e)
		}
	case pcommon.ValueTypeMap:
		checkBody(t, path, v.Map())
	default:
		t.Errorf("%s: unexpected %s", path, v.Type())
	}
}

// checkPlain checks that v holds only the plain values log bodies and attributes take.
func checkPlain(t *testing.T, path string, v any) {
	t.Helper()
	switch x := v.(type) {
	case nil, string, bool, int64:
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			t.Errorf("%s: %v", path, x)
		}
	case []any:
		for _, e := range x {
			checkPlain(t, path+"[]", e)
		}
	case map[string]any:
		for k, e := range x {
			checkPlain(t, path+"."+k, e)
		}
	default:
		t.Errorf("%s: unexpected %T", path, v)
	}
}
