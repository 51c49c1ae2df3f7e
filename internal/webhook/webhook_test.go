package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
	"github.com/otelcallcenter/callcenterreceiver/internal/tccc"
	"github.com/otelcallcenter/callcenterreceiver/internal/webhook"
)

// fakeProcessor records what the handler hands it; process, when set, decides the outcome.
type fakeProcessor struct {
	process func(ctx context.Context, v platform.Platform, pushes []call.Push) error

	mu           sync.Mutex
	calls        []processed
	refused      []refusal
	authFailures map[string]int // by vendor
}

type processed struct {
	vendor string
	pushes []call.Push
}

type refusal struct {
	vendor string
	status int
	err    error
}

func (p *fakeProcessor) Process(ctx context.Context, v platform.Platform, _ platform.Request, pushes []call.Push) error {
	p.mu.Lock()
	p.calls = append(p.calls, processed{vendor: v.Name(), pushes: pushes})
	p.mu.Unlock()
	if p.process != nil {
		return p.process(ctx, v, pushes)
	}
	return nil
}

func (p *fakeProcessor) Refused(_ context.Context, v platform.Platform, status int, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refused = append(p.refused, refusal{vendor: v.Name(), status: status, err: err})
}

func (p *fakeProcessor) AuthFailed(_ context.Context, v platform.Platform) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.authFailures == nil {
		p.authFailures = map[string]int{}
	}
	p.authFailures[v.Name()]++
}

func (p *fakeProcessor) authFailed(vendor string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.authFailures[vendor]
}

func (p *fakeProcessor) processed() []processed {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]processed(nil), p.calls...)
}

func (p *fakeProcessor) refusals() []refusal {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]refusal(nil), p.refused...)
}

// fakeVendor takes {"id": "..."} and replies in a format of its own, so that a test sees
// which vendor answered.
type fakeVendor struct{}

func (fakeVendor) Name() string { return "fake" }

func (fakeVendor) Decode(req platform.Request) ([]call.Push, error) {
	var b struct {
		ID string `json:"id"`
	}
	payload, _, err := platform.Decode(req.Body, &b)
	if err != nil {
		return nil, err
	}
	if b.ID == "" {
		return nil, errors.New("field id: required")
	}
	return []call.Push{{
		Vendor: "fake", Kind: call.KindCallEvent, Arrival: req.Arrival, DedupKey: b.ID,
		Payload: payload,
	}}, nil
}

func (fakeVendor) Reply(w http.ResponseWriter, status int, err error) {
	reply := map[string]any{"fake_status": status, "fake_error": ""}
	if err != nil {
		reply["fake_error"] = err.Error()
	}
	platform.WriteJSON(w, status, reply)
}

func (fakeVendor) PhoneFields() []string { return nil }

func readSample(t testing.TB, path string) []byte {
	t.Helper()
	body, err := os.ReadFile("../../testdata/" + path)
	require.NoError(t, err)
	return body
}

func newHandler(proc webhook.Processor, replyTimeout time.Duration) *webhook.Handler {
	return webhook.NewHandler(webhook.Config{
		Routes: []webhook.Route{
			{Path: "/tccc", Vendor: tccc.Platform{}, ReplyTimeout: replyTimeout},
			{Path: "/fake", Vendor: fakeVendor{}, ReplyTimeout: replyTimeout},
		},
		HealthPath: "/health",
		Location:   time.UTC,
		Processor:  proc,
	})
}

// serve runs one request through the handler, its body limited to limit bytes as the server's
// http.MaxBytesReader does.
func serve(h http.Handler, req *http.Request, limit int64) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	req.Body = http.MaxBytesReader(rec, req.Body, limit)
	h.ServeHTTP(rec, req)
	return rec
}

// reply is a vendor reply whatever its format: TCCC's ErrCode/ErrMsg, the generic code/message,
// or fakeVendor's.
type reply struct {
	format string
	code   int
	msg    string
}

