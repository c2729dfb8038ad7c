package platform

import (
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/layout"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Inventory is every fleet and cluster of the platform, defaulted from their fleets.
type Inventory struct {
	Fleets   map[string]*v1alpha1.HueFleet
	Clusters []*v1alpha1.HueCluster
	// Files maps "Kind/name" to the spec file (relative to the root).
	Files map[string]string
	// Registry maps each registered destination name to its server (layout.RegistryFile).
	Registry map[string]string
}

// Cluster returns the named cluster or nil.
func (inv *Inventory) Cluster(name string) *v1alpha1.HueCluster { return named(inv.Clusters, name) }

// ClusterFile is the spec file of a cluster: where it was read from, or where layout keeps it.
func (inv *Inventory) ClusterFile(c *v1alpha1.HueCluster) string {
	if f := inv.Files[v1alpha1.KindCluster+"/"+c.Name]; f != "" {
		return f
	}
	return layout.ClusterFile(c.Spec.Fleet, c.Name)
}

// FleetFile is the spec file of a fleet: where it was read from, or where layout keeps it.
func (inv *Inventory) FleetFile(fleet string) string {
	if f := inv.Files[v1alpha1.KindFleet+"/"+fleet]; f != "" {
		return f
	}
	return layout.FleetFile(fleet)
}

// SortedClusters is the clusters ordered by name.
func (inv *Inventory) SortedClusters() []*v1alpha1.HueCluster {
	return slices.SortedStableFunc(slices.Values(inv.Clusters), func(a, b *v1alpha1.HueCluster) int { return strings.Compare(a.Name, b.Name) })
}

// InventoryFiles lists clusters/<fleet>/*.yaml below root (the hand-edited cluster specs; the
// generated Argo CD files live in subfolders) and the cluster registry, when there is one,
// sorted and relative to root.
func InventoryFiles(root string) ([]string, error) {
	if err := refuseYML(root, filepath.Join(layout.Clusters, "*", "*.yml")); err != nil {
		return nil, err
	}
	names, err := globRel(root, filepath.Join(layout.Clusters, "*", "*.yaml"))
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(root, layout.RegistryFile)); err == nil {
		names = append(names, layout.RegistryFile)
		sort.Strings(names)
	}
	return names, nil
}

