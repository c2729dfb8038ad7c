package argocd

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"

	argo "github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/layout"
	"github.com/hue-platform/hue-gitops/generators/manifest"
	"github.com/hue-platform/hue-gitops/generators/platform"
)

// Generate returns the Argo CD files of the inventory, by path relative to the repository
// root. rendered maps each cluster name to the objects its overlay renders; the AppProjects
// allow exactly the kinds and namespaces found there. Every problem of the inputs is reported
// together, located by file and field.
func Generate(inv *platform.Inventory, rendered map[string][]manifest.Object, opts Options) (map[string][]byte, error) {
	opts = opts.withDefaults()
	fleets, errs := plan(inv, rendered)
	if err := errs.Err(); err != nil {
		return nil, err
	}

	g := &generator{opts: opts, out: map[string][]byte{}, names: map[string]string{}}
	bootstrap := bootstrapProject(fleets, opts)
	cm, err := argoConfig(rendered)
	if err != nil {
		return nil, err
	}
	for _, fp := range fleets {
		boot := layout.BootstrapDir(fp.name)
		// Shared by every fleet, identically, so each bootstrap folder applies on its own.
		g.emit(boot+"/"+ArgoConfigMap+".yaml", cm, false)
		g.emit(boot+"/appproject-"+BootstrapProject+".yaml", bootstrap, false)
		g.emit(boot+"/appproject-"+ProjectName(fp.name)+".yaml", fleetProject(fp, opts), true)
		if fp.name == v1alpha1.FleetSchool {
			ignore := fleetIgnoreDifferences(fp, rendered)
			for i, ring := range fp.fleet.Spec.Rings {
				// A ring without a school has nothing to deploy (an empty list generator).
				if set := g.ringAppSet(fp, ring, i, ignore); len(set.Spec.Generators[0].List.Elements) > 0 {
					g.emit(RingAppSetPath(fp.name, ring), set, true)
				}
			}
			g.emit(boot+"/root-"+fp.name+".yaml", g.rootApp("root-"+fp.name, fp.name, layout.AppsDir(fp.name)), true)
			continue
		}
		for _, cp := range fp.clusters {
			root := RootPath(cp.cluster)
			g.emit(root+"/"+AppName(cp.cluster.Name)+".yaml", g.clusterApp(cp, HPAIgnoreDifferences(rendered[cp.cluster.Name])), true)
			g.emit(boot+"/root-"+cp.cluster.Name+".yaml", g.rootApp("root-"+cp.cluster.Name, fp.name, root), true)
		}
	}
	if err := g.errs.Err(); err != nil {
		return nil, err
	}
	return g.out, nil
}

// clusterPlan is one cluster with what its overlay renders.
type clusterPlan struct {
	cluster *v1alpha1.HueCluster
	// namespaces the overlay renders into, sorted.
	namespaces []string
	// appNamespace is the destination namespace of the cluster's Application.
	appNamespace string
}

// fleetPlan is one fleet with its clusters (by name) and the union of their rendered kinds.
type fleetPlan struct {
	name        string
	fleet       *v1alpha1.HueFleet
	clusters    []*clusterPlan
	clusterGKs  map[metav1.GroupKind]bool
	namespaceGK map[metav1.GroupKind]bool
}

