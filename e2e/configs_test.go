//go:build e2e

package e2e

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestShippedConfigsAreValid validates every configuration under config/ with the built
// collector, as a user starting it would.
func TestShippedConfigsAreValid(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "config", "*.yaml"))
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(files), 3)
	for _, f := range files {
		out, err := exec.Command(collectorBinary, "validate", "--config", f).CombinedOutput()
		assert.NoError(t, err, "%s: %s", f, out)
	}
}
