package platform

import (
	"testing"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/policies"
)

// Host access is the allow-list's to grant (policies/lib/host_access.yaml, the same data the
// host_access policy reads): its DaemonSets may ask for it, no other service may.
func TestHostAccessFollowsThePolicyAllowList(t *testing.T) {
	allowed := policies.HostAccessDaemonSets()
	require.NotEmpty(t, allowed)
	daemonSet := func(name string) *v1alpha1.HueService {
		return &v1alpha1.HueService{
			TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.APIVersion, Kind: v1alpha1.KindService},
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: v1alpha1.HueServiceSpec{Workload: v1alpha1.DaemonSet, Image: "registry.hue.dev/x:1.0.0", Compartment: "hue-node",
				Ports: []v1alpha1.Port{{Name: "http", Port: 8080}}, HostAccess: true},
		}
	}
	hostAccessErrors := func(s *v1alpha1.HueService) []string {
		errs, ok := (&Catalog{}).Add(s)
		require.True(t, ok)
		var out []string
		for _, e := range errs {
			if e.Field == "spec.hostAccess" {
				out = append(out, e.Detail)
			}
		}
		return out
	}
	require.Empty(t, hostAccessErrors(daemonSet(allowed[0])), "%s is on the allow-list", allowed[0])
	got := hostAccessErrors(daemonSet("music"))
	require.Len(t, got, 1)
	require.Contains(t, got[0], "allowed only for "+allowed[0])
	require.Contains(t, got[0], policies.DataFile)
}