// plan collects, per fleet, the rendered namespaces and kinds, and refuses rendered objects the
// Argo CD layer cannot deploy. The inventory is a validated one (platform.BuildInventory: known
// fleets and rings, one destination per cluster), which plan does not check again. Fleets come in
// v1alpha1.Fleets order.
func plan(inv *platform.Inventory, rendered map[string][]manifest.Object) ([]*fleetPlan, v1alpha1.Errors) {
	var errs v1alpha1.Errors
	byFleet := map[string]*fleetPlan{}
	tenantOf := SchoolTenants(inv)

	for _, c := range inv.SortedClusters() {
		file := inv.ClusterFile(c)
		fail := func(fieldPath, format string, args ...any) {
			errs = append(errs, &v1alpha1.Error{File: file, Kind: v1alpha1.KindCluster, Name: c.Name, Field: fieldPath, Detail: fmt.Sprintf(format, args...)})
		}
		s := c.Spec
		fp := byFleet[s.Fleet]
		if fp == nil {
			fp = &fleetPlan{name: s.Fleet, fleet: inv.Fleets[s.Fleet], clusterGKs: map[metav1.GroupKind]bool{}, namespaceGK: map[metav1.GroupKind]bool{}}
			byFleet[s.Fleet] = fp
		}

		objs, ok := rendered[c.Name]
		if !ok || len(objs) == 0 {
			fail("", "%s renders no objects: nothing for Argo CD to deploy", layout.OverlayDir(c.Name))
			continue
		}
		cp := &clusterPlan{cluster: c}
		nsSet := map[string]bool{}
		for _, o := range objs {
			gvk := o.GroupVersionKind()
			gk := metav1.GroupKind{Group: gvk.Group, Kind: gvk.Kind}
			objErr := func(fieldPath, format string, args ...any) {
				errs = append(errs, &v1alpha1.Error{File: objectSource(o, c.Name), Kind: gvk.Kind, Name: o.GetName(), Field: fieldPath, Detail: fmt.Sprintf(format, args...)})
			}
			if gk.Kind == "" {
				objErr("kind", "rendered object of cluster %s has no kind", c.Name)
				continue
			}
			ns, nsField := o.GetNamespace(), "metadata.namespace"
			if ns == "" {
				fp.clusterGKs[gk] = true
				if gk == namespaceGK {
					ns, nsField = o.GetName(), "metadata.name"
				}
			} else {
				fp.namespaceGK[gk] = true
			}
			if ns == "" {
				continue
			}
			if s.Fleet == v1alpha1.FleetSchool {
				if ns == RestrictedNamespace {
					objErr(nsField, "school cluster %s renders into namespace %q, which the school fleet must never reach", c.Name, ns)
					continue
				}
				if owner, ok := tenantOf[ns]; ok && owner != c.Name {
					objErr(nsField, "school cluster %s renders into %s, the namespace of a school hosted on cluster %s", c.Name, ns, owner)
					continue
				}
			}
			nsSet[ns] = true
		}
		cp.namespaces = slices.Sorted(maps.Keys(nsSet))
		if len(cp.namespaces) == 0 {
			fail("", "%s renders no namespace: the project would have no destination", layout.OverlayDir(c.Name))
			continue
		}
		cp.appNamespace = cp.namespaces[0]
		if nsSet["hue"] {
			cp.appNamespace = "hue"
		}
		fp.clusters = append(fp.clusters, cp)
	}

	for _, name := range slices.Sorted(maps.Keys(rendered)) {
		if inv.Cluster(name) == nil {
			errs = append(errs, &v1alpha1.Error{File: layout.OverlayDir(name), Detail: fmt.Sprintf("rendered objects of %s, which is not a cluster of the inventory", name)})
		}
	}

	var out []*fleetPlan
	for _, name := range v1alpha1.Fleets {
		fp := byFleet[name]
		if fp == nil {
			continue
		}
		if len(fp.namespaceGK) == 0 && len(fp.clusters) > 0 {
			// Argo CD reads an empty namespaceResourceWhitelist as "everything".
			errs = append(errs, &v1alpha1.Error{File: inv.FleetFile(name), Kind: v1alpha1.KindFleet, Name: name, Field: "",
				Detail: "the fleet renders no namespaced object, and an empty namespaceResourceWhitelist would allow every kind"})
		}
		out = append(out, fp)
	}
	return out, errs
}

var namespaceGK = metav1.GroupKind{Kind: "Namespace"}

// generator collects the files and refuses two objects of one kind and name.
type generator struct {
	opts  Options
	out   map[string][]byte
	names map[string]string
	errs  v1alpha1.Errors
}

