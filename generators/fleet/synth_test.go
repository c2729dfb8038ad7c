package fleet

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/fileset"
	"github.com/hue-platform/hue-gitops/generators/platform"
	"github.com/hue-platform/hue-gitops/generators/service"
)

const root = "../.."

func synth(t *testing.T, out string, schools, science int) *Result {
	t.Helper()
	res, err := Synth(Options{Root: root, Out: out, Schools: schools, Science: science})
	require.NoError(t, err)
	return res
}

// tree reads every file below dir with its mode.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = info.Mode().String() + "\x00" + string(b)
		return nil
	}))
	return out
}

func TestSynth(t *testing.T) {
	committed, err := platform.InventoryFiles(root)
	require.NoError(t, err)
	out := t.TempDir()
	res := synth(t, out, 30, 3)
	require.Len(t, res.Schools, 30)
	require.Len(t, res.Science, 3)

	cat, err := platform.LoadCatalog(out)
	require.NoError(t, err)
	inv, err := platform.LoadInventory(out, cat)
	require.NoError(t, err, "the synthetic tree must load as hue generate loads it")
	files, err := platform.InventoryFiles(out)
	require.NoError(t, err)
	require.Len(t, files, len(committed)+33)

	added := map[string]bool{}
	for _, c := range append(append([]*v1alpha1.HueCluster{}, res.Schools...), res.Science...) {
		require.False(t, added[c.Name], "%s made twice", c.Name)
		added[c.Name] = true
		require.Empty(t, validation.IsDNS1123Label(c.Name), c.Name)
	}
	rings := map[string]int{}
	overrides := 0
	for _, c := range inv.Clusters {
		if !added[c.Name] {
			continue
		}
		switch c.Spec.Fleet {
		case v1alpha1.FleetSchool:
			rings[c.Spec.Ring]++
			short := strings.TrimPrefix(c.Name, "school-")
			require.Equal(t, short+".schools.hue.dev", c.Spec.Ingress.Domain)
			require.Equal(t, c.Name, c.Spec.Destination.Name)
			if len(c.Spec.Overrides) > 0 {
				overrides++
			}
		case v1alpha1.FleetScience:
			require.Contains(t, []string{"eu", "us", "apac"}, c.Spec.DataResidency)
			require.NotEmpty(t, c.Spec.Destination.Server)
		default:
			t.Fatalf("%s: fleet %s", c.Name, c.Spec.Fleet)
		}
	}
	require.Equal(t, map[string]int{"canary": 1, "early": 3, "broad": 26}, rings)
	require.Equal(t, 1, overrides, "every %dth school from the %dth carries an override", OverrideEvery, OverrideOffset+1)
	require.Len(t, inv.Clusters, len(committed)-4+33, "3 fleet files and the registry are not clusters")

	// Inputs only: no generated file and none of the skipped folders.
	got := tree(t, out)
	for p, content := range got {
		require.False(t, fileset.IsGenerated([]byte(content[strings.IndexByte(content, 0)+1:])), "%s is generated", p)
		for _, s := range skipped {
			require.False(t, p == s || strings.HasPrefix(p, s+string(filepath.Separator)), "%s was copied", p)
		}
	}
	require.Contains(t, got, filepath.Join("base", "learner", "hue.yaml"))
	require.Contains(t, got, filepath.Join("policies", "waivers.yaml"))

	// The same inputs give the same tree, byte for byte.
	again := t.TempDir()
	synth(t, again, 30, 3)
	require.Equal(t, got, tree(t, again))
}

func TestSynthRefuses(t *testing.T) {
	full := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(full, "x"), nil, 0o644))
	for name, o := range map[string]Options{
		"non-empty out": {Root: root, Out: full, Schools: 1},
		"negative":      {Root: root, Out: filepath.Join(t.TempDir(), "a"), Schools: -1},
		"too many":      {Root: root, Out: filepath.Join(t.TempDir(), "b"), Schools: MaxClusters + 1},
		"no out":        {Root: root, Schools: 1},
	} {
		_, err := Synth(o)
		var ue *UsageError
		require.True(t, errors.As(err, &ue), "%s: %v", name, err)
		if o.Out != "" && o.Out != full {
			_, err := os.Stat(o.Out)
			require.True(t, os.IsNotExist(err), "%s: wrote %s", name, o.Out)
		}
	}
	entries, err := os.ReadDir(full)
	require.NoError(t, err)
	require.Len(t, entries, 1, "nothing is written into a non-empty --out")
}

