package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
	"github.com/otelcallcenter/callcenterreceiver/internal/platforms"
	"github.com/otelcallcenter/callcenterreceiver/internal/tccc"
	"github.com/otelcallcenter/callcenterreceiver/internal/webhook"
)

// fuzzOutcomes are what the fuzzed processor does with the pushes, chosen by the fuzzer.
var fuzzOutcomes = []struct {
	err    error
	status int
}{
	{nil, http.StatusOK},
	{errors.New("the logs pipeline did not accept the push: exporter down"), http.StatusServiceUnavailable},
	{&webhook.Error{Status: http.StatusInternalServerError, Err: errors.New("operators failed: boom")}, http.StatusInternalServerError},
	{&webhook.Error{Status: http.StatusServiceUnavailable, Err: errors.New("the same push is being processed")}, http.StatusServiceUnavailable},
}

var fuzzStatuses = []int{
	http.StatusOK, http.StatusBadRequest, http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusRequestEntityTooLarge,
	http.StatusUnsupportedMediaType, http.StatusInternalServerError, http.StatusServiceUnavailable,
}

// FuzzHandler drives the handler, with the four real vendors behind it, with any method, path,
// query, Content-Type, body, body limit and pipeline outcome. Nothing panics; every reply is
// JSON in the route's format with one of the documented statuses; 200 only for a push the
// pipeline accepted; every push rejected before the pipeline is counted refused, once.
func FuzzHandler(f *testing.F) {
	samples := map[string][]byte{
		"/tccc?action=cdr&version=1":           readSample(f, "tccc/cdr.json"),
		"/tccc?action=record&version=1":        readSample(f, "tccc/record.json"),
		"/tccc?action=voicemail":               readSample(f, "tccc/voicemail.json"),
		"/udesk":                               readSample(f, "udesk/end.json"),
		"/uincall":                             readSample(f, "uincall/outbound-7-call_hangup.json"),
		"/dezhu":                               readSample(f, "dezhu/record.json"),
		"/tccc?action=imcdr":                   readSample(f, "tccc/cdr.json"),
		"/tccc?action=cdr;action=record":       readSample(f, "tccc/cdr.json"),
		"/tccc?action=%zz":                     readSample(f, "tccc/cdr.json"),
		"/Tccc?action=cdr":                     readSample(f, "tccc/cdr.json"),
		"/tccc/?action=cdr":                    readSample(f, "tccc/cdr.json"),
		"/health":                              nil,
		"/genesys":                             []byte(`{}`),
		"":                                     nil,
		"/dezhu?x=" + strings.Repeat("a", 100): []byte(`{"data":{"id":"1"}}`),
	}
	for _, target := range slices.Sorted(maps.Keys(samples)) {
		body := samples[target]
		for outcome := range fuzzOutcomes {
			f.Add(http.MethodPost, target, "application/json", body, uint16(8192), uint8(outcome))
		}
		f.Add(http.MethodPost, target, "", body, uint16(100), uint8(0))
		f.Add(http.MethodGet, target, "", body, uint16(8192), uint8(0))
		f.Add(http.MethodHead, target, "", body, uint16(8192), uint8(0))
	}
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "*/*", "application/xml", "json;;=",
		"application/json; charset=\xff", "multipart/form-data; boundary=x", "application/json;charset=utf-8;q=1"} {
		f.Add(http.MethodPost, "/udesk", ct, samples["/udesk"], uint16(8192), uint8(0))
	}
	for _, method := range []string{"", "post", "PUT", "OPTIONS", "CONNECT", "P OST", "\x00"} {
		f.Add(method, "/uincall", "application/json", samples["/uincall"], uint16(8192), uint8(0))
	}
	for _, body := range [][]byte{nil, []byte("null"), []byte("[]"), []byte("1e400"), []byte("\xff\xfe"),
		[]byte(`{"a":` + strings.Repeat("[", 10001)), []byte(`{"command":"x"}`), []byte(`{"data":{"iccCallId":"x"}}`)} {
		for _, target := range []string{"/tccc?action=cdr", "/udesk", "/uincall", "/dezhu"} {
			f.Add(http.MethodPost, target, "", body, uint16(0xffff), uint8(0))
		}
	}
	f.Add(http.MethodPost, "/dezhu", "", samples["/dezhu"], uint16(0), uint8(0))
	f.Add(http.MethodPost, "/dezhu", "", samples["/dezhu"], uint16(len(samples["/dezhu"])), uint8(0))
	f.Add(http.MethodPost, "/dezhu", "", samples["/dezhu"], uint16(len(samples["/dezhu"])-1), uint8(0))

	vendors := map[string]platform.Platform{} // every registered platform at its default path
	var routes []webhook.Route
	for _, e := range platforms.All() {
		vendors[e.Path] = e.Platform
		routes = append(routes, webhook.Route{Path: e.Path, Vendor: e.Platform, ReplyTimeout: 10 * time.Second})
	}
	shanghai := time.FixedZone("CST", 8*3600)

	f.Fuzz(func(t *testing.T, method, target, contentType string, body []byte, limit uint16, outcome uint8) {
		want := fuzzOutcomes[int(outcome)%len(fuzzOutcomes)]
		proc := &fakeProcessor{process: func(_ context.Context, v platform.Platform, pushes []call.Push) error {
			for _, p := range pushes {
				if p.Vendor != v.Name() {
					t.Errorf("a %s push reached the pipeline as %s's", p.Vendor, v.Name())
				}
			}
			return want.err
		}}
		h := webhook.NewHandler(webhook.Config{Routes: routes, HealthPath: "/health", Location: shanghai, Processor: proc})

		path, rawQuery, _ := strings.Cut(target, "?")
		req := httptest.NewRequest(http.MethodPost, "/", nil)
		req.Method = method
		req.URL = &url.URL{Path: path, RawQuery: rawQuery}
		req.RequestURI = target
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		rec := httptest.NewRecorder()
		req.Body = http.MaxBytesReader(rec, io.NopCloser(bytes.NewReader(body)), int64(limit))
		h.ServeHTTP(rec, req)
		h.Wait()

		status := rec.Code
		if !slices.Contains(fuzzStatuses, status) {
			t.Fatalf("status %d is not one the README documents", status)
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("reply Content-Type %q", ct)
		}
		var reply map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &reply); err != nil {
			t.Fatalf("the reply is not a JSON object: %v: %q", err, rec.Body.String())
		}
		calls, refused := proc.processed(), proc.refusals()

		if path == "/health" {
			wantStatus := http.StatusMethodNotAllowed
			if method == http.MethodGet || method == http.MethodHead {
				wantStatus = http.StatusOK
			}
			if status != wantStatus || len(calls) != 0 || len(refused) != 0 {
				t.Errorf("health %s: status %d, %d processed, %d refused", method, status, len(calls), len(refused))
			}
			return
		}
		v, ok := vendors[path]
		if !ok {
			if status != http.StatusNotFound || len(calls) != 0 || len(refused) != 0 {
				t.Errorf("no route at %q: status %d, %d processed, %d refused", path, status, len(calls), len(refused))
			}
			fuzzCheckCodeReply(t, reply, status)
			return
		}

		if v.Name() == tccc.Name {
			code, _ := reply["ErrCode"].(float64)
			msg, _ := reply["ErrMsg"].(string)
			if (status == http.StatusOK) != (code == 0 && msg == "") || (status != http.StatusOK && int(code) != status) {
				t.Errorf("TCCC reply %s with status %d", rec.Body.String(), status)
			}
		} else {
			fuzzCheckCodeReply(t, reply, status)
		}

		switch len(calls) {
		case 0:
			switch status {
			case http.StatusBadRequest, http.StatusMethodNotAllowed, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
			default:
				t.Fatalf("status %d for a push the pipeline never got", status)
			}
			if len(refused) != 1 || refused[0].vendor != v.Name() || refused[0].status != status {
				t.Fatalf("a rejected push is counted refused once for its vendor: %+v", refused)
			}
			if status == http.StatusMethodNotAllowed && (method == http.MethodPost || rec.Header().Get("Allow") != http.MethodPost) {
				t.Errorf("405 for %q with Allow %q", method, rec.Header().Get("Allow"))
			}
			if status == http.StatusRequestEntityTooLarge && len(body) <= int(limit) {
				t.Errorf("413 for %d bytes under a limit of %d", len(body), limit)
			}
		case 1:
			if method != http.MethodPost || len(calls[0].pushes) == 0 || calls[0].vendor != v.Name() {
				t.Errorf("the pipeline got %d %s pushes of a %q request", len(calls[0].pushes), calls[0].vendor, method)
			}
			if status != want.status {
				t.Errorf("status %d, want %d for pipeline outcome %v", status, want.status, want.err)
			}
			if len(refused) != 0 {
				t.Errorf("a push the pipeline got is counted refused by the handler: %+v", refused)
			}
			if len(body) > int(limit) {
				t.Errorf("%d bytes over a limit of %d reached the pipeline", len(body), limit)
			}
		default:
			t.Fatalf("one request reached the pipeline %d times", len(calls))
		}
	})
}

// fuzzCheckCodeReply checks the generic reply: code 0 and success, or the status and a reason.
func fuzzCheckCodeReply(t *testing.T, reply map[string]any, status int) {
	t.Helper()
	code, _ := reply["code"].(float64)
	msg, _ := reply["message"].(string)
	if status == http.StatusOK && (code != 0 || msg != "success") || status != http.StatusOK && (int(code) != status || msg == "") {
		t.Errorf("reply %v with status %d", reply, status)
	}
}
