// Package cluster expands each HueCluster of the inventory into its kustomize overlay:
// a short kustomization that picks bases and components, plus the few generated patches and
// resources that only that cluster needs (node ports, Ingress hosts, overrides).
package cluster

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"path"
	"runtime"
	"slices"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/resid"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/fileset"
	"github.com/hue-platform/hue-gitops/generators/layout"
	"github.com/hue-platform/hue-gitops/generators/platform"
	"github.com/hue-platform/hue-gitops/generators/service"
)

// CollectProxy is the node agent brought in by the observability component.
const CollectProxy = "collect-proxy"

// Labels every object of a cluster carries.
const (
	LabelCluster       = "hue.dev/cluster"
	LabelFleet         = "hue.dev/fleet"
	LabelRegion        = "hue.dev/region"
	LabelDataResidency = "hue.dev/data-residency"
)

// TenantNamespace is the namespace of one school on a shared district cluster.
func TenantNamespace(tenant string) string { return v1alpha1.TenantNamespace(tenant) }

// Generate writes overlays/<cluster>/ for every cluster of the inventory.
func Generate(cat *platform.Catalog, inv *platform.Inventory) (fileset.Files, error) {
	// Overlays are independent and a fleet has thousands: they are built on every core, then
	// gathered in inventory order, so the first failing cluster is the one reported.
	built := make([]fileset.Files, len(inv.Clusters))
	failed := make([]error, len(inv.Clusters))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, c := range inv.Clusters {
		g.Go(func() error {
			built[i], failed[i] = Overlay(cat, c)
			return nil
		})
	}
	_ = g.Wait()
	files := fileset.Files{}
	for i, c := range inv.Clusters {
		f, err := built[i], failed[i]
		if err != nil {
			return nil, fmt.Errorf("%s: HueCluster/%s: %w", inv.Files[v1alpha1.KindCluster+"/"+c.Name], c.Name, err)
		}
		for _, p := range f.Paths() {
			// Clusters of one shape write its files alike: the same path is the same content.
			if prev, ok := files[p]; ok && strings.HasPrefix(p, layout.Shapes+"/") && bytes.Equal(prev, f[p]) {
				continue
			}
			if err := files.Add(p, f[p]); err != nil {
				return nil, err
			}
		}
	}
	return files, nil
}

type overlay struct {
	cat *platform.Catalog
	c   *v1alpha1.HueCluster
	// files is the cluster's own overlay; shape the files of its shape, relative to the
	// shape's folder (its name is their digest, known once they are all written).
	files, shape fileset.Files
}

// Overlay builds the files of one cluster's overlay and of the shape it lays over (the shape
// may be shared: a cluster with the same shape writes the same files).
func Overlay(cat *platform.Catalog, c *v1alpha1.HueCluster) (fileset.Files, error) {
	o := &overlay{cat: cat, c: c, files: fileset.Files{}, shape: fileset.Files{}}
	return o.files, o.build()
}

func rel(depth int, p string) string { return strings.Repeat("../", depth) + p }

