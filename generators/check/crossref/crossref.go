package crossref

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/hue-platform/hue-gitops/generators/check"
	"github.com/hue-platform/hue-gitops/generators/manifest"
)

// ID is the check id of the findings of this package.
const ID = "crossref"

// undeclaredNumber is the severity of a numbered port no container declares (see the package
// comment).
const undeclaredNumber = check.SeverityWarning

// checker gathers the findings of one cluster.
type checker struct {
	c   *check.Cluster
	ix  *index
	out []check.Finding
}

func (k *checker) report(sev check.Severity, o manifest.Object, fieldPath, format string, args ...any) {
	k.out = append(k.out, k.c.Finding(ID, sev, o, fieldPath, format, args...))
}

// Check runs the cross-reference check on one rendered cluster.
func Check(c *check.Cluster) []check.Finding {
	k := &checker{c: c, ix: newIndex(c.Objects)}
	for _, o := range c.Objects {
		switch o.GroupVersionKind().GroupKind() {
		case gkService:
			k.service(o)
		case gkHPA:
			k.hpa(o)
		case gkPDB:
			k.pdb(o)
		case gkIngress:
			k.ingress(o)
		}
	}
	for _, ns := range slices.Sorted(maps.Keys(k.ix.templates)) {
		for _, t := range k.ix.templates[ns] {
			k.podRefs(t)
		}
	}
	check.Sort(k.out)
	return k.out
}

func decode(o manifest.Object, into any) bool {
	return runtime.DefaultUnstructuredConverter.FromUnstructured(o.UnstructuredContent(), into) == nil
}

// service: a selector-less Service has EndpointSlices; every targetPort exists on the pods
// the selector selects.
func (k *checker) service(o manifest.Object) {
	var svc corev1.Service
	if !decode(o, &svc) || svc.Spec.Type == corev1.ServiceTypeExternalName {
		return
	}
	ns := o.GetNamespace()
	if len(svc.Spec.Selector) == 0 {
		if !k.ix.endpointSlices[ns+"/"+svc.Name] {
			if _, ok := k.ix.get(gkEndpoints, ns, svc.Name); !ok {
				k.report(check.SeverityError, o, "spec.selector",
					"Service has no selector and no EndpointSlice labelled kubernetes.io/service-name=%s", svc.Name)
			}
		}
		return
	}
	sel := labels.SelectorFromSet(svc.Spec.Selector)
	pods := k.ix.selected(ns, sel)
	if len(pods) == 0 {
		return // policy HUE-026 reports a Service that selects nothing; no port to check
	}
	for i, p := range svc.Spec.Ports {
		target := p.TargetPort
		if target.Type == intstr.Int && target.IntVal == 0 {
			target = intstr.FromInt32(p.Port)
		}
		proto := p.Protocol
		if proto == "" {
			proto = corev1.ProtocolTCP
		}
		found := false
		for _, t := range pods {
			for _, c := range allContainers(&t.tmpl.Spec) {
				if _, ok := findPort(c.container.Ports, target, proto); ok {
					found = true
				}
			}
		}
		if found {
			continue
		}
		fieldPath := fmt.Sprintf("spec.ports[%d].targetPort", i)
		if target.Type == intstr.String {
			k.report(check.SeverityError, o, fieldPath, "targetPort %q is not a container port name in any selected pod template (%s)", target.StrVal, refs(pods))
		} else {
			k.report(undeclaredNumber, o, fieldPath, "targetPort %d/%s is not a declared containerPort in any selected pod template (%s)", target.IntVal, proto, refs(pods))
		}
	}
}

// findPort finds a port by name, or by number and protocol.
func findPort(ports []corev1.ContainerPort, p intstr.IntOrString, proto corev1.Protocol) (corev1.ContainerPort, bool) {
	for _, cp := range ports {
		cpProto := cp.Protocol
		if cpProto == "" {
			cpProto = corev1.ProtocolTCP
		}
		if p.Type == intstr.String && cp.Name == p.StrVal || p.Type == intstr.Int && cp.ContainerPort == p.IntVal && cpProto == proto {
			return cp, true
		}
	}
	return corev1.ContainerPort{}, false
}

type namedContainer struct {
	path      string
	container *corev1.Container
}

// allContainers are the init containers and containers of a pod spec with their field paths
// relative to the spec.
func allContainers(spec *corev1.PodSpec) []namedContainer {
	var out []namedContainer
	for i := range spec.InitContainers {
		out = append(out, namedContainer{fmt.Sprintf("initContainers[%d]", i), &spec.InitContainers[i]})
	}
	for i := range spec.Containers {
		out = append(out, namedContainer{fmt.Sprintf("containers[%d]", i), &spec.Containers[i]})
	}
	return out
}

// ref is one reference from a pod spec to a namespaced object.
type ref struct {
	gk    schema.GroupKind
	name  string
	key   string // a ConfigMap or Secret key the reference needs, if any
	field string
}

