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
	"go.uber.org/zap"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/logs"
	"github.com/otelcallcenter/callcenterreceiver/internal/metadata"
	"github.com/otelcallcenter/callcenterreceiver/internal/operators"
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

	// Set by the factory, one per pipeline type that uses this receiver.
	logs consumer.Logs

	operators *operators.Runner
	logsOut   *logs.Builder
	handler   *webhook.Handler
	server    *http.Server
	serving   sync.WaitGroup
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
	r := &callcenterReceiver{cfg: cfg, settings: set, obsrecv: obsrecv, vendors: map[string]*VendorConfig{}}
	for _, v := range cfg.vendors() {
		if v.cfg.Enabled {
			r.vendors[v.name] = v.cfg
		}
	}
	return r, nil
}

// Start builds the operators and starts the HTTP server.
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
	r.settings.Logger.Info("Call-center endpoints listening", zap.String("endpoint", ln.Addr().String()))
	r.serving.Add(1)
	go func() {
		defer r.serving.Done()
		if err := r.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			componentstatus.ReportStatus(host, componentstatus.NewFatalErrorEvent(err))
		}
	}()
	return nil
}

// Shutdown stops accepting pushes, lets the ones in flight finish, and stops the operators.
func (r *callcenterReceiver) Shutdown(ctx context.Context) error {
	var errs []error
	if r.server != nil {
		errs = append(errs, r.server.Shutdown(ctx))
		r.serving.Wait()
		r.handler.Wait()
	}
	if r.operators != nil {
		errs = append(errs, r.operators.Stop())
	}
	return errors.Join(errs...)
}

// Process implements webhook.Processor: it emits the pushes of one request to every pipeline
// and returns nil only when all of them accepted.
func (r *callcenterReceiver) Process(ctx context.Context, v vendor.Vendor, pushes []call.Push) error {
	vc := r.vendors[v.Name()]
	records := make([]logs.Record, len(pushes))
	for i := range pushes {
		p := &pushes[i]
		if p.Tenant == "" {
			p.Tenant = vc.Tenant
		}
		records[i] = logs.Record{Push: p, ServiceName: vc.ServiceName}
	}
	if r.logs != nil {
		if err := r.emitLogs(ctx, v.Name(), records); err != nil {
			return err
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

// Refused implements webhook.Processor: a push that never reached the pipeline counts as one
// refused log record.
func (r *callcenterReceiver) Refused(ctx context.Context, v vendor.Vendor, err error) {
	ctx = r.obsrecv.StartLogsOp(ctx)
	r.obsrecv.EndLogsOp(ctx, v.Name(), 1, err)
}