func (o *overlay) build() error {
	c, cat := o.c, o.cat
	var shared, tenantSvcs []*v1alpha1.HueService
	compartments := map[string]bool{}
	collect := false
	for _, name := range c.Spec.Services {
		s := cat.Service(name)
		if s == nil {
			return fmt.Errorf("spec.services: unknown service %q", name)
		}
		if name == CollectProxy {
			collect = true
			compartments[s.Spec.Compartment] = true
			continue
		}
		if len(c.Spec.Tenants) > 0 && s.Spec.Compartment == v1alpha1.DefaultCompartment {
			tenantSvcs = append(tenantSvcs, s)
			continue
		}
		shared = append(shared, s)
		compartments[s.Spec.Compartment] = true
	}
	if len(cat.DataStores) > 0 {
		for _, d := range cat.DataStores {
			compartments[d.Spec.Compartment] = true
		}
	}
	if len(c.Spec.Tenants) > 0 {
		delete(compartments, v1alpha1.DefaultCompartment)
	}

	// The shape: bases, components and every generated resource, with no value of this
	// cluster's own.
	sk := types.Kustomization{TypeMeta: types.TypeMeta{APIVersion: types.KustomizationVersion, Kind: types.KustomizationKind}}
	for _, name := range sortedSet(compartments) {
		sk.Resources = append(sk.Resources, o.compartment(2, name)...)
	}
	if slices.Contains(cat.Residencies(), c.Spec.DataResidency) {
		sk.Resources = append(sk.Resources, rel(2, layout.DataStoreDir(c.Spec.DataResidency)))
	}
	for _, s := range shared {
		sk.Resources = append(sk.Resources, rel(2, layout.ServiceDir(s.Name)))
	}
	for _, t := range c.Spec.Tenants {
		dir := path.Join("tenants", t)
		if err := o.tenant(t, dir, tenantSvcs); err != nil {
			return err
		}
		sk.Resources = append(sk.Resources, dir)
	}
	if len(c.Spec.Tenants) == 0 && c.NodePorts() {
		nps, err := o.nodePortServices(shared)
		if err != nil {
			return err
		}
		if len(nps) > 0 {
			if err := add(o.shape, "nodeport.yaml", nps...); err != nil {
				return err
			}
			sk.Resources = append(sk.Resources, "nodeport.yaml")
		}
	}
	var hosts []any
	if len(c.Spec.Tenants) == 0 {
		// The Ingresses are in the shape, so the components reach them; their hosts are the
		// cluster's own and come with its overlay, as a patch.
		ing := o.ingresses(shared, "")
		for _, i := range ing {
			hosts = append(hosts, hostPatch(i))
			i.Spec.Rules[0].Host, i.Spec.TLS[0].Hosts = "", nil
		}
		if len(ing) > 0 {
			if err := add(o.shape, "ingress.yaml", asAny(ing)...); err != nil {
				return err
			}
			sk.Resources = append(sk.Resources, "ingress.yaml")
		}
	}

	if collect {
		// First, so that the environment and fleet profiles also reach the node agent.
		sk.Components = append(sk.Components, rel(2, layout.Component("observability")))
	}
	sk.Components = append(sk.Components,
		rel(2, layout.Component("env/"+c.Spec.Environment)),
		rel(2, layout.Component("fleet/"+c.Spec.Fleet)))
	for _, pool := range poolComponents(c) {
		sk.Components = append(sk.Components, rel(2, layout.Component("pools/"+pool)))
	}
	if *c.Spec.HighAvailability {
		sk.Components = append(sk.Components, rel(2, layout.Component("ha")))
	}
	if len(c.Spec.Tenants) == 0 {
		sk.Components = append(sk.Components, rel(2, exposureComponent(c)))
	}
	if err := add(o.shape, "kustomization.yaml", sk); err != nil {
		return err
	}

	// The cluster's own overlay: its shape and the values only it has, as kustomize
	// transformers that act on each object alone (what render's loadThin lays over a shape).
	k := types.Kustomization{TypeMeta: types.TypeMeta{APIVersion: types.KustomizationVersion, Kind: types.KustomizationKind}}
	k.Resources = []string{rel(2, layout.ShapeDir(shapeName(c.Spec.Fleet, o.shape)))}
	k.Labels = []types.Label{{Pairs: map[string]string{
		LabelCluster:       c.Name,
		LabelFleet:         c.Spec.Fleet,
		LabelRegion:        c.Spec.Region,
		LabelDataResidency: c.Spec.DataResidency,
	}}}
	if err := o.overrides(&k); err != nil {
		return err
	}
	if collect {
		if err := o.collectProxyPatch(&k); err != nil {
			return err
		}
	}
	if len(hosts) > 0 {
		const file = "patches/ingress-hosts.yaml"
		if err := add(o.files, path.Join(layout.OverlayDir(c.Name), file), hosts...); err != nil {
			return err
		}
		k.Patches = append(k.Patches, types.Patch{Path: file})
	}
	if err := add(o.files, path.Join(layout.OverlayDir(c.Name), "kustomization.yaml"), k); err != nil {
		return err
	}
	dir := layout.ShapeDir(shapeName(c.Spec.Fleet, o.shape))
	for _, p := range o.shape.Paths() {
		if err := o.files.Add(path.Join(dir, p), o.shape[p]); err != nil {
			return err
		}
	}
	return nil
}

