package callcenterreceiver

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcallcenter/callcenterreceiver/internal/auth"
	"github.com/otelcallcenter/callcenterreceiver/internal/metadata"
	"github.com/otelcallcenter/callcenterreceiver/internal/platforms"
)

func loadConfig(t *testing.T, name string) *Config {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub(component.MustNewIDWithName(metadata.Type.String(), name).String())
	require.NoError(t, err)
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, sub.Unmarshal(cfg))
	return cfg
}

func TestDefaultConfig(t *testing.T) {
	cfg := loadConfig(t, "")
	require.NoError(t, confmap.Validate(cfg))
	assert.Equal(t, "localhost:8088", cfg.ServerConfig.NetAddr.Endpoint)
	assert.Equal(t, int64(1<<20), cfg.ServerConfig.MaxRequestBodySize)
	assert.Equal(t, 10*time.Second, cfg.ServerConfig.ReadHeaderTimeout, "slow clients are cut off")
	assert.Equal(t, 30*time.Second, cfg.ServerConfig.ReadTimeout)
	assert.Equal(t, PrivacyConfig{PhoneNumbers: "keep"}, cfg.Privacy)
	assert.Nil(t, cfg.Storage)
	assert.Equal(t, "/health", cfg.HealthPath)
	assert.Equal(t, "Asia/Shanghai", cfg.Timezone)
	for _, v := range cfg.sections() {
		assert.True(t, v.cfg.Enabled, v.name)
		assert.Equal(t, "/"+v.name, v.cfg.Path)
		assert.Equal(t, "callcenter-"+v.name, v.cfg.ServiceName)
		assert.Equal(t, 4*time.Second, v.cfg.ReplyTimeout)
	}
	assert.Equal(t, 24*time.Hour, cfg.vendors["tccc"].DedupWindow)
	assert.Equal(t, 24*time.Hour, cfg.vendors["uincall"].DedupWindow, "one default: UinCall pushes have no key to remember anyway")
	assert.Equal(t, 15*time.Second, cfg.CollectionInterval)
	assert.Equal(t, "cumulative", cfg.MetricsTemporality)
	assert.Contains(t, cfg.HistogramBuckets, 20.0)
	assert.False(t, cfg.PerAgentMetrics)
	assert.True(t, cfg.MetricsBuilderConfig.Metrics.CallcenterCalls.Enabled)
	assert.Equal(t, SessionsConfig{MaxOpen: 100_000, IdleTimeout: time.Hour, LateGrace: time.Minute}, cfg.Sessions)
	assert.Equal(t, 500_000, cfg.Dedup.MaxKeys)
}

func TestCustomConfig(t *testing.T) {
	cfg := loadConfig(t, "custom")
	require.NoError(t, confmap.Validate(cfg))
	assert.Equal(t, "0.0.0.0:9000", cfg.ServerConfig.NetAddr.Endpoint)
	assert.Equal(t, int64(65536), cfg.ServerConfig.MaxRequestBodySize)
	assert.Equal(t, VendorConfig{Enabled: true, Path: "/push/tccc", ServiceName: "callcenter-tccc", ReplyTimeout: 2 * time.Second, DedupWindow: time.Hour}, *cfg.vendors["tccc"])
	assert.False(t, cfg.vendors["udesk"].Enabled)
	assert.Equal(t, VendorConfig{Enabled: true, Path: "/uincall", Tenant: "acme", ServiceName: "acme-uincall", ReplyTimeout: 4 * time.Second, DedupWindow: 24 * time.Hour}, *cfg.vendors["uincall"])
	assert.Equal(t, "/51ima", cfg.vendors["dezhu"].Path)
	assert.Empty(t, cfg.HealthPath)
	assert.Equal(t, time.UTC, cfg.location())
	require.Len(t, cfg.Operators, 1)
	assert.Equal(t, "add", cfg.Operators[0].Type())
	assert.Equal(t, 5*time.Second, cfg.CollectionInterval)
	assert.Equal(t, "delta", cfg.MetricsTemporality)
	assert.Equal(t, []float64{5, 20, 60}, cfg.HistogramBuckets)
	assert.Equal(t, map[string]bool{"callcenter.call.acw.duration": true}, cfg.DisabledHistograms())
	assert.True(t, cfg.PerAgentMetrics)
	assert.False(t, cfg.MetricsBuilderConfig.Metrics.CallcenterEvents.Enabled)
	assert.True(t, cfg.MetricsBuilderConfig.Metrics.CallcenterCalls.Enabled)
	assert.Equal(t, SessionsConfig{MaxOpen: 1000, IdleTimeout: 30 * time.Minute, LateGrace: 10 * time.Second}, cfg.Sessions)
	assert.Equal(t, 1000, cfg.Dedup.MaxKeys)
}

