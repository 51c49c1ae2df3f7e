package dezhu_test

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/dezhu"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
	"github.com/otelcallcenter/callcenterreceiver/internal/platformtest"
)

// FuzzDecode feeds 得助's decoder any body: it must never panic, and what it accepts must be a
// consistent call record.
func FuzzDecode(f *testing.F) {
	samples := platformtest.Samples(f, "../../testdata/dezhu")
	for _, name := range slices.Sorted(maps.Keys(samples)) {
		body := samples[name]
		for zone := range platformtest.Zones {
			f.Add(body, uint8(zone))
		}
	}
	for _, body := range platformtest.HostileBodies() {
		f.Add(body, uint8(2))
		f.Add([]byte(`{"data":`+string(body)+`}`), uint8(2))
	}
	for _, body := range platformtest.FieldMutations(f, samples["record.json"]) {
		f.Add(body, uint8(2))
	}
	// expansionFields is JSON inside a string: hostile JSON there too.
	for _, fields := range []string{
		`[{"name":"a","value":1e400}]`, `[{"id":99999999999999999999,"value":1}]`, `[{"id":1.5,"value":[1,{"a":null}]}]`,
		`[{"name":" ","id":null,"value":1}]`, `[1,2]`, `[{}]`, `[]`, `{}`, `null`, `"x"`, `1e400`, `[{"name":"a"}] x`,
		strings.Repeat("[", 10001), strings.Repeat("[", 1000) + strings.Repeat("]", 1000),
		"[{\"name\":\"\xff\",\"value\":\"\xfe\"}]",
	} {
		quoted, _ := json.Marshal(fields)
		f.Add([]byte(`{"data":{"id":"1","expansionFields":`+string(quoted)+`}}`), uint8(2))
	}

	// Fields of an unexpected type (issue 8, item 11): read leniently or warned of, never refused.
	for _, body := range []string{
		`{"data":{"id":"1","transferId":0}}`, `{"data":{"id":"1","callType":"1"}}`,
		`{"data":{"id":1,"callType":"in","communicateBeginTime":{},"speechCallResult":[1]}}`,
		`{"data":{}}`, `{"data":"x"}`, `{"data":[]}`, `{"Data":{"id":"1"}}`,
	} {
		f.Add([]byte(body), uint8(2))
	}

	f.Fuzz(func(t *testing.T, body []byte, zone uint8) {
		req := platform.Request{
			Header: http.Header{}, Body: body, Arrival: platformtest.Arrival, Location: platformtest.Zones[int(zone)%len(platformtest.Zones)],
		}
		pushes, err := dezhu.Platform{}.Decode(req)
		if err != nil {
			platformtest.CheckRefusal(t, body, pushes, err, platformtest.IsObject(body) && dataIsObject(body))
			return
		}
		if len(pushes) != 1 {
			t.Fatalf("a 得助 push decodes to one push, got %d", len(pushes))
		}
		p := pushes[0]
		platformtest.CheckPush(t, body, p, dezhu.Name)

		if p.Kind != call.KindCallRecord {
			t.Errorf("得助 pushes call records, got kind %s", p.Kind)
		}
		c := p.Call
		if c.SessionID == "" && !platformtest.HasWarning(p, "data.iccCallId") {
			t.Errorf("a record without iccCallId or id is warned of: %q", p.Warnings)
		}
		// The record id is the dedup key; a record without one has none.
		if p.DedupKey != c.CallID {
			t.Errorf("dedup key %q is not the record id %q", p.DedupKey, c.CallID)
		}
		if c.EndStatus == "" || c.HangupSide == "" || c.Direction == "" {
			t.Errorf("a call record has a status, hang-up side and direction: %+v", c)
		}
		if d, ok := c.Duration(call.PhaseACW); ok && d > 24*time.Hour {
			t.Errorf("after-call work of %s", d)
		}

		again, err := dezhu.Platform{}.Decode(req)
		if err != nil || !reflect.DeepEqual(again, pushes) {
			t.Errorf("decoding is not deterministic: %v", err)
		}
	})
}

// dataIsObject is 得助's envelope: the record, data, is a JSON object. encoding/json matches
// the key as the decoder does, case-insensitively, the last one winning.
func dataIsObject(body []byte) bool {
	var envelope struct {
		Data json.RawMessage `json:"data"`
	}
	if json.Unmarshal(body, &envelope) != nil {
		return false
	}
	data := bytes.Trim(envelope.Data, " \t\r\n")
	return len(data) > 0 && data[0] == '{'
}
