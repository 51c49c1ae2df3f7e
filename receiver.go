package callcenterreceiver // import "github.com/otelcallcenter/callcenterreceiver"

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
	"go.uber.org/zap"

	"github.com/otelcallcenter/callcenterreceiver/internal/auth"
	"github.com/otelcallcenter/callcenterreceiver/internal/dedup"
	"github.com/otelcallcenter/callcenterreceiver/internal/logs"
	"github.com/otelcallcenter/callcenterreceiver/internal/metadata"
	"github.com/otelcallcenter/callcenterreceiver/internal/metrics"
	"github.com/otelcallcenter/callcenterreceiver/internal/operators"
	"github.com/otelcallcenter/callcenterreceiver/internal/privacy"
	"github.com/otelcallcenter/callcenterreceiver/internal/session"
	"github.com/otelcallcenter/callcenterreceiver/internal/state"
	"github.com/otelcallcenter/callcenterreceiver/internal/webhook"
)

// callcenterReceiver serves the vendors' pushes and hands them to the pipelines of one
// receiver configuration.
type callcenterReceiver struct {
	cfg       *Config
	now       func() time.Time
	settings  receiver.Settings
	obsrecv   *receiverhelper.ObsReport
	telemetry *metadata.TelemetryBuilder
	vendors   map[string]*VendorConfig // enabled vendors by name
	sessions  *session.Tracker
	dedup     *dedup.Cache
	signals   dedup.Signal // the pipelines using this receiver
	privacy   *privacy.Protector
	store     *state.Store // nil without a storage extension
	// saving orders what is saved as it happened: a change is read and appended, or the whole
	// state exported and compacted, as one step.
	saving sync.Mutex

	// Set by the factory, one per pipeline type that uses this receiver.
	logs    consumer.Logs
	metrics consumer.Metrics
	traces  consumer.Traces

	operators  *operators.Runner
	logsOut    *logs.Builder
	aggregator *metrics.Aggregator // nil without a metrics pipeline
	handler    *webhook.Handler
	server     *http.Server
	stop       chan struct{}
	background sync.WaitGroup
}

func newReceiver(cfg *Config, set receiver.Settings) (*callcenterReceiver, error) {
	obsrecv, err := receiverhelper.NewObsReport(receiverhelper.ObsReportSettings{
		ReceiverID:             set.ID,
		Transport:              "http",
		ReceiverCreateSettings: set,
	})
	if err != nil {
		return nil, err
	}
	telemetry, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	r := &callcenterReceiver{
		telemetry: telemetry,
		cfg:       cfg,
		now:       cfg.clock,
		settings:  set,
		obsrecv:   obsrecv,
		vendors:   map[string]*VendorConfig{},
		sessions:  session.NewTracker(session.Config{MaxSessions: cfg.Sessions.MaxOpen, IdleTimeout: cfg.Sessions.IdleTimeout}),
		dedup:     dedup.New(cfg.Dedup.MaxKeys),
		privacy:   privacy.New(cfg.Privacy.PhoneNumbers, string(cfg.Privacy.HashKey)),
	}
	if r.now == nil {
		r.now = time.Now
	}
	for _, v := range cfg.vendors() {
		if v.cfg.Enabled {
			r.vendors[v.name] = v.cfg
		}
	}
	return r, nil
}