func parseReply(t testing.TB, rec *httptest.ResponseRecorder) reply {
	t.Helper()
	assert.Equal(t, "application/json; charset=utf-8", rec.Header().Get("Content-Type"))
	var m map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &m), "the reply is JSON: %q", rec.Body.String())
	num := func(k string) int {
		f, ok := m[k].(float64)
		require.True(t, ok, "%s in %s", k, rec.Body.String())
		return int(f)
	}
	str := func(k string) string {
		s, ok := m[k].(string)
		require.True(t, ok, "%s in %s", k, rec.Body.String())
		return s
	}
	switch {
	case m["ErrCode"] != nil:
		return reply{format: "tccc", code: num("ErrCode"), msg: str("ErrMsg")}
	case m["fake_status"] != nil:
		r := reply{format: "fake", code: num("fake_status"), msg: str("fake_error")}
		if r.msg == "" {
			r.code = 0
		}
		return r
	default:
		return reply{format: "code", code: num("code"), msg: str("message")}
	}
}

// replyCase is one request through the handler and what must come of it.
type replyCase struct {
	name        string
	method      string
	target      string
	contentType string
	body        []byte
	bodyReader  io.Reader // instead of body
	limit       int64     // 0: 1 MiB
	process     func(context.Context, platform.Platform, []call.Push) error

	status    int
	format    string // "tccc", "fake" or "code"
	reason    string // in the reply's message
	allow     string
	processed bool
}

