// Package core is what happens to a decoded push, whichever shell received it: privacy, dedup,
// sessions, log records, spans, metrics, their emission to the pipelines, and the state that
// makes all of it exactly once across retries and restarts. It knows nothing of HTTP: the
// receiver (all-in-one) hands it the pushes it decoded from the vendors' requests, the
// connector (assembly tier) those it decoded again from the edge receivers' records.
//
// A push's path reads top to bottom in process.go; the state kept across restarts is in
// state.go; the background sweeps and the metrics flush in loops.go.
package core

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"
	"go.uber.org/zap"

	"github.com/otelcallcenter/callcenterreceiver/internal/attrs"
	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/dedup"
	"github.com/otelcallcenter/callcenterreceiver/internal/logs"
	"github.com/otelcallcenter/callcenterreceiver/internal/metadata"
	"github.com/otelcallcenter/callcenterreceiver/internal/metrics"
	"github.com/otelcallcenter/callcenterreceiver/internal/operators"
	"github.com/otelcallcenter/callcenterreceiver/internal/privacy"
	"github.com/otelcallcenter/callcenterreceiver/internal/session"
	"github.com/otelcallcenter/callcenterreceiver/internal/state"
)

// Vendor is what the core needs to know of one platform it serves.
type Vendor struct {
	// ServiceName is the service.name of the platform's telemetry.
	ServiceName string
	// DedupWindow is how long an accepted push is remembered, so that the platform's retries of
	// it are recognized.
	DedupWindow time.Duration
}

// Observer counts what is handed to each pipeline: the receiver's receiverhelper.ObsReport.
type Observer interface {
	StartLogsOp(context.Context) context.Context
	EndLogsOp(ctx context.Context, format string, numRecords int, err error)
	StartTracesOp(context.Context) context.Context
	EndTracesOp(ctx context.Context, format string, numSpans int, err error)
	StartMetricsOp(context.Context) context.Context
	EndMetricsOp(ctx context.Context, format string, numPoints int, err error)
}

// Settings are what the core runs with besides its configuration.
type Settings struct {
	// Component is the ID, telemetry and build information of the component running the core.
	Component receiver.Settings
	// Kind is the component's kind, for its storage client.
	Kind component.Kind
	// Vendors are the platforms served, by name.
	Vendors map[string]Vendor
	// Logs, Metrics and Traces are the pipelines; nil for those not used.
	Logs    consumer.Logs
	Metrics consumer.Metrics
	Traces  consumer.Traces
	// Observer counts what each pipeline accepted; nil counts nothing.
	Observer Observer
	// Telemetry counts duplicates and decode warnings.
	Telemetry *metadata.TelemetryBuilder
	// Now is the clock; nil is time.Now. Arrival times come with the pushes.
	Now func() time.Time
}

// ErrOperators marks a failure of the configured stanza operators: the configuration's fault, not
// the pipeline's, so a retry does not help either.
var ErrOperators = errors.New("operators failed")

// ErrBusy is returned for a push that another request is processing right now.
var ErrBusy = errors.New("the same push is being processed; retry later")

// Core processes decoded pushes into the pipelines.
type Core struct {
	cfg      Config
	set      Settings
	logger   *zap.Logger
	now      func() time.Time
	signals  dedup.Signal // the pipelines in use
	privacy  *privacy.Protector
	dedup    *dedup.Cache
	sessions *session.Tracker

	operators  *operators.Runner // nil without operators
	logsOut    *logs.Builder
	aggregator *metrics.Aggregator // nil without a metrics pipeline

	store *state.Store // nil without a storage extension
	// saving orders what is saved as it happened: a change is read and put in the journal's
	// order (its write is waited for after), or the whole state taken for a compaction, as one
	// step.
	saving sync.Mutex
	// unsaved is held (read) by each push and sweep from its first change in memory (a dedup
	// mark, a "counted" claim) until that change and its metric observations are saved, and
	// taken (write) by a compaction: a snapshot never holds a mark whose observations are in
	// no saved record, which a crash would turn into a count lost for good.
	unsaved sync.RWMutex
	// compacting orders the compactions (Compact).
	compacting sync.Mutex

	stop       chan struct{}
	background sync.WaitGroup
}