// Start builds the operators, starts the background loops and the HTTP server.
func (r *callcenterReceiver) Start(ctx context.Context, host component.Host) error {
	ops, err := operators.New(r.cfg.Operators, r.settings.TelemetrySettings)
	if err != nil {
		return err
	}
	if ops != nil {
		if err := ops.Start(); err != nil {
			return fmt.Errorf("operators: %w", err)
		}
		r.operators = ops
	}
	r.logsOut = logs.NewBuilder(metadata.ScopeName, ops)
	if r.logs != nil {
		r.signals |= dedup.Logs
	}
	if r.traces != nil {
		r.signals |= dedup.Traces
	}
	if r.metrics != nil {
		r.signals |= dedup.Metrics
		r.aggregator = metrics.New(metrics.Settings{
			Delta:      r.cfg.MetricsTemporality == temporalityDelta,
			Buckets:    r.cfg.HistogramBuckets,
			PerAgent:   r.cfg.PerAgentMetrics,
			Disabled:   r.cfg.disabledHistograms(),
			Builder:    r.cfg.MetricsBuilderConfig,
			Receiver:   r.settings,
			OpenByRoot: r.openSessions,
			Live:       r.liveByResource,
		}, r.now())
	}
	if err := r.openState(ctx, host); err != nil {
		return err
	}

	routes := make([]webhook.Route, 0, len(r.vendors))
	for name, vc := range r.vendors {
		route := webhook.Route{Path: vc.Path, Vendor: platforms[name], ReplyTimeout: vc.ReplyTimeout}
		if vc.Auth.Type != "" && vc.Auth.Type != auth.TypeNone {
			route.Auth = auth.New(vc.Auth, r.now)
		}
		routes = append(routes, route)
	}
	r.handler = webhook.NewHandler(webhook.Config{
		Routes:     routes,
		HealthPath: r.cfg.HealthPath,
		Location:   r.cfg.location(),
		Processor:  r,
		Now:        r.now,
	})
	ln, err := r.cfg.ServerConfig.ToListener(ctx)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", r.cfg.ServerConfig.NetAddr.Endpoint, err)
	}
	r.server, err = r.cfg.ServerConfig.ToServer(ctx, host.GetExtensions(), r.settings.TelemetrySettings, r.handler,
		confighttp.WithErrorHandler(r.handler.ReplyError))
	if err != nil {
		_ = ln.Close()
		return err
	}

	r.stop = make(chan struct{})
	r.every(r.sweepInterval(), r.sweepSessions())
	if r.aggregator != nil {
		r.every(r.cfg.CollectionInterval, func() { _ = r.flushMetrics() })
	}
	r.settings.Logger.Info("Call-center endpoints listening", zap.String("endpoint", ln.Addr().String()))
	r.background.Add(1)
	go func() {
		defer r.background.Done()
		if err := r.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			componentstatus.ReportStatus(host, componentstatus.NewFatalErrorEvent(err))
		}
	}()
	return nil
}

// every runs f at the interval until Shutdown.
func (r *callcenterReceiver) every(interval time.Duration, f func()) {
	r.background.Add(1)
	go func() {
		defer r.background.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				f()
			case <-r.stop:
				return
			}
		}
	}()
}

// Shutdown stops accepting pushes, lets the ones in flight finish, sends the spans held back for
// late pushes, flushes the metrics, saves the state and stops the operators.
func (r *callcenterReceiver) Shutdown(ctx context.Context) error {
	var errs []error
	if r.server != nil {
		errs = append(errs, r.server.Shutdown(ctx))
		close(r.stop)
		r.background.Wait()
		r.handler.Wait()
		errs = append(errs, r.settleSessions(ctx))
		if r.aggregator != nil {
			errs = append(errs, r.lastFlush(ctx))
		}
	}
	if r.store != nil {
		errs = append(errs, r.compact(ctx), r.store.Close(ctx))
	}
	if r.operators != nil {
		errs = append(errs, r.operators.Stop())
	}
	r.telemetry.Shutdown()
	return errors.Join(errs...)
}

// settleSessions sends the spans the calls that ended recently still hold back for late pushes:
// a shutdown cuts their grace short rather than leave them to a restart that may not come.
func (r *callcenterReceiver) settleSessions(ctx context.Context) error {
	settling := r.sessions.Settling(r.cfg.Sessions.LateGrace)
	if r.store == nil {
		// Nothing keeps the calls in progress for a restart: send what is known of them, cut
		// short, so that every span their pushes' log records name exists.
		settling = append(settling, r.sessions.CloseOpen(r.now())...)
	}
	observations := r.countSettled(settling)
	unsent := r.closeSessions(ctx, r.now(), settling, 0)
	r.save(ctx, nil, settling, observations)
	if len(unsent) > 0 {
		return fmt.Errorf("the traces pipeline did not accept the spans of %d calls that ended within late_grace", len(unsent))
	}
	return nil
}