func TestReplies(t *testing.T) {
	cdr := readSample(t, "tccc/cdr.json")
	tooDeep := []byte(`{"SessionId":"s","a":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`)
	errDown := errors.New("the logs pipeline did not accept the push: exporter down")

	tests := []replyCase{
		{name: "accepted", method: http.MethodPost, target: "/tccc?action=cdr&version=1", body: cdr,
			status: http.StatusOK, format: "tccc", processed: true},
		{name: "accepted, other vendor's format", method: http.MethodPost, target: "/fake", body: []byte(`{"id":"1"}`),
			contentType: "application/json", status: http.StatusOK, format: "fake", processed: true},
		{name: "not JSON", method: http.MethodPost, target: "/tccc?action=cdr", body: []byte("SessionId=1"),
			status: http.StatusBadRequest, format: "tccc", reason: "the body is not a JSON object"},
		{name: "not an object", method: http.MethodPost, target: "/tccc?action=cdr", body: []byte(`[]`),
			status: http.StatusBadRequest, format: "tccc", reason: "the body is not a JSON object"},
		{name: "empty body", method: http.MethodPost, target: "/tccc?action=cdr",
			status: http.StatusBadRequest, format: "tccc", reason: "empty body"},
		// Inside a readable envelope, nothing is refused (issue 8, item 11): the decoder warns.
		{name: "wrong type", method: http.MethodPost, target: "/tccc?action=cdr", body: []byte(`{"SessionId":"s","Direction":"in"}`),
			status: http.StatusOK, format: "tccc", processed: true},
		{name: "required field missing", method: http.MethodPost, target: "/tccc?action=cdr", body: []byte(`{"Caller":"1"}`),
			status: http.StatusOK, format: "tccc", processed: true},
		{name: "nesting too deep", method: http.MethodPost, target: "/tccc?action=cdr", body: tooDeep,
			status: http.StatusBadRequest, format: "tccc", reason: "invalid JSON"},
		{name: "unknown action", method: http.MethodPost, target: "/tccc?action=imcdr", body: cdr,
			status: http.StatusBadRequest, format: "tccc", reason: `unknown action "imcdr": expected cdr, record or voicemail`},
		{name: "no action", method: http.MethodPost, target: "/tccc", body: cdr,
			status: http.StatusBadRequest, format: "tccc", reason: "missing query parameter action"},
		{name: "body unreadable", method: http.MethodPost, target: "/tccc?action=cdr", bodyReader: iotestErrReader{},
			status: http.StatusBadRequest, format: "tccc", reason: "the body could not be read: the connection broke"},
		{name: "body past the read deadline", method: http.MethodPost, target: "/tccc?action=cdr", bodyReader: deadlineReader{},
			status: http.StatusRequestTimeout, format: "tccc", reason: "the body did not arrive within the server's read_timeout"},
		{name: "no vendor at the path", method: http.MethodPost, target: "/genesys", body: cdr,
			status: http.StatusNotFound, format: "code", reason: "no call-center endpoint at /genesys"},
		{name: "GET", method: http.MethodGet, target: "/tccc?action=cdr",
			status: http.StatusMethodNotAllowed, format: "tccc", reason: "method GET not allowed: pushes are POSTed", allow: "POST"},
		{name: "PUT, other vendor's format", method: http.MethodPut, target: "/fake", body: []byte(`{"id":"1"}`),
			status: http.StatusMethodNotAllowed, format: "fake", reason: "method PUT not allowed", allow: "POST"},
		{name: "method is checked before the content type", method: http.MethodDelete, target: "/tccc?action=cdr",
			contentType: "application/xml", status: http.StatusMethodNotAllowed, format: "tccc", allow: "POST"},
		{name: "body over the limit", method: http.MethodPost, target: "/tccc?action=cdr", body: cdr, limit: 1024,
			status: http.StatusRequestEntityTooLarge, format: "tccc", reason: "body larger than the limit of 1024 bytes"},
		{name: "body one byte over the limit", method: http.MethodPost, target: "/fake", body: []byte(`{"id":"1"} `), limit: 10,
			status: http.StatusRequestEntityTooLarge, format: "fake", reason: "body larger than the limit of 10 bytes"},
		{name: "body at the limit", method: http.MethodPost, target: "/fake", body: []byte(`{"id":"1"}`), limit: 10,
			status: http.StatusOK, format: "fake", processed: true},
		{name: "XML", method: http.MethodPost, target: "/tccc?action=cdr", body: cdr, contentType: "application/xml",
			status: http.StatusUnsupportedMediaType, format: "tccc", reason: "unsupported Content-Type application/xml"},
		{name: "unreadable content type", method: http.MethodPost, target: "/tccc?action=cdr", body: cdr, contentType: "json;;=",
			status: http.StatusUnsupportedMediaType, format: "tccc", reason: `unreadable Content-Type "json;;="`},
		{name: "operators failed", method: http.MethodPost, target: "/tccc?action=cdr", body: cdr,
			process: func(context.Context, platform.Platform, []call.Push) error {
				return &webhook.Error{Status: http.StatusInternalServerError, Err: errors.New("operators failed: no field body.x")}
			},
			status: http.StatusInternalServerError, format: "tccc", reason: "operators failed: no field body.x", processed: true},
		{name: "pipeline refused", method: http.MethodPost, target: "/tccc?action=cdr", body: cdr,
			process: func(context.Context, platform.Platform, []call.Push) error { return errDown },
			status:  http.StatusServiceUnavailable, format: "tccc", reason: errDown.Error(), processed: true},
		{name: "pipeline refused, wrapped", method: http.MethodPost, target: "/fake", body: []byte(`{"id":"1"}`),
			process: func(context.Context, platform.Platform, []call.Push) error {
				return &webhook.Error{Status: http.StatusServiceUnavailable, Err: errors.New("the same push is being processed; retry later")}
			},
			status: http.StatusServiceUnavailable, format: "fake", reason: "the same push is being processed", processed: true},
	}
	for _, ct := range []string{"", "application/json", "application/json; charset=utf-8", "text/json", "text/plain; charset=UTF-8",
		"application/x-www-form-urlencoded", "*/*"} {
		tests = append(tests, replyCase{name: "content type " + ct, method: http.MethodPost, target: "/tccc?action=cdr", body: cdr, contentType: ct,
			status: http.StatusOK, format: "tccc", processed: true})
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proc := &fakeProcessor{process: tt.process}
			h := newHandler(proc, 2*time.Second)
			body := tt.bodyReader
			if body == nil {
				body = bytes.NewReader(tt.body)
			}
			req := httptest.NewRequest(tt.method, tt.target, body)
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			limit := tt.limit
			if limit == 0 {
				limit = 1 << 20
			}
			rec := serve(h, req, limit)
			h.Wait()

			assert.Equal(t, tt.status, rec.Code)
			r := parseReply(t, rec)
			assert.Equal(t, tt.format, r.format)
			if tt.status == http.StatusOK {
				assert.Equal(t, 0, r.code, "success is code 0")
				assert.Empty(t, r.msg)
			} else {
				assert.Equal(t, tt.status, r.code, "failures carry the HTTP status")
				assert.Contains(t, r.msg, tt.reason)
			}
			assert.Equal(t, tt.allow, rec.Header().Get("Allow"))

			calls := proc.processed()
			refused := proc.refusals()
			if tt.processed {
				require.Len(t, calls, 1, "the pushes go to the pipeline once")
				assert.NotEmpty(t, calls[0].pushes)
				assert.Empty(t, refused, "a push the pipeline got is not counted refused by the handler")
			} else {
				assert.Empty(t, calls, "a rejected push never reaches the pipeline")
			}
			switch {
			case tt.processed, tt.status == http.StatusNotFound:
				assert.Empty(t, refused)
			default:
				require.Len(t, refused, 1, "every rejected push is counted refused, once")
				assert.Equal(t, r.msg, refused[0].err.Error(), "the refusal is what the vendor is told")
				assert.Equal(t, tt.status, refused[0].status)
				vendorName := map[string]string{"tccc": tccc.Name, "fake": "fake"}[tt.format]
				assert.Equal(t, vendorName, refused[0].vendor)
			}
		})
	}
}

