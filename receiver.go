package callcenterreceiver // import "github.com/otelcallcenter/callcenterreceiver"

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
	"go.uber.org/zap"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/dedup"
	"github.com/otelcallcenter/callcenterreceiver/internal/logs"
	"github.com/otelcallcenter/callcenterreceiver/internal/metadata"
	"github.com/otelcallcenter/callcenterreceiver/internal/metrics"
	"github.com/otelcallcenter/callcenterreceiver/internal/operators"
	"github.com/otelcallcenter/callcenterreceiver/internal/session"
	"github.com/otelcallcenter/callcenterreceiver/internal/vendor"
	"github.com/otelcallcenter/callcenterreceiver/internal/webhook"
)

// callcenterReceiver serves the vendors' pushes and hands them to the pipelines of one
// receiver configuration.
type callcenterReceiver struct {
	cfg      *Config
	settings receiver.Settings
	obsrecv  *receiverhelper.ObsReport
	vendors  map[string]*VendorConfig // enabled vendors by name
	sessions *session.Tracker
	dedup    *dedup.Cache
	signals  dedup.Signal // the pipelines using this receiver

	// Set by the factory, one per pipeline type that uses this receiver.
	logs    consumer.Logs
	metrics consumer.Metrics

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
	r := &callcenterReceiver{
		cfg:      cfg,
		settings: set,
		obsrecv:  obsrecv,
		vendors:  map[string]*VendorConfig{},
		sessions: session.NewTracker(session.Config{MaxSessions: cfg.Sessions.MaxOpen, IdleTimeout: cfg.Sessions.IdleTimeout}),
		dedup:    dedup.New(cfg.Dedup.MaxKeys),
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
		}, time.Now())
	}

	routes := make([]webhook.Route, 0, len(r.vendors))
	for name, vc := range r.vendors {
		routes = append(routes, webhook.Route{Path: vc.Path, Vendor: platforms[name], ReplyTimeout: vc.ReplyTimeout})
	}
	r.handler = webhook.NewHandler(webhook.Config{
		Routes:     routes,
		HealthPath: r.cfg.HealthPath,
		Location:   r.cfg.location(),
		Processor:  r,
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
	r.every(r.cfg.Sessions.IdleTimeout/10, r.sweepSessions)
	if r.aggregator != nil {
		r.every(r.cfg.CollectionInterval, r.flushMetrics)
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

// Shutdown stops accepting pushes, lets the ones in flight finish, flushes the metrics and stops
// the operators.
func (r *callcenterReceiver) Shutdown(ctx context.Context) error {
	var errs []error
	if r.server != nil {
		errs = append(errs, r.server.Shutdown(ctx))
		close(r.stop)
		r.background.Wait()
		r.handler.Wait()
		if r.aggregator != nil {
			r.flushMetrics() // what was counted since the last flush
		}
	}
	if r.operators != nil {
		errs = append(errs, r.operators.Stop())
	}
	return errors.Join(errs...)
}

// item is one push on its way through the pipelines.
type item struct {
	push     *call.Push
	key      string       // its dedup key; "" when the vendor gives none
	done     dedup.Signal // accepted by an earlier request (a vendor retry)
	accepted dedup.Signal // accepted by this request
	change   *session.Change
}

// Process implements webhook.Processor: it emits the pushes of one request to every pipeline
// and returns nil only when all of them accepted. A push, or the part of it, that an earlier
// request already got accepted is not emitted again.
func (r *callcenterReceiver) Process(ctx context.Context, v vendor.Vendor, pushes []call.Push) error {
	vc := r.vendors[v.Name()]
	var items []*item
	defer func() {
		for _, it := range items {
			if it.key != "" {
				r.dedup.End(it.key, it.accepted, time.Now(), vc.DedupWindow)
			}
		}
	}()
	for i := range pushes {
		p := &pushes[i]
		if p.Tenant == "" {
			p.Tenant = vc.Tenant
		}
		it := &item{push: p}
		if p.DedupKey != "" {
			key := v.Name() + "\x00" + p.Tenant + "\x00" + p.DedupKey
			done, busy := r.dedup.Begin(key, time.Now())
			if busy {
				return &webhook.Error{Status: http.StatusServiceUnavailable, Err: errors.New("the same push is being processed; retry later")}
			}
			it.key, it.done = key, done
		}
		items = append(items, it)
		if it.done.Has(r.signals) {
			continue // a retry of a push every pipeline accepted
		}
		it.change = r.sessions.Apply(p)
		if it.change != nil && it.change.Retry {
			it.accepted = r.signals // a retry after its call ended: nothing new
		}
	}

	if r.logs != nil {
		var records []logs.Record
		var logged []*item
		for _, it := range items {
			if !(it.done | it.accepted).Has(dedup.Logs) {
				records = append(records, logs.Record{Push: it.push, ServiceName: vc.ServiceName})
				logged = append(logged, it)
			}
		}
		if len(records) > 0 {
			if err := r.emitLogs(ctx, v.Name(), records); err != nil {
				return err
			}
		}
		for _, it := range logged {
			it.accepted |= dedup.Logs
		}
	}
	// Metrics count a push once every other pipeline accepted it: a failed push counts on the
	// retry that succeeds.
	if r.aggregator != nil {
		for _, it := range items {
			if !(it.done | it.accepted).Has(dedup.Metrics) {
				r.recordMetrics(vc, it.push, it.change)
				it.accepted |= dedup.Metrics
			}
		}
	}
	return nil
}

func (r *callcenterReceiver) emitLogs(ctx context.Context, format string, records []logs.Record) error {
	ctx = r.obsrecv.StartLogsOp(ctx)
	ld, err := r.logsOut.Build(ctx, records)
	if err != nil {
		r.obsrecv.EndLogsOp(ctx, format, len(records), err)
		return &webhook.Error{Status: http.StatusInternalServerError, Err: fmt.Errorf("operators failed: %w", err)}
	}
	n := ld.LogRecordCount()
	if n > 0 {
		err = r.logs.ConsumeLogs(ctx, ld)
	}
	r.obsrecv.EndLogsOp(ctx, format, n, err)
	if err != nil {
		return fmt.Errorf("the logs pipeline did not accept the push: %w", err)
	}
	return nil
}

// completedCall is the claim that a session's completed call was counted.
const completedCall = "metrics:call"

func (r *callcenterReceiver) recordMetrics(vc *VendorConfig, p *call.Push, ch *session.Change) {
	res := metrics.Resource{ServiceName: vc.ServiceName, Vendor: p.Vendor, Tenant: p.Tenant}
	switch {
	case p.Kind == call.KindRecording || p.Kind == call.KindVoicemail:
		r.aggregator.RecordRecording(res, p.Kind)
	case p.Event != nil:
		kind := call.KindCallEvent
		if p.Kind == call.KindAgentEvent {
			kind = call.KindAgentEvent
		}
		r.aggregator.RecordEvent(res, kind, p.Event.Type)
	}
	if ch == nil {
		return
	}
	// A call is counted once, when it completes, whichever push completes it.
	if c, ended := ch.Session.Completed(); ended && len(r.sessions.Claim(ch.Session.Key, []string{completedCall})) > 0 {
		r.aggregator.RecordCall(res, &c)
	}
}

func (r *callcenterReceiver) flushMetrics() {
	md, pending := r.aggregator.Flush(time.Now())
	n := md.DataPointCount()
	if n == 0 {
		return
	}
	ctx := r.obsrecv.StartMetricsOp(context.Background())
	err := r.metrics.ConsumeMetrics(ctx, md)
	r.obsrecv.EndMetricsOp(ctx, metadata.Type.String(), n, err)
	if err != nil {
		r.aggregator.Restore(pending)
		r.settings.Logger.Warn("Metrics not accepted; they are sent again with the next flush", zap.Error(err))
	}
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

func (r *callcenterReceiver) sweepSessions() {
	r.sessions.Sweep(time.Now())
}

// Refused implements webhook.Processor: a push that never reached the pipeline counts as one
// refused log record.
func (r *callcenterReceiver) Refused(ctx context.Context, v vendor.Vendor, err error) {
	ctx = r.obsrecv.StartLogsOp(ctx)
	r.obsrecv.EndLogsOp(ctx, v.Name(), 1, err)
}
