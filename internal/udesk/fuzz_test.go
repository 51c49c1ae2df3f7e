package udesk_test

import (
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
	"github.com/otelcallcenter/callcenterreceiver/internal/platformtest"
	"github.com/otelcallcenter/callcenterreceiver/internal/udesk"
)

// FuzzDecode feeds Udesk's decoder any body: it must never panic, and what it accepts must be a
// consistent call event, or a call record for the end occasion.
func FuzzDecode(f *testing.F) {
	samples := platformtest.Samples(f, "../../testdata/udesk")
	for _, name := range slices.Sorted(maps.Keys(samples)) {
		body := samples[name]
		for zone := range platformtest.Zones {
			f.Add(body, uint8(zone))
		}
	}
	for _, body := range platformtest.HostileBodies() {
		f.Add(body, uint8(2))
	}
	for _, body := range platformtest.FieldMutations(f, samples["end.json"]) {
		f.Add(body, uint8(2))
	}

	// Fields of an unexpected type (issue 8, item 11): read leniently or warned of, never refused.
	f.Add([]byte(`{"conversation_id":"12345","occasion":"end","note_custom_fields":[{"name":"n","value":7}]}`), uint8(2))
	f.Add([]byte(`{"conversation_id":{"id":1},"occasion":3,"agent_ring_at":{},"total_time":"81","is_blocked":"true"}`), uint8(2))

	f.Fuzz(func(t *testing.T, body []byte, zone uint8) {
		req := platform.Request{
			Header: http.Header{}, Body: body, Arrival: platformtest.Arrival, Location: platformtest.Zones[int(zone)%len(platformtest.Zones)],
		}
		pushes, err := udesk.Platform{}.Decode(req)
		if err != nil {
			platformtest.CheckRefusal(t, body, pushes, err, platformtest.IsObject(body))
			return
		}
		if len(pushes) != 1 {
			t.Fatalf("a Udesk push decodes to one push, got %d", len(pushes))
		}
		p := pushes[0]
		platformtest.CheckPush(t, body, p, udesk.Name)

		if p.Event == nil || p.Event.Name != strings.TrimSpace(p.Event.Name) || p.Event.Type == "" {
			t.Fatalf("every Udesk push is an event with its occasion: %+v", p.Event)
		}
		if p.Event.Name == "" && !platformtest.HasWarning(p, "occasion") {
			t.Errorf("a push without occasion is warned of: %q", p.Warnings)
		}
		switch {
		case p.Event.Name == "end":
			if p.Kind != call.KindCallRecord || p.Event.Type != call.EventCallEnded || p.Call.EndStatus == "" {
				t.Errorf("the end occasion is a call record with a status: %s %s %q", p.Kind, p.Event.Type, p.Call.EndStatus)
			}
		case p.Kind != call.KindCallEvent:
			t.Errorf("occasion %q decoded to kind %s", p.Event.Name, p.Kind)
		}
		switch {
		case p.Call.SessionID == "":
			if !platformtest.HasWarning(p, "conversation_id") || p.DedupKey != "" {
				t.Errorf("a push without conversation_id is warned of and has no dedup key: %q %q", p.Warnings, p.DedupKey)
			}
		case !strings.HasPrefix(p.DedupKey, p.Call.SessionID+"/"+p.Event.Name+"/"):
			t.Errorf("dedup key %q is not conversation/occasion/timestamp", p.DedupKey)
		}
		if p.Call.Direction == "" || p.Call.HangupSide == "" {
			t.Errorf("direction %q and hang-up side %q are always set", p.Call.Direction, p.Call.HangupSide)
		}

		again, err := udesk.Platform{}.Decode(req)
		if err != nil || !reflect.DeepEqual(again, pushes) {
			t.Errorf("decoding is not deterministic: %v", err)
		}
	})
}