// iotestErrReader fails as a connection that broke mid-body does.
type iotestErrReader struct{}

func (iotestErrReader) Read([]byte) (int, error) { return 0, errors.New("connection reset by peer") }

// deadlineReader fails the way a net.Conn does once the server's read deadline passes.
type deadlineReader struct{}

func (deadlineReader) Read([]byte) (int, error) { return 0, os.ErrDeadlineExceeded }

func TestDecodedPushesReachTheProcessor(t *testing.T) {
	proc := &fakeProcessor{}
	h := newHandler(proc, time.Second)
	rec := serve(h, httptest.NewRequest(http.MethodPost, "/tccc?action=cdr", bytes.NewReader(readSample(t, "tccc/cdr.json"))), 1<<20)
	h.Wait()
	require.Equal(t, http.StatusOK, rec.Code)
	assert.JSONEq(t, `{"ErrCode":0,"ErrMsg":""}`, rec.Body.String())
	calls := proc.processed()
	require.Len(t, calls, 1)
	assert.Equal(t, tccc.Name, calls[0].vendor)
	require.Len(t, calls[0].pushes, 1)
	p := calls[0].pushes[0]
	assert.Equal(t, tccc.Name, p.Vendor)
	assert.Equal(t, "cdr/99a1c8f8-eb3d-4xxx-8401-5f6aa8761232", p.DedupKey)
	assert.WithinDuration(t, time.Now(), p.Arrival, time.Minute, "the arrival is stamped by the handler")
}

// The body is read whole, as sent, whatever length the request claims for it.
func TestBodyReadWhateverItsClaimedLength(t *testing.T) {
	body := `{"id":"` + strings.Repeat("x", 2000) + `"}`
	for _, claimed := range []int64{-1, 0, 3, int64(len(body)), int64(len(body)) + 1, 10_000, 1 << 30} {
		proc := &fakeProcessor{}
		h := newHandler(proc, time.Second)
		req := httptest.NewRequest(http.MethodPost, "/fake", strings.NewReader(body))
		req.ContentLength = claimed
		rec := serve(h, req, 1<<20)
		h.Wait()
		require.Equal(t, http.StatusOK, rec.Code, "Content-Length %d", claimed)
		calls := proc.processed()
		require.Len(t, calls, 1)
		assert.Equal(t, strings.Repeat("x", 2000), calls[0].pushes[0].DedupKey, "Content-Length %d", claimed)
	}
}

func TestReplyTimeout(t *testing.T) {
	release := make(chan struct{})
	var finished atomic.Bool
	proc := &fakeProcessor{process: func(context.Context, platform.Platform, []call.Push) error {
		<-release // a pipeline that ignores its deadline
		finished.Store(true)
		return nil
	}}
	h := newHandler(proc, 50*time.Millisecond)

	start := time.Now()
	rec := serve(h, httptest.NewRequest(http.MethodPost, "/tccc?action=cdr", bytes.NewReader(readSample(t, "tccc/cdr.json"))), 1<<20)
	assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond, "the pipeline gets its reply timeout")
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	r := parseReply(t, rec)
	assert.Equal(t, http.StatusServiceUnavailable, r.code)
	assert.Contains(t, r.msg, "the pipeline did not accept the push within 50ms; retry later")
	assert.False(t, finished.Load(), "the vendor got its reply while the pipeline still works")
	assert.Empty(t, proc.refusals(), "a push the pipeline got is not counted refused by the handler")

	waited := make(chan struct{})
	go func() {
		h.Wait()
		close(waited)
	}()
	select {
	case <-waited:
		t.Fatal("Wait returned while the processor still runs")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	select {
	case <-waited:
	case <-time.After(5 * time.Second):
		t.Fatal("Wait did not return after the processor finished")
	}
	assert.True(t, finished.Load(), "Wait returns only after the processor finished")
}