func optional(b *bool) bool { return b != nil && *b }

// podRefs: referenced ConfigMaps, Secrets, ServiceAccounts and PVCs exist.
func (k *checker) podRefs(t podTemplate) {
	spec := &t.tmpl.Spec
	p := t.prefix
	var rs []ref
	for i, v := range spec.Volumes {
		vp := fmt.Sprintf("%s.volumes[%d]", p, i)
		switch {
		case v.ConfigMap != nil && !optional(v.ConfigMap.Optional):
			rs = append(rs, ref{gk: gkConfigMap, name: v.ConfigMap.Name, field: vp + ".configMap.name"})
			for j, it := range v.ConfigMap.Items {
				rs = append(rs, ref{gk: gkConfigMap, name: v.ConfigMap.Name, key: it.Key, field: fmt.Sprintf("%s.configMap.items[%d].key", vp, j)})
			}
		case v.Secret != nil && !optional(v.Secret.Optional):
			rs = append(rs, ref{gk: gkSecret, name: v.Secret.SecretName, field: vp + ".secret.secretName"})
			for j, it := range v.Secret.Items {
				rs = append(rs, ref{gk: gkSecret, name: v.Secret.SecretName, key: it.Key, field: fmt.Sprintf("%s.secret.items[%d].key", vp, j)})
			}
		case v.PersistentVolumeClaim != nil:
			rs = append(rs, ref{gk: gkPVC, name: v.PersistentVolumeClaim.ClaimName, field: vp + ".persistentVolumeClaim.claimName"})
		case v.Projected != nil:
			for j, src := range v.Projected.Sources {
				sp := fmt.Sprintf("%s.projected.sources[%d]", vp, j)
				if src.ConfigMap != nil && !optional(src.ConfigMap.Optional) {
					rs = append(rs, ref{gk: gkConfigMap, name: src.ConfigMap.Name, field: sp + ".configMap.name"})
				}
				if src.Secret != nil && !optional(src.Secret.Optional) {
					rs = append(rs, ref{gk: gkSecret, name: src.Secret.Name, field: sp + ".secret.name"})
				}
			}
		}
	}
	for _, nc := range allContainers(spec) {
		cp := p + "." + nc.path
		for j, ef := range nc.container.EnvFrom {
			if ef.ConfigMapRef != nil && !optional(ef.ConfigMapRef.Optional) {
				rs = append(rs, ref{gk: gkConfigMap, name: ef.ConfigMapRef.Name, field: fmt.Sprintf("%s.envFrom[%d].configMapRef.name", cp, j)})
			}
			if ef.SecretRef != nil && !optional(ef.SecretRef.Optional) {
				rs = append(rs, ref{gk: gkSecret, name: ef.SecretRef.Name, field: fmt.Sprintf("%s.envFrom[%d].secretRef.name", cp, j)})
			}
		}
		for j, e := range nc.container.Env {
			if e.ValueFrom == nil {
				continue
			}
			if r := e.ValueFrom.ConfigMapKeyRef; r != nil && !optional(r.Optional) {
				rs = append(rs, ref{gk: gkConfigMap, name: r.Name, key: r.Key, field: fmt.Sprintf("%s.env[%d].valueFrom.configMapKeyRef", cp, j)})
			}
			if r := e.ValueFrom.SecretKeyRef; r != nil && !optional(r.Optional) {
				rs = append(rs, ref{gk: gkSecret, name: r.Name, key: r.Key, field: fmt.Sprintf("%s.env[%d].valueFrom.secretKeyRef", cp, j)})
			}
		}
	}
	if sa := spec.ServiceAccountName; sa != "" && sa != "default" {
		rs = append(rs, ref{gk: gkServiceAccount, name: sa, field: p + ".serviceAccountName"})
	} else if sa := spec.DeprecatedServiceAccount; sa != "" && sa != "default" && spec.ServiceAccountName == "" {
		rs = append(rs, ref{gk: gkServiceAccount, name: sa, field: p + ".serviceAccount"})
	}
	for i, s := range spec.ImagePullSecrets {
		rs = append(rs, ref{gk: gkSecret, name: s.Name, field: fmt.Sprintf("%s.imagePullSecrets[%d].name", p, i)})
	}
	k.resolve(t.obj, rs, externalSecrets(t.obj.GetAnnotations(), t.tmpl.Annotations))
}

// resolve reports the references that do not resolve in the object's namespace.
func (k *checker) resolve(o manifest.Object, rs []ref, external map[string]bool) {
	ns := o.GetNamespace()
	for _, r := range rs {
		if r.gk == gkSecret && external[r.name] {
			continue
		}
		if r.gk == gkPVC && k.ix.claimTemplates[ns+"/"+r.name] {
			continue
		}
		target, ok := k.ix.get(r.gk, ns, r.name)
		if !ok {
			hint := ""
			if r.gk == gkSecret {
				hint = " (declare it in annotation " + AnnotationExternalSecrets + " if it is created in the cluster)"
			}
			k.report(check.SeverityError, o, r.field, "%s %q does not exist in namespace %q%s", r.gk.Kind, r.name, ns, hint)
			continue
		}
		if r.key != "" && !hasKey(target, r.key) {
			k.report(check.SeverityError, o, r.field, "%s %q has no key %q", r.gk.Kind, r.name, r.key)
		}
	}
}

