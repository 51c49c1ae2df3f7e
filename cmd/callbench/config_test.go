package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// The bench's config gives the receiver its dedup bound and, with -storage, a file_storage
// extension that the service starts.
func TestConfig(t *testing.T) {
	type cfg struct {
		Receivers struct {
			Callcenter struct {
				Endpoint string
				Storage  string
				Dedup    struct {
					MaxKeys int `yaml:"max_keys"`
				}
			}
		}
		Extensions map[string]map[string]string
		Service    struct {
			Extensions []string
		}
	}
	var plain, durable cfg
	require.NoError(t, yaml.Unmarshal([]byte(config([]int{1, 2, 3}, 0, "")), &plain))
	assert.Equal(t, "127.0.0.1:1", plain.Receivers.Callcenter.Endpoint)
	assert.Equal(t, 500000, plain.Receivers.Callcenter.Dedup.MaxKeys)
	assert.Empty(t, plain.Receivers.Callcenter.Storage)
	assert.Equal(t, []string{"pprof"}, plain.Service.Extensions)

	require.NoError(t, yaml.Unmarshal([]byte(config([]int{1, 2, 3}, 50000, "/tmp/state")), &durable))
	assert.Equal(t, 50000, durable.Receivers.Callcenter.Dedup.MaxKeys)
	assert.Equal(t, "file_storage", durable.Receivers.Callcenter.Storage)
	assert.Equal(t, "/tmp/state", durable.Extensions["file_storage"]["directory"])
	assert.Equal(t, "127.0.0.1:3", durable.Extensions["pprof"]["endpoint"])
	assert.Equal(t, []string{"pprof", "file_storage"}, durable.Service.Extensions)
}