func TestReplyTimeoutOfAPipelineThatHonorsItsDeadline(t *testing.T) {
	proc := &fakeProcessor{process: func(ctx context.Context, _ platform.Platform, _ []call.Push) error {
		<-ctx.Done()
		return ctx.Err()
	}}
	h := newHandler(proc, 30*time.Millisecond)
	rec := serve(h, httptest.NewRequest(http.MethodPost, "/fake", strings.NewReader(`{"id":"1"}`)), 1<<20)
	h.Wait()
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	r := parseReply(t, rec)
	assert.Contains(t, r.msg, "the pipeline did not accept the push within 30ms; retry later: context deadline exceeded")
}

// A pipeline that hangs holds up no other push, and its result, once it comes, is no other
// push's reply: the workers and the result channels are reused.
func TestAHungPipelineHoldsUpNoOtherPush(t *testing.T) {
	release := make(chan struct{})
	errDown := errors.New("exporter down")
	proc := &fakeProcessor{process: func(_ context.Context, _ platform.Platform, pushes []call.Push) error {
		switch pushes[0].DedupKey {
		case "hung":
			<-release // ignores its deadline
			return nil
		case "failing":
			return errDown
		}
		return nil
	}}
	h := newHandler(proc, 50*time.Millisecond)
	post := func(id string) *httptest.ResponseRecorder {
		return serve(h, httptest.NewRequest(http.MethodPost, "/fake", strings.NewReader(`{"id":"`+id+`"}`)), 1<<20)
	}

	assert.Equal(t, http.StatusServiceUnavailable, post("hung").Code)
	assert.Equal(t, http.StatusOK, post("ok").Code, "another push goes through, within its deadline, while the pipeline hangs")
	close(release) // the hung push succeeds, too late for its reply
	for range 20 {
		rec := post("failing")
		assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
		assert.Contains(t, parseReply(t, rec).msg, errDown.Error(), "each push gets its own result")
	}
	assert.Equal(t, http.StatusOK, post("ok").Code)
	h.Wait()
	assert.Len(t, proc.processed(), 23, "every push reached the pipeline once")
}

type ctxKey struct{}

// The vendor hanging up does not cancel the pipeline: its context lives on, with the request's
// values, until the reply deadline.
func TestProcessorContextSurvivesTheClient(t *testing.T) {
	seen := make(chan context.Context, 1)
	release := make(chan struct{})
	proc := &fakeProcessor{process: func(ctx context.Context, _ platform.Platform, _ []call.Push) error {
		seen <- ctx
		<-release
		return ctx.Err()
	}}
	h := newHandler(proc, 5*time.Second)

	reqCtx, cancel := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "client metadata"))
	defer cancel()
	req := httptest.NewRequest(http.MethodPost, "/fake", strings.NewReader(`{"id":"1"}`)).WithContext(reqCtx)
	done := make(chan *httptest.ResponseRecorder, 1)
	go func() { done <- serve(h, req, 1<<20) }()

	var ctx context.Context
	select {
	case ctx = <-seen:
	case <-time.After(5 * time.Second):
		t.Fatal("the processor was not called")
	}
	cancel() // the client went away
	errAfterCancel, value := ctx.Err(), ctx.Value(ctxKey{})
	deadline, hasDeadline := ctx.Deadline()
	close(release)
	rec := <-done
	h.Wait()

	require.Error(t, reqCtx.Err())
	require.NoError(t, errAfterCancel, "the pipeline's context is not the client's")
	assert.Equal(t, "client metadata", value, "the request's values reach the pipeline")
	require.True(t, hasDeadline, "the pipeline's context has the reply deadline")
	assert.WithinDuration(t, time.Now().Add(5*time.Second), deadline, 2*time.Second)
	assert.Equal(t, http.StatusOK, rec.Code, "the pipeline finished within its deadline")
}

