// Package pipeline wires the stages of the data flow together: specs are loaded and validated,
// the generators write the kustomize tree, and the set of files they own is known so that a
// stale or hand-edited file is found.
package pipeline

import (
	"context"
	"sync"

	"github.com/hue-platform/hue-gitops/generators/argocd"
	"github.com/hue-platform/hue-gitops/generators/check"
	"github.com/hue-platform/hue-gitops/generators/cluster"
	"github.com/hue-platform/hue-gitops/generators/fileset"
	"github.com/hue-platform/hue-gitops/generators/layout"
	"github.com/hue-platform/hue-gitops/generators/manifest"
	"github.com/hue-platform/hue-gitops/generators/platform"
	"github.com/hue-platform/hue-gitops/generators/render"
	"github.com/hue-platform/hue-gitops/generators/service"
)

// Specs is every hand-edited input of the repository.
type Specs struct {
	Catalog   *platform.Catalog
	Inventory *platform.Inventory
	// ArgoCD is where the generated Applications deploy from (argocd defaults when empty).
	ArgoCD argocd.Options
}

// Load reads and validates the catalog and, when withInventory, the cluster inventory.
func Load(root string, withInventory bool) (*Specs, error) {
	cat, err := platform.LoadCatalog(root)
	if err != nil {
		return nil, err
	}
	s := &Specs{Catalog: cat}
	if withInventory {
		inv, err := platform.LoadInventory(root, cat)
		if err != nil {
			return nil, err
		}
		s.Inventory = inv
	}
	return s, nil
}

// GenerateBases runs the service generator over the catalog.
func GenerateBases(s *Specs) (fileset.Files, error) {
	return service.Generate(s.Catalog)
}

// Generate runs every generator over the specs below root and returns the whole generated tree.
// memo, when not nil, remembers the in-memory renders it makes (see render.Memo).
// progress, when not nil, is told of each cluster rendered.
func Generate(ctx context.Context, root string, memo *render.Memo, progress func()) (fileset.Files, error) {
	s, err := Load(root, true)
	if err != nil {
		return nil, err
	}
	return GenerateFrom(ctx, root, s, memo, progress)
}

// Drift lists every generated file below root that is not what the specs generate (missing,
// different, or no longer produced), and how many files the specs generate.
func Drift(ctx context.Context, root string, s *Specs, memo *render.Memo, progress func()) ([]fileset.Drift, int, error) {
	files, err := GenerateFrom(ctx, root, s, memo, progress)
	if err != nil {
		return nil, 0, err
	}
	existing, err := fileset.Existing(root, layout.Generated, layout.GeneratedDirs...)
	if err != nil {
		return nil, 0, err
	}
	drift, err := fileset.Compare(root, files, existing)
	return drift, len(files), err
}

// DriftRendered is Drift for a run that has already rendered the committed overlays of every
// cluster (rendered holds each cluster's skeleton). When the generated bases, components and
// overlays are the committed ones, the tree about to be written is the tree that was rendered,
// so the Argo CD files are generated from those renders rather than by rendering the fleet
// again; when they differ, or a cluster's render is missing, it is Drift.
func DriftRendered(ctx context.Context, root string, s *Specs, memo *render.Memo, rendered map[string][]manifest.Object) ([]fileset.Drift, int, error) {
	for _, c := range s.Inventory.Clusters {
		if _, ok := rendered[c.Name]; !ok {
			return Drift(ctx, root, s, memo, nil)
		}
	}
	files, err := GenerateBases(s)
	if err != nil {
		return nil, 0, err
	}
	overlays, err := cluster.Generate(s.Catalog, s.Inventory)
	if err != nil {
		return nil, 0, err
	}
	if err := files.Merge(overlays); err != nil {
		return nil, 0, err
	}
	existing, err := fileset.Existing(root, layout.Generated, layout.GeneratedDirs...)
	if err != nil {
		return nil, 0, err
	}
	rest := map[string]bool{}
	for p := range existing {
		if !layout.InArgoDir(p) {
			rest[p] = true
		}
	}
	if drift, err := fileset.Compare(root, files, rest); err != nil || len(drift) > 0 {
		if err != nil {
			return nil, 0, err
		}
		return Drift(ctx, root, s, memo, nil)
	}
	apps, err := argocd.Generate(s.Inventory, rendered, s.ArgoCD)
	if err != nil {
		return nil, 0, err
	}
	if err := files.Merge(apps); err != nil {
		return nil, 0, err
	}
	drift, err := fileset.Compare(root, files, existing)
	return drift, len(files), err
}

// StaleID is the check id of a generated file that is not what the specs generate.
const StaleID = "generated"

// StaleFindings turns drift into findings: each names the file, which a spec change without
// `hue generate` (or a hand edit) left out of date.
func StaleFindings(drift []fileset.Drift) []check.Finding {
	out := make([]check.Finding, 0, len(drift))
	for _, d := range drift {
		out = append(out, check.Finding{Check: StaleID, Severity: check.SeverityError, Source: d.Path,
			Message: d.Path + ": " + d.Reason + "; run hue generate (or make generate) and commit"})
	}
	return out
}

// GenerateFrom is Generate from specs already loaded from root.
func GenerateFrom(ctx context.Context, root string, s *Specs, memo *render.Memo, progress func()) (fileset.Files, error) {
	files, err := GenerateBases(s)
	if err != nil {
		return nil, err
	}
	overlays, err := cluster.Generate(s.Catalog, s.Inventory)
	if err != nil {
		return nil, err
	}
	if err := files.Merge(overlays); err != nil {
		return nil, err
	}
	// The Argo CD projects list what the overlays render, so render the tree about to be
	// written, in memory, before writing anything.
	fs, memRoot, err := render.Tree(root, files, fileset.IsGenerated)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	rendered := map[string][]manifest.Object{}
	err = Stream(ctx, render.Krusty{FS: fs, Memo: memo, Want: render.WantObjects, Progress: progress}, memRoot, s.Inventory.Clusters, func(r render.Result) error {
		sk := manifest.Skeleton(r.Objects)
		mu.Lock()
		defer mu.Unlock()
		rendered[r.Cluster] = sk
		return nil
	})
	if err != nil {
		return nil, err
	}
	apps, err := argocd.Generate(s.Inventory, rendered, s.ArgoCD)
	if err != nil {
		return nil, err
	}
	if err := files.Merge(apps); err != nil {
		return nil, err
	}
	return files, nil
}