// shapeName names a shape by its fleet and the digest of its files, so clusters with the same
// shape share it and a changed shape is a new folder.
func shapeName(fleet string, files fileset.Files) string {
	h := sha256.New()
	for _, p := range files.Paths() {
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(files[p]))
		h.Write(files[p])
	}
	return fleet + "-" + hex.EncodeToString(h.Sum(nil))[:10]
}

// hostPatch is the strategic-merge patch that gives an Ingress its hosts (rules and tls are
// atomic lists, so the patch replaces them whole).
func hostPatch(i *networkingv1.Ingress) map[string]any {
	return map[string]any{
		"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
		"metadata": map[string]any{"name": i.Name, "namespace": i.Namespace},
		"spec":     map[string]any{"rules": slices.Clone(i.Spec.Rules), "tls": []networkingv1.IngressTLS{{Hosts: slices.Clone(i.Spec.TLS[0].Hosts), SecretName: i.Spec.TLS[0].SecretName}}},
	}
}

func asAny[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// tenant writes a school's own kustomization on a shared district cluster: its namespace
// replaces the default compartment for every object below it.
func (o *overlay) tenant(t, dir string, svcs []*v1alpha1.HueService) error {
	k := types.Kustomization{
		TypeMeta:  types.TypeMeta{APIVersion: types.KustomizationVersion, Kind: types.KustomizationKind},
		Namespace: TenantNamespace(t),
		Resources: o.compartment(4, v1alpha1.DefaultCompartment),
	}
	for _, s := range svcs {
		k.Resources = append(k.Resources, rel(4, layout.ServiceDir(s.Name)))
	}
	if ing := o.ingresses(svcs, t); len(ing) > 0 {
		if err := add(o.shape, path.Join(dir, "ingress.yaml"), asAny(ing)...); err != nil {
			return err
		}
		k.Resources = append(k.Resources, "ingress.yaml")
	}
	k.Components = []string{rel(4, exposureComponent(o.c))}
	k.Labels = []types.Label{{Pairs: map[string]string{"hue.dev/tenant": t}}}
	return add(o.shape, path.Join(dir, "kustomization.yaml"), k)
}

// compartment lists a compartment's base and its egress to the data stores of the cluster's
// residency, depth folders below the root.
func (o *overlay) compartment(depth int, name string) []string {
	out := []string{rel(depth, path.Join(layout.CompartmentsDir, name))}
	if comp := o.cat.Compartment(name); comp != nil && len(service.CompartmentEgress(comp, o.cat, o.c.Spec.DataResidency)) > 0 {
		out = append(out, rel(depth, service.EgressDir(name, o.c.Spec.DataResidency)))
	}
	return out
}

func exposureComponent(c *v1alpha1.HueCluster) string {
	if c.NodePorts() {
		return layout.Component("exposure/nodeport")
	}
	return layout.Component("exposure/ingress-tls")
}

// poolComponents picks the placement components whose taints some pool of the cluster has.
func poolComponents(c *v1alpha1.HueCluster) []string {
	set := map[string]bool{}
	for _, p := range c.Spec.NodePools {
		for _, t := range p.Taints {
			switch {
			case t.Key == v1alpha1.TaintDedicated && (t.Value == "batch" || t.Value == "restricted"):
				set[t.Value] = true
			case t.Key == v1alpha1.TaintSpot:
				set["spot"] = true
			}
		}
	}
	return sortedSet(set)
}

func imageName(ref string) string {
	if i := strings.Index(ref, "@"); i >= 0 {
		ref = ref[:i]
	}
	slash := strings.LastIndex(ref, "/")
	if i := strings.LastIndex(ref, ":"); i > slash {
		ref = ref[:i]
	}
	return ref
}

func (o *overlay) overrides(k *types.Kustomization) error {
	c := o.c
	images := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(c.Spec.Overrides)) {
		ov := c.Spec.Overrides[name]
		s := o.cat.Service(name)
		if s == nil {
			return fmt.Errorf("spec.overrides[%s]: unknown service", name)
		}
		if ov.Tag != "" {
			img := imageName(s.Spec.Image)
			if prev, ok := images[img]; ok && prev != ov.Tag {
				return fmt.Errorf("spec.overrides[%s].tag: image %s is shared and already set to %s", name, img, prev)
			}
			images[img] = ov.Tag
		}
		count := int64(-1)
		if ov.Replicas != nil {
			count = int64(*ov.Replicas)
		}
		if ov.Paused != nil {
			switch s.Spec.Workload {
			case v1alpha1.Deployment, v1alpha1.StatefulSet:
				if *ov.Paused {
					count = 0
				} else if count < 0 {
					count = int64(*s.Spec.Replicas)
				}
			case v1alpha1.CronJob:
				// A JSON 6902 patch flips the suspend switch of this cluster's copy only.
				k.Patches = append(k.Patches, types.Patch{
					Target: &types.Selector{ResId: resid.ResId{Gvk: resid.Gvk{Group: "batch", Version: "v1", Kind: "CronJob"}, Name: s.Name}},
					Patch:  fmt.Sprintf("- op: replace\n  path: /spec/suspend\n  value: %t\n", *ov.Paused),
				})
			}
		}
		if count >= 0 && s.Spec.Workload != v1alpha1.Deployment && s.Spec.Workload != v1alpha1.StatefulSet {
			k.Replicas = append(k.Replicas, types.Replica{Name: s.Name, Count: count}) // a no-op kustomize keeps
		} else if count >= 0 {
			// A patch rather than kustomize's replicas field: patches act on each object
			// alone, which keeps the overlay thin (render's loadThin).
			k.Patches = append(k.Patches, types.Patch{
				Target: &types.Selector{ResId: resid.ResId{Gvk: resid.Gvk{Group: "apps", Version: "v1", Kind: string(s.Spec.Workload)}, Name: s.Name}},
				Patch:  fmt.Sprintf("- op: add\n  path: /spec/replicas\n  value: %d\n", count),
			})
		}
	}
	for _, img := range slices.Sorted(maps.Keys(images)) {
		k.Images = append(k.Images, types.Image{Name: img, NewTag: images[img]})
	}
	return nil
}

