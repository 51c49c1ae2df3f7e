package callcenterreceiver // import "github.com/otelcallcenter/callcenterreceiver"

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // vendor time zones must resolve on hosts without a zoneinfo database

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/operator"

	"github.com/otelcallcenter/callcenterreceiver/internal/auth"
	"github.com/otelcallcenter/callcenterreceiver/internal/metadata"
	"github.com/otelcallcenter/callcenterreceiver/internal/metrics"
	"github.com/otelcallcenter/callcenterreceiver/internal/operators"
	"github.com/otelcallcenter/callcenterreceiver/internal/privacy"
)

// Config is the configuration of the callcenter receiver.
type Config struct {
	// ServerConfig is the HTTP server the vendors push to: endpoint, TLS, auth extensions,
	// CORS, body size limit, timeouts. A named field: embedding would promote its Unmarshal
	// method to Config and hide every other key.
	ServerConfig confighttp.ServerConfig `mapstructure:",squash"`

	// One section per vendor; each is on by default at its own path.
	TCCC    VendorConfig `mapstructure:"tccc"`
	Udesk   VendorConfig `mapstructure:"udesk"`
	UinCall VendorConfig `mapstructure:"uincall"`
	Dezhu   VendorConfig `mapstructure:"dezhu"`

	// HealthPath answers GET with 200 for load balancers; empty turns it off.
	HealthPath string `mapstructure:"health_path"`
	// Timezone is the zone of vendor times that carry none (Udesk call_start_at, 得助 texts).
	Timezone string `mapstructure:"timezone"`
	// Operators are stanza operators run on every log record before it is emitted.
	Operators []operator.Config `mapstructure:"operators"`

	// MetricsBuilderConfig turns the generated counters and their attributes on and off
	// (metrics:, resource_attributes:).
	MetricsBuilderConfig metadata.MetricsBuilderConfig `mapstructure:",squash"`
	// CollectionInterval is how often aggregated metrics are flushed.
	CollectionInterval time.Duration `mapstructure:"collection_interval"`
	// MetricsTemporality is cumulative (the default, with the receiver's start as start time) or
	// delta.
	MetricsTemporality string `mapstructure:"metrics_temporality"`
	// HistogramBuckets are the explicit boundaries, in seconds, of the duration histograms.
	HistogramBuckets []float64 `mapstructure:"histogram_buckets"`
	// Histograms turns duration histograms on and off by name.
	Histograms map[string]HistogramConfig `mapstructure:"histograms"`
	// PerAgentMetrics adds the callcenter.agent attribute to per-call series.
	PerAgentMetrics bool `mapstructure:"per_agent_metrics"`

	// Sessions bounds the calls followed event by event.
	Sessions SessionsConfig `mapstructure:"sessions"`
	// Dedup bounds the memory of pushes already accepted.
	Dedup DedupConfig `mapstructure:"dedup"`
	// Storage names a storage extension (file_storage) that keeps the accepted pushes and the
	// calls in progress across restarts; without it they live in memory only.
	Storage *component.ID `mapstructure:"storage"`

	// clock is the receiver's time: time.Now unless a test sets it.
	clock func() time.Time
	// Privacy protects phone numbers before anything leaves the receiver.
	Privacy PrivacyConfig `mapstructure:"privacy"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// VendorConfig is the endpoint of one call-center platform.
type VendorConfig struct {
	Enabled bool   `mapstructure:"enabled"`
	Path    string `mapstructure:"path"`
	// Tenant is the callcenter.tenant.id of pushes that carry none (Udesk sends no tenant).
	Tenant string `mapstructure:"tenant"`
	// ServiceName is the service.name of this vendor's telemetry.
	ServiceName string `mapstructure:"service_name"`
	// ReplyTimeout bounds how long a push may wait for the pipeline before the vendor gets a
	// retryable failure. Keep it under the vendor's own timeout (得助 waits 5 s).
	ReplyTimeout time.Duration `mapstructure:"reply_timeout"`
	// DedupWindow is how long an accepted push is remembered, so that the vendor's retries of it
	// are recognized.
	DedupWindow time.Duration `mapstructure:"dedup_window"`
	// Auth authenticates the endpoint's pushes, besides the server's auth extension.
	Auth auth.Config `mapstructure:"auth"`
}

// PrivacyConfig says what happens to phone numbers.
type PrivacyConfig struct {
	// PhoneNumbers is keep, mask or hash.
	PhoneNumbers privacy.Mode `mapstructure:"phone_numbers"`
	// HashKey keys the HMAC of hash: the same number hashes the same wherever the key is the same.
	HashKey configopaque.String `mapstructure:"hash_key"`
}

// DedupConfig bounds the memory of accepted pushes.
type DedupConfig struct {
	// MaxKeys is how many pushes are remembered at most; the least recently seen go first.
	MaxKeys int `mapstructure:"max_keys"`
}

// HistogramConfig turns one histogram on or off.
type HistogramConfig struct {
	Enabled bool `mapstructure:"enabled"`
}

// SessionsConfig bounds the calls in progress the receiver follows event by event.
type SessionsConfig struct {
	// MaxOpen is how many calls may be open at once; beyond it the oldest is closed.
	MaxOpen int `mapstructure:"max_open"`
	// IdleTimeout closes a call nothing arrived for, as incomplete.
	IdleTimeout time.Duration `mapstructure:"idle_timeout"`
	// LateGrace is how long after a call closed its pushes may still arrive out of order (Udesk
	// occasions after their end): what they could change waits for it before it is sent.
	LateGrace time.Duration `mapstructure:"late_grace"`
}

// vendorSection pairs a vendor's configuration key with its section.
type vendorSection struct {
	name string
	cfg  *VendorConfig
}

func (cfg *Config) vendors() []vendorSection {
	return []vendorSection{
		{"tccc", &cfg.TCCC}, {"udesk", &cfg.Udesk}, {"uincall", &cfg.UinCall}, {"dezhu", &cfg.Dezhu},
	}
}

// location returns the configured time zone; Validate has checked it loads.
func (cfg *Config) location() *time.Location {
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

const (
	temporalityCumulative = "cumulative"
	temporalityDelta      = "delta"
)

// disabledHistograms lists the histograms turned off.
func (cfg *Config) disabledHistograms() map[string]bool {
	off := map[string]bool{}
	for name, h := range cfg.Histograms {
		if !h.Enabled {
			off[name] = true
		}
	}
	return off
}

var _ component.Config = (*Config)(nil)

// Validate checks the configuration and names the field of every problem.
func (cfg *Config) Validate() error {
	var errs []error
	if cfg.ServerConfig.NetAddr.Endpoint == "" {
		errs = append(errs, errors.New("endpoint: must be set, e.g. localhost:8088"))
	}
	if cfg.ServerConfig.MaxRequestBodySize < 0 {
		errs = append(errs, fmt.Errorf("max_request_body_size: must not be negative, got %d", cfg.ServerConfig.MaxRequestBodySize))
	}
	if _, err := time.LoadLocation(cfg.Timezone); err != nil || cfg.Timezone == "" {
		errs = append(errs, fmt.Errorf("timezone: %q is not an IANA time zone such as Asia/Shanghai", cfg.Timezone))
	}

	paths := map[string]string{}
	if cfg.HealthPath != "" {
		if err := checkPath(cfg.HealthPath); err != nil {
			errs = append(errs, fmt.Errorf("health_path: %w", err))
		}
		paths[cfg.HealthPath] = "health_path"
	}
	enabled := 0
	for _, v := range cfg.vendors() {
		if !v.cfg.Enabled {
			continue
		}
		enabled++
		if err := checkPath(v.cfg.Path); err != nil {
			errs = append(errs, fmt.Errorf("%s.path: %w", v.name, err))
		} else if other, taken := paths[v.cfg.Path]; taken {
			errs = append(errs, fmt.Errorf("%s.path: %s is already used by %s", v.name, v.cfg.Path, other))
		}
		paths[v.cfg.Path] = v.name + ".path"
		if tp := v.cfg.Auth.TokenPath; v.cfg.Auth.Type == auth.TypeOAuth2 && tp != "" {
			if other, taken := paths[tp]; taken {
				errs = append(errs, fmt.Errorf("%s.auth.token_path: %s is already used by %s", v.name, tp, other))
			}
			paths[tp] = v.name + ".auth.token_path"
		}
		if v.cfg.ReplyTimeout <= 0 {
			errs = append(errs, fmt.Errorf("%s.reply_timeout: must be positive, got %s", v.name, v.cfg.ReplyTimeout))
		}
		if v.cfg.ServiceName == "" {
			errs = append(errs, fmt.Errorf("%s.service_name: must not be empty", v.name))
		}
		if v.cfg.DedupWindow <= 0 {
			errs = append(errs, fmt.Errorf("%s.dedup_window: must be positive, got %s", v.name, v.cfg.DedupWindow))
		}
	}
	if enabled == 0 {
		errs = append(errs, errors.New("no vendor is enabled: enable at least one of tccc, udesk, uincall, dezhu"))
	}
	if err := operators.Validate(cfg.Operators); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, cfg.validateMetrics()...)
	if err := privacy.Validate(cfg.Privacy.PhoneNumbers, string(cfg.Privacy.HashKey)); err != nil {
		errs = append(errs, fmt.Errorf("privacy.%w", err))
	}
	if cfg.Sessions.MaxOpen <= 0 {
		errs = append(errs, fmt.Errorf("sessions.max_open: must be positive, got %d", cfg.Sessions.MaxOpen))
	}
	if cfg.Dedup.MaxKeys <= 0 {
		errs = append(errs, fmt.Errorf("dedup.max_keys: must be positive, got %d", cfg.Dedup.MaxKeys))
	}
	if cfg.Sessions.IdleTimeout <= 0 {
		errs = append(errs, fmt.Errorf("sessions.idle_timeout: must be positive, got %s", cfg.Sessions.IdleTimeout))
	}
	if cfg.Sessions.LateGrace < 0 || cfg.Sessions.LateGrace > cfg.Sessions.IdleTimeout {
		errs = append(errs, fmt.Errorf("sessions.late_grace: must be between 0 and sessions.idle_timeout, got %s", cfg.Sessions.LateGrace))
	}
	return errors.Join(errs...)
}

func (cfg *Config) validateMetrics() []error {
	var errs []error
	if cfg.CollectionInterval <= 0 {
		errs = append(errs, fmt.Errorf("collection_interval: must be positive, got %s", cfg.CollectionInterval))
	}
	if cfg.MetricsTemporality != temporalityCumulative && cfg.MetricsTemporality != temporalityDelta {
		errs = append(errs, fmt.Errorf("metrics_temporality: %q must be %s or %s", cfg.MetricsTemporality, temporalityCumulative, temporalityDelta))
	}
	if len(cfg.HistogramBuckets) == 0 {
		errs = append(errs, errors.New("histogram_buckets: must list at least one boundary"))
	}
	for i, b := range cfg.HistogramBuckets {
		if b <= 0 || (i > 0 && b <= cfg.HistogramBuckets[i-1]) {
			errs = append(errs, fmt.Errorf("histogram_buckets: boundaries must be positive and increasing, got %v", cfg.HistogramBuckets))
			break
		}
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Histograms)) {
		if _, ok := metrics.Histograms[name]; !ok {
			errs = append(errs, fmt.Errorf("histograms: unknown histogram %q; known: %s", name, strings.Join(slices.Sorted(maps.Keys(metrics.Histograms)), ", ")))
		}
	}
	return errs
}

func checkPath(p string) error {
	switch {
	case !strings.HasPrefix(p, "/"):
		return fmt.Errorf("%q must start with /", p)
	case strings.ContainsAny(p, "?#"):
		return fmt.Errorf("%q must be a path without query or fragment", p)
	}
	return nil
}
