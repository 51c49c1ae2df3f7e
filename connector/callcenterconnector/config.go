package callcenterconnector // import "github.com/otelcallcenter/callcenterreceiver/connector/callcenterconnector"

import (
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcallcenter/callcenterreceiver/internal/core"
	"github.com/otelcallcenter/callcenterreceiver/internal/platforms"
)

// Config is the connector's configuration: the receiver's core options under the same keys, and
// one section per platform (tccc:, udesk:, ...) with what the core needs of it.
type Config struct {
	// Config is what happens to a decoded push: operators, metrics, sessions, dedup, storage,
	// privacy.
	core.Config `mapstructure:",squash"`

	// vendors are the platform sections; Unmarshal fills them from the keys of the platforms'
	// names, Vendor reads one.
	vendors map[string]*VendorConfig

	// prevent unkeyed literal initialization
	_ struct{}
}

// VendorConfig is what the assembly tier needs of one platform. Its endpoint, auth and tenant
// are the edge's.
type VendorConfig struct {
	// ServiceName is the service.name of this platform's telemetry.
	ServiceName string `mapstructure:"service_name"`
	// DedupWindow is how long an accepted push is remembered, so that the platform's retries of
	// it are recognized.
	DedupWindow time.Duration `mapstructure:"dedup_window"`
}

func createDefaultConfig() *Config {
	vendors := map[string]*VendorConfig{}
	for _, e := range platforms.All() {
		vendors[e.Name()] = &VendorConfig{ServiceName: "callcenter-" + e.Name(), DedupWindow: e.DedupWindow}
	}
	return &Config{Config: core.DefaultConfig(), vendors: vendors}
}

// Vendor returns the section of a registered platform; nil for a name not registered.
func (cfg *Config) Vendor(name string) *VendorConfig { return cfg.vendors[name] }

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

// plainConfig is Config without its Unmarshal method.
type plainConfig Config

// Validate checks the configuration and names the field of every problem.
func (cfg *Config) Validate() error {
	errs := cfg.Check()
	for _, name := range platforms.Names() {
		v := cfg.vendors[name]
		if v == nil {
			continue
		}
		if v.ServiceName == "" {
			errs = append(errs, fmt.Errorf("%s.service_name: must not be empty", name))
		}
		if v.DedupWindow <= 0 {
			errs = append(errs, fmt.Errorf("%s.dedup_window: must be positive, got %s", name, v.DedupWindow))
		}
	}
	return errors.Join(errs...)
}

// coreVendors are the platforms as the core takes them.
func (cfg *Config) coreVendors() map[string]core.Vendor {
	out := map[string]core.Vendor{}
	for name, v := range cfg.vendors {
		out[name] = core.Vendor{ServiceName: v.ServiceName, DedupWindow: v.DedupWindow}
	}
	return out
}
