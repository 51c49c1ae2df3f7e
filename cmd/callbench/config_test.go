package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
)

// The bench's config gives the receiver its dedup bound and, with -storage, a file_storage
// extension that the service starts.
func TestConfig(t *testing.T) {
	load := func(yaml string) *confmap.Conf {
		t.Helper()
		retrieved, err := confmap.NewRetrievedFromYAML([]byte(yaml))
		require.NoError(t, err)
		conf, err := retrieved.AsConf()
		require.NoError(t, err)
		return conf
	}
	plain := load(config([]int{1, 2, 3}, 0, ""))
	assert.Equal(t, "127.0.0.1:1", plain.Get("receivers::callcenter::endpoint"))
	assert.Equal(t, 500000, plain.Get("receivers::callcenter::dedup::max_keys"))
	assert.Nil(t, plain.Get("receivers::callcenter::storage"))
	assert.Equal(t, []any{"pprof"}, plain.Get("service::extensions"))

	durable := load(config([]int{1, 2, 3}, 50000, "/tmp/state"))
	assert.Equal(t, 50000, durable.Get("receivers::callcenter::dedup::max_keys"))
	assert.Equal(t, "file_storage", durable.Get("receivers::callcenter::storage"))
	assert.Equal(t, "/tmp/state", durable.Get("extensions::file_storage::directory"))
	assert.Equal(t, "127.0.0.1:3", durable.Get("extensions::pprof::endpoint"))
	assert.Equal(t, []any{"pprof", "file_storage"}, durable.Get("service::extensions"))
}
