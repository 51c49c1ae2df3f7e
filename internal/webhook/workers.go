package webhook

import (
	"context"
	"sync"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
)

// maxIdleWorkers bounds the workers kept waiting for a push; more are started while that many
// pushes are in flight, and end with their push.
const maxIdleWorkers = 128

// workers run the pipeline for the pushes, each request's pushes on a goroutine other than the
// request's, so that the vendor gets its reply at the deadline even when a pipeline ignores it.
// The goroutines outlive their push: the pipeline's calls are deep, and a fresh goroutine
// grows its stack through them, copying it each time, where a reused one has grown already. A
// worker is started only when none is idle.
type workers struct {
	mu       sync.Mutex
	idle     []chan job     // the inboxes of the idle workers, the most recently idle last
	inflight sync.WaitGroup // jobs not done yet
}

// job is one request's pushes for the pipeline; the result goes to done.
type job struct {
	ctx       context.Context
	processor Processor
	vendor    platform.Platform
	req       platform.Request
	pushes    []call.Push
	done      chan<- error
}

// run hands j to an idle worker, or to a new one.
func (w *workers) run(j job) {
	w.inflight.Add(1)
	w.mu.Lock()
	if n := len(w.idle); n > 0 {
		inbox := w.idle[n-1] // the most recently busy: its stack is grown and hot in cache
		w.idle[n-1] = nil
		w.idle = w.idle[:n-1]
		w.mu.Unlock()
		inbox <- j
		return
	}
	w.mu.Unlock()
	go w.work(j)
}

// work runs jobs until it is not needed.
func (w *workers) work(j job) {
	inbox := make(chan job, 1)
	for {
		j.done <- j.processor.Process(j.ctx, j.vendor, j.req, j.pushes)
		j = job{} // let the push go
		idle := w.park(inbox)
		w.inflight.Done() // after park, so that a worker is idle or gone once wait sees no job
		if !idle {
			return
		}
		var ok bool
		if j, ok = <-inbox; !ok {
			return
		}
	}
}

// park makes the worker of inbox idle, unless enough are.
func (w *workers) park(inbox chan job) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.idle) >= maxIdleWorkers {
		return false
	}
	w.idle = append(w.idle, inbox)
	return true
}

// wait blocks until no job is in flight, then ends the idle workers.
func (w *workers) wait() {
	w.inflight.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, inbox := range w.idle {
		close(inbox)
	}
	clear(w.idle)
	w.idle = w.idle[:0]
}
