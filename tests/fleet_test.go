package tests

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hue-platform/hue-gitops/generators/fileset"
	"github.com/hue-platform/hue-gitops/generators/fleet"
	"github.com/hue-platform/hue-gitops/generators/pipeline"
	"github.com/hue-platform/hue-gitops/generators/render"
)

// A synthetic fleet, rendered the way hue renders a fleet (thin overlays laid over shapes
// built once), prints for a random sample of its clusters exactly what the pinned kustomize
// CLI prints, and for another sample what kustomize's full in-process build prints. The seed
// is logged (HUE_FLEET_SEED repeats a run).
func TestSyntheticFleetMatchesKustomize(t *testing.T) {
	bin := os.Getenv("KUSTOMIZE")
	if bin == "" {
		bin = filepath.Join(t.TempDir(), "kustomize")
		out, err := exec.Command("go", "build", "-o", bin, "sigs.k8s.io/kustomize/kustomize/v5").CombinedOutput()
		require.NoError(t, err, "%s", out)
	}
	dir := filepath.Join(t.TempDir(), "fleet")
	res, err := fleet.Synth(fleet.Options{Root: root, Out: dir, Schools: 300, Science: 6})
	require.NoError(t, err)
	ctx := context.Background()
	files, err := pipeline.Generate(ctx, dir, nil, nil)
	require.NoError(t, err)
	_, err = fileset.Write(dir, files, nil)
	require.NoError(t, err)

	specs, err := pipeline.Load(dir, true)
	require.NoError(t, err)
	var stats render.Stats
	var mu sync.Mutex
	rendered := map[string][]byte{}
	err = pipeline.Stream(ctx, render.Krusty{Want: render.WantYAML, Stats: &stats}, dir, specs.Inventory.Clusters, func(r render.Result) error {
		mu.Lock()
		defer mu.Unlock()
		rendered[r.Cluster] = r.YAML
		return nil
	})
	require.NoError(t, err)
	require.Len(t, rendered, len(specs.Inventory.Clusters))
	// Every school without an image override is laid over a shape; a handful of shapes serve
	// the whole fleet.
	overrides := 0
	for _, c := range res.Schools {
		for _, ov := range c.Spec.Overrides {
			if ov.Tag != "" {
				overrides++
			}
		}
	}
	require.GreaterOrEqual(t, stats.Thin.Load(), int64(len(res.Schools)-overrides), "clusters laid over a shape")
	require.Less(t, stats.Shapes.Load(), int64(20), "shapes built for %d clusters", len(rendered))

	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("HUE_FLEET_SEED"); s != "" {
		seed, err = strconv.ParseUint(s, 10, 64)
		require.NoError(t, err)
	}
	t.Logf("sample seed %d (HUE_FLEET_SEED)", seed)
	names := make([]string, 0, len(rendered))
	for n := range rendered {
		names = append(names, n)
	}
	slices.Sort(names)
	rng := rand.New(rand.NewPCG(seed, seed))
	rng.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })

	for _, name := range names[:12] {
		got, err := exec.Command(bin, "build", filepath.Join(dir, "overlays", name)).Output()
		require.NoError(t, err, name)
		if !bytes.Equal(got, rendered[name]) {
			t.Errorf("%s: kustomize build overlays/%s differs from hue's render", name, name)
		}
	}
	sample := map[string]string{}
	for _, name := range names[12:36] {
		sample[name] = filepath.Join("overlays", name)
	}
	full, err := render.Krusty{Full: true, Want: render.WantYAML}.Render(ctx, dir, sample)
	require.NoError(t, err)
	for _, r := range full {
		if !bytes.Equal(r.YAML, rendered[r.Cluster]) {
			t.Errorf("%s: kustomize's full build differs from hue's render", r.Cluster)
		}
	}
}
