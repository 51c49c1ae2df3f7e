package callcenterreceiver // import "github.com/otelcallcenter/callcenterreceiver"

import (
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // vendor time zones must resolve on hosts without a zoneinfo database

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcallcenter/callcenterreceiver/internal/auth"
	"github.com/otelcallcenter/callcenterreceiver/internal/core"
	"github.com/otelcallcenter/callcenterreceiver/internal/platforms"
)

// Config is the configuration of the callcenter receiver.
type Config struct {
	// ServerConfig is the HTTP server the vendors push to: endpoint, TLS, auth extensions,
	// CORS, body size limit, timeouts. A named field: embedding would promote its Unmarshal
	// method to Config and hide every other key.
	ServerConfig confighttp.ServerConfig `mapstructure:",squash"`

	// Mode is all-in-one (the default: this collector does everything) or edge (authenticate,
	// decode and forward each push to an assembly tier, keeping no state).
	Mode string `mapstructure:"mode"`

	// vendors are the platform sections (tccc:, udesk:, ...), one per registered platform, each
	// on by default at its own path. Unmarshal fills them from the keys of the platforms'
	// names; Vendor reads one.
	vendors map[string]*VendorConfig

	// HealthPath answers GET with 200 for load balancers; empty turns it off.
	HealthPath string `mapstructure:"health_path"`
	// Timezone is the zone of vendor times that carry none (Udesk call_start_at, 得助 texts).
	Timezone string `mapstructure:"timezone"`

	// Config is what happens to a decoded push: operators, metrics, sessions, dedup, storage,
	// privacy (the keys the callcenter connector shares).
	core.Config `mapstructure:",squash"`

	// clock is the receiver's time: time.Now unless a test sets it.
	clock func() time.Time

	// prevent unkeyed literal initialization
	_ struct{}
}

// Modes of the receiver.
const (
	ModeAllInOne = "all-in-one"
	ModeEdge     = "edge"
)

// The core's option types, under the names the receiver has always given them.
type (
	PrivacyConfig   = core.PrivacyConfig
	HistogramConfig = core.HistogramConfig
	SessionsConfig  = core.SessionsConfig
)

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

// defaultVendorConfig is a registered platform's section before the configuration changes it.
func defaultVendorConfig(e platforms.Entry) *VendorConfig {
	return &VendorConfig{
		Enabled:      true,
		Path:         e.Path,
		ServiceName:  "callcenter-" + e.Name(),
		ReplyTimeout: defaultReplyTimeout,
		DedupWindow:  e.DedupWindow,
	}
}

// Vendor returns the section of a registered platform; nil for a name not registered.
func (cfg *Config) Vendor(name string) *VendorConfig { return cfg.vendors[name] }

// vendorSection pairs a vendor's configuration key with its section.
type vendorSection struct {
	name string
	cfg  *VendorConfig
}

// sections returns the platforms' sections in registry order.
func (cfg *Config) sections() []vendorSection {
	out := make([]vendorSection, 0, len(cfg.vendors))
	for _, name := range platforms.Names() {
		if vc, ok := cfg.vendors[name]; ok {
			out = append(out, vendorSection{name, vc})
		}
	}
	return out
}

var _ confmap.Unmarshaler = (*Config)(nil)

// Unmarshal reads the platforms' sections from the keys named after them, and every other key
// as the struct's tags say.
func (cfg *Config) Unmarshal(conf *confmap.Conf) error {
	rest, err := platforms.UnmarshalSections(conf, cfg.vendors)
	if err != nil {
		return err
	}
	return rest.Unmarshal((*plainConfig)(cfg))
}

// plainConfig is Config without its Unmarshal method, for the keys that are not platforms'.
type plainConfig Config

// location returns the configured time zone; Validate has checked it loads.
func (cfg *Config) location() *time.Location {
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
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
	for _, v := range cfg.sections() {
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
		// The sections are not struct fields confmap walks: their auth is validated here, under
		// the path confmap would give it.
		if err := v.cfg.Auth.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s::auth: %w", v.name, err))
		}
	}
	if enabled == 0 {
		errs = append(errs, fmt.Errorf("no vendor is enabled: enable at least one of %s", strings.Join(platforms.Names(), ", ")))
	}
	switch cfg.Mode {
	case ModeAllInOne:
		errs = append(errs, cfg.Check()...)
	case ModeEdge: // the core's options are the assembly tier's
	default:
		errs = append(errs, fmt.Errorf("mode: %q must be %s or %s", cfg.Mode, ModeAllInOne, ModeEdge))
	}
	return errors.Join(errs...)
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
