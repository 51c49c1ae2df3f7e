package callcenterreceiver // import "github.com/otelcallcenter/callcenterreceiver"

import (
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver/receiverhelper"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/metadata"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
	"github.com/otelcallcenter/callcenterreceiver/internal/relay"
)

// edgeForwarder is the edge shape: each decoded push leaves as one record for the assembly tier
// (see package relay), through the logs pipeline and its load-balancing exporter. It keeps no
// state: the vendor's reply waits for the pipeline, and so for the assembly collector.
type edgeForwarder struct {
	logs consumer.Logs
	obs  *receiverhelper.ObsReport
}

func (e *edgeForwarder) Start(context.Context, component.Host) error {
	if e.logs == nil {
		return errors.New("mode edge: the receiver must be in a logs pipeline, whose exporter (loadbalancing) reaches the assembly tier")
	}
	return nil
}

func (e *edgeForwarder) Shutdown(context.Context) error { return nil }

func (e *edgeForwarder) Process(ctx context.Context, p platform.Platform, req platform.Request, pushes []call.Push) error {
	ld := relay.Encode(p.Name(), req, pushes, metadata.ScopeName)
	n := ld.LogRecordCount()
	ctx = e.obs.StartLogsOp(ctx)
	err := e.logs.ConsumeLogs(ctx, ld)
	e.obs.EndLogsOp(ctx, p.Name(), n, err)
	if err != nil {
		return fmt.Errorf("the assembly tier did not accept the push: %w", err)
	}
	return nil
}
