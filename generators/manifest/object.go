package manifest

import "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

// Object is one rendered Kubernetes object and the repository file it came from.
type Object struct {
	*unstructured.Unstructured
	Source string
}

// Ref names the object as kind/namespace/name.
func (o Object) Ref() string {
	if ns := o.GetNamespace(); ns != "" {
		return o.GetKind() + "/" + ns + "/" + o.GetName()
	}
	return o.GetKind() + "/" + o.GetName()
}

// Skeleton keeps of each object only what fleet-wide checks of Argo CD read (group, version,
// kind, namespace, name, labels, an HPA's target and the source file), so a fleet's worth of clusters fits in memory
// after their objects have been checked and let go.
func Skeleton(objs []Object) []Object {
	out := make([]Object, len(objs))
	for i, o := range objs {
		u := &unstructured.Unstructured{Object: map[string]any{}}
		u.SetAPIVersion(o.GetAPIVersion())
		u.SetKind(o.GetKind())
		u.SetName(o.GetName())
		if ns := o.GetNamespace(); ns != "" {
			u.SetNamespace(ns)
		}
		// Argo CD's resource selectors match labels; an HPA's target decides what Argo CD must
		// leave to it.
		if l := o.GetLabels(); len(l) > 0 {
			u.SetLabels(l)
		}
		if o.GetKind() == "HorizontalPodAutoscaler" {
			if ref, ok, _ := unstructured.NestedMap(o.Object, "spec", "scaleTargetRef"); ok {
				_ = unstructured.SetNestedMap(u.Object, ref, "spec", "scaleTargetRef")
			}
		}
		out[i] = Object{Unstructured: u, Source: o.Source}
	}
	return out
}