// LoadInventory reads the cluster specs below root and validates them against the catalog.
func LoadInventory(root string, cat *Catalog) (*Inventory, error) {
	names, err := InventoryFiles(root)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: no clusters/<fleet>/*.yaml cluster specs found", root)
	}
	files, err := ReadFiles(root, names)
	if err != nil {
		return nil, err
	}
	return BuildInventory(files, cat)
}

// BuildInventory decodes, defaults and validates cluster spec files given by name.
func BuildInventory(files map[string][]byte, cat *Catalog) (*Inventory, error) {
	docs, index, errs := decodeUnique(files)
	inv := &Inventory{Fleets: map[string]*v1alpha1.HueFleet{}, Files: index, Registry: map[string]string{}}
	var clusters []*v1alpha1.HueCluster
	clusterDir := map[string]string{}
	for _, d := range docs {
		name, dir := d.File, filepath.Base(filepath.Dir(d.File))
		switch o := d.Object.(type) {
		case *v1alpha1.HueFleet:
			ferrs := o.Validate()
			if o.Name != dir {
				ferrs = append(ferrs, field.Invalid(field.NewPath("metadata", "name"), o.Name, "a fleet lives in clusters/<fleet>/ of its own name"))
			}
			errs = append(errs, v1alpha1.FromFieldErrors(name, d.Kind, d.Name, ferrs)...)
			inv.Fleets[o.Name] = o
		case *v1alpha1.HueCluster:
			clusters = append(clusters, o)
			clusterDir[o.Name] = dir
		case *v1alpha1.HueClusterRegistry:
			if name != layout.RegistryFile {
				errs = append(errs, &v1alpha1.Error{File: name, Kind: d.Kind, Name: d.Name, Field: "kind", Detail: "the cluster registry lives in " + layout.RegistryFile})
				continue
			}
			errs = append(errs, v1alpha1.FromFieldErrors(name, d.Kind, d.Name, inv.addRegistry(o))...)
		default:
			errs = append(errs, &v1alpha1.Error{File: name, Kind: d.Kind, Name: d.Name, Field: "kind", Detail: "not an inventory kind (HueFleet, HueCluster, HueClusterRegistry)"})
		}
	}
	missingFleet, fromFleet := map[string]bool{}, map[string]bool{}
	for _, c := range clusters {
		file := inv.Files[v1alpha1.KindCluster+"/"+c.Name]
		dir := clusterDir[c.Name]
		if c.Spec.Fleet == "" && slices.Contains(v1alpha1.Fleets, dir) {
			c.Spec.Fleet = dir
		}
		fleet := inv.Fleets[c.Spec.Fleet]
		if fleet == nil && slices.Contains(v1alpha1.Fleets, c.Spec.Fleet) && c.Spec.Fleet == dir && !missingFleet[dir] {
			missingFleet[dir] = true
			errs = append(errs, &v1alpha1.Error{File: layout.FleetFile(dir), Kind: v1alpha1.KindFleet, Name: dir,
				Detail: "missing: the folder of a fleet holds its HueFleet (its defaults and rings), as " + layout.FleetFile(dir)})
		}
		inherited := c.ApplyFleet(fleet)
		c.Default()
		ferrs := c.Validate()
		if c.Spec.Fleet != dir && slices.Contains(v1alpha1.Fleets, c.Spec.Fleet) {
			ferrs = append(ferrs, field.Invalid(field.NewPath("spec", "fleet"), c.Spec.Fleet, fmt.Sprintf("the cluster file is in clusters/%s/", dir)))
		}
		ferrs = append(ferrs, inv.validateAgainst(c, cat)...)
		// A problem in a value the fleet's defaults gave is the fleet file's, reported once.
		var own field.ErrorList
		for _, fe := range ferrs {
			if !v1alpha1.InheritedFrom(fe.Field, inherited) {
				own = append(own, fe)
				continue
			}
			e := &v1alpha1.Error{File: inv.Files[v1alpha1.KindFleet+"/"+fleet.Name], Kind: v1alpha1.KindFleet, Name: fleet.Name,
				Field: "spec.defaults." + strings.TrimPrefix(fe.Field, "spec."), Detail: fe.ErrorBody()}
			if key := e.Error(); !fromFleet[key] {
				fromFleet[key] = true
				errs = append(errs, e)
			}
		}
		errs = append(errs, v1alpha1.FromFieldErrors(file, v1alpha1.KindCluster, c.Name, own)...)
		inv.Clusters = append(inv.Clusters, c)
	}
	errs = append(errs, inv.crossValidate()...)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	sort.Slice(inv.Clusters, func(i, j int) bool { return inv.Clusters[i].Name < inv.Clusters[j].Name })
	return inv, nil
}

func (inv *Inventory) validateAgainst(c *v1alpha1.HueCluster, cat *Catalog) field.ErrorList {
	var errs field.ErrorList
	spec := field.NewPath("spec")
	if f := inv.Fleets[c.Spec.Fleet]; f != nil && c.Spec.Ring != "" && !slices.Contains(f.Spec.Rings, c.Spec.Ring) {
		errs = append(errs, field.NotSupported(spec.Child("ring"), c.Spec.Ring, f.Spec.Rings))
	}
	if cat == nil {
		return errs
	}
	for i, t := range c.Spec.Tenants {
		if ns := v1alpha1.TenantNamespace(t); cat.Compartment(ns) != nil {
			errs = append(errs, field.Invalid(spec.Child("tenants").Index(i), t, fmt.Sprintf(
				"its namespace %s is the compartment %s (%s): name the school otherwise", ns, ns, cat.Files[v1alpha1.KindCompartment+"/"+ns])))
		}
	}
	unserved := map[string]bool{} // data stores without a region for the cluster's residency, reported once
	for i, name := range c.Spec.Services {
		sp := spec.Child("services").Index(i)
		svc := cat.Service(name)
		if svc == nil {
			errs = append(errs, field.NotFound(sp, name))
			continue
		}
		if c.Spec.Fleet == v1alpha1.FleetSchool && cat.Sensitive(svc) {
			errs = append(errs, field.Forbidden(sp, fmt.Sprintf("%s lives in the sensitive compartment %q, never deployed to a school cluster", name, svc.Spec.Compartment)))
		}
		if cat.Sensitive(svc) && len(c.Spec.Tenants) > 0 {
			errs = append(errs, field.Forbidden(sp, "a shared tenant cluster never runs sensitive services"))
		}
		for _, t := range svc.Spec.Talks {
			if cat.Service(t) != nil && !slices.Contains(c.Spec.Services, t) {
				errs = append(errs, field.Invalid(sp, name, fmt.Sprintf("%s talks to %s, which the cluster does not run", name, t)))
			}
			// Data stay in their jurisdiction: a cluster reaches only the stores of its own.
			if d := cat.DataStore(t); d != nil && c.Spec.DataResidency != "" && d.Region(c.Spec.DataResidency) == nil && !unserved[t] {
				unserved[t] = true
				errs = append(errs, field.Invalid(spec.Child("dataResidency"), c.Spec.DataResidency, fmt.Sprintf(
					"services[%d] %s talks to the data store %s, which has no region for this residency (%s: spec.regions)", i, name, t, cat.Files[v1alpha1.KindDataStore+"/"+t])))
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(c.Spec.Overrides)) {
		o := c.Spec.Overrides[name]
		svc := cat.Service(name)
		op := spec.Child("overrides").Key(name)
		if svc == nil {
			continue // reported as an override of a service the cluster does not run
		}
		if o.Replicas != nil && svc.Spec.Workload != v1alpha1.Deployment && svc.Spec.Workload != v1alpha1.StatefulSet {
			errs = append(errs, field.Forbidden(op.Child("replicas"), fmt.Sprintf("%s is a %s, it has no replicas", name, svc.Spec.Workload)))
		}
		if a := svc.Spec.Autoscaling; a != nil && o.Replicas != nil && (*o.Replicas < a.MinReplicas || *o.Replicas > a.MaxReplicas) {
			errs = append(errs, field.Invalid(op.Child("replicas"), *o.Replicas, fmt.Sprintf(
				"outside %s's autoscaling %d..%d (%s): the autoscaler would change it at once", name, a.MinReplicas, a.MaxReplicas, cat.Files[v1alpha1.KindService+"/"+name])))
		}
		if o.Paused != nil && svc.Spec.Connector == nil {
			errs = append(errs, field.Forbidden(op.Child("paused"), "only external-service connectors can be paused"))
		}
	}
	for _, svc := range slices.Sorted(maps.Keys(c.Spec.Ingress.NodePorts)) {
		if s := cat.Service(svc); s != nil && s.Spec.Exposed == "" {
			errs = append(errs, field.Invalid(spec.Child("ingress", "nodePorts").Key(svc), svc, "the service exposes no port"))
		}
	}
	if c.Spec.Ingress.Exposure == v1alpha1.ExposureNodePort {
		for i, name := range c.Spec.Services {
			if s := cat.Service(name); s != nil && s.Spec.Exposed != "" {
				if _, ok := c.Spec.Ingress.NodePorts[name]; !ok {
					errs = append(errs, field.Required(spec.Child("ingress", "nodePorts").Key(name),
						fmt.Sprintf("services[%d] %s is exposed and needs an allow-listed node port", i, name)))
				}
			}
		}
	}
	return errs
}

// addRegistry validates the registry and records its names: each once, each an https server
// URL, no server under two names (one cluster registered twice would hide a collision).
func (inv *Inventory) addRegistry(r *v1alpha1.HueClusterRegistry) field.ErrorList {
	var errs field.ErrorList
	p := field.NewPath("spec", "clusters")
	byServer := map[string]string{}
	for i, c := range r.Spec.Clusters {
		cp := p.Index(i)
		for _, msg := range validation.IsDNS1123Subdomain(c.Name) {
			errs = append(errs, field.Invalid(cp.Child("name"), c.Name, msg))
		}
		if _, ok := inv.Registry[c.Name]; ok {
			errs = append(errs, field.Duplicate(cp.Child("name"), c.Name))
			continue
		}
		if u, err := url.Parse(c.Server); err != nil || u.Scheme != "https" || u.Host == "" {
			errs = append(errs, field.Invalid(cp.Child("server"), c.Server, "must be an https URL"))
			continue
		}
		key := v1alpha1.DestinationKey(&v1alpha1.Destination{Server: c.Server})
		if other, ok := byServer[key]; ok {
			errs = append(errs, field.Invalid(cp.Child("server"), c.Server, fmt.Sprintf("already registered as %s: one cluster, two names", other)))
			continue
		}
		byServer[key] = c.Name
		inv.Registry[c.Name] = c.Server
	}
	return errs
}

// DestinationKey is DestinationKey with names resolved through the cluster registry: a name
// registered for a server is that server.
func (inv *Inventory) DestinationKey(d *v1alpha1.Destination) string {
	if d.Server == "" {
		if server, ok := inv.Registry[d.Name]; ok {
			return v1alpha1.DestinationKey(&v1alpha1.Destination{Server: server})
		}
	}
	return v1alpha1.DestinationKey(d)
}

func (inv *Inventory) crossValidate() v1alpha1.Errors {
	var errs v1alpha1.Errors
	dest := map[string]string{}
	for _, c := range inv.Clusters {
		d := c.Spec.Destination
		if d == nil {
			continue
		}
		key := inv.DestinationKey(d)
		if other, ok := dest[key]; ok {
			errs = append(errs, &v1alpha1.Error{File: inv.Files[v1alpha1.KindCluster+"/"+c.Name], Kind: v1alpha1.KindCluster, Name: c.Name,
				Field: "spec.destination", Detail: fmt.Sprintf("destination %s is already cluster %s's (%s)", key, other, inv.Files[v1alpha1.KindCluster+"/"+other])})
		}
		dest[key] = c.Name
	}
	for name, f := range inv.Fleets {
		if name == v1alpha1.FleetSchool && len(f.Spec.Rings) == 0 {
			errs = append(errs, &v1alpha1.Error{File: inv.Files[v1alpha1.KindFleet+"/"+name], Kind: v1alpha1.KindFleet, Name: name, Field: "spec.rings", Detail: "the school fleet rolls out by rings: name them"})
		}
		for i, r := range f.Spec.Rings {
			used := false
			for _, c := range inv.Clusters {
				used = used || (c.Spec.Fleet == name && c.Spec.Ring == r)
			}
			if !used {
				errs = append(errs, &v1alpha1.Error{File: inv.Files[v1alpha1.KindFleet+"/"+name], Kind: v1alpha1.KindFleet, Name: name,
					Field: fmt.Sprintf("spec.rings[%d]", i), Detail: fmt.Sprintf("ring %q has no cluster", r)})
			}
		}
	}
	return errs
}
