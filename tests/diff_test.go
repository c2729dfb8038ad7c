package tests

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/hue-platform/hue-gitops/generators/gittest"
	"github.com/hue-platform/hue-gitops/generators/pipeline"
	"github.com/hue-platform/hue-gitops/generators/render"
)

// A spec change, regenerated, reaches exactly the clusters that run the service: `hue diff`
// against the committed base names them, and shows the changed Deployment in each.
func TestDiffNamesTheClustersAChangeReaches(t *testing.T) {
	dir := copyRepo(t)
	gittest.CommitAll(t, dir)

	code, out := run("diff", "--root", dir, "--base", "HEAD", "--exit-code")
	require.Equal(t, 0, code, "a clean tree differs from nothing: %s", out)

	// The clusters that render the music Deployment, as committed.
	specs, err := pipeline.Load(dir, true)
	require.NoError(t, err)
	results, err := pipeline.Render(context.Background(), render.Krusty{}, dir, specs.Inventory.Clusters)
	require.NoError(t, err)
	var want []string
	for _, r := range results {
		for _, o := range r.Objects {
			if o.GetKind() == "Deployment" && o.GetName() == "music" {
				want = append(want, r.Cluster)
				break // the district cluster runs one per school namespace
			}
		}
	}
	sort.Strings(want)
	require.NotEmpty(t, want)
	require.Less(t, len(want), len(results), "some cluster does not run music, or the test proves little")

	// Raise music's replicas in its spec and regenerate.
	specFile := filepath.Join(dir, "base", "music", "hue.yaml")
	node, err := yaml.ReadFile(specFile)
	require.NoError(t, err)
	replicas, err := node.Pipe(yaml.Lookup("spec", "replicas"))
	require.NoError(t, err)
	require.NotNil(t, replicas, "base/music/hue.yaml sets spec.replicas")
	require.NotEqual(t, "7", yaml.GetValue(replicas))
	require.NoError(t, node.PipeE(yaml.Lookup("spec"), yaml.SetField("replicas", yaml.NewScalarRNode("7"))))
	require.NoError(t, yaml.WriteFile(node, specFile))
	code, out = run("generate", "--root", dir)
	require.Equal(t, 0, code, out)

	code, out = run("diff", "--root", dir, "--base", "HEAD", "--format", "json")
	require.Equal(t, 0, code, out)
	var rep struct {
		Base     string   `json:"base"`
		Affected []string `json:"affected"`
		Clusters []struct {
			Name    string `json:"name"`
			Change  string `json:"change"`
			SameAs  string `json:"sameAs"`
			Objects []struct {
				Kind, Namespace, Name, Change, Diff string
			} `json:"objects"`
		} `json:"clusters"`
		Unchanged int `json:"unchanged"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep), out)
	require.True(t, strings.HasPrefix(rep.Base, "HEAD ("), rep.Base)
	require.Equal(t, want, rep.Affected)
	require.Equal(t, len(results)-len(want), rep.Unchanged)
	for _, c := range rep.Clusters {
		found := false
		for _, o := range c.Objects {
			if o.Kind == "Deployment" && o.Name == "music" {
				found = true
				require.Equal(t, "changed", o.Change)
				if c.SameAs != "" {
					// The same change as an earlier cluster's: shown there only.
					require.Empty(t, o.Diff, c.Name)
					require.Contains(t, want, c.SameAs)
					continue
				}
				require.Contains(t, o.Diff, "+  replicas: 7\n", c.Name)
			}
		}
		require.True(t, found, "%s: the music Deployment is among the changes", c.Name)
	}

	code, out = run("diff", "--root", dir, "--base", "HEAD", "--format", "affected", "--exit-code")
	require.Equal(t, 1, code, "--exit-code fails on a difference")
	require.Equal(t, strings.Join(want, "\n")+"\n", out)

	report := filepath.Join(t.TempDir(), "diff.md")
	code, out = run("diff", "--root", dir, "--base", "HEAD", "--format", "markdown", "-o", report)
	require.Equal(t, 0, code, out)
	md, err := os.ReadFile(report)
	require.NoError(t, err)
	require.Contains(t, string(md), "cluster(s) affected")
	for _, c := range want {
		require.Contains(t, string(md), c, "every affected cluster is named in the summary table")
	}
	require.Contains(t, string(md), "| 2: school-ashford, school-brookside | school, ring canary | changed | 0 | 1 | 0 |", "one ring's schools, one row")
}
