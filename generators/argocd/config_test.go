package argocd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hue-platform/hue-gitops/generators/argocd/argocdtest"

	"github.com/argoproj/argo-cd/v3/util/settings"
	"github.com/hue-platform/hue-gitops/generators/manifest"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// StockExclusions is a copy of a fact of Argo CD's install; when the module moves, the copy
// must follow.
func TestStockExclusionsAreArgoCDs(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/argoproj/argo-cd/v3").Output()
	require.NoError(t, err)
	data, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "manifests", "base", "config", "argocd-cm.yaml"))
	require.NoError(t, err)
	var cm corev1.ConfigMap
	require.NoError(t, yaml.Unmarshal(data, &cm))
	var stock []settings.FilteredResource
	require.NoError(t, yaml.Unmarshal([]byte(cm.Data[KeyResourceExclusions]), &stock))
	require.Equal(t, stock, StockExclusions)
}

// What ResourceFilter writes, read back by Argo CD's own filter, watches every rendered kind
// and excludes everything else the stock list excludes.
func TestResourceFilterLetsRenderedKindsThrough(t *testing.T) {
	slice := argocdtest.Object("discovery.k8s.io/v1", "EndpointSlice", "db", "hue", "")
	slice.SetLabels(map[string]string{"endpointslice.kubernetes.io/managed-by": "hue-gitops", "app": "hue"})
	other := argocdtest.Object("discovery.k8s.io/v1", "EndpointSlice", "cache", "hue", "")
	other.SetLabels(map[string]string{"endpointslice.kubernetes.io/managed-by": "hue-gitops", "app": "cache"})
	cm, err := argoConfig(map[string][]manifest.Object{"a": {slice}, "b": {other}})
	require.NoError(t, err)
	rf, err := ArgoFilter(cm)
	require.NoError(t, err)

	stock := &settings.ResourcesFilter{ResourceExclusions: StockExclusions}
	require.True(t, stock.IsExcludedResource("discovery.k8s.io", "EndpointSlice", ""), "the premise: Argo CD's stock list excludes slices")
	require.False(t, rf.IsExcludedResource("discovery.k8s.io", "EndpointSlice", ""))
	for _, gk := range [][2]string{{"", "Endpoints"}, {"coordination.k8s.io", "Lease"}, {"cilium.io", "CiliumEndpoint"}} {
		require.True(t, rf.IsExcludedResource(gk[0], gk[1], ""), "%v", gk)
	}
	// Only the label both slices share narrows the watch.
	require.Equal(t, "endpointslice.kubernetes.io/managed-by=hue-gitops", rf.GetLabelSelector("discovery.k8s.io", "EndpointSlice", ""))
}
