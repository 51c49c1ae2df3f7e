package uincall_test

import (
	"encoding/json"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
	"github.com/otelcallcenter/callcenterreceiver/internal/platformtest"
	"github.com/otelcallcenter/callcenterreceiver/internal/uincall"
)

// FuzzDecode feeds UinCall's decoder any body: it must never panic, and what it accepts must be
// a consistent call or agent event, never deduplicated (UinCall documents no retries), and its
// payload, encoded again, must decode too.
func FuzzDecode(f *testing.F) {
	samples := platformtest.Samples(f, "../../testdata/uincall")
	for _, name := range slices.Sorted(maps.Keys(samples)) {
		body := samples[name]
		f.Add(body)
	}
	for _, body := range platformtest.HostileBodies() {
		f.Add(body)
	}
	for _, file := range []string{"inbound-4-call_hangup.json", "agent-login-agentstatus.json"} {
		for _, body := range platformtest.FieldMutations(f, samples[file]) {
			f.Add(body)
		}
	}
	f.Add([]byte(`{"command":"call_hangup","COMMAND":"agentstatus"}`))
	f.Add([]byte(`{"command":"call_hangup","session_id":"s","call_result":"0","agent_type":1e400}`))
	// Fields of an unexpected type (issue 8, item 11): read leniently or warned of, never refused.
	f.Add([]byte(`{"command":"call_hangup","session_id":12345,"call_result":{"code":0},"agent_num":8014}`))
	f.Add([]byte(`{"command":["call_hangup"],"session_id":"s"}`))

	f.Fuzz(func(t *testing.T, body []byte) {
		pushes, err := decodeFuzz(body)
		if err != nil {
			platformtest.CheckRefusal(t, body, pushes, err, platformtest.IsObject(body))
			return
		}
		if len(pushes) != 1 {
			t.Fatalf("a UinCall push decodes to one push, got %d", len(pushes))
		}
		p := pushes[0]
		platformtest.CheckPush(t, body, p, uincall.Name)

		if p.Kind != call.KindCallEvent && p.Kind != call.KindAgentEvent {
			t.Errorf("UinCall pushes events, got kind %s", p.Kind)
		}
		if p.Event == nil || p.Event.Type == "" {
			t.Fatalf("every UinCall push is an event with its command: %+v", p.Event)
		}
		if p.Event.Name == "" && !platformtest.HasWarning(p, "command") {
			t.Errorf("a push without command is warned of: %q", p.Warnings)
		}
		if !p.Time.IsZero() {
			t.Errorf("UinCall sends no times, got %s", p.Time)
		}
		if p.DedupKey != "" || p.EndIsFinal {
			t.Errorf("every UinCall push is an event of its own: dedup key %q, end is final %v", p.DedupKey, p.EndIsFinal)
		}

		again, err := decodeFuzz(body)
		if err != nil || !reflect.DeepEqual(again, pushes) {
			t.Errorf("decoding is not deterministic: %v", err)
		}
		// The payload encoded again, in another key order and formatting, decodes too. Not when
		// two keys differ only in case: encoding/json matches field names without case, so the
		// last of them in the body sets the field, and the order is the body's (seed
		// ea26a8b55af820c6).
		payload := p.Payload.AsRaw()
		if fuzzCaseCollision(payload) {
			return
		}
		canonical, err := json.MarshalIndent(payload, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		reencoded, err := decodeFuzz(canonical)
		if err != nil || len(reencoded) != 1 {
			t.Fatalf("the payload encoded again does not decode to one push: %v\n%s", err, canonical)
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
	return uincall.Platform{}.Decode(platform.Request{
		Header: http.Header{}, Body: body, Arrival: platformtest.Arrival, Location: time.UTC,
	})
}
