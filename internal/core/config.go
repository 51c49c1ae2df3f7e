package core

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/operator"

	"github.com/otelcallcenter/callcenterreceiver/internal/metadata"
	"github.com/otelcallcenter/callcenterreceiver/internal/metrics"
	"github.com/otelcallcenter/callcenterreceiver/internal/operators"
	"github.com/otelcallcenter/callcenterreceiver/internal/privacy"
)

// Defaults of the core's options.
const (
	DefaultInterval     = 15 * time.Second
	DefaultMaxSessions  = 100_000
	DefaultIdleTimeout  = time.Hour // longer than a call can stay silent between two events
	DefaultLateGrace    = time.Minute
	DefaultMaxDedupKeys = 500_000
)

// Metrics temporalities.
const (
	TemporalityCumulative = "cumulative"
	TemporalityDelta      = "delta"
)

// Config is what the core does with decoded pushes: the options the receiver (all-in-one) and
// the connector (assembly tier) share, under the same keys.
type Config struct {
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
	// Privacy protects phone numbers before anything leaves the component.
	Privacy PrivacyConfig `mapstructure:"privacy"`
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

// SessionsConfig bounds the calls in progress followed event by event.
type SessionsConfig struct {
	// MaxOpen is how many calls may be open at once; beyond it the oldest is closed.
	MaxOpen int `mapstructure:"max_open"`
	// IdleTimeout closes a call nothing arrived for, as incomplete.
	IdleTimeout time.Duration `mapstructure:"idle_timeout"`
	// LateGrace is how long after a call closed its pushes may still arrive out of order (Udesk
	// occasions after their end): what they could change waits for it before it is sent.
	LateGrace time.Duration `mapstructure:"late_grace"`
}

// DefaultConfig returns the core's defaults.
func DefaultConfig() Config {
	return Config{
		MetricsBuilderConfig: metadata.NewDefaultMetricsBuilderConfig(),
		CollectionInterval:   DefaultInterval,
		MetricsTemporality:   TemporalityCumulative,
		HistogramBuckets:     slices.Clone(metrics.DefaultBuckets),
		Sessions:             SessionsConfig{MaxOpen: DefaultMaxSessions, IdleTimeout: DefaultIdleTimeout, LateGrace: DefaultLateGrace},
		Dedup:                DedupConfig{MaxKeys: DefaultMaxDedupKeys},
		Privacy:              PrivacyConfig{PhoneNumbers: privacy.Keep},
	}
}

// DisabledHistograms lists the histograms turned off.
func (cfg *Config) DisabledHistograms() map[string]bool {
	off := map[string]bool{}
	for name, h := range cfg.Histograms {
		if !h.Enabled {
			off[name] = true
		}
	}
	return off
}

// Check returns the problems of the core's options; each message names the field.
func (cfg *Config) Check() []error {
	var errs []error
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
	return errs
}

func (cfg *Config) validateMetrics() []error {
	var errs []error
	if cfg.CollectionInterval <= 0 {
		errs = append(errs, fmt.Errorf("collection_interval: must be positive, got %s", cfg.CollectionInterval))
	}
	if cfg.MetricsTemporality != TemporalityCumulative && cfg.MetricsTemporality != TemporalityDelta {
		errs = append(errs, fmt.Errorf("metrics_temporality: %q must be %s or %s", cfg.MetricsTemporality, TemporalityCumulative, TemporalityDelta))
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
