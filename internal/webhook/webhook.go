// Package webhook is the HTTP side of the receiver: it routes pushes by path to their vendor,
// checks method, content type and size, decodes, hands the pushes to the pipeline within the
// vendor's reply deadline, and answers in the vendor's own reply format.
package webhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/otelcallcenter/callcenterreceiver/internal/auth"
	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
)

// Processor takes decoded pushes into the collector pipeline.
type Processor interface {
	// Process hands the pushes decoded from one request to the pipeline. It returns nil once
	// every consumer accepted them; an *Error sets the reply status, any other error replies 503.
	Process(ctx context.Context, v platform.Platform, req platform.Request, pushes []call.Push) error
	// Refused counts a push that never reached the pipeline (bad input, failed auth), with the
	// status it got.
	Refused(ctx context.Context, v platform.Platform, status int, err error)
	// AuthFailed counts a request to the vendor's endpoints that failed authentication: a push,
	// or a token request with wrong client credentials.
	AuthFailed(ctx context.Context, v platform.Platform)
}

// Error is a failure with the HTTP status the vendor gets.
type Error struct {
	Status int
	Err    error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Route is one vendor's endpoint.
type Route struct {
	Path   string
	Vendor platform.Platform
	// ReplyTimeout is how long the pipeline may take before the vendor gets a retryable
	// failure: it must be shorter than the vendor's own timeout.
	ReplyTimeout time.Duration
	// Auth authenticates the endpoint's pushes, and serves its OAuth 2.0 token endpoint; nil
	// for none.
	Auth *auth.Authenticator
}

// Config is what the handler needs.
type Config struct {
	Routes     []Route
	HealthPath string         // "" disables the health endpoint
	Location   *time.Location // zone of vendor times that carry none
	Processor  Processor
	Now        func() time.Time // the arrival clock; nil is time.Now
}

// Handler serves the vendor routes and the health endpoint.
type Handler struct {
	routes     map[string]Route
	tokens     map[string]Route // routes by the path of their OAuth 2.0 token endpoint
	healthPath string
	location   *time.Location
	processor  Processor
	now        func() time.Time
	workers    workers
}

// NewHandler returns the handler for the routes.
func NewHandler(cfg Config) *Handler {
	h := &Handler{
		routes:     make(map[string]Route, len(cfg.Routes)),
		tokens:     map[string]Route{},
		healthPath: cfg.HealthPath,
		location:   cfg.Location,
		processor:  cfg.Processor,
		now:        cfg.Now,
	}
	if h.now == nil {
		h.now = time.Now
	}
	for _, r := range cfg.Routes {
		h.routes[r.Path] = r
		if r.Auth != nil && r.Auth.TokenHandler() != nil {
			h.tokens[r.Auth.TokenPath()] = r
		}
	}
	return h
}

// Wait blocks until pushes still being processed after their reply deadline are done, and lets
// the idle workers go.
func (h *Handler) Wait() { h.workers.wait() }

// ServeHTTP routes a request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.healthPath != "" && r.URL.Path == h.healthPath {
		serveHealth(w, r)
		return
	}
	if route, ok := h.tokens[r.URL.Path]; ok {
		h.serveToken(w, r, route)
		return
	}
	route, ok := h.routes[r.URL.Path]
	if !ok {
		platform.CodeReply(w, http.StatusNotFound, fmt.Errorf("no call-center endpoint at %s", r.URL.Path))
		return
	}
	h.serveVendor(w, r, route)
}

// ReplyError answers errors raised before the handler runs (authentication, decompression)
// in the format of the vendor whose path was asked for.
func (h *Handler) ReplyError(w http.ResponseWriter, r *http.Request, msg string, status int) {
	err := errors.New(msg)
	if route, ok := h.routes[r.URL.Path]; ok {
		if status == http.StatusUnauthorized {
			h.processor.AuthFailed(r.Context(), route.Vendor)
		}
		h.processor.Refused(r.Context(), route.Vendor, status, err)
		route.Vendor.Reply(w, status, err)
		return
	}
	platform.CodeReply(w, status, err)
}