func TestRingCounts(t *testing.T) {
	for _, tc := range []struct {
		n, rings int
		want     []int
	}{
		{0, 3, []int{0, 0, 0}},
		{1, 3, []int{1, 0, 0}},
		{30, 3, []int{1, 3, 26}},
		{100, 3, []int{1, 9, 90}},
		{2000, 3, []int{20, 180, 1800}},
		{2000, 4, []int{20, 90, 90, 1800}},
		{10, 2, []int{1, 9}},
		{5, 1, []int{5}},
	} {
		got := RingCounts(tc.n, tc.rings)
		require.Equal(t, tc.want, got, "%d over %d rings", tc.n, tc.rings)
		order := RingOrder([]string{"a", "b", "c", "d"}[:tc.rings], got)
		require.Len(t, order, tc.n)
	}
	// Spread, not in blocks: the 10 early schools of 1000 are not all at one end.
	order := RingOrder([]string{"canary", "early", "broad"}, []int{10, 90, 900})
	first := 0
	for _, r := range order[:500] {
		if r == "canary" {
			first++
		}
	}
	require.Equal(t, 5, first)
}

func TestNextTag(t *testing.T) {
	for image, want := range map[string]string{
		"registry.hue.dev/hue/learn:0.3":      "0.4",
		"registry.hue.dev/hue/authz:1.6.0":    "1.6.1",
		"registry.hue.dev/hue/x:v2-rc9":       "v2-rc9-1",
		"registry.hue.dev/hue/x:stable":       "stable-1",
		"registry.local:5000/hue/x":           "latest-1",
		"registry.hue.dev/hue/learn:2026_11":  "2026_12",
		"registry.hue.dev/hue/learn:1.2.3-4a": "1.2.3-4a-1",
	} {
		require.Equal(t, want, NextTag(image), image)
	}
}

// Cluster files read back strictly and keep the committed files' layout.
func TestMarshalCluster(t *testing.T) {
	c := newCluster("school-x-0001")
	c.Spec.Ring = "broad"
	c.Spec.Ingress = &v1alpha1.IngressSpec{Domain: "x-0001.schools.hue.dev"}
	c.Spec.Destination = &v1alpha1.Destination{Name: "school-x-0001"}
	c.Spec.Overrides = map[string]v1alpha1.ServiceOverride{"learner": {Tag: "0.4"}}
	b, err := MarshalCluster(c)
	require.NoError(t, err)
	require.Equal(t, `apiVersion: platform.hue.dev/v1alpha1
kind: HueCluster
metadata:
  name: school-x-0001
spec:
  ring: broad
  ingress: {domain: x-0001.schools.hue.dev}
  destination: {name: school-x-0001}
  overrides:
    learner: {tag: "0.4"}
`, string(b))
	docs, errs := platform.Decode("x.yaml", b)
	require.NoError(t, errs.Err())
	require.Len(t, docs, 1)
	got := docs[0].Object.(*v1alpha1.HueCluster)
	require.Equal(t, "0.4", got.Spec.Overrides["learner"].Tag)
	require.True(t, bytes.HasPrefix(b, []byte("apiVersion:")))
}

// A synthetic school that raises a service's replicas must keep that service's disruption
// budget: the benchmark fleet checks as clean as the committed one (HUE-014 asks a budget of
// every Deployment of two replicas or more, and a base has one only from two replicas up).
func TestOverridesKeepDisruptionBudgets(t *testing.T) {
	cat, err := platform.LoadCatalog(root)
	require.NoError(t, err)
	inv, err := platform.LoadInventory(root, cat)
	require.NoError(t, err)
	services := Overridable(cat, inv.Fleets[v1alpha1.FleetSchool].Spec.Defaults.Services)
	require.NotEmpty(t, services)
	for k := range 2 * len(services) {
		s, o := Override(services, k)
		if o.Replicas == nil {
			continue
		}
		objs, err := service.Objects(s)
		require.NoError(t, err)
		var budget bool
		for _, obj := range objs {
			_, budget = obj.(*policyv1.PodDisruptionBudget)
			if budget {
				break
			}
		}
		require.True(t, budget, "override %d raises %s to %d replicas, and its base has no PodDisruptionBudget", k, s.Name, *o.Replicas)
	}
}
