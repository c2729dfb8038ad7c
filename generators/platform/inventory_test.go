package platform

import (
	"fmt"
	"testing"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/layout"
	"github.com/stretchr/testify/require"
)

// Two spellings of one API server are one destination: staging must never deploy onto
// production because its URL differs in case, port or a trailing slash.
func TestDestinationIdentity(t *testing.T) {
	const prod = "https://k8s-prod.dc1.hue.internal:6443"
	same := map[string][2]string{
		"trailing slash":     {prod, prod + "/"},
		"host case":          {prod, "https://K8S-Prod.DC1.hue.internal:6443"},
		"scheme case":        {prod, "HTTPS://k8s-prod.dc1.hue.internal:6443"},
		"default port":       {"https://k8s-prod.dc1.hue.internal", "https://k8s-prod.dc1.hue.internal:443"},
		"default port slash": {"https://k8s-prod.dc1.hue.internal:443/", "https://k8s-prod.dc1.hue.internal"},
	}
	for name, pair := range same {
		a, b := v1alpha1.DestinationKey(&v1alpha1.Destination{Server: pair[0]}), v1alpha1.DestinationKey(&v1alpha1.Destination{Server: pair[1]})
		require.Equal(t, a, b, name)
	}
	differ := [][2]string{
		{prod, "https://k8s-staging.dc1.hue.internal:6443"},
		{prod, "https://k8s-prod.dc1.hue.internal:6444"},
		{prod, "https://k8s-prod.dc1.hue.internal:6443/other"},
	}
	for _, pair := range differ {
		require.NotEqual(t, v1alpha1.DestinationKey(&v1alpha1.Destination{Server: pair[0]}), v1alpha1.DestinationKey(&v1alpha1.Destination{Server: pair[1]}), "%v", pair)
	}

	// The inventory refuses a second cluster at production's API server, however spelled.
	for name, pair := range same {
		files := map[string][]byte{
			"clusters/enterprise/fleet.yaml": []byte(enterpriseFleet),
			"clusters/enterprise/a.yaml":     clusterAt("a", fmt.Sprintf("{server: %q}", pair[0])),
			"clusters/enterprise/b.yaml":     clusterAt("b", fmt.Sprintf("{server: %q}", pair[1])),
		}
		_, err := BuildInventory(files, nil)
		require.Error(t, err, name)
		require.Contains(t, err.Error(), "spec.destination", name)
		require.Contains(t, err.Error(), "already cluster", name)
	}
}

const enterpriseFleet = `apiVersion: platform.hue.dev/v1alpha1
kind: HueFleet
metadata: {name: enterprise}
spec:
  defaults:
    environment: production
    region: eu-west
    dataResidency: eu
    services: [music]
    nodePools:
    - {name: general, labels: {hue.dev/pool-class: general}, capacity: {cpu: "4", memory: 16Gi}, count: 3}
`

func clusterAt(name, destination string) []byte {
	return []byte(fmt.Sprintf("apiVersion: platform.hue.dev/v1alpha1\nkind: HueCluster\nmetadata: {name: %s}\nspec:\n  ingress: {domain: %[1]s.hue.dev}\n  destination: %s\n", name, destination))
}

func registry(entries string) []byte {
	return []byte("apiVersion: platform.hue.dev/v1alpha1\nkind: HueClusterRegistry\nmetadata: {name: argocd}\nspec:\n  clusters:\n" + entries)
}

// A name and a server are one destination when the registry says the name is that server:
// a cluster deployed by name and another by URL must not share an API server.
func TestDestinationNameVersusServer(t *testing.T) {
	const prod = "https://k8s-prod.dc1.hue.internal:6443"
	files := func(reg []byte, b string) map[string][]byte {
		return map[string][]byte{
			"clusters/enterprise/fleet.yaml": []byte(enterpriseFleet),
			"clusters/enterprise/a.yaml":     clusterAt("a", "{name: prod-dc1}"),
			"clusters/enterprise/b.yaml":     clusterAt("b", b),
			layout.RegistryFile:              reg,
		}
	}
	for _, spelling := range []string{prod, prod + "/", "https://K8S-PROD.dc1.hue.internal:6443", "HTTPS://k8s-prod.dc1.hue.internal:6443"} {
		_, err := BuildInventory(files(registry("  - {name: prod-dc1, server: \""+prod+"\"}\n"), fmt.Sprintf("{server: %q}", spelling)), nil)
		require.ErrorContains(t, err, "clusters/enterprise/b.yaml", spelling)
		require.ErrorContains(t, err, "already cluster a's", spelling)
	}
	// Two names registered for one server are one destination too.
	_, err := BuildInventory(files(registry("  - {name: prod-dc1, server: \""+prod+"\"}\n  - {name: prod-alias, server: \""+prod+"/\"}\n"), "{name: prod-alias}"), nil)
	require.ErrorContains(t, err, layout.RegistryFile)
	require.ErrorContains(t, err, "spec.clusters[1].server")
	require.ErrorContains(t, err, "already registered as prod-dc1")

	// Unrelated servers, and names the registry does not know, stay distinct.
	inv, err := BuildInventory(files(registry("  - {name: prod-dc1, server: \""+prod+"\"}\n"), `{server: "https://k8s-staging.dc1.hue.internal:6443"}`), nil)
	require.NoError(t, err)
	require.Equal(t, v1alpha1.DestinationKey(&v1alpha1.Destination{Server: prod}), inv.DestinationKey(&v1alpha1.Destination{Name: "prod-dc1"}))
	require.Equal(t, "name unknown-name", inv.DestinationKey(&v1alpha1.Destination{Name: "unknown-name"}))

	// A registry entry is checked like a spec field.
	for entry, want := range map[string]string{
		"  - {name: Bad_Name, server: \"https://x.hue.internal\"}\n":                                             "spec.clusters[0].name",
		"  - {name: x, server: \"http://x.hue.internal\"}\n":                                                     "spec.clusters[0].server: Invalid value: \"http://x.hue.internal\": must be an https URL",
		"  - {name: x, server: \"https://x.hue.internal\"}\n  - {name: x, server: \"https://y.hue.internal\"}\n": "spec.clusters[1].name: Duplicate value",
		"  - {name: x, server: \"https://x.hue.internal\", token: abc}\n":                                        "spec.clusters[0].token: unknown field",
	} {
		_, err := BuildInventory(files(registry(entry), "{name: b}"), nil)
		require.ErrorContains(t, err, layout.RegistryFile, entry)
		require.ErrorContains(t, err, want, entry)
	}
	// Only clusters/registry.yaml is the registry.
	f := files(registry(""), "{name: b}")
	f["clusters/enterprise/registry.yaml"] = f[layout.RegistryFile]
	delete(f, layout.RegistryFile)
	_, err = BuildInventory(f, nil)
	require.ErrorContains(t, err, "the cluster registry lives in "+layout.RegistryFile)
}