// New returns a core for the pipelines of set; Start it before Process.
func New(cfg Config, set Settings) *Core {
	c := &Core{
		cfg:      cfg,
		set:      set,
		logger:   set.Component.Logger,
		now:      set.Now,
		privacy:  privacy.New(cfg.Privacy.PhoneNumbers, string(cfg.Privacy.HashKey)),
		dedup:    dedup.New(cfg.Dedup.MaxKeys),
		sessions: session.NewTracker(session.Config{MaxSessions: cfg.Sessions.MaxOpen, IdleTimeout: cfg.Sessions.IdleTimeout, LateGrace: cfg.Sessions.LateGrace}),
		stop:     make(chan struct{}),
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.set.Observer == nil {
		c.set.Observer = nopObserver{}
	}
	if set.Logs != nil {
		c.signals |= dedup.Logs
	}
	if set.Traces != nil {
		c.signals |= dedup.Traces
	}
	if set.Metrics != nil {
		c.signals |= dedup.Metrics
	}
	return c
}

// Start builds the operators, restores the saved state and starts the sweeps and the metrics
// flush.
func (c *Core) Start(ctx context.Context, host component.Host) error {
	ops, err := operators.New(c.cfg.Operators, c.set.Component.TelemetrySettings)
	if err != nil {
		return err
	}
	if ops != nil {
		if err := ops.Start(); err != nil {
			return fmt.Errorf("operators: %w", err)
		}
		c.operators = ops
	}
	c.logsOut = logs.NewBuilder(metadata.ScopeName, ops)
	if c.set.Metrics != nil {
		c.aggregator = metrics.New(metrics.Settings{
			Delta:      c.cfg.MetricsTemporality == TemporalityDelta,
			Buckets:    c.cfg.HistogramBuckets,
			PerAgent:   c.cfg.PerAgentMetrics,
			Disabled:   c.cfg.DisabledHistograms(),
			Builder:    c.cfg.MetricsBuilderConfig,
			Receiver:   c.set.Component,
			OpenByRoot: c.openSessions,
			Live:       c.live,
		}, c.now())
	}
	// After the aggregator: the saved state holds the observations a crash left unflushed.
	if err := c.openState(ctx, host); err != nil {
		return err
	}
	c.sweeps()
	if c.aggregator != nil {
		c.every(c.cfg.CollectionInterval, func() { _ = c.Flush(context.Background()) })
	}
	return nil
}

// Shutdown sends the spans held back for late pushes, flushes the metrics, saves the state and
// stops the operators. The shell stops handing pushes in first.
func (c *Core) Shutdown(ctx context.Context) error {
	close(c.stop)
	c.background.Wait()
	var errs []error
	if c.logsOut != nil { // started
		errs = append(errs, c.settleSessions(ctx))
		if c.aggregator != nil {
			errs = append(errs, c.lastFlush(ctx))
		}
	}
	if c.store != nil {
		errs = append(errs, c.Compact(ctx), c.store.Close(ctx))
	}
	if c.operators != nil {
		errs = append(errs, c.operators.Stop())
	}
	return errors.Join(errs...)
}

// resource is the resource of a push's telemetry.
func resource(vendor Vendor, p *call.Push) attrs.Resource {
	return attrs.Resource{ServiceName: vendor.ServiceName, Vendor: p.Vendor, Tenant: p.Tenant}
}

// resourceOf is the resource of a session's telemetry; false for a platform not served.
func (c *Core) resourceOf(key session.Key) (attrs.Resource, bool) {
	v, ok := c.set.Vendors[key.Vendor]
	return attrs.Resource{ServiceName: v.ServiceName, Vendor: key.Vendor, Tenant: key.Tenant}, ok
}

// openSessions counts the calls in progress per resource, for the callcenter.sessions.open gauge.
func (c *Core) openSessions() map[attrs.Resource]int {
	out := map[attrs.Resource]int{}
	for key, n := range c.sessions.OpenCounts() {
		if res, ok := c.resourceOf(key); ok {
			out[res] += n
		}
	}
	return out
}

// live is the present moment of the followed calls and agents per resource, for the live
// gauges.
func (c *Core) live(now time.Time) map[attrs.Resource]*session.Live {
	out := map[attrs.Resource]*session.Live{}
	for key, l := range c.sessions.Live(now) {
		if res, ok := c.resourceOf(key); ok {
			out[res] = l
		}
	}
	return out
}

type nopObserver struct{}

func (nopObserver) StartLogsOp(ctx context.Context) context.Context    { return ctx }
func (nopObserver) EndLogsOp(context.Context, string, int, error)      {}
func (nopObserver) StartTracesOp(ctx context.Context) context.Context  { return ctx }
func (nopObserver) EndTracesOp(context.Context, string, int, error)    {}
func (nopObserver) StartMetricsOp(ctx context.Context) context.Context { return ctx }
func (nopObserver) EndMetricsOp(context.Context, string, int, error)   {}
