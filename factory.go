package callcenterreceiver // import "github.com/otelcallcenter/callcenterreceiver"

import (
	"context"
	"slices"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"

	"github.com/otelcallcenter/callcenterreceiver/internal/dezhu"
	"github.com/otelcallcenter/callcenterreceiver/internal/metadata"
	"github.com/otelcallcenter/callcenterreceiver/internal/metrics"
	"github.com/otelcallcenter/callcenterreceiver/internal/privacy"
	"github.com/otelcallcenter/callcenterreceiver/internal/sharedcomponent"
	"github.com/otelcallcenter/callcenterreceiver/internal/tccc"
	"github.com/otelcallcenter/callcenterreceiver/internal/udesk"
	"github.com/otelcallcenter/callcenterreceiver/internal/uincall"
	"github.com/otelcallcenter/callcenterreceiver/internal/vendor"
)

const (
	defaultEndpoint     = "localhost:8088"
	defaultBodyLimit    = 1 << 20 // call records are a few KiB; 1 MiB leaves room for big custom fields
	defaultReplyTimeout = 4 * time.Second
	defaultInterval     = 15 * time.Second
	defaultMaxSessions  = 100_000
	defaultIdleTimeout  = time.Hour // longer than a call can stay silent between two events
	defaultLateGrace    = time.Minute
	defaultDedupWindow  = 24 * time.Hour
	defaultMaxDedupKeys = 500_000
)

// platforms are the vendors the receiver knows, by configuration key. The README's layout
// section lists every place a new vendor goes.
var platforms = map[string]vendor.Vendor{
	tccc.Name:    tccc.Vendor{},
	udesk.Name:   udesk.Vendor{},
	uincall.Name: uincall.Vendor{},
	dezhu.Name:   dezhu.Vendor{},
}

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
	vendorDefaults := func(name string) VendorConfig {
		return VendorConfig{
			Enabled:      true,
			Path:         "/" + name,
			ServiceName:  "callcenter-" + name,
			ReplyTimeout: defaultReplyTimeout,
			DedupWindow:  defaultDedupWindow,
		}
	}
	return &Config{
		ServerConfig: server,
		TCCC:         vendorDefaults(tccc.Name),
		Udesk:        vendorDefaults(udesk.Name),
		UinCall:      vendorDefaults(uincall.Name),
		Dezhu:        vendorDefaults(dezhu.Name),
		HealthPath:   "/health",
		Timezone:     "Asia/Shanghai",

		MetricsBuilderConfig: metadata.NewDefaultMetricsBuilderConfig(),
		CollectionInterval:   defaultInterval,
		MetricsTemporality:   temporalityCumulative,
		HistogramBuckets:     slices.Clone(metrics.DefaultBuckets),
		Sessions:             SessionsConfig{MaxOpen: defaultMaxSessions, IdleTimeout: defaultIdleTimeout, LateGrace: defaultLateGrace},
		Dedup:                DedupConfig{MaxKeys: defaultMaxDedupKeys},
		Privacy:              PrivacyConfig{PhoneNumbers: privacy.Keep},
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
