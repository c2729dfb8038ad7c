package tests

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/pipeline"
	"github.com/hue-platform/hue-gitops/generators/render"
)

// renderBench renders the clusters once per iteration and reports clusters and objects per
// second: kustomize's full build of each overlay in parallel (build), and the same served by a
// warm memo that replays each build's reads against the unchanged tree (memo), which is what
// an overlay a pull request does not touch costs.
func renderBench(b *testing.B, dir string, clusters []*v1alpha1.HueCluster) {
	b.Run("build", func(b *testing.B) { renderLoop(b, render.Krusty{}, dir, clusters) })
	memo := render.NewMemo()
	if _, err := pipeline.Render(context.Background(), render.Krusty{Memo: memo}, dir, clusters); err != nil {
		b.Fatal(err)
	}
	b.Run("memo", func(b *testing.B) { renderLoop(b, render.Krusty{Memo: memo}, dir, clusters) })
}

func renderLoop(b *testing.B, r render.Renderer, dir string, clusters []*v1alpha1.HueCluster) {
	ctx := context.Background()
	objects := 0
	for b.Loop() {
		results, err := pipeline.Render(ctx, r, dir, clusters)
		if err != nil {
			b.Fatal(err)
		}
		objects = 0
		for _, r := range results {
			objects += len(r.Objects)
		}
	}
	s := b.Elapsed().Seconds()
	b.ReportMetric(float64(len(clusters)*b.N)/s, "clusters/s")
	b.ReportMetric(float64(objects*b.N)/s, "objects/s")
}

// BenchmarkRenderFleet renders the committed fleet, as `hue render` and `hue check` do.
func BenchmarkRenderFleet(b *testing.B) {
	specs, err := pipeline.Load(root, true)
	if err != nil {
		b.Fatal(err)
	}
	renderBench(b, root, specs.Inventory.Clusters)
}

// BenchmarkRenderSyntheticSchools adds HUE_BENCH_SCHOOLS (default 200) synthetic school
// clusters, spread over the rings, to a copy of the repository, generates their overlays and
// Argo CD ApplicationSet, and renders the whole fleet: the cost of a pull request that touches
// every school when the fleet has that many.
func BenchmarkRenderSyntheticSchools(b *testing.B) {
	n := 200
	if v := os.Getenv("HUE_BENCH_SCHOOLS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("HUE_BENCH_SCHOOLS=%q: want a positive number", v)
		}
	}
	dir := copyRepo(b)
	if err := writeSyntheticSchools(dir, n); err != nil {
		b.Fatal(err)
	}
	if code, out := run("generate", "--root", dir); code != 0 {
		b.Fatalf("generate: %s", out)
	}
	specs, err := pipeline.Load(dir, true)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d clusters, %d of them synthetic schools", len(specs.Inventory.Clusters), n)
	renderBench(b, dir, specs.Inventory.Clusters)
}

// writeSyntheticSchools writes n school HueClusters in the shape of the committed ones; the
// fleet defaults (node pools, services, components) fill in the rest.
func writeSyntheticSchools(dir string, n int) error {
	rings := []string{"canary", "early", "broad", "broad"}
	for i := range n {
		name := fmt.Sprintf("school-synthetic-%04d", i)
		spec := fmt.Sprintf(`apiVersion: platform.hue.dev/v1alpha1
kind: HueCluster
metadata:
  name: %[1]s
spec:
  ring: %[2]s
  ingress: {domain: synthetic-%04[3]d.schools.hue.dev}
  destination: {name: %[1]s}
`, name, rings[i%len(rings)], i)
		if err := os.WriteFile(filepath.Join(dir, "clusters", "school", name+".yaml"), []byte(spec), 0o644); err != nil {
			return err
		}
	}
	return nil
}