// emit marshals obj into path; unique says the object must be defined by this file only (the
// bootstrap project is repeated, identically, in every fleet so each bootstrap folder applies
// on its own).
func (g *generator) emit(path string, obj any, unique bool) {
	data, err := Marshal(obj)
	if err != nil {
		g.errs = append(g.errs, &v1alpha1.Error{File: path, Detail: err.Error()})
		return
	}
	if unique {
		var h manifest.Header
		if err := json.Unmarshal(mustJSON(obj), &h); err == nil {
			key := h.Kind + "/" + h.Metadata.Name
			if prev, ok := g.names[key]; ok {
				g.errs = append(g.errs, &v1alpha1.Error{File: path, Kind: h.Kind, Name: h.Metadata.Name, Field: "metadata.name",
					Detail: fmt.Sprintf("%s %s is also generated into %s: rename a cluster", h.Kind, h.Metadata.Name, prev)})
			}
			g.names[key] = path
		}
	}
	if _, ok := g.out[path]; ok {
		g.errs = append(g.errs, &v1alpha1.Error{File: path, Detail: "generated twice"})
	}
	g.out[path] = append([]byte(Header), data...)
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// syncPolicy is shared by every Application and the ApplicationSet template.
func syncPolicy() *argo.SyncPolicy {
	return &argo.SyncPolicy{
		Automated: &argo.SyncPolicyAutomated{Prune: ptr(true), SelfHeal: ptr(true)},
		SyncOptions: argo.SyncOptions{
			// The overlays render their Namespaces (with Pod Security labels); Argo CD must not
			// create a bare one first.
			"CreateNamespace=false",
			// Deletions run after every other resource is applied and healthy.
			"PruneLast=true",
			// Server-side apply: no last-applied annotation (CRDs and large ConfigMaps exceed its
			// 256 KiB limit) and real field ownership, so fields owned by other managers (webhook
			// defaults) are merged instead of overwritten on every sync.
			"ServerSideApply=true",
			// A sync keeps the live value of every ignored difference (the replicas an HPA set)
			// instead of applying git's.
			"RespectIgnoreDifferences=true",
			// A sync applies what differs only: a Job marked Replace=true is not re-run by the
			// self-heal of some other object.
			"ApplyOutOfSyncOnly=true",
		},
		Retry: &argo.RetryStrategy{
			Limit:   5,
			Backoff: &argo.Backoff{Duration: "10s", Factor: ptr(int64(2)), MaxDuration: "3m"},
		},
	}
}

func typeMeta(kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: argo.SchemeGroupVersion.String(), Kind: kind}
}

// generatePaths limits manifest re-generation to commits touching what the overlay builds on.
func generatePaths(overlay string) string {
	// Everything an overlay builds on: its own folder, the shapes, the bases and components.
	return "/" + overlay + ";/shapes;/base;/components"
}

// HPAIgnoreDifferences leaves the replicas of every workload an HPA scales to the HPA: neither a
// diff nor a self-heal resets them to git's value. Entries name the workload, in any namespace.
func HPAIgnoreDifferences(objs []manifest.Object) argo.IgnoreDifferences {
	seen := map[string]bool{}
	var out argo.IgnoreDifferences
	for _, o := range objs {
		gvk := o.GroupVersionKind()
		if gvk.Group != "autoscaling" || gvk.Kind != "HorizontalPodAutoscaler" {
			continue
		}
		ref, _, _ := unstructured.NestedStringMap(o.Object, "spec", "scaleTargetRef")
		if ref["kind"] == "" || ref["name"] == "" {
			continue
		}
		gv, err := schema.ParseGroupVersion(ref["apiVersion"])
		if err != nil {
			continue
		}
		key := gv.Group + "/" + ref["kind"] + "/" + ref["name"]
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, argo.ResourceIgnoreDifferences{Group: gv.Group, Kind: ref["kind"], Name: ref["name"], JSONPointers: []string{"/spec/replicas"}})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		return a.Group+"/"+a.Kind+"/"+a.Name < b.Group+"/"+b.Kind+"/"+b.Name
	})
	return out
}

// fleetIgnoreDifferences is the union of the HPA entries of a fleet's clusters, for a template
// shared by all of them (an entry naming a workload a cluster lacks matches nothing there).
func fleetIgnoreDifferences(fp *fleetPlan, rendered map[string][]manifest.Object) argo.IgnoreDifferences {
	var all []manifest.Object
	for _, cp := range fp.clusters {
		all = append(all, rendered[cp.cluster.Name]...)
	}
	return HPAIgnoreDifferences(all)
}

func (g *generator) clusterApp(cp *clusterPlan, ignore argo.IgnoreDifferences) *argo.Application {
	c := cp.cluster
	return &argo.Application{
		TypeMeta: typeMeta("Application"),
		ObjectMeta: metav1.ObjectMeta{
			Name:        AppName(c.Name),
			Namespace:   ArgoNamespace,
			Labels:      map[string]string{"hue.dev/fleet": c.Spec.Fleet, "hue.dev/cluster": c.Name, LabelEnvironment: c.Spec.Environment},
			Annotations: map[string]string{annotationGeneratePaths: generatePaths(layout.OverlayDir(c.Name))},
			Finalizers:  []string{ResourcesFinalizer},
		},
		Spec: argo.ApplicationSpec{
			Project:           ProjectName(c.Spec.Fleet),
			Source:            &argo.ApplicationSource{RepoURL: g.opts.RepoURL, Path: layout.OverlayDir(c.Name), TargetRevision: g.opts.Revision},
			Destination:       argo.ApplicationDestination{Server: c.Spec.Destination.Server, Name: c.Spec.Destination.Name, Namespace: cp.appNamespace},
			SyncPolicy:        syncPolicy(),
			IgnoreDifferences: ignore,
		},
	}
}

