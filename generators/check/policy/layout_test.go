package policy

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

const layoutPolicy = `# METADATA
# title: A
# custom:
#   id: HUE-900
#   severity: error
#   rationale: r
#   remediation: m
package hue.a

violation contains {"id": "HUE-900", "msg": "m"} if input.x
`

// layout writes files (path relative to a new policies folder: content) and returns the folder.
func layout(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "policies")
	for p, content := range files {
		p = filepath.Join(dir, filepath.FromSlash(p))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	return dir
}

func TestPolicyFilesOneFolderPerPolicy(t *testing.T) {
	dir := layout(t, map[string]string{
		"a/a.rego":                  layoutPolicy,
		"a/a_test.rego":             "package hue.a_test\n",
		"a/fixtures/allowed/x.yaml": "{}\n",
		"lib/lib.rego":              "package hue.lib\n",
		"lib/cross_test.rego":       "package hue.cross_test\n",
		"lib/fixture-cluster.yaml":  "{}\n",
		"waivers.yaml":              "[]\n",
		"README.md":                 "# Policies\n",
	})
	policies, tests, err := PolicyFiles(dir)
	require.NoError(t, err)
	require.Equal(t, []string{"a/a.rego", "lib/lib.rego"}, policies)
	require.Equal(t, []string{"a/a_test.rego", "lib/cross_test.rego"}, tests)

	e, err := Load(dir)
	require.NoError(t, err)
	pm, ok := e.Policy("HUE-900")
	require.True(t, ok)
	require.Equal(t, "a/a.rego", pm.File)
	require.Equal(t, "data.hue.a", pm.Package)
}

// Rego anywhere but <name>/<name>.rego and <name>/*_test.rego, or a folder without its policy,
// is an error of the loader naming the path: the layout cannot decay unnoticed.
func TestPolicyFilesRefuseOtherLayouts(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		want       []string
	}{
		{"policy at the top", "resources.rego", []string{"resources.rego: a Rego file at the top of the policies folder", "resources/resources.rego"}},
		{"test at the top", "resources_test.rego", []string{"resources_test.rego: a Rego file at the top", "resources/resources.rego"}},
		{"second policy in a folder", "a/b.rego", []string{filepath.Join("a", "b.rego") + ": the policy of folder a is a/a.rego"}},
		{"policy named otherwise", "c/a.rego", []string{filepath.Join("c", "a.rego") + ": the policy of folder c is c/c.rego", filepath.Join("policies", "c") + ": a policy folder without its policy c.rego"}},
		{"Rego deeper down", "a/fixtures/a.rego", []string{filepath.Join("a", "fixtures", "a.rego") + ": Rego below a policy folder is not loaded"}},
		{"tests without their policy", "d/d_test.rego", []string{filepath.Join("policies", "d") + ": a policy folder without its policy d.rego"}},
		{"fixtures without their policy", "e/fixtures/allowed/x.yaml", []string{filepath.Join("policies", "e") + ": a policy folder without its policy e.rego"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := layout(t, map[string]string{"a/a.rego": layoutPolicy, tc.file: "package hue.x\n"})
			_, _, err := PolicyFiles(dir)
			require.Error(t, err)
			for _, w := range tc.want {
				require.Contains(t, err.Error(), w)
			}
			_, err = Load(dir)
			require.Error(t, err, "Load refuses the layout too")
		})
	}
}

// Metadata errors name the module as compile errors do, from the policies folder down.
func TestLoadNamesThePolicyPath(t *testing.T) {
	dir := layout(t, map[string]string{"a/a.rego": "package hue.a\n\nviolation contains {\"id\": \"HUE-900\", \"msg\": \"m\"} if input.x\n"})
	_, err := Load(dir)
	require.ErrorContains(t, err, "policies/a/a.rego: policy package data.hue.a has no METADATA block")
}

// A policy folder without both fixture sets fails the fixture test, and a fixtures/ folder
// beside no policy is reported rather than skipped.
func TestFixtureSetsAreRequired(t *testing.T) {
	dir := layout(t, map[string]string{
		"a/a.rego":                    layoutPolicy,
		"a/fixtures/allowed/x.yaml":   "{}\n",
		"lib/lib.rego":                "package hue.lib\n",
		"lib/fixtures/allowed/y.yaml": "{}\n",
	})
	e, err := Load(dir)
	require.NoError(t, err)
	pm, _ := e.Policy("HUE-900")
	_, _, err = fixtureSets(t, dir, pm)
	require.EqualError(t, err, "policy HUE-900 (a/a.rego) needs fixtures in a/fixtures/allowed and a/fixtures/disallowed")
	require.Equal(t, []string{"lib/fixtures"}, strayFixtures(t, dir, e))

	require.NoError(t, os.MkdirAll(filepath.Join(dir, "a", "fixtures", "disallowed"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a", "fixtures", "disallowed", "z.yaml"), []byte("{}\n"), 0o644))
	allowed, disallowed, err := fixtureSets(t, dir, pm)
	require.NoError(t, err)
	require.Len(t, allowed, 1)
	require.Len(t, disallowed, 1)
}