// collectProxyPatch tells the node agent which cluster and region it reports for
// (a strategic-merge patch: containers and env merge by name).
func (o *overlay) collectProxyPatch(k *types.Kustomization) error {
	s := o.cat.Service(CollectProxy)
	patch := map[string]any{
		"apiVersion": "apps/v1", "kind": "DaemonSet",
		"metadata": map[string]any{"name": s.Name, "namespace": s.Spec.Compartment},
		"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"containers": []any{
			map[string]any{"name": s.Name, "env": []any{
				map[string]any{"name": "HUE_CLUSTER", "value": o.c.Name},
				map[string]any{"name": "HUE_REGION", "value": o.c.Spec.Region},
			}},
		}}}},
	}
	const file = "patches/collect-proxy.yaml"
	if err := add(o.files, path.Join(layout.OverlayDir(o.c.Name), file), patch); err != nil {
		return err
	}
	k.Patches = append(k.Patches, types.Patch{Path: file})
	return nil
}

// nodePortServices exposes each exposed service through a Service of its own, type NodePort,
// carrying only the exposed port on its allow-listed node port (a NodePort Service opens every
// port it lists, so the internal Service is left alone).
func (o *overlay) nodePortServices(svcs []*v1alpha1.HueService) ([]any, error) {
	var out []any
	for _, s := range svcs {
		if s.Spec.Exposed == "" {
			continue
		}
		np, ok := o.c.Spec.Ingress.NodePorts[s.Name]
		if !ok {
			return nil, fmt.Errorf("spec.ingress.nodePorts[%s]: exposed service without an allow-listed node port", s.Name)
		}
		var port v1alpha1.Port
		for _, p := range s.Spec.Ports {
			if p.Name == s.Spec.Exposed {
				port = p
			}
		}
		out = append(out, &corev1.Service{
			TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
			ObjectMeta: metav1.ObjectMeta{
				Name:        s.Name + "-nodeport",
				Namespace:   s.Spec.Compartment,
				Labels:      map[string]string{service.LabelApp: service.AppValue, service.LabelService: s.Name},
				Annotations: map[string]string{service.SyncWave: service.WaveConfig},
			},
			Spec: corev1.ServiceSpec{
				Type:                  corev1.ServiceTypeNodePort,
				ExternalTrafficPolicy: corev1.ServiceExternalTrafficPolicyLocal,
				Selector:              map[string]string{service.LabelApp: service.AppValue, service.LabelService: s.Name},
				Ports: []corev1.ServicePort{{Name: port.Name, Port: port.Port, TargetPort: intstr.FromString(port.Name),
					Protocol: port.Protocol, NodePort: np}},
			},
		})
	}
	return out, nil
}

