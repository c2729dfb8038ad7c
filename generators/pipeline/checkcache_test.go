package pipeline

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hue-platform/hue-gitops/generators/layout"
	"github.com/stretchr/testify/require"
)

// The check cache is keyed by every Rego file in the policies' folders: editing a policy, or
// the helpers in lib/, serves no result of the old policies.
func TestCheckCacheKeyFollowsThePolicies(t *testing.T) {
	root := t.TempDir()
	write := func(rel, content string) {
		p := filepath.Join(root, layout.Policies, filepath.FromSlash(rel))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	base := func() string {
		cc, err := OpenCheckCache(t.TempDir(), root, "sources")
		require.NoError(t, err)
		return cc.base
	}
	write("a/a.rego", "package hue.a\n")
	write("lib/lib.rego", "package hue.lib\n")
	first := base()
	require.Equal(t, first, base(), "the same policies give the same key")

	write("a/a.rego", "package hue.a\n\nx := 1\n")
	second := base()
	require.NotEqual(t, first, second, "a policy changed")

	write("lib/lib.rego", "package hue.lib\n\ny := 1\n")
	require.NotEqual(t, second, base(), "the helpers changed")

	write("stray.rego", "package hue.stray\n")
	_, err := OpenCheckCache(t.TempDir(), root, "sources")
	require.ErrorContains(t, err, "stray.rego: a Rego file at the top of the policies folder")
}
