package pipeline

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/check"
)

// A finding on an object of a generated file names the spec a person edits and, in a service's
// base, the spec field; a hand-written file is its own source.
func TestLocateAtSpec(t *testing.T) {
	fs := []check.Finding{
		{Source: "base/music/deployment.yaml", Field: "spec.template.spec.containers[0].image"},
		{Source: "base/music/networkpolicy.yaml", Field: "spec.podSelector"},
		{Source: "base/compartments/hue/resourcequota.yaml", Field: "spec.hard"},
		{Source: "overlays/school-ashford/kustomization.yaml"},
		{Source: "shapes/school-6a2c3222c4/nodeport.yaml"},
		{Source: "components/ha/pdb.yaml", Field: "spec.minAvailable"},
		{Source: "base/music/hue.yaml"},
	}
	LocateAtSpec(fs, nil, "clusters/school/school-ashford.yaml")
	want := [][2]string{
		{"base/music/hue.yaml", "spec.image"},
		{"base/music/hue.yaml", ""},
		{"base/compartments/hue.yaml", "spec.quota"}, // the compartment of the quota's namespace
		{"clusters/school/school-ashford.yaml", ""},
		{"clusters/school/school-ashford.yaml", ""},
		{"", ""},
		{"", ""},
	}
	for i, w := range want {
		assert.Equal(t, w, [2]string{fs[i].Spec, fs[i].SpecField}, fs[i].Source)
	}
}

// A value the cluster overrides is the cluster spec's to change.
func TestLocateAtSpecOverride(t *testing.T) {
	two := int32(2)
	c := &v1alpha1.HueCluster{}
	c.Spec.Overrides = map[string]v1alpha1.ServiceOverride{"music": {Replicas: &two, Tag: "2.0.2"}}
	fs := []check.Finding{
		{Source: "base/music/deployment.yaml", Field: "spec.replicas"},
		{Source: "base/music/deployment.yaml", Field: "spec.template.spec.containers[0].image"},
		{Source: "base/music/deployment.yaml", Field: "spec.template.spec.containers[0].resources"},
		{Source: "base/fitness/deployment.yaml", Field: "spec.replicas"},
	}
	LocateAtSpec(fs, c, "clusters/enterprise/onprem-staging.yaml")
	want := [][2]string{
		{"clusters/enterprise/onprem-staging.yaml", "spec.overrides[music].replicas"},
		{"clusters/enterprise/onprem-staging.yaml", "spec.overrides[music].tag"},
		{"base/music/hue.yaml", "spec.resources"},
		{"base/fitness/hue.yaml", "spec.replicas"},
	}
	for i, w := range want {
		assert.Equal(t, w, [2]string{fs[i].Spec, fs[i].SpecField}, fs[i].Field)
	}
}
