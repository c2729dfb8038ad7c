package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hue-platform/hue-gitops/generators/check"
	"github.com/hue-platform/hue-gitops/generators/cli"
	"github.com/hue-platform/hue-gitops/generators/fileset"
	"github.com/hue-platform/hue-gitops/generators/fleet"
	"github.com/hue-platform/hue-gitops/generators/pipeline"
)

// hue check --cache serves a cluster's results while everything its render and check read is
// unchanged, and checks it again as soon as one file its shape reads changes.
func TestCheckCache(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tree")
	_, err := fleet.Synth(fleet.Options{Root: root, Out: dir, Schools: 3})
	require.NoError(t, err)
	files, err := pipeline.Generate(context.Background(), dir, nil, nil)
	require.NoError(t, err)
	_, err = fileset.Write(dir, files, nil)
	require.NoError(t, err)
	cache := filepath.Join(t.TempDir(), "cache")
	run := func() (int, string) {
		var out, errOut bytes.Buffer
		code := cli.Main([]string{"check", "--root", dir, "--cache", cache, "--format", "json"}, nil, &out, &errOut)
		require.Contains(t, []int{0, 1}, code, errOut.String())
		return code, out.String()
	}
	code, cold := run()
	require.Equal(t, 0, code, cold)
	code, warm := run()
	require.Equal(t, 0, code)
	require.Equal(t, cold, warm, "a warm check reports what a cold one does")

	// Plant a finding in one school's entry: served from the cache, it is reported.
	entries, err := filepath.Glob(filepath.Join(cache, "check", "*.json"))
	require.NoError(t, err)
	var planted string
	for _, p := range entries {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		var e map[string]any
		require.NoError(t, json.Unmarshal(b, &e))
		sum, ok := e["summary"].(map[string]any)
		if !ok {
			continue // a fleet-wide entry
		}
		name := sum["name"].(string)
		if planted != "" || len(name) < 7 || name[:7] != "school-" || name == "school-district-north" {
			continue
		}
		planted = name
		e["findings"] = []check.Finding{{Check: "planted", Severity: check.SeverityError, Cluster: name, Message: "served from the cache"}}
		b, err = json.Marshal(e)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(p, b, 0o644))
	}
	require.NotEmpty(t, planted)
	code, out := run()
	require.Equal(t, 1, code)
	require.Contains(t, out, "served from the cache")

	// A hand-written file the school's shape reads changes: the school is rendered and checked
	// again (a generated one touched by hand would fail as stale).
	f := filepath.Join(dir, "components", "observability", "kustomization.yaml")
	b, err := os.ReadFile(f)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(f, append(b, []byte("# touched\n")...), 0o644))
	code, out = run()
	require.Equal(t, 0, code, out)
	require.NotContains(t, out, "served from the cache")
}

// The fleet-wide Argo CD checks are served from the cache while the Argo CD files, the
// inventory and every cluster's skeleton are unchanged, and run again when one of them changes.
func TestCheckCacheArgoCD(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tree")
	_, err := fleet.Synth(fleet.Options{Root: root, Out: dir, Schools: 3})
	require.NoError(t, err)
	files, err := pipeline.Generate(context.Background(), dir, nil, nil)
	require.NoError(t, err)
	_, err = fileset.Write(dir, files, nil)
	require.NoError(t, err)
	cache := filepath.Join(t.TempDir(), "cache")
	run := func() (int, string) {
		var out, errOut bytes.Buffer
		code := cli.Main([]string{"check", "--root", dir, "--cache", cache, "--format", "text"}, nil, &out, &errOut)
		require.Contains(t, []int{0, 1}, code, errOut.String())
		return code, out.String()
	}
	code, out := run()
	require.Equal(t, 0, code, out)

	entry := filepath.Join(cache, "check", "fleet-argocd.json")
	b, err := os.ReadFile(entry)
	require.NoError(t, err, "the Argo CD checks' result is kept")
	var e map[string]any
	require.NoError(t, json.Unmarshal(b, &e))
	e["value"] = map[string]any{"findings": []check.Finding{{Check: "argocd", Severity: check.SeverityError, Message: "argo served from the cache"}}, "exists": map[string]bool{}}
	b, err = json.Marshal(e)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(entry, b, 0o644))
	code, out = run()
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "argo served from the cache")

	// The checks then run again on an edit, yet every ApplicationSet element whose set and
	// element are unchanged is taken from the kept renderings: plant a project in them.
	renders := filepath.Join(cache, "check", "fleet-argocd-renders.json")
	b, err = os.ReadFile(renders)
	require.NoError(t, err, "the ApplicationSets' renderings are kept")
	var re struct {
		Format int                                   `json:"format"`
		Key    string                                `json:"key"`
		Value  map[string]map[string]json.RawMessage `json:"value"`
	}
	require.NoError(t, json.Unmarshal(b, &re))
	schools, err := filepath.Glob(filepath.Join(dir, "clusters", "school", "school-*.yaml"))
	require.NoError(t, err)
	require.Equal(t, len(schools), len(re.Value), "one rendering per school element: the committed schools and the three synthetic ones")
	for k, r := range re.Value {
		var app map[string]any
		require.NoError(t, json.Unmarshal(r["app"], &app))
		app["spec"].(map[string]any)["project"] = "hue-planted"
		r["app"], err = json.Marshal(app)
		require.NoError(t, err)
		re.Value[k] = r
	}
	b, err = json.Marshal(re)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(renders, b, 0o644))

	// An Argo CD file changes: the checks run again (and the edit is reported as stale).
	apps, err := filepath.Glob(filepath.Join(dir, "clusters", "school", "argocd", "apps", "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, apps)
	b, err = os.ReadFile(apps[0])
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(apps[0], append(b, []byte("# touched\n")...), 0o644))
	code, out = run()
	require.Equal(t, 1, code, out)
	require.NotContains(t, out, "argo served from the cache")
	require.Contains(t, out, "differs from what hue generate writes")
	require.Contains(t, out, `AppProject "hue-planted" is not defined`, "the school elements' Applications are the kept ones")
}