// rootApp is an app-of-apps living in the management Argo CD.
func (g *generator) rootApp(name, fleet, path string) *argo.Application {
	return &argo.Application{
		TypeMeta: typeMeta("Application"),
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Namespace:   ArgoNamespace,
			Labels:      map[string]string{"hue.dev/fleet": fleet, "hue.dev/role": "root"},
			Annotations: map[string]string{annotationGeneratePaths: "."},
			Finalizers:  []string{ResourcesFinalizer},
		},
		Spec: argo.ApplicationSpec{
			Project:     BootstrapProject,
			Source:      &argo.ApplicationSource{RepoURL: g.opts.RepoURL, Path: path, TargetRevision: g.opts.Revision},
			Destination: argo.ApplicationDestination{Server: InClusterServer, Namespace: ArgoNamespace},
			SyncPolicy:  syncPolicy(),
		},
	}
}

// Keys of a school List generator element.
const (
	ElementName         = "name"
	elemServer          = "server"
	elemDestinationName = "destinationName"
	elemNamespace       = "namespace"
	elemRegion          = "region"
	elemEnvironment     = "environment"
)

// ringAppSet deploys one ring of the school fleet. Every ring is an ApplicationSet of its own,
// with no rollout strategy: a RollingSync strategy turns automated sync off on the Applications
// it manages, and a school must heal itself. Rings are ordered by revision instead: the first
// ring follows Options.Revision, every later ring its branch (RingBranch), which the promotion
// step (hue promote) moves to the commit the previous ring is Synced and Healthy at.
func (g *generator) ringAppSet(fp *fleetPlan, ring string, pos int, ignore argo.IgnoreDifferences) *argo.ApplicationSet {
	elements := []apiextensionsv1.JSON{}
	for _, cp := range fp.clusters {
		c := cp.cluster
		if c.Spec.Ring != ring {
			continue
		}
		raw, err := json.Marshal(map[string]string{
			ElementName:         c.Name,
			elemServer:          c.Spec.Destination.Server,
			elemDestinationName: c.Spec.Destination.Name,
			elemNamespace:       cp.appNamespace,
			elemRegion:          c.Spec.Region,
			elemEnvironment:     c.Spec.Environment,
		})
		if err != nil {
			g.errs = append(g.errs, &v1alpha1.Error{File: layout.AppsDir(fp.name), Name: c.Name, Detail: err.Error()})
			continue
		}
		elements = append(elements, apiextensionsv1.JSON{Raw: raw})
	}
	revision := g.opts.Revision
	if pos > 0 {
		revision = RingBranch(fp.name, ring)
	}

	overlay := layout.OverlayDir("{{.name}}")
	return &argo.ApplicationSet{
		TypeMeta: typeMeta("ApplicationSet"),
		ObjectMeta: metav1.ObjectMeta{
			Name:      RingAppSet(ring),
			Namespace: ArgoNamespace,
			Labels:    map[string]string{"hue.dev/fleet": fp.name, LabelRing: ring},
		},
		Spec: argo.ApplicationSetSpec{
			GoTemplate:        true,
			GoTemplateOptions: []string{"missingkey=error"},
			Generators:        []argo.ApplicationSetGenerator{{List: &argo.ListGenerator{Elements: elements}}},
			Template: argo.ApplicationSetTemplate{
				ApplicationSetTemplateMeta: argo.ApplicationSetTemplateMeta{
					Name:        AppName("{{.name}}"),
					Namespace:   ArgoNamespace,
					Labels:      map[string]string{"hue.dev/fleet": fp.name, "hue.dev/cluster": "{{.name}}", LabelRing: ring, "hue.dev/region": "{{.region}}", LabelEnvironment: "{{.environment}}"},
					Annotations: map[string]string{annotationGeneratePaths: generatePaths(overlay)},
					Finalizers:  []string{ResourcesFinalizer},
				},
				Spec: argo.ApplicationSpec{
					Project: ProjectName(fp.name),
					Source:  &argo.ApplicationSource{RepoURL: g.opts.RepoURL, Path: overlay, TargetRevision: revision},
					// One of server and destinationName is empty in every element.
					Destination:       argo.ApplicationDestination{Server: "{{.server}}", Name: "{{.destinationName}}", Namespace: "{{.namespace}}"},
					SyncPolicy:        syncPolicy(),
					IgnoreDifferences: ignore,
				},
			},
			SyncPolicy: &argo.ApplicationSetSyncPolicy{
				// A generator hiccup (an empty list) must never delete the schools' Applications.
				PreserveResourcesOnDeletion: true,
				ApplicationsSync:            ptr(argo.ApplicationsSyncPolicyCreateUpdate),
			},
		},
	}
}

