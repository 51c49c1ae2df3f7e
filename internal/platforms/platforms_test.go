package platforms

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every registered platform brings what the registry's derivations assume: its own package with a
// FuzzDecode (the Makefile's fuzz targets) and its fixtures under testdata/.
func TestEveryPlatformHasItsPackageFuzzTargetAndFixtures(t *testing.T) {
	require.NotEmpty(t, all)
	for _, e := range All() {
		src, err := os.ReadFile(filepath.Join("..", e.Name(), "fuzz_test.go"))
		if assert.NoError(t, err, "internal/%s/fuzz_test.go", e.Name()) {
			assert.Contains(t, string(src), "func FuzzDecode(", e.Name())
		}
		fixtures, err := os.ReadDir(filepath.Join("..", "..", "testdata", e.Name()))
		if assert.NoError(t, err, "testdata/%s", e.Name()) {
			assert.NotEmpty(t, fixtures, e.Name())
		}
	}
}

func TestNamesAndPathsAreUnique(t *testing.T) {
	names, paths := map[string]bool{}, map[string]bool{}
	for _, e := range All() {
		assert.False(t, names[e.Name()], "name %s twice", e.Name())
		assert.False(t, paths[e.Path], "path %s twice", e.Path)
		names[e.Name()], paths[e.Path] = true, true
		assert.True(t, strings.HasPrefix(e.Path, "/"), e.Path)
		assert.Positive(t, e.DedupWindow, e.Name())
		got, ok := Lookup(e.Name())
		assert.True(t, ok)
		assert.Equal(t, e.Path, got.Path)
	}
	_, ok := Lookup("genesys")
	assert.False(t, ok)
	assert.Equal(t, []string{"tccc", "udesk", "uincall", "dezhu"}, Names(), "the four platforms of seeds/README.md")
}