// flushMetrics sends what was aggregated; a refused flush is carried into the next one.
func (r *callcenterReceiver) flushMetrics() error {
	md, pending := r.aggregator.Flush(r.now())
	n := md.DataPointCount()
	if n == 0 {
		return nil
	}
	ctx := r.obsrecv.StartMetricsOp(context.Background())
	err := r.metrics.ConsumeMetrics(ctx, md)
	r.obsrecv.EndMetricsOp(ctx, metadata.Type.String(), n, err)
	if err != nil {
		r.aggregator.Restore(pending)
		r.settings.Logger.Warn("Metrics not accepted; they are sent again with the next flush", zap.Error(err))
		return err
	}
	r.markFlushed(pending.Number())
	return nil
}

// markFlushed saves that a flush was accepted, so that a restart does not count again the
// observations it sent. A crash between the acceptance and this mark counts them twice: the only
// window left, as short as one storage write.
func (r *callcenterReceiver) markFlushed(number uint64) {
	r.saving.Lock()
	defer r.saving.Unlock()
	if !r.aggregator.Flushed(number) || r.store == nil {
		return
	}
	if err := r.store.Append(context.Background(), state.Record{Flushed: number}); err != nil {
		r.settings.Logger.Warn("Flushed metrics not marked: a restart would count them again", zap.Error(err))
	}
}

// lastFlush sends what was counted since the last flush before shutting down; there is no next
// flush to carry a refused one, so it tries again while the shutdown allows.
func (r *callcenterReceiver) lastFlush(ctx context.Context) error {
	var err error
	for attempt := range 3 {
		if err = r.flushMetrics(); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt+1) * 100 * time.Millisecond):
		}
	}
	return err
}

// openSessions counts the calls in progress per resource, for the callcenter.sessions.open gauge.
func (r *callcenterReceiver) openSessions() map[metrics.Resource]int {
	out := map[metrics.Resource]int{}
	for key, n := range r.sessions.OpenCounts() {
		if vc, ok := r.vendors[key.Vendor]; ok {
			out[metrics.Resource{ServiceName: vc.ServiceName, Vendor: key.Vendor, Tenant: key.Tenant}] += n
		}
	}
	return out
}

// liveByResource is the present moment of the followed calls and agents per resource, for the
// live gauges (issue 11); the substance is in session.Tracker.Live.
func (r *callcenterReceiver) liveByResource(now time.Time) map[metrics.Resource]*session.Live {
	out := map[metrics.Resource]*session.Live{}
	for key, live := range r.sessions.Live(now) {
		if vc, ok := r.vendors[key.Vendor]; ok {
			out[metrics.Resource{ServiceName: vc.ServiceName, Vendor: key.Vendor, Tenant: key.Tenant}] = live
		}
	}
	return out
}

// openState restores what the storage extension kept from before a restart.
func (r *callcenterReceiver) openState(ctx context.Context, host component.Host) error {
	if r.cfg.Storage == nil {
		return nil
	}
	ext, ok := host.GetExtensions()[*r.cfg.Storage]
	if !ok {
		return fmt.Errorf("storage: no extension %s in the service's extensions", r.cfg.Storage)
	}
	se, ok := ext.(storage.Extension)
	if !ok {
		return fmt.Errorf("storage: %s is not a storage extension", r.cfg.Storage)
	}
	client, err := se.GetClient(ctx, component.KindReceiver, r.settings.ID, "")
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	store, saved, err := state.Open(ctx, client)
	if err != nil {
		return errors.Join(err, client.Close(ctx))
	}
	now := r.now()
	for _, rec := range saved {
		r.dedup.Restore(rec.Dedup, now)
		r.sessions.Restore(rec.Sessions)
	}
	r.store = store
	replayed := r.replayMetrics(saved)
	r.settings.Logger.Info("State restored", zap.String("storage", r.cfg.Storage.String()),
		zap.Int("pushes", r.dedup.Len()), zap.Int("open_calls", r.sessions.Len()),
		zap.Int("unflushed_observations", replayed))
	return nil
}