// hasKey tells whether a ConfigMap or Secret carries the key.
func hasKey(o manifest.Object, key string) bool {
	for _, fieldName := range []string{"data", "binaryData", "stringData"} {
		if m, _, _ := unstructured.NestedMap(o.Object, fieldName); m != nil {
			if _, ok := m[key]; ok {
				return true
			}
		}
	}
	return false
}

// hpa: the scale target exists in the namespace.
func (k *checker) hpa(o manifest.Object) {
	kind, _, _ := unstructured.NestedString(o.Object, "spec", "scaleTargetRef", "kind")
	name, _, _ := unstructured.NestedString(o.Object, "spec", "scaleTargetRef", "name")
	apiVersion, _, _ := unstructured.NestedString(o.Object, "spec", "scaleTargetRef", "apiVersion")
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return // the schema check reports it
	}
	if _, ok := k.ix.get(schema.GroupKind{Group: gv.Group, Kind: kind}, o.GetNamespace(), name); !ok {
		k.report(check.SeverityError, o, "spec.scaleTargetRef", "scale target %s %s/%s does not exist in namespace %q", apiVersion, kind, name, o.GetNamespace())
	}
}

// pdb: the selector selects some workload's pods.
func (k *checker) pdb(o manifest.Object) {
	raw, found, err := unstructured.NestedMap(o.Object, "spec", "selector")
	if err != nil {
		return
	}
	if !found {
		k.report(check.SeverityError, o, "spec.selector", "PodDisruptionBudget has no selector, so it protects no pods")
		return
	}
	var ls metav1.LabelSelector
	if runtime.DefaultUnstructuredConverter.FromUnstructured(raw, &ls) != nil {
		return
	}
	sel, err := metav1.LabelSelectorAsSelector(&ls)
	if err != nil {
		return // the schema check reports it
	}
	if len(k.ix.selected(o.GetNamespace(), sel)) == 0 {
		k.report(check.SeverityError, o, "spec.selector", "selector %s selects no pod template in namespace %q", sel, o.GetNamespace())
	}
}

// ingress: backends name existing Services and ports; TLS Secrets exist or are external.
func (k *checker) ingress(o manifest.Object) {
	var ing networkingv1.Ingress
	if !decode(o, &ing) {
		return
	}
	if b := ing.Spec.DefaultBackend; b != nil && b.Service != nil {
		k.backend(o, "spec.defaultBackend.service", b.Service)
	}
	for i, r := range ing.Spec.Rules {
		if r.HTTP == nil {
			continue
		}
		for j, p := range r.HTTP.Paths {
			if p.Backend.Service != nil {
				k.backend(o, fmt.Sprintf("spec.rules[%d].http.paths[%d].backend.service", i, j), p.Backend.Service)
			}
		}
	}
	var rs []ref
	for i, tls := range ing.Spec.TLS {
		if tls.SecretName != "" {
			rs = append(rs, ref{gk: gkSecret, name: tls.SecretName, field: fmt.Sprintf("spec.tls[%d].secretName", i)})
		}
	}
	k.resolve(o, rs, externalSecrets(o.GetAnnotations()))
}

func (k *checker) backend(o manifest.Object, fieldPath string, b *networkingv1.IngressServiceBackend) {
	target, ok := k.ix.get(gkService, o.GetNamespace(), b.Name)
	if !ok {
		k.report(check.SeverityError, o, fieldPath+".name", "Service %q does not exist in namespace %q", b.Name, o.GetNamespace())
		return
	}
	var svc corev1.Service
	if !decode(target, &svc) {
		return
	}
	var ports []string
	for _, p := range svc.Spec.Ports {
		if b.Port.Name != "" && p.Name == b.Port.Name || b.Port.Name == "" && p.Port == b.Port.Number {
			return
		}
		ports = append(ports, fmt.Sprintf("%d", p.Port))
		if p.Name != "" {
			ports[len(ports)-1] += " (" + p.Name + ")"
		}
	}
	if svc.Spec.Type == corev1.ServiceTypeExternalName && len(svc.Spec.Ports) == 0 {
		return
	}
	if b.Port.Name != "" {
		k.report(check.SeverityError, o, fieldPath+".port.name", "Service %q has no port named %q (ports: %s)", b.Name, b.Port.Name, strings.Join(ports, ", "))
	} else {
		k.report(check.SeverityError, o, fieldPath+".port.number", "Service %q has no port %d (ports: %s)", b.Name, b.Port.Number, strings.Join(ports, ", "))
	}
}
