package diff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	asutils "github.com/argoproj/argo-cd/v3/applicationset/utils"
	argov1alpha1 "github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/yaml"
)

// reach says which clusters the Argo CD definitions of one tree lead to: per file, the clusters
// of the Applications it holds (ApplicationSets expanded by Argo CD's own template rendering,
// list generators only) and, for an AppProject, of every Application in that project.
type reach map[string][]string

// argoReach reads the Argo CD files of a tree (path -> content).
func argoReach(files map[string][]byte) (reach, error) {
	type app struct{ project, cluster string }
	perFile := map[string][]app{}
	projects := map[string][]string{} // file -> AppProject names
	for _, p := range slices.Sorted(maps.Keys(files)) {
		nodes, err := (&kio.ByteReader{Reader: bytes.NewReader(files[p]), OmitReaderAnnotations: true}).Read()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		for _, n := range nodes {
			s, err := n.String()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			switch n.GetKind() {
			case "Application":
				var a argov1alpha1.Application
				if err := yaml.Unmarshal([]byte(s), &a); err != nil {
					return nil, fmt.Errorf("%s: Application %s: %w", p, n.GetName(), err)
				}
				for _, c := range appClusters(&a) {
					perFile[p] = append(perFile[p], app{a.Spec.Project, c})
				}
			case "ApplicationSet":
				var set argov1alpha1.ApplicationSet
				if err := yaml.Unmarshal([]byte(s), &set); err != nil {
					return nil, fmt.Errorf("%s: ApplicationSet %s: %w", p, n.GetName(), err)
				}
				apps, err := expand(&set)
				if err != nil {
					return nil, fmt.Errorf("%s: ApplicationSet %s: %w", p, n.GetName(), err)
				}
				for _, a := range apps {
					for _, c := range appClusters(a) {
						perFile[p] = append(perFile[p], app{a.Spec.Project, c})
					}
				}
			case "AppProject":
				projects[p] = append(projects[p], n.GetName())
			}
		}
	}
	inProject := map[string][]string{}
	for _, apps := range perFile {
		for _, a := range apps {
			inProject[a.project] = append(inProject[a.project], a.cluster)
		}
	}
	out := reach{}
	for p := range files {
		set := map[string]bool{}
		for _, a := range perFile[p] {
			set[a.cluster] = true
		}
		for _, name := range projects[p] {
			for _, c := range inProject[name] {
				set[c] = true
			}
		}
		out[p] = slices.Sorted(maps.Keys(set))
	}
	return out, nil
}

// appClusters names the clusters an Application deploys: the overlay it renders
// (overlays/<cluster>), or, for a root app, the cluster folder of apps it syncs
// (clusters/<fleet>/argocd/apps/<cluster>).
func appClusters(a *argov1alpha1.Application) []string {
	var out []string
	for _, src := range a.Spec.GetSources() {
		parts := strings.Split(path.Clean(strings.Trim(src.Path, "/")), "/")
		switch {
		case len(parts) == 2 && parts[0] == "overlays":
			out = append(out, parts[1])
		case len(parts) == 5 && parts[0] == "clusters" && parts[2] == "argocd" && parts[3] == "apps":
			out = append(out, parts[4])
		}
	}
	return out
}

// expand renders the Applications of an ApplicationSet's list generators as the controller does.
func expand(set *argov1alpha1.ApplicationSet) ([]*argov1alpha1.Application, error) {
	var render asutils.Render
	var out []*argov1alpha1.Application
	for _, g := range set.Spec.Generators {
		if g.List == nil {
			continue // other generators need a cluster or a repository to answer
		}
		for i, el := range g.List.Elements {
			params := map[string]any{}
			if err := json.Unmarshal(el.Raw, &params); err != nil {
				return nil, fmt.Errorf("generators list element %d: %w", i, err)
			}
			a, err := render.RenderTemplateParams(templateApplication(set.Spec.Template), set.Spec.SyncPolicy,
				params, set.Spec.GoTemplate, set.Spec.GoTemplateOptions)
			if err != nil {
				return nil, fmt.Errorf("generators list element %d: %w", i, err)
			}
			out = append(out, a)
		}
	}
	return out, nil
}

// templateApplication is the Application an ApplicationSet's template describes, before its
// parameters are filled in (the controller's own helper sits in a package that would bring
// every SCM provider's client into this module).
func templateApplication(t argov1alpha1.ApplicationSetTemplate) *argov1alpha1.Application {
	a := &argov1alpha1.Application{Spec: t.Spec}
	a.Name, a.Namespace = t.Name, t.Namespace
	a.Labels, a.Annotations, a.Finalizers = t.Labels, t.Annotations, t.Finalizers
	return a
}