func TestProcessorContextEndsAtItsDeadline(t *testing.T) {
	seen := make(chan context.Context, 1)
	type end struct {
		at  time.Time
		err error
	}
	ended := make(chan end, 1)
	proc := &fakeProcessor{process: func(ctx context.Context, _ platform.Platform, _ []call.Push) error {
		seen <- ctx
		<-ctx.Done()
		ended <- end{at: time.Now(), err: ctx.Err()}
		return ctx.Err()
	}}
	h := newHandler(proc, 100*time.Millisecond)

	reqCtx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req := httptest.NewRequest(http.MethodPost, "/fake", strings.NewReader(`{"id":"1"}`)).WithContext(reqCtx)
	done := make(chan *httptest.ResponseRecorder, 1)
	go func() { done <- serve(h, req, 1<<20) }()

	ctx := <-seen
	deadline, ok := ctx.Deadline()
	require.True(t, ok)
	cancel() // the client went away at once

	e := <-ended
	require.ErrorIs(t, e.err, context.DeadlineExceeded, "the pipeline ran until its deadline, not until the client left")
	assert.False(t, e.at.Before(deadline), "ended at %s, before its deadline %s", e.at, deadline)
	rec := <-done
	h.Wait()
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
}

func TestHealth(t *testing.T) {
	tests := []struct {
		method string
		status int
		allow  string
	}{
		{http.MethodGet, http.StatusOK, ""},
		{http.MethodHead, http.StatusOK, ""},
		{http.MethodPost, http.StatusMethodNotAllowed, "GET, HEAD"},
		{http.MethodDelete, http.StatusMethodNotAllowed, "GET, HEAD"},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			proc := &fakeProcessor{}
			h := newHandler(proc, time.Second)
			rec := serve(h, httptest.NewRequest(tt.method, "/health", nil), 1<<20)
			assert.Equal(t, tt.status, rec.Code)
			assert.Equal(t, tt.allow, rec.Header().Get("Allow"))
			if tt.status == http.StatusOK {
				assert.JSONEq(t, `{"status":"ok"}`, rec.Body.String())
			} else {
				r := parseReply(t, rec)
				assert.Equal(t, reply{format: "code", code: tt.status, msg: "the health endpoint answers GET"}, r)
			}
			assert.Empty(t, proc.processed())
			assert.Empty(t, proc.refusals(), "health checks are not pushes")
		})
	}

	t.Run("turned off", func(t *testing.T) {
		h := webhook.NewHandler(webhook.Config{
			Routes:    []webhook.Route{{Path: "/tccc", Vendor: tccc.Platform{}, ReplyTimeout: time.Second}},
			Processor: &fakeProcessor{},
		})
		rec := serve(h, httptest.NewRequest(http.MethodGet, "/health", nil), 1<<20)
		assert.Equal(t, http.StatusNotFound, rec.Code)
		assert.Equal(t, reply{format: "code", code: http.StatusNotFound, msg: "no call-center endpoint at /health"}, parseReply(t, rec))
	})
}

// ReplyError answers what the server refused before the handler ran (authentication,
// decompression) in the format of the vendor asked for.
func TestReplyError(t *testing.T) {
	t.Run("vendor path", func(t *testing.T) {
		proc := &fakeProcessor{}
		h := newHandler(proc, time.Second)
		rec := httptest.NewRecorder()
		h.ReplyError(rec, httptest.NewRequest(http.MethodPost, "/tccc?action=cdr", nil), "missing authorization header", http.StatusUnauthorized)
		assert.Equal(t, http.StatusUnauthorized, rec.Code)
		assert.Equal(t, reply{format: "tccc", code: http.StatusUnauthorized, msg: "missing authorization header"}, parseReply(t, rec))
		refused := proc.refusals()
		require.Len(t, refused, 1, "a push the server refused is counted refused")
		assert.Equal(t, tccc.Name, refused[0].vendor)
		assert.Equal(t, http.StatusUnauthorized, refused[0].status)
		require.EqualError(t, refused[0].err, "missing authorization header")
		assert.Empty(t, proc.processed())
	})
	t.Run("unknown path", func(t *testing.T) {
		proc := &fakeProcessor{}
		h := newHandler(proc, time.Second)
		rec := httptest.NewRecorder()
		h.ReplyError(rec, httptest.NewRequest(http.MethodPost, "/genesys", nil), "missing authorization header", http.StatusUnauthorized)
		assert.Equal(t, http.StatusUnauthorized, rec.Code)
		assert.Equal(t, reply{format: "code", code: http.StatusUnauthorized, msg: "missing authorization header"}, parseReply(t, rec))
		assert.Empty(t, proc.refusals(), "no vendor to count it for")
	})
}
