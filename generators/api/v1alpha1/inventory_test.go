package v1alpha1

import (
	"fmt"
	"testing"

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
		a, b := DestinationKey(&Destination{Server: pair[0]}), DestinationKey(&Destination{Server: pair[1]})
		require.Equal(t, a, b, name)
	}
	differ := [][2]string{
		{prod, "https://k8s-staging.dc1.hue.internal:6443"},
		{prod, "https://k8s-prod.dc1.hue.internal:6444"},
		{prod, "https://k8s-prod.dc1.hue.internal:6443/other"},
	}
	for _, pair := range differ {
		require.NotEqual(t, DestinationKey(&Destination{Server: pair[0]}), DestinationKey(&Destination{Server: pair[1]}), "%v", pair)
	}

	// The inventory refuses a second cluster at production's API server, however spelled.
	for name, pair := range same {
		files := map[string][]byte{
			"clusters/enterprise/fleet.yaml": []byte(`apiVersion: platform.hue.dev/v1alpha1
kind: HueFleet
metadata: {name: enterprise}
spec:
  defaults:
    environment: production
    region: eu-west
    dataResidency: eu
    services: []
    nodePools:
    - {name: general, labels: {hue.dev/pool-class: general}, capacity: {cpu: "4", memory: 16Gi}, count: 3}
`),
			"clusters/enterprise/a.yaml": []byte(fmt.Sprintf("apiVersion: platform.hue.dev/v1alpha1\nkind: HueCluster\nmetadata: {name: a}\nspec:\n  destination: {server: %q}\n", pair[0])),
			"clusters/enterprise/b.yaml": []byte(fmt.Sprintf("apiVersion: platform.hue.dev/v1alpha1\nkind: HueCluster\nmetadata: {name: b}\nspec:\n  destination: {server: %q}\n", pair[1])),
		}
		_, err := BuildInventory(files, nil)
		require.Error(t, err, name)
		require.Contains(t, err.Error(), "spec.destination", name)
		require.Contains(t, err.Error(), "already cluster", name)
	}
}
