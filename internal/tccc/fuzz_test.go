package tccc_test

import (
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
	"github.com/otelcallcenter/callcenterreceiver/internal/platformtest"
	"github.com/otelcallcenter/callcenterreceiver/internal/tccc"
)

// FuzzDecode feeds TCCC's decoder any action and body: it must never panic, must accept every
// JSON object pushed with a known action, and what it accepts must be a consistent push of the
// kind the action names.
func FuzzDecode(f *testing.F) {
	samples := platformtest.Samples(f, "../../testdata/tccc")
	for _, name := range slices.Sorted(maps.Keys(samples)) {
		body := samples[name]
		for _, action := range []string{"cdr", "record", "voicemail", ""} {
			f.Add(action, "", body)
		}
		f.Add(strings.TrimSuffix(name, ".json"), "0b7c5f5e-6c1d-4b1e-9d55-8f8b2c1c5a11", body)
	}
	for _, action := range []string{"CDR", " cdr", "cdr\x00", "imcdr", "record,cdr", "\xff"} {
		f.Add(action, "", samples["cdr.json"])
	}
	for _, body := range platformtest.HostileBodies() {
		for _, action := range []string{"cdr", "record", "voicemail"} {
			f.Add(action, "", body)
		}
	}
	for _, action := range []string{"cdr", "record", "voicemail"} {
		for _, body := range platformtest.FieldMutations(f, samples[action+".json"]) {
			f.Add(action, "", body)
		}
	}

	// Fields of an unexpected type (issue 8, item 11): read leniently or warned of, never refused.
	f.Add("cdr", "", []byte(`{"SessionId":123,"StartTimestamp":"1606188550","Direction":"0","SeatUser":"x"}`))
	f.Add("record", "", []byte(`{"SessionId":"s","RecordURL":{"u":1},"Timestamp":"abc","EndpointUser":true}`))

	f.Fuzz(func(t *testing.T, action, pushID string, body []byte) {
		req := platform.Request{
			Query: url.Values{"action": {action}}, Header: http.Header{}, Body: body,
			Arrival: platformtest.Arrival, Location: time.UTC,
		}
		if pushID != "" {
			req.Header.Set(tccc.PushIDHeader, pushID)
		}
		pushes, err := tccc.Platform{}.Decode(req)
		if err != nil {
			known := action == "cdr" || action == "record" || action == "voicemail"
			platformtest.CheckRefusal(t, body, pushes, err, known && platformtest.IsObject(body))
			return
		}
		if len(pushes) != 1 {
			t.Fatalf("a TCCC push decodes to one push, got %d", len(pushes))
		}
		p := pushes[0]
		platformtest.CheckPush(t, body, p, tccc.Name)

		kinds := map[string]call.Kind{"cdr": call.KindCallRecord, "record": call.KindRecording, "voicemail": call.KindVoicemail}
		if want, ok := kinds[action]; !ok || p.Kind != want {
			t.Errorf("action %q decoded to kind %q", action, p.Kind)
		}
		if p.DedupKey == "" && (p.Kind != call.KindCallRecord || p.Call.SessionID != "") {
			t.Error("every TCCC push but a session-less CDR has a dedup key")
		}
		if req.Header.Get(tccc.PushIDHeader) != "" && p.DedupKey != req.Header.Get(tccc.PushIDHeader) {
			t.Errorf("the push UUID header is the dedup key: got %q", p.DedupKey)
		}
		if p.Call.SessionID == "" && !platformtest.HasWarning(p, "SessionId") {
			t.Errorf("a push without SessionId is warned of: %q", p.Warnings)
		}
		switch p.Kind {
		case call.KindCallRecord:
			if p.Call.EndStatus == "" || p.Call.HangupSide == "" || p.Call.Direction == "" {
				t.Errorf("a call record has a status, hang-up side and direction: %+v", p.Call)
			}
			if p.Recording != nil {
				t.Error("a call record announces no recording")
			}
			for i := 1; i < len(p.Call.Legs); i++ {
				if p.Call.Legs[i-1].Sequence > p.Call.Legs[i].Sequence {
					t.Errorf("legs out of Sequence order: %d before %d", p.Call.Legs[i-1].Sequence, p.Call.Legs[i].Sequence)
				}
			}
		default:
			if p.Recording == nil {
				t.Fatalf("a %s push is a recording notice", p.Kind)
			}
			if p.Recording.URL == "" && !platformtest.HasWarning(p, "RecordURL") {
				t.Errorf("a %s push without RecordURL is warned of: %q", p.Kind, p.Warnings)
			}
			if p.Recording.URL != "" && (len(p.Call.RecordingURLs) == 0 || p.Call.RecordingURLs[0] != p.Recording.URL) {
				t.Errorf("a %s push announces its recording: %+v %v", p.Kind, p.Recording, p.Call.RecordingURLs)
			}
		}

		again, err := tccc.Platform{}.Decode(req)
		if err != nil || !reflect.DeepEqual(again, pushes) {
			t.Errorf("decoding is not deterministic: %v", err)
		}
	})
}
