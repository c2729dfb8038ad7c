package service

import (
	"fmt"
	"net/netip"
	"path"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/kustomize/api/types"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/fileset"
	"github.com/hue-platform/hue-gitops/generators/layout"
	"github.com/hue-platform/hue-gitops/generators/platform"
)

// EgressDir is the base of a compartment's egress to the data stores of one residency.
func EgressDir(compartment, residency string) string {
	return path.Join(layout.CompartmentsDir, compartment, "egress", residency)
}

// StoreResidency annotates what a cluster of one residency only may hold: its data stores and
// the egress to them (policy HUE-025 compares it with the cluster's).
const StoreResidency = "hue.dev/store-residency"

// PodSecurityVersion pins the Pod Security Standards version the namespaces enforce.
const PodSecurityVersion = "v1.37"

// Generate writes every base of the catalog: base/<service>/, base/compartments/<name>/ with
// its egress to the data stores of each residency in egress/<residency>/, and
// base/datastores/<residency>/.
func Generate(cat *platform.Catalog) (fileset.Files, error) {
	files := fileset.Files{}
	// Every generated object is validated as the API server would on a create; all errors of
	// the catalog are reported together, at the spec that produced them, and nothing is written.
	var errs v1alpha1.Errors
	from := func(kind, name string) origin {
		return origin{file: cat.Files[kind+"/"+name], kind: kind, name: name}
	}
	for _, s := range cat.Services {
		objs, err := Objects(s)
		if err != nil {
			return nil, err
		}
		dir := layout.ServiceDir(s.Name)
		errs = append(errs, validate(from(v1alpha1.KindService, s.Name), dir, objs)...)
		if err := writeBase(files, dir, objs); err != nil {
			return nil, err
		}
	}
	for _, c := range cat.Compartments {
		dir := path.Join(layout.CompartmentsDir, c.Name)
		objs := CompartmentObjects(c, cat)
		errs = append(errs, validate(from(v1alpha1.KindCompartment, c.Name), dir, objs)...)
		if err := writeBase(files, dir, objs); err != nil {
			return nil, err
		}
		for _, r := range cat.Residencies() {
			egress := CompartmentEgress(c, cat, r)
			if len(egress) == 0 {
				continue
			}
			dir := EgressDir(c.Name, r)
			errs = append(errs, validate(from(v1alpha1.KindCompartment, c.Name), dir, egress)...)
			if err := writeBase(files, dir, egress); err != nil {
				return nil, err
			}
		}
	}
	for _, r := range cat.Residencies() {
		var objs []any
		for _, d := range cat.DataStores {
			k := d.RegionIndex(r)
			if k < 0 {
				continue
			}
			o := DataStoreObjects(d, &d.Spec.Regions[k])
			for _, e := range validate(from(v1alpha1.KindDataStore, d.Name), layout.DataStoreDir(r), o) {
				// The region's own values (addresses, external name) are named in the region.
				if f, ok := strings.CutPrefix(e.Field, "spec."); ok && (strings.HasPrefix(f, "addresses") || strings.HasPrefix(f, "externalName")) {
					e.Field = fmt.Sprintf("spec.regions[%d].%s", k, f)
				}
				errs = append(errs, e)
			}
			objs = append(objs, o...)
		}
		if err := writeBase(files, layout.DataStoreDir(r), objs); err != nil {
			return nil, err
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return files, nil
}

// writeBase groups objects into one file per kind and writes the folder's kustomization.
func writeBase(files fileset.Files, dir string, objs []any) error {
	byFile := map[string][]any{}
	var order []string
	for _, o := range objs {
		name := FileName(kindOf(o))
		if _, ok := byFile[name]; !ok {
			order = append(order, name)
		}
		byFile[name] = append(byFile[name], o)
	}
	sort.Strings(order)
	for _, name := range order {
		b, err := fileset.Marshal(byFile[name]...)
		if err != nil {
			return fmt.Errorf("%s/%s: %w", dir, name, err)
		}
		if err := files.Add(path.Join(dir, name), b); err != nil {
			return err
		}
	}
	k := types.Kustomization{
		TypeMeta:  types.TypeMeta{APIVersion: types.KustomizationVersion, Kind: types.KustomizationKind},
		Resources: order,
	}
	b, err := fileset.Marshal(k)
	if err != nil {
		return err
	}
	return files.Add(path.Join(dir, "kustomization.yaml"), b)
}

func kindOf(o any) string {
	if ro, ok := o.(runtime.Object); ok {
		return ro.GetObjectKind().GroupVersionKind().Kind
	}
	panic(fmt.Sprintf("kindOf: %T is not a Kubernetes object", o))
}

func compartmentMeta(name, namespace, wave string) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name:        name,
		Namespace:   namespace,
		Labels:      map[string]string{LabelApp: AppValue, "hue.dev/compartment": namespace},
		Annotations: map[string]string{SyncWave: wave},
	}
}

