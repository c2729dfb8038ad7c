package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// HueCheck is the functionConfig of `hue fn` as a validator: the ResourceList's items are
// checked as the rendered objects of one cluster of the inventory, as `hue check --manifests`
// checks a file.
type HueCheck struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              HueCheckSpec `json:"spec"`
}

type HueCheckSpec struct {
	// Cluster names the cluster (clusters/<fleet>/<name>.yaml) whose node pools, fleet rules and
	// waivers apply.
	Cluster string `json:"cluster"`
	// Root is the repository holding clusters/, policies/ and base/; relative to the function's
	// working folder, default ".".
	Root string `json:"root,omitempty"`
}

func (c *HueCheck) Default() {
	if c.Spec.Root == "" {
		c.Spec.Root = "."
	}
}

func (c *HueCheck) Validate() field.ErrorList {
	p := field.NewPath("spec", "cluster")
	if c.Spec.Cluster == "" {
		return field.ErrorList{field.Required(p, "the cluster whose rules apply")}
	}
	var errs field.ErrorList
	for _, msg := range validation.IsDNS1123Label(c.Spec.Cluster) {
		errs = append(errs, field.Invalid(p, c.Spec.Cluster, msg))
	}
	return errs
}
