// Package operators runs a user's stanza operators synchronously on the log entries of one push,
// so that what they emit, and any error they return, is known before the vendor gets its reply.
//
// Stanza's own emitter hands entries to the next consumer asynchronously and swallows its
// errors; here the pipeline ends in a sink that gives each request back its own entries.
package operators

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/entry"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/operator"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/operator/helper"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/pipeline"
)

// unsupported are operator types that cannot work per push: they hold entries back to emit
// them later, or end the pipeline before the receiver gets the entries.
var unsupported = map[string]string{
	"recombine":   "it holds entries back and emits them later, outside the push that brought them",
	"file_output": "an output operator ends the pipeline; the receiver emits what leaves the last operator",
	"stdout":      "an output operator ends the pipeline; the receiver emits what leaves the last operator",
	"drop_output": "an output operator ends the pipeline; use a filter operator to drop entries",
}

// Validate rejects operator types that cannot run per push.
func Validate(cfgs []operator.Config) error {
	var errs []error
	for i, c := range cfgs {
		if why, ok := unsupported[c.Type()]; ok {
			errs = append(errs, fmt.Errorf("operators[%d]: type %q is not supported here: %s", i, c.Type(), why))
		}
	}
	return errors.Join(errs...)
}

// Runner runs a built operator pipeline.
type Runner struct {
	pipeline *pipeline.DirectedPipeline
	first    operator.Operator
}

// New builds the pipeline. It returns nil, nil when there are no operators.
func New(cfgs []operator.Config, set component.TelemetrySettings) (*Runner, error) {
	if len(cfgs) == 0 {
		return nil, nil
	}
	if err := Validate(cfgs); err != nil {
		return nil, err
	}
	s, err := helper.NewOutputConfig("callcenter_receiver_sink", "callcenter_receiver_sink").Build(set)
	if err != nil {
		return nil, err
	}
	p, err := pipeline.Config{Operators: cfgs, DefaultOutput: &sink{OutputOperator: s}}.Build(set)
	if err != nil {
		return nil, fmt.Errorf("operators: %w", err)
	}
	r := &Runner{pipeline: p}
	firstID := cfgs[0].ID() // Build gives every operator a unique ID, in place
	for _, op := range p.Operators() {
		if op.ID() == firstID {
			r.first = op
		}
	}
	if r.first == nil {
		return nil, fmt.Errorf("operators: the first operator %q is not in the built pipeline", firstID)
	}
	return r, nil
}

// Start starts the operators. Of stanza's operators only recombine, unsupported here, keeps
// state in its persister: the others get the collector's no-op storage client.
func (r *Runner) Start() error { return r.pipeline.Start(storage.NewNopClient()) }

// Stop stops the operators.
func (r *Runner) Stop() error { return r.pipeline.Stop() }

// Process runs the entries through the operators and returns what came out of the last one.
// An operator error is returned together with whatever the operators still emitted.
func (r *Runner) Process(ctx context.Context, entries []*entry.Entry) ([]*entry.Entry, error) {
	out := &collected{}
	err := r.first.ProcessBatch(context.WithValue(ctx, collectedKey{}, out), entries)
	out.mu.Lock()
	defer out.mu.Unlock()
	return out.entries, err
}

type collectedKey struct{}

// collected gathers the entries of one Process call; routers may emit from several branches.
type collected struct {
	mu      sync.Mutex
	entries []*entry.Entry
}

// sink is the last operator: it hands entries back to the Process call that sent them in.
type sink struct {
	helper.OutputOperator
}

func (s *sink) ProcessBatch(ctx context.Context, entries []*entry.Entry) error {
	out, ok := ctx.Value(collectedKey{}).(*collected)
	if !ok {
		return errors.New("an operator emitted entries outside the push that brought them")
	}
	out.mu.Lock()
	out.entries = append(out.entries, entries...)
	out.mu.Unlock()
	return nil
}

func (s *sink) Process(ctx context.Context, e *entry.Entry) error {
	return s.ProcessBatch(ctx, []*entry.Entry{e})
}
