package argocd

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/health"
	argo "github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/platform"
)

// Promotion says whether a ring may move to the revision its previous ring runs.
type Promotion struct {
	Fleet, Ring, From string
	// Branch is the ring's branch (RingBranch) and Revision the commit to move it to.
	Branch, Revision string
	// Blocked lists, per Application of the previous ring, why it holds the promotion back.
	Blocked []string
}

// Promote decides the promotion of ring of a fleet from the live Applications of the management
// Argo CD: every cluster of the previous ring must have its Application Synced and Healthy, all
// at one revision, which becomes the ring's. It never writes anything: moving the branch is a
// git push the caller makes (a fast-forward, so history is never rewritten).
func Promote(inv *platform.Inventory, fleet, ring string, apps []argo.Application) (*Promotion, error) {
	f := inv.Fleets[fleet]
	if f == nil {
		return nil, fmt.Errorf("no fleet %q in the inventory", fleet)
	}
	pos := slices.Index(f.Spec.Rings, ring)
	switch {
	case pos < 0:
		return nil, fmt.Errorf("fleet %s has no ring %q (its rings are %s)", fleet, ring, strings.Join(f.Spec.Rings, ", "))
	case pos == 0:
		return nil, fmt.Errorf("ring %s is the first of fleet %s: it follows the fleet's branch and is never promoted", ring, fleet)
	}
	p := &Promotion{Fleet: fleet, Ring: ring, From: f.Spec.Rings[pos-1], Branch: RingBranch(fleet, ring)}
	byName := map[string]*argo.Application{}
	for i := range apps {
		byName[apps[i].Name] = &apps[i]
	}
	revisions := map[string][]string{}
	for _, c := range inv.SortedClusters() {
		if c.Spec.Fleet != fleet || c.Spec.Ring != p.From {
			continue
		}
		name := AppName(c.Name)
		a := byName[name]
		switch {
		case a == nil:
			p.Blocked = append(p.Blocked, fmt.Sprintf("%s: no Application yet", name))
		case a.Labels[LabelRing] != p.From:
			p.Blocked = append(p.Blocked, fmt.Sprintf("%s: labelled ring %q, the inventory says %q", name, a.Labels[LabelRing], p.From))
		case a.Status.Sync.Status != argo.SyncStatusCodeSynced:
			p.Blocked = append(p.Blocked, fmt.Sprintf("%s: %s", name, orUnknown(string(a.Status.Sync.Status))))
		case a.Status.Health.Status != health.HealthStatusHealthy:
			p.Blocked = append(p.Blocked, fmt.Sprintf("%s: %s", name, orUnknown(string(a.Status.Health.Status))))
		case a.Operation != nil || (a.Status.OperationState != nil && !a.Status.OperationState.Phase.Completed()):
			p.Blocked = append(p.Blocked, fmt.Sprintf("%s: a sync is running", name))
		default:
			revisions[a.Status.Sync.Revision] = append(revisions[a.Status.Sync.Revision], name)
		}
	}
	if len(p.Blocked) == 0 && len(revisions) == 0 {
		return nil, fmt.Errorf("ring %s of fleet %s has no cluster: nothing to promote from", p.From, fleet)
	}
	if len(revisions) > 1 {
		for _, rev := range slices.Sorted(maps.Keys(revisions)) {
			p.Blocked = append(p.Blocked, fmt.Sprintf("%s at %s", strings.Join(revisions[rev], ", "), rev))
		}
	}
	if len(p.Blocked) == 0 {
		for rev := range revisions {
			p.Revision = rev
		}
	}
	return p, nil
}

func orUnknown(s string) string {
	if s == "" {
		return "Unknown"
	}
	return s
}
