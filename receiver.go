package callcenterreceiver // import "github.com/otelcallcenter/callcenterreceiver"

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcallcenter/callcenterreceiver/internal/attrs"
	"github.com/otelcallcenter/callcenterreceiver/internal/auth"
	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/core"
	"github.com/otelcallcenter/callcenterreceiver/internal/metadata"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
	"github.com/otelcallcenter/callcenterreceiver/internal/platforms"
	"github.com/otelcallcenter/callcenterreceiver/internal/webhook"
)

// callcenterReceiver is the HTTP shell around the core: it serves the vendors' endpoints,
// authenticates and decodes their pushes, and hands them to the core (all-in-one) or forwards
// them to the assembly tier (edge), replying once that accepted them.
type callcenterReceiver struct {
	cfg       *Config
	settings  receiver.Settings
	obsrecv   *receiverhelper.ObsReport
	telemetry *metadata.TelemetryBuilder

	// Set by the factory, one per pipeline type that uses this receiver.
	logs    consumer.Logs
	metrics consumer.Metrics
	traces  consumer.Traces

	next       processor // the core, or the edge's forwarder
	handler    *webhook.Handler
	server     *http.Server
	background sync.WaitGroup
}

// processor is what the receiver hands decoded pushes to.
type processor interface {
	Start(context.Context, component.Host) error
	Shutdown(context.Context) error
	Process(ctx context.Context, p platform.Platform, req platform.Request, pushes []call.Push) error
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
	return &callcenterReceiver{cfg: cfg, settings: set, obsrecv: obsrecv, telemetry: telemetry}, nil
}

// Start starts the core, then the HTTP server.
func (r *callcenterReceiver) Start(ctx context.Context, host component.Host) error {
	r.next = r.newProcessor()
	if err := r.next.Start(ctx, host); err != nil {
		return err
	}
	r.handler = webhook.NewHandler(webhook.Config{
		Routes:     r.routes(),
		HealthPath: r.cfg.HealthPath,
		Location:   r.cfg.location(),
		Processor:  r,
		Now:        r.cfg.clock,
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
	r.settings.Logger.Info("Call-center endpoints listening", zap.String("endpoint", ln.Addr().String()), zap.String("mode", r.cfg.Mode))
	r.background.Add(1)
	go func() {
		defer r.background.Done()
		if err := r.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			componentstatus.ReportStatus(host, componentstatus.NewFatalErrorEvent(err))
		}
	}()
	return nil
}

// newProcessor returns what the decoded pushes go to in the configured mode.
func (r *callcenterReceiver) newProcessor() processor {
	if r.cfg.Mode == ModeEdge {
		return &edgeForwarder{logs: r.logs, obs: r.obsrecv}
	}
	vendors := map[string]core.Vendor{}
	for _, v := range r.cfg.sections() {
		if v.cfg.Enabled {
			vendors[v.name] = core.Vendor{ServiceName: v.cfg.ServiceName, DedupWindow: v.cfg.DedupWindow}
		}
	}
	return coreProcessor{core.New(r.cfg.Config, core.Settings{
		Component: r.settings,
		Kind:      component.KindReceiver,
		Vendors:   vendors,
		Logs:      r.logs,
		Metrics:   r.metrics,
		Traces:    r.traces,
		Observer:  r.obsrecv,
		Telemetry: r.telemetry,
		Now:       r.cfg.clock,
	})}
}

// routes are the enabled platforms' endpoints.
func (r *callcenterReceiver) routes() []webhook.Route {
	var routes []webhook.Route
	for _, v := range r.cfg.sections() {
		if !v.cfg.Enabled {
			continue
		}
		e, _ := platforms.Lookup(v.name)
		route := webhook.Route{Path: v.cfg.Path, Vendor: e.Platform, ReplyTimeout: v.cfg.ReplyTimeout}
		if v.cfg.Auth.Type != "" && v.cfg.Auth.Type != auth.TypeNone {
			route.Auth = auth.New(v.cfg.Auth, r.cfg.clock) // nil is time.Now
		}
		routes = append(routes, route)
	}
	return routes
}

// Shutdown stops accepting pushes, lets the ones in flight finish, then shuts the core down.
func (r *callcenterReceiver) Shutdown(ctx context.Context) error {
	var errs []error
	if r.server != nil {
		errs = append(errs, r.server.Shutdown(ctx))
		r.background.Wait()
		r.handler.Wait()
	}
	if r.next != nil {
		errs = append(errs, r.next.Shutdown(ctx))
	}
	r.telemetry.Shutdown()
	return errors.Join(errs...)
}

// Process implements webhook.Processor: the pushes get the configured tenant when they carry
// none, then go to the core or the assembly tier.
func (r *callcenterReceiver) Process(ctx context.Context, p platform.Platform, req platform.Request, pushes []call.Push) error {
	tenant := r.cfg.Vendor(p.Name()).Tenant
	for i := range pushes {
		if pushes[i].Tenant == "" {
			pushes[i].Tenant = tenant
		}
	}
	err := r.next.Process(ctx, p, req, pushes)
	if errors.Is(err, core.ErrOperators) {
		return &webhook.Error{Status: http.StatusInternalServerError, Err: err}
	}
	return err
}

// Refused implements webhook.Processor: a push that never reached the pipeline counts as one
// refused log record.
func (r *callcenterReceiver) Refused(ctx context.Context, p platform.Platform, _ int, err error) {
	ctx = r.obsrecv.StartLogsOp(ctx)
	r.obsrecv.EndLogsOp(ctx, p.Name(), 1, err)
}

// AuthFailed implements webhook.Processor.
func (r *callcenterReceiver) AuthFailed(ctx context.Context, p platform.Platform) {
	set := attribute.NewSet(attribute.String(attrs.Vendor, p.Name()))
	r.telemetry.ReceiverCallcenterAuthFailures.Add(ctx, 1, metric.WithAttributeSet(set))
}

// coreProcessor is the all-in-one shape: the pushes go to the core.
type coreProcessor struct{ *core.Core }

func (c coreProcessor) Process(ctx context.Context, p platform.Platform, _ platform.Request, pushes []call.Push) error {
	return c.Core.Process(ctx, p, pushes)
}
