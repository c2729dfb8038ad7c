// Package fn runs hue as a KRM function. As a generator, Hue specs in a ResourceList (as the
// functionConfig, as items, or both) are replaced by the objects their bases hold; as a
// validator (functionConfig HueCheck), the items are checked as one cluster's objects.
package fn

import (
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/kio/filters"
	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/fileset"
	"github.com/hue-platform/hue-gitops/generators/platform"
	"github.com/hue-platform/hue-gitops/generators/service"
)

// Processor expands every Hue spec of the ResourceList and keeps every other item as it is.
// A HueCompartment grants egress only to the data stores present in the same list.
func Processor() framework.ResourceListProcessor {
	return framework.ResourceListProcessorFunc(process)
}

type spec struct {
	node *yaml.RNode
	doc  platform.Document
}

func process(rl *framework.ResourceList) error {
	// Dispatch on the functionConfig's kind: a HueCheck validates the items, anything else
	// generates.
	if fc := rl.FunctionConfig; fc != nil && fc.GetApiVersion() == v1alpha1.APIVersion && fc.GetKind() == v1alpha1.KindCheck {
		return validate(rl)
	}
	var specs []spec
	var results framework.Results
	var kept []*yaml.RNode
	seen := map[string]bool{}

	collect := func(n *yaml.RNode, origin string) {
		if n == nil || n.GetApiVersion() != v1alpha1.APIVersion {
			if origin == "item" {
				kept = append(kept, n)
			}
			return
		}
		// kustomize also hands a generator its own config among the items: expand it once.
		id := n.GetKind() + "/" + n.GetNamespace() + "/" + n.GetName()
		if seen[id] {
			return
		}
		seen[id] = true
		file := origin
		if p, _, err := kioutil.GetFileAnnotations(n); err == nil && p != "" {
			file = p
		}
		s, err := n.String()
		if err != nil {
			results = append(results, &framework.Result{Severity: framework.Error, Message: err.Error()})
			return
		}
		docs, errs := platform.Decode(file, []byte(s))
		results = append(results, toResults(errs)...)
		for _, d := range docs {
			specs = append(specs, spec{node: n, doc: d})
		}
	}
	if rl.FunctionConfig != nil && rl.FunctionConfig.GetKind() != "" {
		collect(rl.FunctionConfig, "functionConfig")
	}
	for _, it := range rl.Items {
		collect(it, "item")
	}

	cat := &platform.Catalog{Files: map[string]string{}}
	for _, s := range specs {
		ferrs, ok := cat.Add(s.doc.Object)
		if !ok {
			ferrs = field.ErrorList{field.Invalid(field.NewPath("kind"), s.doc.Kind, "hue fn expands HueService, HueCompartment and HueDataStore")}
		}
		results = append(results, toResults(v1alpha1.FromFieldErrors(s.doc.File, s.doc.Kind, s.doc.Name, ferrs))...)
	}
	if hasErrors(results) {
		rl.Results = append(rl.Results, results...)
		return rl.Results
	}

	var objs []any
	for _, s := range cat.Services {
		o, err := service.Objects(s)
		if err != nil {
			return err
		}
		objs = append(objs, o...)
	}
	// One list is one cluster's view of the stores: the objects of a single residency.
	residency := ""
	if rs := cat.Residencies(); len(rs) == 1 {
		residency = rs[0]
	} else if len(rs) > 1 {
		for _, s := range specs {
			if _, ok := s.doc.Object.(*v1alpha1.HueDataStore); ok {
				results = append(results, toResults(v1alpha1.Errors{{File: s.doc.File, Kind: s.doc.Kind, Name: s.doc.Name,
					Field: "spec.regions", Detail: fmt.Sprintf("hue fn expands the data stores of one residency; this list has %s", strings.Join(rs, ", "))}})...)
			}
		}
		rl.Results = append(rl.Results, results...)
		return rl.Results
	}
	for _, c := range cat.Compartments {
		objs = append(objs, service.CompartmentObjects(c, cat)...)
		objs = append(objs, service.CompartmentEgress(c, cat, residency)...)
	}
	for _, d := range cat.DataStores {
		objs = append(objs, service.DataStoreObjects(d, d.Region(residency))...)
	}
	for _, o := range objs {
		b, err := fileset.MarshalObject(o)
		if err != nil {
			return err
		}
		n, err := yaml.Parse(string(b))
		if err != nil {
			return err
		}
		kept = append(kept, n)
	}
	out, err := filters.FormatFilter{}.Filter(kept)
	if err != nil {
		return err
	}
	rl.Items = out
	rl.Results = append(rl.Results, results...)
	return nil
}

func hasErrors(rs framework.Results) bool {
	for _, r := range rs {
		if r.Severity == framework.Error {
			return true
		}
	}
	return false
}

// toResults turns located spec errors into KRM function results.
func toResults(errs v1alpha1.Errors) framework.Results {
	errs.Sort()
	out := make(framework.Results, 0, len(errs))
	for _, e := range errs {
		r := &framework.Result{Severity: framework.Error, Message: e.Error()}
		if e.Kind != "" {
			r.ResourceRef = &yaml.ResourceIdentifier{
				TypeMeta: yaml.TypeMeta{APIVersion: v1alpha1.APIVersion, Kind: e.Kind},
				NameMeta: yaml.NameMeta{Name: e.Name},
			}
		}
		if e.Field != "" {
			r.Field = &framework.Field{Path: e.Field}
		}
		if e.File != "" {
			r.File = &framework.File{Path: e.File}
		}
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Message < out[j].Message })
	return out
}
