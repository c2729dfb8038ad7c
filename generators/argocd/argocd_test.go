package argocd

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hue-platform/hue-gitops/generators/argocd/argocdtest"

	"github.com/stretchr/testify/require"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/manifest"
	"github.com/hue-platform/hue-gitops/generators/platform"
)

// HUE_UPDATE_GOLDEN=1 (make golden) rewrites testdata/<case>/expected, as it rewrites every
// golden of the repository; read the diff before committing.
var update = os.Getenv("HUE_UPDATE_GOLDEN") == "1"

// A golden case is testdata/<case>/input/{clusters/<fleet>/*.yaml, rendered/<cluster>.yaml}
// and testdata/<case>/expected/<generated path>.

func TestGolden(t *testing.T) {
	cases, err := filepath.Glob("testdata/*/input")
	require.NoError(t, err)
	require.NotEmpty(t, cases)
	for _, in := range cases {
		dir := filepath.Dir(in)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			inv, rendered := argocdtest.LoadCase(t, dir)
			got, err := Generate(inv, rendered, Options{})
			require.NoError(t, err)

			for p, data := range got {
				require.True(t, strings.HasPrefix(string(data), Header), "%s lacks the header", p)
				parts := strings.Split(p, "/")
				require.True(t, len(parts) > 3 && parts[0] == "clusters" && parts[2] == "argocd", "%s is not below clusters/<fleet>/argocd/", p)
			}

			expDir := filepath.Join(dir, "expected")
			if update {
				require.NoError(t, os.RemoveAll(expDir))
				for p, data := range got {
					f := filepath.Join(expDir, filepath.FromSlash(p))
					require.NoError(t, os.MkdirAll(filepath.Dir(f), 0o755))
					require.NoError(t, os.WriteFile(f, data, 0o644))
				}
			}
			want := argocdtest.ReadTree(t, expDir)
			require.Equal(t, slices.Sorted(maps.Keys(want)), slices.Sorted(maps.Keys(got)), "generated paths")
			for p := range want {
				require.Equal(t, string(want[p]), string(got[p]), p)
			}

			// Deterministic: a second run gives the same bytes.
			again, err := Generate(inv, rendered, Options{})
			require.NoError(t, err)
			require.Equal(t, got, again)
		})
	}
}

func TestMarshalDropsEmptyFields(t *testing.T) {
	inv, rendered := argocdtest.LoadCase(t, "testdata/fleets")
	got, err := Generate(inv, rendered, Options{RepoURL: "https://example.test/r.git", Revision: "v1"})
	require.NoError(t, err)
	for p, data := range got {
		s := string(data)
		for _, bad := range []string{"status:", "creationTimestamp", "null", "{}", "[]", "*"} {
			require.NotContains(t, s, bad, p)
		}
		if !strings.HasSuffix(p, "/"+ArgoConfigMap+".yaml") {
			require.Contains(t, s, "https://example.test/r.git", p)
		}
	}
	// The first ring follows the revision; later rings their branch.
	require.Contains(t, string(got[RingAppSetPath("school", "canary")]), "targetRevision: v1")
	require.Contains(t, string(got[RingAppSetPath("school", "broad")]), "targetRevision: rings/school/broad")
}

// Generate takes a validated inventory (fleets, rings and destinations are the inventory's to
// refuse: api/v1alpha1 and platform test those); it refuses what only the rendered objects show.
func TestGenerateRejects(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(inv *platform.Inventory, rendered map[string][]manifest.Object)
		want   []string // substrings of the error: file, field, detail
	}{
		{
			name: "school renders into restricted",
			mutate: func(_ *platform.Inventory, r map[string][]manifest.Object) {
				r["school-birch"] = append(r["school-birch"], argocdtest.Object("v1", "ConfigMap", "grades", "restricted", "overlays/school-birch/kustomization.yaml"))
			},
			want: []string{"overlays/school-birch/kustomization.yaml", "ConfigMap/grades", "metadata.namespace:", `namespace "restricted"`},
		},
		{
			name: "school renders into another school's namespace",
			mutate: func(_ *platform.Inventory, r map[string][]manifest.Object) {
				r["school-pilot"] = append(r["school-pilot"], argocdtest.Object("v1", "Namespace", "hue-oak", "", "overlays/school-pilot/ns.yaml"))
			},
			want: []string{"overlays/school-pilot/ns.yaml", "Namespace/hue-oak", "metadata.name:", "hosted on cluster district-north"},
		},
		{
			name:   "cluster without rendered objects",
			mutate: func(_ *platform.Inventory, r map[string][]manifest.Object) { delete(r, "sci-lab-1") },
			want:   []string{"clusters/science/sci-lab-1.yaml", "overlays/sci-lab-1 renders no objects"},
		},
		{
			name: "rendered objects of an unknown cluster",
			mutate: func(_ *platform.Inventory, r map[string][]manifest.Object) {
				r["ghost"] = []manifest.Object{argocdtest.Object("v1", "Namespace", "hue", "", "")}
			},
			want: []string{"overlays/ghost", "not a cluster of the inventory"},
		},
		{
			name: "generated names collide",
			mutate: func(inv *platform.Inventory, r map[string][]manifest.Object) {
				// root-school (the school fleet's root) and the root of an enterprise cluster "school".
				c := *inv.Cluster("ent-us-1")
				c.Name = "school"
				c.Spec.Destination = &v1alpha1.Destination{Name: "school"}
				inv.Clusters = append(inv.Clusters, &c)
				r["school"] = r["ent-us-1"]
			},
			want: []string{"clusters/school/argocd/bootstrap/root-school.yaml", "Application/root-school", "metadata.name:"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inv, rendered := argocdtest.LoadCase(t, "testdata/fleets")
			tc.mutate(inv, rendered)
			_, err := Generate(inv, rendered, Options{})
			require.Error(t, err)
			for _, w := range tc.want {
				require.Contains(t, err.Error(), w)
			}
		})
	}
}