// AnnotationBackendProtocol tells ingress-nginx which protocol the backend port speaks.
const AnnotationBackendProtocol = "nginx.ingress.kubernetes.io/backend-protocol"

// backendProtocol is the protocol of an exposed port, by its name (IANA service names).
func backendProtocol(port string) string {
	switch {
	case port == "https" || strings.HasPrefix(port, "https-"):
		return "HTTPS"
	case port == "grpc" || strings.HasPrefix(port, "grpc-"):
		return "GRPC"
	case port == "grpcs" || strings.HasPrefix(port, "grpcs-"):
		return "GRPCS"
	default:
		return "HTTP"
	}
}

// ingresses returns one TLS Ingress per exposed service (hosts below the tenant, if any).
func (o *overlay) ingresses(svcs []*v1alpha1.HueService, tenant string) []*networkingv1.Ingress {
	in := o.c.Spec.Ingress
	if o.c.NodePorts() {
		return nil
	}
	var out []*networkingv1.Ingress
	for _, s := range svcs {
		if s.Spec.Exposed == "" {
			continue
		}
		host := s.Name + "." + in.Domain
		if tenant != "" {
			host = s.Name + "." + tenant + "." + in.Domain
		}
		pathType := networkingv1.PathTypePrefix
		// One certificate Secret per Ingress (one host each): cert-manager keeps one Certificate
		// per Secret, so Ingresses sharing one with different hosts would leave a host without
		// its certificate.
		secret := in.TLSSecret + "-" + s.Name
		out = append(out, &networkingv1.Ingress{
			TypeMeta: metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "Ingress"},
			ObjectMeta: metav1.ObjectMeta{
				Name:      s.Name,
				Namespace: s.Spec.Compartment,
				Labels:    map[string]string{service.LabelApp: service.AppValue, service.LabelService: s.Name},
				Annotations: map[string]string{
					service.SyncWave:                 service.WavePost,
					"cert-manager.io/cluster-issuer": "hue-issuer",
					"hue.dev/external-secrets":       secret,
					// The protocol the controller speaks to the pod: what the exposed port is named.
					AnnotationBackendProtocol:                  backendProtocol(s.Spec.Exposed),
					"nginx.ingress.kubernetes.io/ssl-redirect": "true",
				},
			},
			Spec: networkingv1.IngressSpec{
				IngressClassName: &in.ClassName,
				TLS:              []networkingv1.IngressTLS{{Hosts: []string{host}, SecretName: secret}},
				Rules: []networkingv1.IngressRule{{Host: host, IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
					Paths: []networkingv1.HTTPIngressPath{{Path: "/", PathType: &pathType, Backend: networkingv1.IngressBackend{
						Service: &networkingv1.IngressServiceBackend{Name: s.Name, Port: networkingv1.ServiceBackendPort{Name: s.Spec.Exposed}},
					}}},
				}}}},
			},
		})
	}
	return out
}

func add(files fileset.Files, rel string, objs ...any) error {
	b, err := fileset.Marshal(objs...)
	if err != nil {
		return err
	}
	return files.Add(rel, b)
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