func serveHealth(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		platform.CodeReply(w, http.StatusMethodNotAllowed, errors.New("the health endpoint answers GET"))
		return
	}
	platform.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (h *Handler) serveVendor(w http.ResponseWriter, r *http.Request, route Route) {
	v := route.Vendor
	fail := func(status int, err error) {
		h.processor.Refused(r.Context(), v, status, err)
		v.Reply(w, status, err)
	}
	if route.Auth != nil {
		if err := route.Auth.Check(r); err != nil {
			if c := route.Auth.ChallengeFor(err); c != "" {
				w.Header().Set("WWW-Authenticate", c)
			}
			h.processor.AuthFailed(r.Context(), v)
			fail(http.StatusUnauthorized, err)
			return
		}
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		fail(http.StatusMethodNotAllowed, fmt.Errorf("method %s not allowed: pushes are POSTed", r.Method))
		return
	}
	if err := checkContentType(r.Header.Get("Content-Type")); err != nil {
		fail(http.StatusUnsupportedMediaType, err)
		return
	}
	body, err := readBody(r)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			fail(http.StatusRequestEntityTooLarge, fmt.Errorf("body larger than the limit of %d bytes", tooLarge.Limit))
			return
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			fail(http.StatusRequestTimeout, errors.New("the body did not arrive within the server's read_timeout"))
			return
		}
		fail(http.StatusBadRequest, errors.New("the body could not be read: the connection broke"))
		return
	}
	req := platform.Request{Query: r.URL.Query(), Header: r.Header, Body: body, Arrival: h.now(), Location: h.location}
	pushes, err := v.Decode(req)
	if err != nil {
		fail(http.StatusBadRequest, err)
		return
	}
	if err := h.process(r.Context(), route, req, pushes); err != nil {
		status := http.StatusServiceUnavailable
		var e *Error
		if errors.As(err, &e) {
			status = e.Status
		}
		v.Reply(w, status, err)
		return
	}
	v.Reply(w, http.StatusOK, nil)
}

// serveToken serves a route's OAuth 2.0 token endpoint, counting the requests it refuses for
// wrong client credentials (401 invalid_client): someone guessing the secret shows.
func (h *Handler) serveToken(w http.ResponseWriter, r *http.Request, route Route) {
	sw := &statusWriter{ResponseWriter: w}
	route.Auth.TokenHandler().ServeHTTP(sw, r)
	if sw.status == http.StatusUnauthorized {
		h.processor.AuthFailed(r.Context(), route.Vendor)
	}
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

// process runs the pipeline within the route's reply deadline. The work goes on without the
// client's connection: a vendor that hangs up still gets its data consumed or failed cleanly,
// and the receiver waits for it on shutdown.
func (h *Handler) process(reqCtx context.Context, route Route, req platform.Request, pushes []call.Push) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(reqCtx), route.ReplyTimeout)
	defer cancel()
	done := results.Get().(chan error)
	h.workers.run(job{ctx: ctx, processor: h.processor, vendor: route.Vendor, req: req, pushes: pushes, done: done})
	var err error
	select {
	case err = <-done:
		results.Put(done)
	case <-ctx.Done():
		select {
		case err = <-done: // finished just in time
			results.Put(done)
		default:
			err = ctx.Err() // done gets the late result, and is not reused
		}
	}
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("the pipeline did not accept the push within %s; retry later: %w", route.ReplyTimeout, err)
	}
	return err
}

// results are channels for a job's result, reused once their result was read.
var results = sync.Pool{New: func() any { return make(chan error, 1) }}

// maxLengthHint bounds the buffer allocated from a request's Content-Length before its body
// arrives: pushes are a few kilobytes, and a length claimed is not a body sent.
const maxLengthHint = 64 << 10

// readBody reads the whole body as io.ReadAll does, into one buffer of the size the request
// gives (vendors send Content-Length) rather than growing chunks copied together at the end.
func readBody(r *http.Request) ([]byte, error) {
	size := 512
	if n := r.ContentLength; n > 0 && n < maxLengthHint {
		size = int(n) + 1 // the read that finds the end needs room
	}
	b := make([]byte, 0, size)
	for {
		n, err := r.Body.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// checkContentType accepts JSON and the generic types vendors and curl send JSON with.
func checkContentType(header string) error {
	if header == "" {
		return nil
	}
	mediaType, _, err := mime.ParseMediaType(header)
	if err != nil {
		return fmt.Errorf("unreadable Content-Type %q", header)
	}
	switch mediaType {
	case "application/json", "text/json", "text/plain", "application/x-www-form-urlencoded", "*/*":
		return nil
	}
	return fmt.Errorf("unsupported Content-Type %s: send the JSON body as application/json", mediaType)
}