// CompartmentObjects returns a compartment's namespace with Pod Security labels, its
// default-deny network boundary (plus DNS), its RBAC and its quota. The egress to data stores
// depends on the cluster's residency: see CompartmentEgress.
func CompartmentObjects(c *v1alpha1.HueCompartment, cat *platform.Catalog) []any {
	ns := c.Name
	nsMeta := compartmentMeta(ns, "", WaveNamespace)
	nsMeta.Labels["name"] = ns
	nsMeta.Labels[LabelPlatform] = AppValue
	for _, mode := range []string{"enforce", "audit", "warn"} {
		nsMeta.Labels["pod-security.kubernetes.io/"+mode] = c.Spec.PodSecurity
		nsMeta.Labels["pod-security.kubernetes.io/"+mode+"-version"] = PodSecurityVersion
	}
	if c.Spec.Sensitive {
		nsMeta.Labels["hue.dev/sensitive"] = "true"
	}
	out := []any{&corev1.Namespace{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"}, ObjectMeta: nsMeta}}

	np := func(name string) *networkingv1.NetworkPolicy { return compartmentPolicy(name, ns) }
	deny := np("default-deny")
	deny.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}
	out = append(out, deny)

	dns := np("allow-dns")
	dns.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}
	dns.Spec.Egress = []networkingv1.NetworkPolicyEgressRule{{
		To: []networkingv1.NetworkPolicyPeer{{
			NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": "kube-system"}},
			PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{"k8s-app": "kube-dns"}},
		}},
		Ports: []networkingv1.NetworkPolicyPort{
			{Protocol: ptr(corev1.ProtocolUDP), Port: ptr(intstr.FromInt32(53))},
			{Protocol: ptr(corev1.ProtocolTCP), Port: ptr(intstr.FromInt32(53))},
		},
	}}
	out = append(out, dns)

	bind := func(group, kind, role string) *rbacv1.RoleBinding {
		return &rbacv1.RoleBinding{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
			ObjectMeta: compartmentMeta(group+"-"+role, ns, WaveRBAC),
			RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: kind, Name: role},
			Subjects:   []rbacv1.Subject{{APIGroup: "rbac.authorization.k8s.io", Kind: "Group", Name: group}},
		}
	}
	operate := false
	for _, a := range c.Spec.Access {
		out = append(out, bind(a.Group, "ClusterRole", v1alpha1.RoleView))
		if a.Role == v1alpha1.RoleOperate {
			out = append(out, bind(a.Group, "Role", OperateRole))
			operate = true
		}
	}
	if operate {
		out = append(out, operateRole(ns))
	}
	if q := c.Spec.Quota; q != nil {
		hard := corev1.ResourceList{}
		if q.CPU != "" {
			hard[corev1.ResourceRequestsCPU] = resource.MustParse(q.CPU)
		}
		if q.Memory != "" {
			hard[corev1.ResourceRequestsMemory] = resource.MustParse(q.Memory)
		}
		out = append(out, &corev1.ResourceQuota{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ResourceQuota"},
			ObjectMeta: compartmentMeta("compute", ns, WaveRBAC),
			Spec:       corev1.ResourceQuotaSpec{Hard: hard},
		})
	}
	return out
}

// OperateRole is the Role behind a compartment's operate access.
const OperateRole = "hue-operate"

// operateRole lets a person restart or move a pod (its controller makes a new one; an eviction
// honours the PDB) and nothing more: Argo CD applies every other change from git.
func operateRole(namespace string) *rbacv1.Role {
	return &rbacv1.Role{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role"},
		ObjectMeta: compartmentMeta(OperateRole, namespace, WaveRBAC),
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"delete"}},
			{APIGroups: []string{""}, Resources: []string{"pods/eviction"}, Verbs: []string{"create"}},
		},
	}
}

