package callcenterconnector // import "github.com/otelcallcenter/callcenterreceiver/connector/callcenterconnector"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcallcenter/callcenterreceiver/connector/callcenterconnector/internal/metadata"
	"github.com/otelcallcenter/callcenterreceiver/internal/sharedcomponent"
)

// assemblers shares one assembler, and so one core, among the connectors of one configuration:
// the collector creates one per output pipeline type, and each receives every input record.
var assemblers = sharedcomponent.NewMap[*Config, *assembler]()

// NewFactory returns the factory of the callcenter connector.
func NewFactory() connector.Factory {
	return connector.NewFactory(
		metadata.Type,
		func() component.Config { return createDefaultConfig() },
		connector.WithLogsToLogs(createLogsToLogs, metadata.LogsToLogsStability),
		connector.WithLogsToMetrics(createLogsToMetrics, metadata.LogsToMetricsStability),
		connector.WithLogsToTraces(createLogsToTraces, metadata.LogsToTracesStability),
	)
}

func shared(cfg component.Config, set connector.Settings) (*sharedcomponent.Component[*assembler], error) {
	c := cfg.(*Config)
	return assemblers.LoadOrStore(c, func() (*assembler, error) { return newAssembler(c, set), nil })
}

func createLogsToLogs(_ context.Context, set connector.Settings, cfg component.Config, next consumer.Logs) (connector.Logs, error) {
	a, err := shared(cfg, set)
	if err != nil {
		return nil, err
	}
	a.Unwrap().logs = next
	return input{a, outLogs}, nil
}

func createLogsToMetrics(_ context.Context, set connector.Settings, cfg component.Config, next consumer.Metrics) (connector.Logs, error) {
	a, err := shared(cfg, set)
	if err != nil {
		return nil, err
	}
	a.Unwrap().metrics = next
	return input{a, outMetrics}, nil
}

func createLogsToTraces(_ context.Context, set connector.Settings, cfg component.Config, next consumer.Traces) (connector.Logs, error) {
	a, err := shared(cfg, set)
	if err != nil {
		return nil, err
	}
	a.Unwrap().traces = next
	return input{a, outTraces}, nil
}

// output is the pipeline type a connector instance emits to.
type output int

const (
	outLogs output = iota
	outTraces
	outMetrics
)

// input is one of the connector instances of a configuration. The logs pipeline that feeds the
// connector hands every record to each of them; one, the first of logs, traces, metrics that is
// used, takes them to the shared core, so that each record is processed once.
type input struct {
	*sharedcomponent.Component[*assembler]
	out output
}

func (in input) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

func (in input) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	a := in.Unwrap()
	if a.primary() != in.out {
		return nil
	}
	return a.ConsumeLogs(ctx, ld)
}
