package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/check"
	argocheck "github.com/hue-platform/hue-gitops/generators/check/argocd"
	"github.com/hue-platform/hue-gitops/generators/check/crossref"
	"github.com/hue-platform/hue-gitops/generators/check/policy"
	"github.com/hue-platform/hue-gitops/generators/check/report"
	"github.com/hue-platform/hue-gitops/generators/check/scheduling"
	"github.com/hue-platform/hue-gitops/generators/check/schema"
	"github.com/hue-platform/hue-gitops/generators/fileset"
	"github.com/hue-platform/hue-gitops/generators/layout"
	"github.com/hue-platform/hue-gitops/generators/manifest"
	"github.com/hue-platform/hue-gitops/generators/platform"
	"github.com/hue-platform/hue-gitops/generators/service"
)

// Checker runs every check of rendered clusters: schema, scheduling, cross-object references,
// the OPA policies with their waivers and, over the whole fleet, the Argo CD apps.
type Checker struct {
	Engine  *policy.Engine
	Waivers policy.Waivers
	// Now decides which waivers have expired.
	Now time.Time
	// WholeFleet says every cluster of the inventory is checked, so that a waiver for any
	// cluster that matches nothing is stale.
	WholeFleet bool
	// Waived are the findings the waivers excused in the last Check.
	Waived []check.Finding
}

// NewChecker compiles the policies below root once and reads the waivers.
func NewChecker(root string) (*Checker, error) {
	eng, err := policy.Load(filepath.Join(root, layout.Policies))
	if err != nil {
		return nil, err
	}
	ws, err := policy.LoadWaivers(filepath.Join(root, layout.WaiversFile))
	if err != nil {
		return nil, err
	}
	if err := eng.ValidateWaivers(ws); err != nil {
		return nil, err
	}
	return &Checker{Engine: eng, Waivers: ws, Now: time.Now()}, nil
}

// ClusterChecks are the Go checks run on each cluster on its own.
var ClusterChecks = []func(*check.Cluster) []check.Finding{schema.Check, scheduling.Check, crossref.Check}

// Check runs the per-cluster checks and the policies over clusters, in parallel, then the
// waivers.
func (ck *Checker) Check(ctx context.Context, clusters []*check.Cluster) ([]check.Finding, error) {
	per := make([][]check.Finding, len(clusters))
	errs := make([]error, len(clusters))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, c := range clusters {
		g.Go(func() error {
			per[i], errs[i] = ck.CheckCluster(ctx, c)
			return nil
		})
	}
	_ = g.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var out []check.Finding
	for _, f := range per {
		out = append(out, f...)
	}
	names := make([]string, len(clusters))
	for i, c := range clusters {
		names[i] = c.Spec.Name
	}
	return ck.Finish(out, names), nil
}

// CheckCluster runs every check of one cluster on its own (the Go checks and the policies),
// before waivers; safe for concurrent use.
func (ck *Checker) CheckCluster(ctx context.Context, c *check.Cluster) ([]check.Finding, error) {
	var out []check.Finding
	for _, fn := range ClusterChecks {
		out = append(out, fn(c)...)
	}
	pf, err := ck.Engine.EvaluateCluster(ctx, c)
	if err != nil {
		return nil, err
	}
	out = append(out, pf...)
	LocateAtSpec(out, c.Spec, c.SpecFile)
	return out, nil
}

// LocateAtSpec names, for each finding on an object of a generated file, the hand-edited spec
// that file is generated from (a base's hue.yaml; for overlays and shapes, the cluster's spec)
// and, in a service's base, the spec field that gave the value; a replica count or an image tag
// the cluster overrides is the cluster spec's.
func LocateAtSpec(fs []check.Finding, cluster *v1alpha1.HueCluster, clusterSpec string) {
	for i := range fs {
		f := &fs[i]
		if f.Spec != "" || !layout.Generated(f.Source) {
			continue
		}
		parts := strings.SplitN(f.Source, "/", 3)
		switch {
		case parts[0] == layout.Base && len(parts) == 3:
			f.Spec = layout.ServiceSpec(parts[1])
			if f.Field != "" {
				f.SpecField = service.SpecField(f.Field)
			}
			if o, ok := overrides(cluster)[parts[1]]; ok {
				switch {
				case f.SpecField == "spec.replicas" && o.Paused != nil && *o.Paused:
					f.Spec, f.SpecField = clusterSpec, "spec.overrides["+parts[1]+"].paused"
				case f.SpecField == "spec.replicas" && o.Replicas != nil:
					f.Spec, f.SpecField = clusterSpec, "spec.overrides["+parts[1]+"].replicas"
				case f.SpecField == "spec.image" && o.Tag != "":
					f.Spec, f.SpecField = clusterSpec, "spec.overrides["+parts[1]+"].tag"
				}
			}
		case parts[0] == layout.Overlays || parts[0] == layout.Shapes:
			f.Spec = clusterSpec
		}
	}
}

// Finish applies the waivers to the findings of the checked clusters and sorts them.
func (ck *Checker) Finish(found []check.Finding, clusters []string) []check.Finding {
	out, waived := ck.Waivers.Apply(found, clusters, ck.WholeFleet, ck.Now)
	ck.Waived = waived
	check.Sort(out)
	return out
}

