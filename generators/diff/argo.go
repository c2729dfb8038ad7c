package diff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	asutils "github.com/argoproj/argo-cd/v3/applicationset/utils"
	argov1alpha1 "github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/yaml"

	"github.com/hue-platform/hue-gitops/generators/argocd"
	argocheck "github.com/hue-platform/hue-gitops/generators/check/argocd"
	"github.com/hue-platform/hue-gitops/generators/layout"
)

// App is how one tree deploys one cluster: the Application rendering its overlay, as Argo CD
// would hold it (an ApplicationSet's element expanded by Argo CD's own template rendering).
type App struct {
	Name string `json:"name"`
	// File is the Argo CD file the Application comes from.
	File string `json:"file"`
	// AppSet is the ApplicationSet generating it, "" for an Application of its own.
	AppSet string `json:"appSet,omitempty"`
	// SetDeletes says the ApplicationSet's controller deletes the Application when its element
	// goes (its applicationsSync policy allows deletion).
	SetDeletes  bool     `json:"setDeletes,omitempty"`
	Fleet       string   `json:"fleet,omitempty"`
	Ring        string   `json:"ring,omitempty"`
	Environment string   `json:"environment,omitempty"`
	Revision    string   `json:"revision,omitempty"`
	Finalizers  []string `json:"finalizers,omitempty"`
	spec        []byte   // the Application as JSON, to tell whether it changed
}

// Cascades names the finalizer that makes deleting the Application delete every object it
// manages, "" when deleting it leaves them.
func (a *App) Cascades() string {
	for _, f := range a.Finalizers {
		if f == argov1alpha1.ResourcesFinalizerName || strings.HasPrefix(f, argov1alpha1.ResourcesFinalizerName+"/") {
			return f
		}
	}
	return ""
}

// AtOnce says the Application follows the revision a merge moves: not a ring branch that the
// promotion step advances later.
func (a *App) AtOnce() bool {
	return !strings.HasPrefix(a.Revision, argocd.RingBranch(a.Fleet, ""))
}

// argoTree is what the Argo CD definitions of one tree say.
type argoTree struct {
	// apps is each cluster's Application, by cluster.
	apps map[string]*App
	// roots is the app-of-apps syncing a cluster's apps folder, as JSON, by cluster.
	roots map[string][]byte
	// perFile names the clusters whose Application or root each file holds.
	perFile map[string][]string
	// projects is the clusters of the Applications in each AppProject a file holds.
	projects map[string][]string
}

// readArgo reads the Argo CD files of a tree (path -> content), expanding ApplicationSets
// through renders (nil: each element is rendered).
func readArgo(files map[string][]byte, renders *argocheck.Renders) (*argoTree, error) {
	t := &argoTree{apps: map[string]*App{}, roots: map[string][]byte{}, perFile: map[string][]string{}, projects: map[string][]string{}}
	projectsOf := map[string][]string{} // file -> AppProject names
	inProject := map[string][]string{}  // project -> clusters
	add := func(file string, a *argov1alpha1.Application, set *argov1alpha1.ApplicationSet) error {
		spec, err := json.Marshal(a)
		if err != nil {
			return err
		}
		for _, src := range a.Spec.GetSources() {
			if c, ok := layout.OverlayOf(src.Path); ok {
				app := &App{Name: a.Name, File: file, Fleet: a.Labels["hue.dev/fleet"], Ring: a.Labels[argocd.LabelRing],
					Environment: a.Labels[argocd.LabelEnvironment], Revision: src.TargetRevision, Finalizers: a.Finalizers, spec: spec}
				if set != nil {
					app.AppSet = set.Name
					// The stock controller: no --policy, so an ApplicationSet's own policy applies.
					app.SetDeletes = asutils.DefaultPolicy(set.Spec.SyncPolicy, asutils.Policies[""], true).AllowDelete()
				}
				t.apps[c] = app
				t.perFile[file] = append(t.perFile[file], c)
				inProject[a.Spec.Project] = append(inProject[a.Spec.Project], c)
			} else if c, ok := layout.AppsFolderCluster(src.Path); ok {
				t.roots[c] = spec
				t.perFile[file] = append(t.perFile[file], c)
			}
		}
		return nil
	}
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
				if err := add(p, &a, nil); err != nil {
					return nil, fmt.Errorf("%s: Application %s: %w", p, n.GetName(), err)
				}
			case "ApplicationSet":
				var set argov1alpha1.ApplicationSet
				if err := yaml.Unmarshal([]byte(s), &set); err != nil {
					return nil, fmt.Errorf("%s: ApplicationSet %s: %w", p, n.GetName(), err)
				}
				apps, err := expand(&set, renders)
				if err != nil {
					return nil, fmt.Errorf("%s: ApplicationSet %s: %w", p, n.GetName(), err)
				}
				for _, a := range apps {
					if err := add(p, a, &set); err != nil {
						return nil, fmt.Errorf("%s: ApplicationSet %s: %w", p, n.GetName(), err)
					}
				}
			case "AppProject":
				projectsOf[p] = append(projectsOf[p], n.GetName())
			}
		}
	}
	for p, names := range projectsOf {
		set := map[string]bool{}
		for _, name := range names {
			for _, c := range inProject[name] {
				set[c] = true
			}
		}
		t.projects[p] = slices.Sorted(maps.Keys(set))
	}
	return t, nil
}

// changedApps names the clusters whose own Application or root app differs between two trees,
// by the file it lives in (on either side).
func changedApps(base, head *argoTree) map[string][]string {
	out := map[string][]string{}
	mark := func(file, cluster string) {
		if !slices.Contains(out[file], cluster) {
			out[file] = append(out[file], cluster)
		}
	}
	for c := range union(base.apps, head.apps) {
		b, h := base.apps[c], head.apps[c]
		switch {
		case b == nil:
			mark(h.File, c)
		case h == nil:
			mark(b.File, c)
		case b.File != h.File:
			mark(b.File, c)
			mark(h.File, c)
		case !bytes.Equal(b.spec, h.spec):
			mark(h.File, c)
		}
	}
	for c := range union(base.roots, head.roots) {
		if !bytes.Equal(base.roots[c], head.roots[c]) {
			for _, t := range []*argoTree{base, head} {
				for f, cs := range t.perFile {
					if slices.Contains(cs, c) && t.roots[c] != nil {
						mark(f, c)
					}
				}
			}
		}
	}
	for f := range out {
		slices.Sort(out[f])
	}
	return out
}

// expand renders the Applications of an ApplicationSet's list generators as the controller does.
func expand(set *argov1alpha1.ApplicationSet, renders *argocheck.Renders) ([]*argov1alpha1.Application, error) {
	var out []*argov1alpha1.Application
	for _, g := range set.Spec.Generators {
		if g.List == nil {
			continue // other generators need a cluster or a repository to answer
		}
		for i, el := range argocheck.RenderElements(set, g.List.Elements, renders) {
			if el.Err != nil {
				return nil, fmt.Errorf("generators list element %d: %w", i, el.Err)
			}
			a := el.App
			out = append(out, a)
		}
	}
	return out, nil
}
