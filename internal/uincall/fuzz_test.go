package uincall_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/uincall"
	"github.com/otelcallcenter/callcenterreceiver/internal/vendor"
)

var fuzzArrival = time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)

var fuzzDedupKey = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// FuzzDecode feeds UinCall's decoder any body: it must never panic, and what it accepts must be
// a consistent call or agent event whose dedup key depends only on the payload's content.
func FuzzDecode(f *testing.F) {
	samples := fuzzSamples(f, "../../testdata/uincall")
	for _, name := range slices.Sorted(maps.Keys(samples)) {
		body := samples[name]
		f.Add(body)
	}
	for _, body := range fuzzHostileBodies() {
		f.Add(body)
	}
	for _, file := range []string{"inbound-4-call_hangup.json", "agent-login-agentstatus.json"} {
		for _, body := range fuzzFieldMutations(f, samples[file]) {
			f.Add(body)
		}
	}
	f.Add([]byte(`{"command":"call_hangup","COMMAND":"agentstatus"}`))
	f.Add([]byte(`{"command":"call_hangup","session_id":"s","call_result":"0","agent_type":1e400}`))

	f.Fuzz(func(t *testing.T, body []byte) {
		pushes, err := decodeFuzz(body)
		if err != nil {
			if len(pushes) != 0 || err.Error() == "" {
				t.Fatalf("an error comes alone and says something: %d pushes, %q", len(pushes), err)
			}
			return
		}
		if len(pushes) != 1 {
			t.Fatalf("a UinCall push decodes to one push, got %d", len(pushes))
		}
		p := pushes[0]
		fuzzCheckPush(t, body, p, uincall.Name)

		if p.Kind != call.KindCallEvent && p.Kind != call.KindAgentEvent {
			t.Errorf("UinCall pushes events, got kind %s", p.Kind)
		}
		if p.Event == nil || p.Event.Name == "" || p.Event.Type == "" {
			t.Fatalf("every UinCall push is an event with its command: %+v", p.Event)
		}
		if !p.Time.IsZero() {
			t.Errorf("UinCall sends no times, got %s", p.Time)
		}
		if !fuzzDedupKey.MatchString(p.DedupKey) {
			t.Errorf("dedup key %q is not the payload's SHA-256", p.DedupKey)
		}

		again, err := decodeFuzz(body)
		if err != nil || !reflect.DeepEqual(again, pushes) {
			t.Errorf("decoding is not deterministic: %v", err)
		}
		// The key is the content's: the payload encoded again, in another key order and
		// formatting, is the same push. Not when two keys differ only in case: encoding/json
		// matches field names without case, so the last of them in the body sets the field, and
		// the order is the body's (seed ea26a8b55af820c6).
		if fuzzCaseCollision(p.Payload) {
			return
		}
		canonical, err := json.MarshalIndent(p.Payload, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		reencoded, err := decodeFuzz(canonical)
		if err != nil {
			t.Fatalf("the payload encoded again does not decode: %v\n%s", err, canonical)
		}
		if reencoded[0].DedupKey != p.DedupKey {
			t.Errorf("the same content has another dedup key:\n%s\n%s", body, canonical)
		}
	})
}

// fuzzCaseCollision reports whether two keys of the object differ only in case, folded as
// encoding/json folds names ("ſ" is "S", the Kelvin sign "K").
func fuzzCaseCollision(m map[string]any) bool {
	fold := func(r rune) rune { return unicode.ToUpper(unicode.ToLower(r)) }
	seen := make(map[string]bool, len(m))
	for k := range m {
		folded := strings.Map(fold, k)
		if seen[folded] {
			return true
		}
		seen[folded] = true
	}
	return false
}

func decodeFuzz(body []byte) ([]call.Push, error) {
	return uincall.Vendor{}.Decode(vendor.Request{
		Header: http.Header{}, Body: body, Arrival: fuzzArrival, Location: time.UTC,
	})
}

// fuzzSamples reads every file of the vendor's testdata.
func fuzzSamples(f *testing.F, dir string) map[string][]byte {
	f.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		f.Fatal(err)
	}
	samples := map[string][]byte{}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		body, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			f.Fatal(err)
		}
		samples[e.Name()] = body
	}
	if len(samples) == 0 {
		f.Fatalf("no samples in %s", dir)
	}
	return samples
}

// fuzzHostileValues replace each field of a sample in turn: every JSON kind, numbers out of
// every range, invalid UTF-8, a lone surrogate, and texts that look like times and numbers.
var fuzzHostileValues = []string{
	`null`, `true`, `-1`, `1.5`, `1e400`, `99999999999999999999`, `9223372036854775807`,
	`-9223372036854775808`, `18446744074`, `""`, `"x"`, "\"\xff\xfe\"", `"\ud800"`, `"00"`,
	`"2019-07-24 15:23:17 +0800"`, `{}`, `[]`, `[null,1,"a",{},[]]`,
}

// fuzzHostileBodies are whole bodies that are not what any vendor sends.
func fuzzHostileBodies() [][]byte {
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

// fuzzFieldMutations returns the sample with each of its values, at every depth, replaced in
// turn by each of fuzzHostileValues (of an array, the first element).
func fuzzFieldMutations(f *testing.F, sample []byte) [][]byte {
	f.Helper()
	dec := json.NewDecoder(bytes.NewReader(sample))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		f.Fatal(err)
	}
	const hole = "\x00hole\x00"
	quotedHole, _ := json.Marshal(hole)
	var out [][]byte
	mutate := func(set func(any), old any) {
		set(hole)
		marked, err := json.Marshal(doc)
		set(old)
		if err != nil {
			f.Fatal(err)
		}
		for _, v := range fuzzHostileValues {
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

// fuzzCheckPush checks what every decoded push must be, whatever the body was.
func fuzzCheckPush(t *testing.T, body []byte, p call.Push, vendorName string) {
	t.Helper()
	if !json.Valid(body) {
		t.Errorf("accepted a body that is not JSON: %q", body)
	}
	if p.Vendor != vendorName {
		t.Errorf("Vendor %q, want %q", p.Vendor, vendorName)
	}
	if !p.Arrival.Equal(fuzzArrival) {
		t.Errorf("Arrival %s, want the request's", p.Arrival)
	}
	if p.Payload == nil {
		t.Error("nil Payload")
	}
	fuzzCheckPlain(t, "payload", p.Payload)
	if _, err := json.Marshal(p.Payload); err != nil {
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
	fuzzCheckPlain(t, "custom", c.Custom)
	if p.Event != nil {
		fuzzCheckPlain(t, "event attributes", p.Event.Attributes)
	}
}

// fuzzCheckPlain checks that v holds only the plain values log bodies and attributes take.
func fuzzCheckPlain(t *testing.T, path string, v any) {
	t.Helper()
	switch x := v.(type) {
	case nil, string, bool, int64:
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			t.Errorf("%s: %v", path, x)
		}
	case []any:
		for _, e := range x {
			fuzzCheckPlain(t, path+"[]", e)
		}
	case map[string]any:
		for k, e := range x {
			fuzzCheckPlain(t, path+"."+k, e)
		}
	default:
		t.Errorf("%s: unexpected %T", path, v)
	}
}
