package callcenterreceiver // import "github.com/otelcallcenter/callcenterreceiver"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"

	"github.com/otelcallcenter/callcenterreceiver/internal/core"
	"github.com/otelcallcenter/callcenterreceiver/internal/metadata"
	"github.com/otelcallcenter/callcenterreceiver/internal/platforms"
	"github.com/otelcallcenter/callcenterreceiver/internal/sharedcomponent"
)

const (
	defaultEndpoint     = "localhost:8088"
	defaultBodyLimit    = 1 << 20 // call records are a few KiB; 1 MiB leaves room for big custom fields
	defaultReplyTimeout = 4 * time.Second
)

// receivers shares one receiver, and so one HTTP server, among the pipelines of a config.
var receivers = sharedcomponent.NewMap[*Config, *callcenterReceiver]()

// NewFactory returns the factory of the callcenter receiver.
func NewFactory() receiver.Factory {
	return receiver.NewFactory(
		metadata.Type,
		createDefaultConfig,
		receiver.WithLogs(createLogs, metadata.LogsStability),
		receiver.WithMetrics(createMetrics, metadata.MetricsStability),
		receiver.WithTraces(createTraces, metadata.TracesStability),
	)
}

func createDefaultConfig() component.Config {
	server := confighttp.NewDefaultServerConfig()
	server.NetAddr.Endpoint = defaultEndpoint
	server.MaxRequestBodySize = defaultBodyLimit
	// Vendors send a few KiB at once: a client slower than this is holding a connection.
	server.ReadHeaderTimeout = 10 * time.Second
	server.ReadTimeout = 30 * time.Second
	vendors := map[string]*VendorConfig{}
	for _, e := range platforms.All() {
		vendors[e.Name()] = defaultVendorConfig(e)
	}
	return &Config{
		ServerConfig: server,
		Mode:         ModeAllInOne,
		vendors:      vendors,
		HealthPath:   "/health",
		Timezone:     "Asia/Shanghai",
		Config:       core.DefaultConfig(),
	}
}

func shared(cfg component.Config, set receiver.Settings) (*sharedcomponent.Component[*callcenterReceiver], error) {
	c := cfg.(*Config)
	return receivers.LoadOrStore(c, func() (*callcenterReceiver, error) { return newReceiver(c, set) })
}

func createLogs(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Logs) (receiver.Logs, error) {
	r, err := shared(cfg, set)
	if err != nil {
		return nil, err
	}
	r.Unwrap().logs = next
	return r, nil
}

func createMetrics(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Metrics) (receiver.Metrics, error) {
	r, err := shared(cfg, set)
	if err != nil {
		return nil, err
	}
	r.Unwrap().metrics = next
	return r, nil
}

func createTraces(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Traces) (receiver.Traces, error) {
	r, err := shared(cfg, set)
	if err != nil {
		return nil, err
	}
	r.Unwrap().traces = next
	return r, nil
}
