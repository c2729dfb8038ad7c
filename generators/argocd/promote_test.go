package argocd

import (
	"testing"

	"github.com/hue-platform/hue-gitops/generators/argocd/argocdtest"

	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/health"
	argo "github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func liveApp(cluster, ring string, sync argo.SyncStatusCode, h health.HealthStatusCode, rev string) argo.Application {
	return argo.Application{
		ObjectMeta: metav1.ObjectMeta{Name: AppName(cluster), Labels: map[string]string{LabelRing: ring}},
		Status: argo.ApplicationStatus{
			Sync:   argo.SyncStatus{Status: sync, Revision: rev},
			Health: argo.AppHealthStatus{Status: h},
		},
	}
}

func TestPromote(t *testing.T) {
	inv, _ := argocdtest.LoadCase(t, "testdata/fleets")
	// In testdata: school-pilot is the canary, district-north the early ring, the rest broad.
	healthy := []argo.Application{
		liveApp("school-pilot", "canary", argo.SyncStatusCodeSynced, health.HealthStatusHealthy, "c2"),
		liveApp("district-north", "early", argo.SyncStatusCodeSynced, health.HealthStatusHealthy, "c1"),
	}
	p, err := Promote(inv, "school", "early", healthy)
	require.NoError(t, err)
	require.Empty(t, p.Blocked)
	require.Equal(t, "c2", p.Revision)
	require.Equal(t, "rings/school/early", p.Branch)

	// broad follows early, which is still at c1.
	p, err = Promote(inv, "school", "broad", healthy)
	require.NoError(t, err)
	require.Equal(t, "c1", p.Revision)

	for name, apps := range map[string][]argo.Application{
		"out of sync": {liveApp("school-pilot", "canary", argo.SyncStatusCodeOutOfSync, health.HealthStatusHealthy, "c2")},
		"degraded":    {liveApp("school-pilot", "canary", argo.SyncStatusCodeSynced, health.HealthStatusDegraded, "c2")},
		"missing":     nil,
	} {
		p, err := Promote(inv, "school", "early", apps)
		require.NoError(t, err, name)
		require.NotEmpty(t, p.Blocked, name)
		require.Empty(t, p.Revision, name)
	}

	_, err = Promote(inv, "school", "canary", healthy)
	require.ErrorContains(t, err, "first")
	_, err = Promote(inv, "school", "nightly", healthy)
	require.ErrorContains(t, err, "no ring")
}
