package webhook_test

import (
	"bytes"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The server's read timeouts, as confighttp sets them from read_header_timeout and read_timeout.
const (
	slowReadHeaderTimeout = time.Second
	slowReadTimeout       = time.Second
	// slowPatience is how long a client waits for the server to give up on it: generous, since
	// the server must only act within it, even on a loaded machine.
	slowPatience = 6 * time.Second
)

// startSlowServer serves the handler as the receiver does: an http.Server with read timeouts, the
// body limited by http.MaxBytesReader.
func startSlowServer(t *testing.T, proc *fakeProcessor) string {
	t.Helper()
	h := newHandler(proc, time.Second)
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
			h.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: slowReadHeaderTimeout,
		ReadTimeout:       slowReadTimeout,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(func() {
		_ = srv.Close()
		<-served
		h.Wait()
	})
	return ln.Addr().String()
}

// slowClient connects, writes head at once, then trickles drip a byte every interval, until the
// server stops it or the drip runs out. It returns what the server sent before closing the
// connection, and when it closed it.
func slowClient(t *testing.T, addr, head string, drip []byte, interval time.Duration) (string, time.Duration) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, slowPatience)
	require.NoError(t, err)
	start := time.Now()

	var writer sync.WaitGroup
	stop := make(chan struct{})
	defer writer.Wait()
	defer func() { _ = conn.Close() }()
	defer close(stop)

	_, err = io.WriteString(conn, head)
	require.NoError(t, err)
	writer.Add(1)
	go func() {
		defer writer.Done()
		for _, b := range drip {
			select {
			case <-stop:
				return
			case <-time.After(interval):
			}
			if _, err := conn.Write([]byte{b}); err != nil {
				return // the server closed the connection
			}
		}
	}()

	require.NoError(t, conn.SetReadDeadline(start.Add(slowPatience)))
	var got bytes.Buffer
	_, err = io.Copy(&got, conn)
	elapsed := time.Since(start)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the server kept the slow connection open for %s (got %q)", elapsed, got.String())
	}
	// Anything else is the server closing: EOF, or a reset as it drops what the client still sends.
	return got.String(), elapsed
}

func TestSlowClients(t *testing.T) {
	const head = "POST /tccc?action=cdr HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
	tests := []struct {
		name  string
		head  string
		drip  []byte
		every time.Duration
		// want408 is set where the handler is reading the body when the timeout strikes. The
		// client stops sending before that, so that the server's close is no reset that could
		// discard the reply before the client reads it.
		want408 bool
	}{
		{
			// A client that sends its headers, then a little of the body, and never the rest.
			name:    "body trickled",
			head:    head + "Content-Length: 1000\r\n\r\n{",
			drip:    []byte("  "),
			every:   50 * time.Millisecond,
			want408: true,
		},
		{
			// A client that never finishes its headers, however busy it looks.
			name:  "headers trickled",
			head:  head + "X-Slow: ",
			drip:  bytes.Repeat([]byte("a"), 1000),
			every: 50 * time.Millisecond,
		},
		{
			// A client that connects and sends nothing.
			name:  "silent",
			every: time.Second,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			proc := &fakeProcessor{}
			addr := startSlowServer(t, proc)

			got, elapsed := slowClient(t, addr, tt.head, tt.drip, tt.every)
			t.Logf("closed after %s, having sent %q", elapsed, got)

			assert.Empty(t, proc.processed(), "a slow client's push never reaches the pipeline")
			assert.Less(t, elapsed, slowPatience, "the server cut the client off")
			// The timeout cut it off, not an early rejection: a loaded machine only makes this later.
			assert.GreaterOrEqual(t, elapsed, slowReadTimeout/2)
			if tt.want408 {
				// The body timed out while the handler read it: a 408 in the vendor's format.
				assert.True(t, strings.HasPrefix(got, "HTTP/1.1 408 "), "reply %q", got)
				assert.Contains(t, got, `"ErrCode":408`)
				assert.Contains(t, got, "did not arrive within the server's read_timeout")
			}
		})
	}

	// The same server serves a client that keeps to the timeouts: the cut-offs above are the
	// timeouts', not a broken endpoint's.
	t.Run("prompt", func(t *testing.T) {
		t.Parallel()
		proc := &fakeProcessor{}
		addr := startSlowServer(t, proc)
		client := &http.Client{Timeout: slowPatience}
		resp, err := client.Post("http://"+addr+"/tccc?action=cdr", "application/json",
			bytes.NewReader(readSample(t, "tccc/cdr.json")))
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.JSONEq(t, `{"ErrCode":0,"ErrMsg":""}`, string(body))
		assert.Len(t, proc.processed(), 1)
	})
}
