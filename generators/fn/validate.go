package fn

import (
	"context"
	"fmt"
	"sort"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/check"
	"github.com/hue-platform/hue-gitops/generators/manifest"
	"github.com/hue-platform/hue-gitops/generators/pipeline"
	"github.com/hue-platform/hue-gitops/generators/platform"
)

// Findings is the error of a validator run whose checks found errors (exit 1), as opposed to
// a ResourceList or functionConfig the function cannot use (exit 2).
type Findings struct{ framework.Results }

func (f Findings) Error() string { return f.Results.Error() }

// The annotations kio adds to every item to track its file; they are not part of the object.
var kioAnnotations = []kioutil.AnnotationKey{
	kioutil.PathAnnotation, kioutil.IndexAnnotation, kioutil.IdAnnotation, kioutil.SeqIndentAnnotation,
	kioutil.LegacyPathAnnotation, kioutil.LegacyIndexAnnotation, kioutil.LegacyIdAnnotation,
}

// validate runs every check of `hue check --manifests` on the items as the rendered objects of
// the HueCheck's cluster and returns them unchanged, with one result per finding.
func validate(rl *framework.ResourceList) error {
	file := "functionConfig"
	if p, _, err := kioutil.GetFileAnnotations(rl.FunctionConfig); err == nil && p != "" {
		file = p
	}
	s, err := rl.FunctionConfig.String()
	if err != nil {
		return err
	}
	docs, errs := platform.Decode(file, []byte(s))
	if len(errs) > 0 {
		rl.Results = append(rl.Results, toResults(errs)...)
		return rl.Results
	}
	cfg := docs[0].Object.(*v1alpha1.HueCheck)
	cfg.Default()
	configErr := func(ferrs field.ErrorList) error {
		rl.Results = append(rl.Results, toResults(v1alpha1.FromFieldErrors(file, v1alpha1.KindCheck, cfg.Name, ferrs))...)
		return rl.Results
	}
	if ferrs := cfg.Validate(); len(ferrs) > 0 {
		return configErr(ferrs)
	}
	root := field.NewPath("spec", "root")
	specs, err := pipeline.Load(cfg.Spec.Root, true)
	if err != nil {
		return configErr(field.ErrorList{field.Invalid(root, cfg.Spec.Root, err.Error())})
	}
	checker, err := pipeline.NewChecker(cfg.Spec.Root)
	if err != nil {
		return configErr(field.ErrorList{field.Invalid(root, cfg.Spec.Root, err.Error())})
	}
	spec := specs.Inventory.Cluster(cfg.Spec.Cluster)
	if spec == nil {
		return configErr(field.ErrorList{field.NotFound(field.NewPath("spec", "cluster"), cfg.Spec.Cluster)})
	}

	var objs []manifest.Object
	for i, it := range rl.Items {
		source, _, _ := kioutil.GetFileAnnotations(it)
		if source == "" {
			source = fmt.Sprintf("items[%d]", i)
		}
		n := it.Copy()
		for _, k := range kioAnnotations {
			if err := n.PipeE(yaml.ClearAnnotation(string(k))); err != nil {
				return err
			}
		}
		if err := clearEmptyAnnotations(n); err != nil {
			return err
		}
		text, err := n.String()
		if err != nil {
			return err
		}
		o, err := manifest.Decode(source, []byte(text))
		if err != nil {
			rl.Results = append(rl.Results, &framework.Result{Severity: framework.Error, Message: err.Error(), File: &framework.File{Path: source}})
			return rl.Results
		}
		objs = append(objs, o...)
	}
	cl := &check.Cluster{Spec: spec, Objects: objs, Overlay: "items",
		SpecFile: specs.Inventory.Files[v1alpha1.KindCluster+"/"+cfg.Spec.Cluster]}
	found, err := checker.CheckCluster(context.Background(), cl)
	if err != nil {
		return err
	}
	found = checker.Finish(found, []string{spec.Name})
	apiVersions := map[string]string{}
	for _, o := range objs {
		apiVersions[o.Ref()] = o.GetAPIVersion()
	}
	failed := false
	for _, f := range found {
		r := findingResult(f, apiVersions)
		failed = failed || r.Severity == framework.Error
		rl.Results = append(rl.Results, r)
	}
	for _, f := range checker.Waived {
		r := findingResult(f, apiVersions)
		r.Severity = framework.Info
		rl.Results = append(rl.Results, r)
	}
	sort.SliceStable(rl.Results, func(i, j int) bool {
		return severityRank(rl.Results[i].Severity) < severityRank(rl.Results[j].Severity)
	})
	if failed {
		return Findings{rl.Results}
	}
	return nil
}

// clearEmptyAnnotations drops metadata.annotations left empty once kio's own are removed.
func clearEmptyAnnotations(n *yaml.RNode) error {
	if len(n.GetAnnotations()) > 0 {
		return nil
	}
	return n.PipeE(yaml.Lookup("metadata"), yaml.Clear("annotations"))
}

func severityRank(s framework.Severity) int {
	switch s {
	case framework.Error:
		return 0
	case framework.Warning:
		return 1
	}
	return 2
}

// findingResult is a finding as a KRM function result: the policy or check id leads the message
// and is the tag "check"; the object, the field and the item's file are named.
func findingResult(f check.Finding, apiVersions map[string]string) *framework.Result {
	r := &framework.Result{Message: fmt.Sprintf("[%s] %s", f.Check, f.Message), Severity: framework.Warning,
		Tags: map[string]string{"check": f.Check}}
	if f.Severity == check.SeverityError {
		r.Severity = framework.Error
	}
	if f.Waiver != "" {
		r.Message += " (waived: " + f.Waiver + ")"
	}
	if f.Kind != "" {
		ref := f.Kind + "/" + f.Name
		if f.Namespace != "" {
			ref = f.Kind + "/" + f.Namespace + "/" + f.Name
		}
		r.ResourceRef = &yaml.ResourceIdentifier{TypeMeta: yaml.TypeMeta{APIVersion: apiVersions[ref], Kind: f.Kind},
			NameMeta: yaml.NameMeta{Name: f.Name, Namespace: f.Namespace}}
	}
	if f.Field != "" {
		r.Field = &framework.Field{Path: f.Field}
	}
	if f.Source != "" && f.Source != "items" {
		r.File = &framework.File{Path: f.Source}
	}
	return r
}
