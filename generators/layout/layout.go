// Package layout is where everything lives in the repository: each path is spelled here once,
// as a slash path relative to the repository root, and every reader and writer asks for it.
package layout

import (
	"path"
	"strings"
)

// The top-level folders and files.
const (
	// Base holds one folder per Hue service (its hand-edited spec and generated base) and the
	// catalog-wide bases (CompartmentsDir, DataStoresDir).
	Base = "base"
	// Components holds the hand-written kustomize components overlays pick from.
	Components = "components"
	// Shapes holds the kustomizations clusters share (see ShapeDir).
	Shapes = "shapes"
	// Overlays holds one generated overlay per cluster.
	Overlays = "overlays"
	// Clusters holds clusters/<fleet>/ with the hand-edited fleet and cluster specs and the
	// generated Argo CD objects below clusters/<fleet>/argocd/.
	Clusters = "clusters"
	// RegistryFile names the destination clusters Argo CD knows (HueClusterRegistry).
	RegistryFile = Clusters + "/registry.yaml"
	// Policies holds the Rego policy gate.
	Policies = "policies"
	// WaiversFile is the one reviewed file of waivers.
	WaiversFile = Policies + "/waivers.yaml"
	// GuardFile holds the blast-radius limits of a pull request.
	GuardFile = Policies + "/guard.yaml"
	// SpecFile is the name of the hand-edited spec file in each service's base folder.
	SpecFile = "hue.yaml"
	// CompartmentsFolder and DataStoresFolder are the catalog-wide folders below Base.
	CompartmentsFolder = "compartments"
	DataStoresFolder   = "datastores"
	// CompartmentsDir and DataStoresDir are those folders from the root.
	CompartmentsDir = Base + "/" + CompartmentsFolder
	DataStoresDir   = Base + "/" + DataStoresFolder
)

// CatalogFolders are the folders below Base that are not a service's.
var CatalogFolders = []string{CompartmentsFolder, DataStoresFolder}

// GeneratedDirs are the folders the generators write into.
var GeneratedDirs = []string{Base, Shapes, Overlays, Clusters}

// ServiceDir is the base folder of a service.
func ServiceDir(service string) string { return Base + "/" + service }

// ServiceSpec is a service's hand-edited spec file.
func ServiceSpec(service string) string { return ServiceDir(service) + "/" + SpecFile }

// DataStoreDir is the base of the data stores served in one residency.
func DataStoreDir(residency string) string { return DataStoresDir + "/" + residency }

// Component is a component folder, as "observability" or "env/production".
func Component(name string) string { return Components + "/" + name }

// ShapeDir is the folder of a shape.
func ShapeDir(name string) string { return Shapes + "/" + name }

// OverlayDir is the overlay folder of a cluster: what Argo CD builds for it.
func OverlayDir(cluster string) string { return Overlays + "/" + cluster }

// FleetSpecDir is the folder of a fleet's hand-edited specs.
func FleetSpecDir(fleet string) string { return Clusters + "/" + fleet }

// FleetFile is where a fleet's HueFleet lives.
func FleetFile(fleet string) string { return FleetSpecDir(fleet) + "/fleet.yaml" }

// ClusterFile is where a cluster's HueCluster lives when the inventory does not say otherwise.
func ClusterFile(fleet, cluster string) string { return FleetSpecDir(fleet) + "/" + cluster + ".yaml" }

// ArgoDir is the folder of everything generated for a fleet's Argo CD.
func ArgoDir(fleet string) string { return FleetSpecDir(fleet) + "/argocd" }

// BootstrapDir holds a fleet's projects and roots, applied by hand into the management Argo CD.
func BootstrapDir(fleet string) string { return ArgoDir(fleet) + "/bootstrap" }

// AppsDir is the folder a fleet's root app-of-apps deploys (school), or the parent of the
// per-cluster folders (enterprise, science).
func AppsDir(fleet string) string { return ArgoDir(fleet) + "/apps" }

// Generated reports whether a path is one the generators may write or remove: everything in
// the generated folders except the hand-edited specs.
func Generated(p string) bool {
	if path.Base(p) == SpecFile {
		return false
	}
	top, rest, ok := strings.Cut(p, "/")
	if !ok || rest == "" {
		return false
	}
	switch top {
	case Clusters:
		// clusters/<fleet>/<name>.yaml are specs; generated Argo CD files live below them.
		return strings.Count(p, "/") > 2
	case Base, Shapes, Overlays:
		return true
	}
	return false
}

// OverlayOf is the cluster whose overlay folder p is (overlays/<cluster>, cleaned), if it is one.
func OverlayOf(p string) (string, bool) {
	p = path.Clean(strings.Trim(p, "/"))
	top, cluster, ok := strings.Cut(p, "/")
	if !ok || top != Overlays || cluster == "" || strings.Contains(cluster, "/") {
		return "", false
	}
	return cluster, true
}

// InArgoDir reports whether p (cleaned) lies in some fleet's Argo CD folder.
func InArgoDir(p string) bool {
	parts := strings.Split(path.Clean(strings.Trim(p, "/")), "/")
	return len(parts) >= 3 && parts[0] == Clusters && parts[2] == "argocd"
}

// AppsFolderCluster is the cluster whose Argo CD apps folder p is
// (clusters/<fleet>/argocd/apps/<cluster>), if it is one.
func AppsFolderCluster(p string) (string, bool) {
	parts := strings.Split(path.Clean(strings.Trim(p, "/")), "/")
	if len(parts) == 5 && parts[0] == Clusters && parts[2] == "argocd" && parts[3] == "apps" {
		return parts[4], true
	}
	return "", false
}
