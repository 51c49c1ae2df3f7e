package callcenterconnector // import "github.com/otelcallcenter/callcenterreceiver/connector/callcenterconnector"

import (
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/core"
	rcvmetadata "github.com/otelcallcenter/callcenterreceiver/internal/metadata"
	"github.com/otelcallcenter/callcenterreceiver/internal/platforms"
	"github.com/otelcallcenter/callcenterreceiver/internal/relay"
)

// assembler decodes the edge records again and runs the core on their pushes.
type assembler struct {
	cfg *Config
	set connector.Settings

	// Set by the factory, one per output pipeline type.
	logs    consumer.Logs
	metrics consumer.Metrics
	traces  consumer.Traces

	telemetry *rcvmetadata.TelemetryBuilder
	core      *core.Core
}

func newAssembler(cfg *Config, set connector.Settings) *assembler {
	return &assembler{cfg: cfg, set: set}
}

// primary is the instance that hands the records to the core (see input).
func (a *assembler) primary() output {
	switch {
	case a.logs != nil:
		return outLogs
	case a.traces != nil:
		return outTraces
	default:
		return outMetrics
	}
}

func (a *assembler) Start(ctx context.Context, host component.Host) error {
	telemetry, err := rcvmetadata.NewTelemetryBuilder(a.set.TelemetrySettings)
	if err != nil {
		return err
	}
	a.telemetry = telemetry
	a.core = core.New(a.cfg.Config, core.Settings{
		Component: receiver.Settings{ID: a.set.ID, TelemetrySettings: a.set.TelemetrySettings, BuildInfo: a.set.BuildInfo},
		Kind:      component.KindConnector,
		Vendors:   a.cfg.coreVendors(),
		Logs:      a.logs,
		Metrics:   a.metrics,
		Traces:    a.traces,
		Telemetry: telemetry,
	})
	return a.core.Start(ctx, host)
}

func (a *assembler) Shutdown(ctx context.Context) error {
	var errs []error
	if a.core != nil {
		errs = append(errs, a.core.Shutdown(ctx))
	}
	if a.telemetry != nil {
		a.telemetry.Shutdown()
	}
	return errors.Join(errs...)
}

// ConsumeLogs processes each edge record's push. It returns once every output pipeline accepted
// them, so that the edge replies to the vendor only then; a failure is returned for the
// vendor's retry. A record that cannot be read is a permanent error: retrying cannot fix it.
func (a *assembler) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	var errs []error
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				if err := a.consumeRecord(ctx, lr); err != nil {
					errs = append(errs, err)
				}
			}
		}
	}
	return errors.Join(errs...)
}

func (a *assembler) consumeRecord(ctx context.Context, lr plog.LogRecord) error {
	rec, err := relay.Decode(lr)
	if err != nil {
		return consumererror.NewPermanent(err)
	}
	e, ok := platforms.Lookup(rec.Vendor)
	if !ok {
		return consumererror.NewPermanent(fmt.Errorf("edge record of an unknown platform %q", rec.Vendor))
	}
	pushes, err := e.Decode(rec.Request)
	if err != nil {
		return consumererror.NewPermanent(fmt.Errorf("edge record of %s: the push does not decode here as it did at the edge: %w", rec.Vendor, err))
	}
	if len(pushes) != rec.Count {
		return consumererror.NewPermanent(fmt.Errorf("edge record of %s: the request decodes into %d pushes here, %d at the edge", rec.Vendor, len(pushes), rec.Count))
	}
	push := pushes[rec.Index]
	if push.Tenant == "" {
		push.Tenant = rec.Tenant // the edge's configured default
	}
	return a.core.Process(ctx, e.Platform, []call.Push{push})
}
