// Package process runs the binaries of the end-to-end suites (the built collector, the backends)
// as processes of one test: started on loopback ports, awaited until they answer, stopped as a
// service manager would, their output shown when the test fails.
package process

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"text/template"
	"time"

	"github.com/stretchr/testify/require"
)

// Process is one running binary.
type Process struct {
	name   string
	cmd    *exec.Cmd
	output syncBuffer
	done   chan error
}

// Start runs binary with args in a temporary directory and waits up to wait until ready answers
// 200, failing the test if it exits first. env is added to the test's environment. The process
// is stopped when the test ends.
func Start(t *testing.T, name, ready string, wait time.Duration, env []string, binary string, args ...string) *Process {
	t.Helper()
	p := &Process{name: name, done: make(chan error, 1)}
	p.cmd = exec.Command(binary, args...)
	p.cmd.Stdout, p.cmd.Stderr = &p.output, &p.output
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Dir = t.TempDir()
	require.NoError(t, p.cmd.Start(), name)
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		p.Stop(t)
		if t.Failed() {
			t.Logf("%s output:\n%s", name, p.Output())
		}
	})
	deadline := time.Now().Add(wait)
	probe := &http.Client{Timeout: 2 * time.Second}
	for {
		if resp, err := probe.Get(ready); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case err := <-p.done:
			p.done <- err
			t.Fatalf("%s exited while starting: %v\n%s", name, err, tail(p.Output(), 4096))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer %s\n%s", name, ready, tail(p.Output(), 4096))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Output is what the process wrote so far, stdout and stderr.
func (p *Process) Output() string { return p.output.String() }

// Stop ends the process with SIGTERM, as a service manager would, and waits for it.
func (p *Process) Stop(t *testing.T) {
	t.Helper()
	if p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		p.done <- <-p.done
		t.Errorf("%s did not stop within 30 s of SIGTERM\n%s", p.name, tail(p.Output(), 4096))
	}
}

// Kill ends the process with SIGKILL, as a crash would: no shutdown. It waits until the process
// is gone.
func (p *Process) Kill(t *testing.T) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGKILL))
	_ = p.Wait()
}

// Wait waits for the process to end and returns how it ended: nil for a clean exit.
func (p *Process) Wait() error {
	err := <-p.done
	p.done <- err
	return err
}

// FreePort is a loopback address no one listens on.
func FreePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// WriteTemplate fills the template file src with params into a file of the test's temporary
// directory, and returns its path.
func WriteTemplate(t *testing.T, src string, params any) string {
	t.Helper()
	tmpl, err := template.ParseFiles(src)
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, tmpl.Execute(&out, params))
	path := filepath.Join(t.TempDir(), filepath.Base(src))
	require.NoError(t, os.WriteFile(path, out.Bytes(), 0o600))
	return path
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