// replayMetrics counts again what the previous run observed and did not flush; the next flush
// sends it. It returns how many observations it replayed.
func (r *callcenterReceiver) replayMetrics(saved []state.Record) int {
	batches, last := state.Unflushed(saved)
	n := 0
	for _, b := range batches {
		n += len(b.Observations)
	}
	if r.aggregator == nil {
		if n > 0 {
			r.settings.Logger.Warn("Unflushed metric observations dropped: no metrics pipeline uses this receiver", zap.Int("observations", n))
		}
		return 0
	}
	r.aggregator.Replay(batches, last)
	return n
}

// save appends a change to the stored state: the dedup entries given, the current state of the
// sessions and the metric observations, as one record; then it counts the observations. Failing
// to save loses nothing now (the state is in memory); it only weakens what a restart remembers,
// so it is logged, not returned.
func (r *callcenterReceiver) save(ctx context.Context, entries []dedup.Entry, sessions []*session.Session, observations []metrics.Observation) {
	if r.store == nil {
		if len(observations) > 0 {
			r.aggregator.Add(observations...)
		}
		return
	}
	r.saving.Lock()
	defer r.saving.Unlock()
	rec := state.Record{Dedup: entries, Sessions: r.snapshots(sessions)}
	var err error
	if len(observations) > 0 {
		err = r.aggregator.AddJournaled(observations, func(b metrics.Batch) error {
			rec.Metrics = []metrics.Batch{b}
			return r.store.Append(ctx, rec)
		})
	} else {
		err = r.store.Append(ctx, rec)
	}
	if err != nil {
		r.settings.Logger.Warn("State not saved", zap.Error(err))
	}
}

// compactEvery is how many saved changes are folded into a snapshot at a time.
const compactEvery = 1000

// compact folds the journal into a snapshot of the whole state. No change is appended meanwhile:
// one appended after the export would be deleted with the journal without being in the snapshot.
func (r *callcenterReceiver) compact(ctx context.Context) error {
	r.saving.Lock()
	defer r.saving.Unlock()
	all := state.Record{Dedup: r.dedup.Export(r.now()), Sessions: r.sessions.Export()}
	if r.aggregator != nil {
		all.Metrics, all.Flushed = r.aggregator.Unflushed()
	}
	return r.store.Compact(ctx, all)
}

// sweepInterval keeps idle sessions and late-push grace within a tenth and a half of their time.
func (r *callcenterReceiver) sweepInterval() time.Duration {
	interval := r.cfg.Sessions.IdleTimeout / 10
	if g := r.cfg.Sessions.LateGrace / 2; g > 0 && g < interval {
		interval = g
	}
	return max(interval, 100*time.Millisecond)
}

// sweepSessions returns the sweep of sessions: those idle are closed, those past their grace
// finished; what the pipeline refuses is sent again at the next sweep.
func (r *callcenterReceiver) sweepSessions() func() {
	var unsent []*session.Session
	return func() {
		now := r.now()
		timedOut, ripe := r.sessions.Sweep(now, r.cfg.Sessions.LateGrace)
		observations := r.countSettled(ripe)
		ctx, cancel := context.WithTimeout(context.Background(), r.sweepInterval())
		defer cancel()
		closed := slices.Concat(unsent, timedOut, ripe)
		unsent = r.closeSessions(ctx, now, closed, r.cfg.Sessions.LateGrace)
		r.save(ctx, nil, closed, observations)
		if r.store != nil && r.store.Pending() >= compactEvery {
			if err := r.compact(ctx); err != nil {
				r.settings.Logger.Warn("State not compacted", zap.Error(err))
			}
		}
	}
}