// CheckArgoCD verifies the committed Argo CD apps against the inventory and rendered clusters.
// With a cache (cc not nil), the findings of a run whose every input is the same (the Argo CD
// files, the inventory, each cluster's skeleton, and the answer for every overlay path the
// checks asked about) are taken from it: at fleet size the check expands every school
// Application with Argo CD's template renderer, some seconds of work.
func CheckArgoCD(root string, inv *platform.Inventory, clusters []*check.Cluster, cc *CheckCache) ([]check.Finding, error) {
	files, err := fileset.Read(root, []string{layout.Clusters}, func(rel string) bool {
		return strings.HasSuffix(rel, ".yaml") && layout.Generated(rel)
	})
	if err != nil {
		return nil, err
	}
	rendered := map[string][]manifest.Object{}
	for _, c := range clusters {
		rendered[c.Spec.Name] = c.Objects
	}
	exists := func(p string) bool {
		st, err := os.Stat(filepath.Join(root, p))
		return err == nil && st.IsDir()
	}
	if cc == nil {
		return argocheck.Check(inv, files, rendered, exists), nil
	}
	key, err := cc.FleetKey(func(w io.Writer) error { return argoInputs(w, inv, files, rendered) })
	if err != nil {
		return nil, err
	}
	var kept argoResult
	if cc.GetFleet(argoEntry, key, &kept) && kept.stillExists(exists) {
		return kept.Findings, nil
	}
	// A miss still reuses the Applications of every ApplicationSet element that is unchanged:
	// one school's change re-renders its own element, not the fleet's.
	rkey, err := cc.FleetKey(func(w io.Writer) error { _, err := io.WriteString(w, rendersEntry); return err })
	if err != nil {
		return nil, err
	}
	var keptRenders map[string]argocheck.Rendered
	if !cc.GetFleet(rendersEntry, rkey, &keptRenders) {
		keptRenders = nil // nothing half-decoded is served
	}
	renders := argocheck.NewRenders(keptRenders)
	kept = argoResult{Exists: map[string]bool{}}
	var mu sync.Mutex
	found := argocheck.CheckWith(renders, inv, files, rendered, func(p string) bool {
		ok := exists(p)
		mu.Lock()
		kept.Exists[p] = ok
		mu.Unlock()
		return ok
	})
	kept.Findings = found
	cc.PutFleet(argoEntry, key, kept)
	if renders.Misses > 0 || len(renders.Used()) != len(keptRenders) {
		cc.PutFleet(rendersEntry, rkey, renders.Used())
	}
	return found, nil
}

// argoEntry names the cached result of the Argo CD checks, rendersEntry the ApplicationSet
// elements' Applications they expanded.
const (
	argoEntry    = "argocd"
	rendersEntry = "argocd-renders"
)

// argoResult is a cached result of the Argo CD checks and the overlay paths they asked about.
type argoResult struct {
	Findings []check.Finding `json:"findings"`
	Exists   map[string]bool `json:"exists"`
}

func (r argoResult) stillExists(exists func(string) bool) bool {
	for p, ok := range r.Exists {
		if exists(p) != ok {
			return false
		}
	}
	return true
}

// argoInputs writes everything the Argo CD checks read but the file system: the files, the
// inventory, and each cluster's skeleton objects with their sources.
func argoInputs(w io.Writer, inv *platform.Inventory, files map[string][]byte, rendered map[string][]manifest.Object) error {
	for _, p := range slices.Sorted(maps.Keys(files)) {
		fmt.Fprintf(w, "file\x00%s\x00%d\x00", p, len(files[p]))
		if _, err := w.Write(files[p]); err != nil {
			return err
		}
	}
	b, err := json.Marshal(inv)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "inventory\x00%d\x00", len(b))
	if _, err := w.Write(b); err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(rendered)) {
		fmt.Fprintf(w, "cluster\x00%s\x00%d\x00", name, len(rendered[name]))
		for _, o := range rendered[name] {
			b, err := json.Marshal(o.Object)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "%s\x00%d\x00", o.Source, len(b))
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
	}
	return nil
}

// Rules describes every check id for the reports.
func (ck *Checker) Rules() map[string]report.Rule {
	rules := map[string]report.Rule{
		schema.ID:     {ID: schema.ID, Title: "Objects decode strictly into the Kubernetes API types", Severity: check.SeverityError},
		scheduling.ID: {ID: scheduling.ID, Title: "Every workload fits some node pool of the cluster", Severity: check.SeverityError},
		crossref.ID:   {ID: crossref.ID, Title: "References between objects resolve in the rendered set", Severity: check.SeverityError},
		"argocd":      {ID: "argocd", Title: "Argo CD apps deploy every overlay once, within least-privilege projects", Severity: check.SeverityError},
		"waiver":      {ID: "waiver", Title: "Waivers are current and match a finding", Severity: check.SeverityError},
		StaleID:       {ID: StaleID, Title: "The committed generated tree is what the specs generate", Severity: check.SeverityError},
	}
	for _, m := range ck.Engine.Metadata() {
		rules[m.ID] = report.Rule{ID: m.ID, Title: m.Title, Severity: m.Severity, Rationale: m.Rationale, Remediation: m.Remediation}
	}
	return rules
}

// Summary describes the checked clusters for the reports.
func Summary(clusters []*check.Cluster) []report.Cluster {
	out := make([]report.Cluster, 0, len(clusters))
	for _, c := range clusters {
		out = append(out, report.Cluster{Name: c.Spec.Name, Fleet: c.Spec.Spec.Fleet, Environment: c.Spec.Spec.Environment, Objects: len(c.Objects), Overlay: c.Overlay})
	}
	return out
}

func overrides(c *v1alpha1.HueCluster) map[string]v1alpha1.ServiceOverride {
	if c == nil {
		return nil
	}
	return c.Spec.Overrides
}
