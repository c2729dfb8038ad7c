package crossref

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/hue-platform/hue-gitops/generators/manifest"
)

// AnnotationExternalSecrets lists, comma-separated, the Secrets an object (or its pod template)
// references that are created in the cluster rather than rendered here.
const AnnotationExternalSecrets = "hue.dev/external-secrets"

var (
	gkService        = schema.GroupKind{Kind: "Service"}
	gkEndpoints      = schema.GroupKind{Kind: "Endpoints"}
	gkEndpointSlice  = schema.GroupKind{Group: "discovery.k8s.io", Kind: "EndpointSlice"}
	gkConfigMap      = schema.GroupKind{Kind: "ConfigMap"}
	gkSecret         = schema.GroupKind{Kind: "Secret"}
	gkServiceAccount = schema.GroupKind{Kind: "ServiceAccount"}
	gkPVC            = schema.GroupKind{Kind: "PersistentVolumeClaim"}
	gkHPA            = schema.GroupKind{Group: "autoscaling", Kind: "HorizontalPodAutoscaler"}
	gkPDB            = schema.GroupKind{Group: "policy", Kind: "PodDisruptionBudget"}
	gkIngress        = schema.GroupKind{Group: "networking.k8s.io", Kind: "Ingress"}
	gkStatefulSet    = schema.GroupKind{Group: "apps", Kind: "StatefulSet"}
)

type objKey struct {
	gk        schema.GroupKind
	namespace string
	name      string
}

// podTemplate is the pod template of one workload.
type podTemplate struct {
	obj    manifest.Object
	tmpl   *corev1.PodTemplateSpec
	prefix string
}

// index holds the rendered objects by what references look for.
type index struct {
	objects map[objKey]manifest.Object
	// templates by namespace, in render order.
	templates map[string][]podTemplate
	// endpointSlices are the namespace/service names EndpointSlices are labelled for.
	endpointSlices map[string]bool
	// claimTemplates are the namespace/name of StatefulSet volumeClaimTemplates.
	claimTemplates map[string]bool
}

func newIndex(objs []manifest.Object) *index {
	ix := &index{
		objects:        map[objKey]manifest.Object{},
		templates:      map[string][]podTemplate{},
		endpointSlices: map[string]bool{},
		claimTemplates: map[string]bool{},
	}
	for _, o := range objs {
		gk := o.GroupVersionKind().GroupKind()
		ns := o.GetNamespace()
		ix.objects[objKey{gk, ns, o.GetName()}] = o
		if tmpl, _, prefix, ok, err := manifest.PodTemplate(o); ok && err == nil {
			ix.templates[ns] = append(ix.templates[ns], podTemplate{obj: o, tmpl: tmpl, prefix: prefix})
		}
		switch gk {
		case gkEndpointSlice:
			if svc := o.GetLabels()["kubernetes.io/service-name"]; svc != "" {
				ix.endpointSlices[ns+"/"+svc] = true
			}
		case gkStatefulSet:
			vcts, _, _ := unstructured.NestedSlice(o.Object, "spec", "volumeClaimTemplates")
			for _, v := range vcts {
				if m, ok := v.(map[string]any); ok {
					if name, _, _ := unstructured.NestedString(m, "metadata", "name"); name != "" {
						ix.claimTemplates[ns+"/"+name] = true
					}
				}
			}
		}
	}
	return ix
}

func (ix *index) get(gk schema.GroupKind, ns, name string) (manifest.Object, bool) {
	o, ok := ix.objects[objKey{gk, ns, name}]
	return o, ok
}

// selected are the pod templates of the namespace the selector matches.
func (ix *index) selected(ns string, sel labels.Selector) []podTemplate {
	var out []podTemplate
	for _, t := range ix.templates[ns] {
		if sel.Matches(labels.Set(t.tmpl.Labels)) {
			out = append(out, t)
		}
	}
	return out
}

// externalSecrets reads the hue.dev/external-secrets annotations of the given annotation maps.
func externalSecrets(annotations ...map[string]string) map[string]bool {
	out := map[string]bool{}
	for _, a := range annotations {
		for _, name := range strings.Split(a[AnnotationExternalSecrets], ",") {
			if name = strings.TrimSpace(name); name != "" {
				out[name] = true
			}
		}
	}
	return out
}

func refs(ts []podTemplate) string {
	var names []string
	for _, t := range ts {
		names = append(names, t.obj.Ref())
	}
	return strings.Join(names, ", ")
}
