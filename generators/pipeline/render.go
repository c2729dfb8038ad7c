package pipeline

import (
	"context"
	"fmt"
	"sort"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/check"
	"github.com/hue-platform/hue-gitops/generators/layout"
	"github.com/hue-platform/hue-gitops/generators/platform"
	"github.com/hue-platform/hue-gitops/generators/render"
)

// Select returns the named clusters of the inventory (all of them when names is empty); an
// unknown name is an error.
func Select(inv *platform.Inventory, names []string) ([]*v1alpha1.HueCluster, error) {
	if len(names) == 0 {
		return inv.Clusters, nil
	}
	var out []*v1alpha1.HueCluster
	seen := map[string]bool{}
	for _, n := range names {
		c := inv.Cluster(n)
		if c == nil {
			return nil, fmt.Errorf("unknown cluster %q (the inventory has %d clusters under clusters/)", n, len(inv.Clusters))
		}
		if !seen[n] {
			out = append(out, c)
			seen[n] = true
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Overlays maps each cluster to its overlay folder.
func Overlays(clusters []*v1alpha1.HueCluster) map[string]string {
	overlays := map[string]string{}
	for _, c := range clusters {
		overlays[c.Name] = layout.OverlayDir(c.Name)
	}
	return overlays
}

// Render builds the overlays of the given clusters with r.
func Render(ctx context.Context, r render.Renderer, root string, clusters []*v1alpha1.HueCluster) ([]render.Result, error) {
	return r.Render(ctx, root, Overlays(clusters))
}

// Stream builds the overlays of the given clusters with r and hands each result to fn as it
// is built (concurrently; see render.Krusty.Stream).
func Stream(ctx context.Context, r render.Renderer, root string, clusters []*v1alpha1.HueCluster, fn func(render.Result) error) error {
	return r.Stream(ctx, root, Overlays(clusters), fn)
}

// ClusterOf pairs one rendered result with its spec for the checks.
func ClusterOf(inv *platform.Inventory, r render.Result) *check.Cluster {
	return &check.Cluster{Spec: inv.Cluster(r.Cluster), Objects: r.Objects, Overlay: r.Overlay,
		SpecFile: inv.Files[v1alpha1.KindCluster+"/"+r.Cluster]}
}

// Clusters pairs rendered results with their specs for the checks.
func Clusters(inv *platform.Inventory, results []render.Result) []*check.Cluster {
	out := make([]*check.Cluster, 0, len(results))
	for _, r := range results {
		out = append(out, ClusterOf(inv, r))
	}
	return out
}
