package policy

import (
	"fmt"
	"os"

	"sigs.k8s.io/yaml"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
)

// LoadClusterSpec reads one HueCluster file strictly and defaults it.
func LoadClusterSpec(path string) (*v1alpha1.HueCluster, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c v1alpha1.HueCluster
	if err := yaml.UnmarshalStrict(data, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if c.Kind != v1alpha1.KindCluster {
		return nil, fmt.Errorf("%s: kind %q, want %s", path, c.Kind, v1alpha1.KindCluster)
	}
	c.Default()
	return &c, nil
}
