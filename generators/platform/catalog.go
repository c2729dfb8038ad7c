package platform

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/layout"
	"github.com/hue-platform/hue-gitops/policies"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Catalog is every Hue service, compartment and data store, with the file each came from.
type Catalog struct {
	Services     []*v1alpha1.HueService
	Compartments []*v1alpha1.HueCompartment
	DataStores   []*v1alpha1.HueDataStore
	// Files maps "Kind/name" to the spec file (relative to the root).
	Files map[string]string
}

// Service returns the named service or nil.
func (c *Catalog) Service(name string) *v1alpha1.HueService {
	return named(c.Services, name)
}

// Compartment returns the named compartment or nil.
func (c *Catalog) Compartment(name string) *v1alpha1.HueCompartment {
	return named(c.Compartments, name)
}

// Residencies are the data residencies some data store is served in, sorted.
func (c *Catalog) Residencies() []string {
	set := map[string]bool{}
	for _, d := range c.DataStores {
		for _, r := range d.Spec.Regions {
			set[r.Residency] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// DataStore returns the named data store or nil.
func (c *Catalog) DataStore(name string) *v1alpha1.HueDataStore {
	return named(c.DataStores, name)
}

// decodeUnique decodes every file, in name order, and returns its documents with each
// Kind/name once: a second definition is an error naming the first file. index maps
// "Kind/name" to the file that defines it.
func decodeUnique(files map[string][]byte) (docs []Document, index map[string]string, errs v1alpha1.Errors) {
	index = map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		ds, derrs := Decode(name, files[name])
		errs = append(errs, derrs...)
		for _, d := range ds {
			key := d.Kind + "/" + d.Name
			if prev, ok := index[key]; ok {
				errs = append(errs, &v1alpha1.Error{File: name, Kind: d.Kind, Name: d.Name, Field: "metadata.name",
					Detail: fmt.Sprintf("duplicate %s, first defined in %s", d.Kind, prev)})
				continue
			}
			index[key] = name
			docs = append(docs, d)
		}
	}
	return docs, index, errs
}

// named finds the object called name in list, or the zero value (nil for pointers).
func named[T interface{ GetName() string }](list []T, name string) T {
	if i := slices.IndexFunc(list, func(o T) bool { return o.GetName() == name }); i >= 0 {
		return list[i]
	}
	var none T
	return none
}

// SpecFiles lists the spec files below root/dir/*/hue.yaml, sorted, relative to root.
func SpecFiles(root, dir string) ([]string, error) {
	if err := refuseYML(root, filepath.Join(dir, "*", strings.TrimSuffix(layout.SpecFile, ".yaml")+".yml")); err != nil {
		return nil, err
	}
	return globRel(root, filepath.Join(dir, "*", layout.SpecFile))
}

// refuseYML fails on spec files spelled .yml, which would otherwise be ignored without a word.
func refuseYML(root, pattern string) error {
	yml, err := globRel(root, pattern)
	if err != nil || len(yml) == 0 {
		return err
	}
	return fmt.Errorf("%s: spec files end in .yaml; rename it (a .yml file would be ignored)", strings.Join(yml, ", "))
}

// globRel lists the files below root matching pattern, sorted, as slash paths relative to root.
func globRel(root, pattern string) ([]string, error) {
	matches, err := filepath.Glob(filepath.Join(root, pattern))
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(matches))
	for _, m := range matches {
		rel, err := filepath.Rel(root, m)
		if err != nil {
			return nil, err
		}
		out = append(out, filepath.ToSlash(rel))
	}
	sort.Strings(out)
	return out, nil
}

// ReadFiles reads the named files below root into a map keyed by the relative name.
func ReadFiles(root string, names []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(names))
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(root, n))
		if err != nil {
			return nil, err
		}
		out[n] = b
	}
	return out, nil
}

