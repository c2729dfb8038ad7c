package tests

import (
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/hue-platform/hue-gitops/generators/pipeline"
)

// Every cluster reaches outside itself only the networks its own residency's data stores
// declare, and each store it talks to through at least one of them.
func TestEgressStaysInTheClustersResidency(t *testing.T) {
	specs, err := pipeline.Load(root, true)
	require.NoError(t, err)
	cat := specs.Catalog
	results := renderFleet(t)
	residencies := map[string]bool{}
	for _, r := range results {
		c := specs.Inventory.Cluster(r.Cluster)
		residencies[c.Spec.DataResidency] = true
		own := map[string]bool{}
		for _, d := range cat.DataStores {
			if reg := d.Region(c.Spec.DataResidency); reg != nil {
				for _, cidr := range reg.Egress() {
					own[cidr] = true
				}
			}
		}
		reached := 0
		for _, o := range r.Objects {
			if o.GetKind() != "NetworkPolicy" {
				continue
			}
			var np networkingv1.NetworkPolicy
			require.NoError(t, runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &np))
			for _, rule := range np.Spec.Egress {
				require.NotEmpty(t, rule.To, "%s: %s allows egress to every address", r.Cluster, o.Ref())
				for _, peer := range rule.To {
					if peer.IPBlock == nil {
						continue
					}
					reached++
					if !own[peer.IPBlock.CIDR] {
						t.Errorf("%s (residency %s): %s allows egress to %s, no network of a %s data store",
							r.Cluster, c.Spec.DataResidency, o.Ref(), peer.IPBlock.CIDR, c.Spec.DataResidency)
					}
				}
			}
		}
		if reached == 0 {
			t.Errorf("%s: no egress to any data store", r.Cluster)
		}
	}
	// The committed fleet spans several residencies, or this test proves little.
	require.Greater(t, len(residencies), 2, "residencies: %v", slices.Collect(maps.Keys(residencies)))
}