func compartmentPolicy(name, namespace string) *networkingv1.NetworkPolicy {
	return &networkingv1.NetworkPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: compartmentMeta(name, namespace, WaveRBAC),
	}
}

// CompartmentEgress returns, for a cluster of one residency, the compartment's egress to each
// data store its services talk to: only to the networks the store declares for that residency,
// on its port.
func CompartmentEgress(c *v1alpha1.HueCompartment, cat *platform.Catalog, residency string) []any {
	var out []any
	for _, d := range cat.DataStores {
		reg := d.Region(residency)
		if reg == nil || !talkedToFrom(cat, d.Name, c.Name) {
			continue
		}
		p := compartmentPolicy("egress-"+d.Name, c.Name)
		p.Annotations[StoreResidency] = residency
		p.Spec.PodSelector = metav1.LabelSelector{MatchLabels: map[string]string{TalksPrefix + d.Name: "true"}}
		p.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}
		rule := networkingv1.NetworkPolicyEgressRule{Ports: []networkingv1.NetworkPolicyPort{{Protocol: ptr(corev1.ProtocolTCP), Port: ptr(intstr.FromInt32(d.Spec.Port))}}}
		for _, cidr := range reg.Egress() {
			rule.To = append(rule.To, networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: cidr}})
		}
		p.Spec.Egress = []networkingv1.NetworkPolicyEgressRule{rule}
		out = append(out, p)
	}
	return out
}

func talkedToFrom(cat *platform.Catalog, store, compartment string) bool {
	for _, s := range cat.Services {
		if s.Spec.Compartment != compartment {
			continue
		}
		for _, t := range s.Spec.Talks {
			if t == store {
				return true
			}
		}
	}
	return false
}

// DataStoreObjects returns the in-cluster face of an external data store in one region: an
// ExternalName Service, or a selector-less Service with an EndpointSlice listing its addresses.
func DataStoreObjects(d *v1alpha1.HueDataStore, reg *v1alpha1.DataStoreRegion) []any {
	m := metav1.ObjectMeta{
		Name:        d.Name,
		Namespace:   d.Spec.Compartment,
		Labels:      map[string]string{LabelApp: AppValue, "hue.dev/datastore": d.Spec.Type},
		Annotations: map[string]string{SyncWave: WaveConfig, StoreResidency: reg.Residency},
	}
	svc := &corev1.Service{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"}, ObjectMeta: m}
	if reg.ExternalName != "" {
		svc.Spec = corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: reg.ExternalName,
			Ports: []corev1.ServicePort{{Name: d.Spec.PortName, Port: d.Spec.Port, Protocol: corev1.ProtocolTCP}}}
		return []any{svc}
	}
	svc.Spec = corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP,
		Ports: []corev1.ServicePort{{Name: d.Spec.PortName, Port: d.Spec.Port, TargetPort: intstr.FromInt32(d.Spec.Port), Protocol: corev1.ProtocolTCP}}}
	family := discoveryv1.AddressTypeIPv4
	if netip.MustParseAddr(reg.Addresses[0]).Is6() {
		family = discoveryv1.AddressTypeIPv6
	}
	em := m
	em.Name = d.Name + "-external"
	em.Labels = map[string]string{LabelApp: AppValue, "hue.dev/datastore": d.Spec.Type, discoveryv1.LabelServiceName: d.Name, discoveryv1.LabelManagedBy: "hue-gitops"}
	slice := &discoveryv1.EndpointSlice{
		TypeMeta:    metav1.TypeMeta{APIVersion: "discovery.k8s.io/v1", Kind: "EndpointSlice"},
		ObjectMeta:  em,
		AddressType: family,
		Ports:       []discoveryv1.EndpointPort{{Name: ptr(d.Spec.PortName), Port: ptr(d.Spec.Port), Protocol: ptr(corev1.ProtocolTCP)}},
	}
	for _, a := range reg.Addresses {
		slice.Endpoints = append(slice.Endpoints, discoveryv1.Endpoint{Addresses: []string{a}, Conditions: discoveryv1.EndpointConditions{Ready: ptr(true)}})
	}
	return []any{svc, slice}
}