func TestValidateNamesTheField(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Config)
		want   []string
	}{
		{"no endpoint", func(c *Config) { c.ServerConfig.NetAddr.Endpoint = "" }, []string{"endpoint: must be set"}},
		{"negative body limit", func(c *Config) { c.ServerConfig.MaxRequestBodySize = -1 }, []string{"max_request_body_size: must not be negative"}},
		{"bad timezone", func(c *Config) { c.Timezone = "Mars/Olympus" }, []string{`timezone: "Mars/Olympus" is not an IANA time zone`}},
		{"empty timezone", func(c *Config) { c.Timezone = "" }, []string{`timezone: "" is not an IANA time zone`}},
		{"relative path", func(c *Config) { c.vendors["udesk"].Path = "udesk" }, []string{`udesk.path: "udesk" must start with /`}},
		{"query in path", func(c *Config) { c.vendors["tccc"].Path = "/tccc?action=cdr" }, []string{"tccc.path:", "without query"}},
		{"duplicate path", func(c *Config) { c.vendors["dezhu"].Path = "/tccc" }, []string{"dezhu.path: /tccc is already used by tccc.path"}},
		{"path on health", func(c *Config) { c.vendors["uincall"].Path = "/health" }, []string{"uincall.path: /health is already used by health_path"}},
		{"bad health path", func(c *Config) { c.HealthPath = "health" }, []string{`health_path: "health" must start with /`}},
		{"zero reply timeout", func(c *Config) { c.vendors["dezhu"].ReplyTimeout = 0 }, []string{"dezhu.reply_timeout: must be positive"}},
		{"no service name", func(c *Config) { c.vendors["tccc"].ServiceName = "" }, []string{"tccc.service_name: must not be empty"}},
		{"zero dedup window", func(c *Config) { c.vendors["uincall"].DedupWindow = 0 }, []string{"uincall.dedup_window: must be positive"}},
		{"zero interval", func(c *Config) { c.CollectionInterval = 0 }, []string{"collection_interval: must be positive"}},
		{"bad temporality", func(c *Config) { c.MetricsTemporality = "both" }, []string{`metrics_temporality: "both" must be cumulative or delta`}},
		{"no buckets", func(c *Config) { c.HistogramBuckets = nil }, []string{"histogram_buckets: must list at least one boundary"}},
		{"unsorted buckets", func(c *Config) { c.HistogramBuckets = []float64{10, 5} }, []string{"histogram_buckets: boundaries must be positive and increasing"}},
		{"negative bucket", func(c *Config) { c.HistogramBuckets = []float64{-1, 5} }, []string{"histogram_buckets: boundaries must be positive"}},
		{"unknown histogram", func(c *Config) { c.Histograms = map[string]HistogramConfig{"callcenter.hold": {}} }, []string{`histograms: unknown histogram "callcenter.hold"`, "callcenter.call.talk.duration"}},
		{"no sessions", func(c *Config) { c.Sessions.MaxOpen = 0 }, []string{"sessions.max_open: must be positive"}},
		{"no session timeout", func(c *Config) { c.Sessions.IdleTimeout = 0 }, []string{"sessions.idle_timeout: must be positive"}},
		{"no dedup keys", func(c *Config) { c.Dedup.MaxKeys = 0 }, []string{"dedup.max_keys: must be positive"}},
		{"bad auth type", func(c *Config) { c.vendors["tccc"].Auth = auth.Config{Type: "digest"} }, []string{`tccc::auth: type: "digest" must be none, basic, bearer or oauth2`}},
		{"basic without password", func(c *Config) { c.vendors["dezhu"].Auth = auth.Config{Type: "basic", Username: "u"} }, []string{"dezhu::auth: password: must be set for basic auth"}},
		{"token path taken", func(c *Config) {
			c.vendors["tccc"].Auth = auth.Config{Type: "oauth2", ClientID: "c", ClientSecret: "0123456789abcdef", TokenPath: "/udesk"}
		}, []string{"udesk.path: /udesk is already used by tccc.auth.token_path"}},
		{"bad privacy mode", func(c *Config) { c.Privacy.PhoneNumbers = "redact" }, []string{`privacy.phone_numbers: "redact" must be keep, mask or hash`}},
		{"hash without key", func(c *Config) { c.Privacy.PhoneNumbers = "hash" }, []string{"privacy.hash_key: must be at least 16 characters"}},
		{"grace beyond idle", func(c *Config) { c.Sessions.LateGrace = 2 * time.Hour }, []string{"sessions.late_grace: must be between 0 and sessions.idle_timeout"}},
		{"nothing enabled", func(c *Config) {
			for _, name := range platforms.Names() {
				c.vendors[name].Enabled = false
			}
		}, []string{"no vendor is enabled"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			tt.modify(cfg)
			err := confmap.Validate(cfg)
			require.Error(t, err)
			for _, want := range tt.want {
				assert.Contains(t, err.Error(), want)
			}
		})
	}
}

func TestDisabledVendorIsNotValidated(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	*cfg.vendors["udesk"] = VendorConfig{Enabled: false, Path: "not-a-path"}
	assert.NoError(t, confmap.Validate(cfg))
}

func TestValidateRejectsAsynchronousOperators(t *testing.T) {
	cm := confmap.NewFromStringMap(map[string]any{
		"operators": []any{
			map[string]any{"type": "recombine", "combine_field": "body", "is_first_entry": "true"},
			map[string]any{"type": "stdout"},
		},
	})
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, cm.Unmarshal(cfg))
	err := confmap.Validate(cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `operators[0]: type "recombine" is not supported here`)
	assert.Contains(t, err.Error(), `operators[1]: type "stdout" is not supported here`)
}