// LoadCatalog reads base/*/hue.yaml below root, defaults and validates everything, and returns
// every problem together.
func LoadCatalog(root string) (*Catalog, error) {
	names, err := SpecFiles(root, layout.Base)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: no base/*/%s spec files found", root, layout.SpecFile)
	}
	files, err := ReadFiles(root, names)
	if err != nil {
		return nil, err
	}
	return BuildCatalog(files)
}

// Add defaults and validates a HueService, HueCompartment or HueDataStore and adds it to the
// catalog, returning its field errors; ok is false, and nothing is added, for any other object.
func (c *Catalog) Add(obj any) (errs field.ErrorList, ok bool) {
	switch o := obj.(type) {
	case *v1alpha1.HueService:
		o.Default()
		c.Services = append(c.Services, o)
		errs := o.Validate()
		if allowed := policies.HostAccessDaemonSets(); o.Spec.HostAccess && !slices.Contains(allowed, o.Name) {
			errs = append(errs, field.Forbidden(field.NewPath("spec", "hostAccess"), fmt.Sprintf("host namespaces are allowed only for %s (the host-access allow-list, policies/%s)", strings.Join(allowed, ", "), policies.DataFile)))
		}
		return errs, true
	case *v1alpha1.HueCompartment:
		o.Default()
		c.Compartments = append(c.Compartments, o)
		return o.Validate(), true
	case *v1alpha1.HueDataStore:
		o.Default()
		c.DataStores = append(c.DataStores, o)
		return o.Validate(), true
	}
	return nil, false
}

// BuildCatalog decodes, defaults and validates spec files given by name.
func BuildCatalog(files map[string][]byte) (*Catalog, error) {
	docs, index, errs := decodeUnique(files)
	cat := &Catalog{Files: index}
	for _, d := range docs {
		name, dir := d.File, filepath.Base(filepath.Dir(d.File))
		ferrs, ok := cat.Add(d.Object)
		if !ok {
			ferrs = field.ErrorList{field.Invalid(field.NewPath("kind"), d.Kind, "not a catalog kind (HueService, HueCompartment, HueDataStore)")}
		}
		if o, isService := d.Object.(*v1alpha1.HueService); isService && o.Name != "" && dir != "." && o.Name != dir {
			ferrs = append(ferrs, field.Invalid(field.NewPath("metadata", "name"), o.Name,
				fmt.Sprintf("a service spec lives in base/%s/%s", o.Name, layout.SpecFile)))
		}
		errs = append(errs, v1alpha1.FromFieldErrors(name, d.Kind, d.Name, ferrs)...)
	}
	errs = append(errs, cat.crossValidate()...)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	sort.Slice(cat.Services, func(i, j int) bool { return cat.Services[i].Name < cat.Services[j].Name })
	sort.Slice(cat.Compartments, func(i, j int) bool { return cat.Compartments[i].Name < cat.Compartments[j].Name })
	sort.Slice(cat.DataStores, func(i, j int) bool { return cat.DataStores[i].Name < cat.DataStores[j].Name })
	return cat, nil
}

func (c *Catalog) crossValidate() v1alpha1.Errors {
	var errs v1alpha1.Errors
	at := func(kind, name, fld, detail string) {
		errs = append(errs, &v1alpha1.Error{File: c.Files[kind+"/"+name], Kind: kind, Name: name, Field: fld, Detail: detail})
	}
	for _, s := range c.Services {
		comp := c.Compartment(s.Spec.Compartment)
		switch {
		case comp == nil:
			at(v1alpha1.KindService, s.Name, "spec.compartment", fmt.Sprintf("unknown compartment %q", s.Spec.Compartment))
		// A privileged namespace holds the host-access workload alone: anything beside it could
		// be given its privileges by whoever can write there.
		case s.Spec.HostAccess && comp.Spec.PodSecurity != v1alpha1.PodSecurityPrivileged:
			at(v1alpha1.KindService, s.Name, "spec.compartment", fmt.Sprintf("a host-access workload lives in a privileged compartment of its own; %s is %s", comp.Name, comp.Spec.PodSecurity))
		case !s.Spec.HostAccess && comp.Spec.PodSecurity == v1alpha1.PodSecurityPrivileged:
			at(v1alpha1.KindService, s.Name, "spec.compartment", fmt.Sprintf("%s is privileged: it holds the host-access workload alone", comp.Name))
		}
		if c.DataStore(s.Name) != nil {
			at(v1alpha1.KindService, s.Name, "metadata.name", "a data store has the same name")
		}
		for i, t := range s.Spec.Talks {
			if t == s.Name {
				at(v1alpha1.KindService, s.Name, fmt.Sprintf("spec.talks[%d]", i), "a service does not list itself")
			} else if c.Service(t) == nil && c.DataStore(t) == nil {
				at(v1alpha1.KindService, s.Name, fmt.Sprintf("spec.talks[%d]", i), fmt.Sprintf("unknown service or data store %q", t))
			}
		}
		if w := s.Spec.Placement.CoLocateWith; w != "" && c.Service(w) == nil {
			at(v1alpha1.KindService, s.Name, "spec.placement.coLocateWith", fmt.Sprintf("unknown service %q", w))
		}
	}
	for _, d := range c.DataStores {
		if c.Compartment(d.Spec.Compartment) == nil {
			at(v1alpha1.KindDataStore, d.Name, "spec.compartment", fmt.Sprintf("unknown compartment %q", d.Spec.Compartment))
		}
	}
	if c.Compartment(v1alpha1.DefaultCompartment) == nil && len(c.Services) > 0 {
		errs = append(errs, &v1alpha1.Error{File: layout.Base, Kind: v1alpha1.KindCompartment, Name: v1alpha1.DefaultCompartment, Detail: "the default compartment must be declared"})
	}
	return errs
}

// Sensitive reports whether a service lives in a sensitive compartment (finance, medical).
func (c *Catalog) Sensitive(s *v1alpha1.HueService) bool {
	comp := c.Compartment(s.Spec.Compartment)
	return comp != nil && comp.Spec.Sensitive
}