// fleetProject allows exactly the repository, the (cluster destination, rendered namespace)
// pairs and the rendered kinds of one fleet.
func fleetProject(fp *fleetPlan, opts Options) *argo.AppProject {
	var dests []argo.ApplicationDestination
	for _, cp := range fp.clusters {
		d := cp.cluster.Spec.Destination
		for _, ns := range cp.namespaces {
			dests = append(dests, argo.ApplicationDestination{Server: d.Server, Name: d.Name, Namespace: ns})
		}
	}
	var clusterKinds []argo.ClusterResourceRestrictionItem
	for _, gk := range sortedGKs(fp.clusterGKs) {
		clusterKinds = append(clusterKinds, argo.ClusterResourceRestrictionItem{Group: gk.Group, Kind: gk.Kind})
	}
	return &argo.AppProject{
		TypeMeta: typeMeta("AppProject"),
		ObjectMeta: metav1.ObjectMeta{
			Name:      ProjectName(fp.name),
			Namespace: ArgoNamespace,
			Labels:    map[string]string{"hue.dev/fleet": fp.name},
		},
		Spec: argo.AppProjectSpec{
			Description:                fmt.Sprintf("Hue %s fleet: exactly the namespaces and kinds its overlays render", fp.name),
			SourceRepos:                []string{opts.RepoURL},
			Destinations:               dests,
			ClusterResourceWhitelist:   clusterKinds,
			NamespaceResourceWhitelist: sortedGKs(fp.namespaceGK),
			// No sourceNamespaces: the project's Applications live in the argocd namespace only.
			SourceNamespaces:  nil,
			OrphanedResources: &argo.OrphanedResourcesMonitorSettings{Warn: ptr(true)},
		},
	}
}

// bootstrapProject lets the roots deploy Applications (and the school ApplicationSet) into the
// management Argo CD, and nothing else: no cluster-scoped kind, no other namespace.
func bootstrapProject(fleets []*fleetPlan, opts Options) *argo.AppProject {
	kinds := []metav1.GroupKind{{Group: argoGroup, Kind: "Application"}}
	for _, fp := range fleets {
		if fp.name == v1alpha1.FleetSchool {
			kinds = append(kinds, metav1.GroupKind{Group: argoGroup, Kind: "ApplicationSet"})
		}
	}
	return &argo.AppProject{
		TypeMeta:   typeMeta("AppProject"),
		ObjectMeta: metav1.ObjectMeta{Name: BootstrapProject, Namespace: ArgoNamespace},
		Spec: argo.AppProjectSpec{
			Description:                "Hue root app-of-apps: Applications in the management Argo CD only",
			SourceRepos:                []string{opts.RepoURL},
			Destinations:               []argo.ApplicationDestination{{Server: InClusterServer, Namespace: ArgoNamespace}},
			NamespaceResourceWhitelist: kinds,
			// No orphaned-resource monitoring: the argocd namespace is shared by every root, the
			// projects applied by hand and Argo CD's own objects, none of them orphans.
		},
	}
}

// SchoolTenants maps each tenant namespace hue-<school> to the school cluster hosting it.
func SchoolTenants(inv *platform.Inventory) map[string]string {
	out := map[string]string{}
	for _, c := range inv.Clusters {
		if c.Spec.Fleet != v1alpha1.FleetSchool {
			continue
		}
		for _, t := range c.Spec.Tenants {
			out["hue-"+t] = c.Name
		}
	}
	return out
}

func objectSource(o manifest.Object, cluster string) string {
	if o.Source != "" {
		return o.Source
	}
	return layout.OverlayDir(cluster)
}

func sortedGKs(set map[metav1.GroupKind]bool) []metav1.GroupKind {
	out := make([]metav1.GroupKind, 0, len(set))
	for gk := range set {
		out = append(out, gk)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Group != out[j].Group {
			return out[i].Group < out[j].Group
		}
		return out[i].Kind < out[j].Kind
	})
	return out
}

func ptr[T any](v T) *T { return &v }
