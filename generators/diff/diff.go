package diff

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	gitopsdiff "github.com/argoproj/argo-cd/gitops-engine/v3/pkg/diff"
	"github.com/pmezard/go-difflib/difflib"
	"golang.org/x/sync/errgroup"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	sigsyaml "sigs.k8s.io/yaml"

	argocheck "github.com/hue-platform/hue-gitops/generators/check/argocd"
	"github.com/hue-platform/hue-gitops/generators/render"
)

// Change says what happened to a cluster, an object or a file between base and head.
type Change string

const (
	Added   Change = "added"
	Removed Change = "removed"
	Changed Change = "changed"
)

// Object is one rendered object that differs. Diff is a unified diff of its YAML as
// `kustomize build` prints it.
type Object struct {
	Group     string `json:"group,omitempty"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	Change    Change `json:"change"`
	// Diff is empty on a cluster whose change is the same as an earlier one's (Cluster.SameAs).
	Diff string `json:"diff,omitempty"`
	// Persistent marks a PersistentVolumeClaim or a workload claiming persistent volumes.
	Persistent bool `json:"persistent,omitempty"`
}

// Ref names the object as kind/namespace/name.
func (o Object) Ref() string {
	if o.Namespace == "" {
		return o.Kind + "/" + o.Name
	}
	return o.Kind + "/" + o.Namespace + "/" + o.Name
}

// Cluster is one affected cluster: its overlay was added or removed, or its render differs.
type Cluster struct {
	Name    string   `json:"name"`
	Overlay string   `json:"overlay"`
	Change  Change   `json:"change"`
	Objects []Object `json:"objects"`
	// BaseError says why the base did not build this overlay; its objects then all count as added.
	BaseError string `json:"baseError,omitempty"`
	// Fleet, Ring and Environment come from the cluster's Application (the base's for a removed
	// cluster).
	Fleet       string `json:"fleet,omitempty"`
	Ring        string `json:"ring,omitempty"`
	Environment string `json:"environment,omitempty"`
	// SameAs names the first cluster of its fleet and ring with exactly this change (its name
	// aside); the object diffs are only shown there.
	SameAs string `json:"sameAs,omitempty"`
}

// Count tells how many objects were added, changed and removed.
func (c Cluster) Count() (added, changed, removed int) {
	for _, o := range c.Objects {
		switch o.Change {
		case Added:
			added++
		case Changed:
			changed++
		case Removed:
			removed++
		}
	}
	return
}

// File is a generated Argo CD definition that differs.
type File struct {
	Path   string `json:"path"`
	Fleet  string `json:"fleet"`
	Change Change `json:"change"`
	// Clusters are the clusters whose own Application (or root app) in this file changes.
	Clusters []string `json:"clusters"`
	// Governs counts the clusters deployed through the AppProjects the file holds, before or
	// after the change.
	Governs int    `json:"governs,omitempty"`
	Diff    string `json:"diff"`
}

// Report is the whole comparison.
type Report struct {
	Base string `json:"base"`
	Head string `json:"head"`
	// Clusters is every cluster whose rendered manifests differ, by name.
	Clusters []Cluster `json:"clusters"`
	// Groups gathers the clusters of one fleet and ring whose changes are the same.
	Groups []Group `json:"groups"`
	// Unchanged counts the clusters rendered on both sides with identical output.
	Unchanged int `json:"unchanged"`
	// ArgoCD lists the changed Argo CD definitions (projects, applications, application sets).
	ArgoCD []File `json:"argocd"`
	// Apps names the clusters still in the head whose own Application or root app changes.
	Apps []string `json:"appsChanged"`
	// Guard is the blast-radius judgement, when one was asked for (Report.Judge).
	Guard *Verdict `json:"guard,omitempty"`
	// Stale lists the head's generated files that are not what its specs generate: the diff
	// above is then not the change the specs make.
	Stale []string `json:"stale,omitempty"`

	argo [2]*argoTree
}

// Group is the clusters of one fleet and ring with the same change; Clusters[0] shows it.
type Group struct {
	Fleet    string   `json:"fleet,omitempty"`
	Ring     string   `json:"ring,omitempty"`
	Change   Change   `json:"change"`
	Clusters []string `json:"clusters"`
}

// Affected names the clusters in the head a change reaches, in order: those whose rendered
// manifests differ and those whose own Argo CD Application changed. Removed clusters are not
// among them (Removed lists them).
func (r *Report) Affected() []string {
	set := map[string]bool{}
	for _, c := range r.Clusters {
		if c.Change != Removed {
			set[c.Name] = true
		}
	}
	for _, c := range r.Apps {
		set[c] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// Removed names the clusters whose overlay the head no longer has.
func (r *Report) Removed() []string {
	var out []string
	for _, c := range r.Clusters {
		if c.Change == Removed {
			out = append(out, c.Name)
		}
	}
	return out
}

// Empty reports whether nothing differs.
func (r *Report) Empty() bool { return len(r.Clusters) == 0 && len(r.ArgoCD) == 0 }

// Compare renders every overlay of both trees with the same renderer and compares them object
// by object, plus the Argo CD definitions file by file. Clusters stream through: each is built
// on both sides, compared and let go, so memory holds the differences, not the fleets.
func Compare(ctx context.Context, r render.FSRenderer, base, head Tree) (*Report, error) {
	return CompareWith(ctx, r, base, head, Options{})
}

// Options narrow and report on a comparison.
type Options struct {
	// Only, when set, keeps the clusters it holds (a shard of the fleet).
	Only func(cluster string) bool
	// Progress, when set, is called once for each cluster compared.
	Progress func()
}

// CompareWith is Compare with options.
func CompareWith(ctx context.Context, r render.FSRenderer, base, head Tree, opts Options) (*Report, error) {
	var sessions [2]*render.Session
	var names [2]map[string]string
	argo := make([]map[string][]byte, 2)
	for i, t := range []Tree{base, head} {
		overlays, err := t.Overlays()
		if err != nil {
			return nil, err
		}
		if opts.Only != nil {
			maps.DeleteFunc(overlays, func(name, _ string) bool { return !opts.Only(name) })
		}
		k, ok := r.WithFS(t.FS).(render.Krusty)
		if ok {
			k.Want = render.WantYAML | render.WantDocs
		}
		var rr render.Renderer = k
		if !ok {
			rr = r.WithFS(t.FS)
		}
		if sessions[i], err = rr.Open(t.Root, overlays); err != nil {
			return nil, fmt.Errorf("%s: %w", t.Name, err)
		}
		names[i] = overlays
		if argo[i], err = t.ArgoCDFiles(); err != nil {
			return nil, err
		}
	}
	// Head's order keeps its shapes together; clusters only the base has come last.
	order := slices.Clone(sessions[1].Order())
	for _, n := range sessions[0].Order() {
		if _, ok := names[1][n]; !ok {
			order = append(order, n)
		}
	}
	rep := &Report{Base: base.Name, Head: head.Name, Clusters: []Cluster{}, ArgoCD: []File{}}
	shapes := &shapePairs{sessions: sessions, pairs: map[[2]string]*shapePair{}}
	clusters := make([]*Cluster, len(order))
	errs := make([]error, len(order))
	var unchanged atomic.Int64
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, name := range order {
		g.Go(func() error {
			if opts.Progress != nil {
				defer opts.Progress()
			}
			if errs[i] = ctx.Err(); errs[i] != nil {
				return nil
			}
			var b, h render.Result
			_, inBase := names[0][name]
			_, inHead := names[1][name]
			c := Cluster{Name: name, Change: Changed}
			if inBase && inHead {
				if objs, ok, err := shapes.compare(name); err != nil {
					errs[i] = err
					return nil
				} else if ok {
					if len(objs) == 0 {
						unchanged.Add(1)
						return nil
					}
					c.Overlay, c.Objects = names[1][name], objs
					clusters[i] = &c
					return nil
				}
			}
			if inBase {
				var err error
				if b, err = sessions[0].Build(name); err != nil {
					// A base that does not build must not hide what the pull request changes
					// (it may be the fix): its head objects all count as added.
					c.BaseError, inBase = err.Error(), false
				}
			}
			if inHead {
				var err error
				if h, err = sessions[1].Build(name); err != nil {
					errs[i] = fmt.Errorf("%s: %w", head.Name, err)
					return nil
				}
			}
			c.Overlay = h.Overlay
			switch {
			case !inBase && c.BaseError != "":
			case !inBase:
				c.Change = Added
			case !inHead:
				c.Change, c.Overlay = Removed, b.Overlay
			case bytes.Equal(b.YAML, h.YAML):
				unchanged.Add(1)
				return nil
			}
			c.Objects = compareDocs(name, b.Docs, h.Docs)
			clusters[i] = &c
			return nil
		})
	}
	_ = g.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for _, c := range clusters {
		if c != nil {
			rep.Clusters = append(rep.Clusters, *c)
		}
	}
	slices.SortFunc(rep.Clusters, func(a, b Cluster) int { return strings.Compare(a.Name, b.Name) })
	rep.Unchanged = int(unchanged.Load())
	// The two sides' ApplicationSets are mostly alike: an element the base expanded is not
	// rendered again for the head.
	renders := argocheck.NewRenders(nil)
	for i := range argo {
		var err error
		if rep.argo[i], err = readArgo(argo[i], renders); err != nil {
			return nil, fmt.Errorf("%s: %w", []Tree{base, head}[i].Name, err)
		}
	}
	for i := range rep.Clusters {
		c := &rep.Clusters[i]
		side := rep.argo[1]
		if c.Change == Removed {
			side = rep.argo[0]
		}
		if a := side.apps[c.Name]; a != nil {
			c.Fleet, c.Ring, c.Environment = a.Fleet, a.Ring, a.Environment
		}
	}
	rep.Groups = collapse(rep.Clusters)
	apps := changedApps(rep.argo[0], rep.argo[1])
	inHead := map[string]bool{}
	for _, as := range apps {
		for _, c := range as {
			if _, ok := names[1][c]; ok {
				inHead[c] = true
			}
		}
	}
	rep.Apps = slices.Sorted(maps.Keys(inHead))
	if rep.Apps == nil {
		rep.Apps = []string{}
	}
	for _, p := range slices.Sorted(maps.Keys(union(argo[0], argo[1]))) {
		b, inBase := argo[0][p]
		h, inHead := argo[1][p]
		if inBase && inHead && bytes.Equal(b, h) {
			continue
		}
		governs := map[string]bool{}
		for _, t := range rep.argo {
			for _, c := range t.projects[p] {
				governs[c] = true
			}
		}
		f := File{Path: p, Fleet: strings.Split(p, "/")[1], Change: change(inBase, inHead), Clusters: apps[p], Governs: len(governs)}
		if f.Clusters == nil {
			f.Clusters = []string{}
		}
		f.Diff = unified("a/"+p, "b/"+p, b, h)
		rep.ArgoCD = append(rep.ArgoCD, f)
	}
	return rep, nil
}

// collapse groups the clusters of each fleet and ring whose changes are the same but for the
// cluster's own name, keeps the object diffs on the first of each group and points the others
// at it: at fleet size one base change is one diff to read, not thousands.
func collapse(clusters []Cluster) []Group {
	type key struct{ fleet, ring, sig string }
	first := map[key]int{}
	var groups []Group
	for i := range clusters {
		c := &clusters[i]
		var sig strings.Builder
		sig.WriteString(string(c.Change) + "\x00" + c.BaseError)
		for _, o := range c.Objects {
			fmt.Fprintf(&sig, "\x00%s\x00%s\x00%s", o.Ref(), o.Change, strings.ReplaceAll(o.Diff, c.Name, "\x01"))
		}
		k := key{c.Fleet, c.Ring, sig.String()}
		g, ok := first[k]
		if !ok {
			first[k] = len(groups)
			groups = append(groups, Group{Fleet: c.Fleet, Ring: c.Ring, Change: c.Change, Clusters: []string{c.Name}})
			continue
		}
		groups[g].Clusters = append(groups[g].Clusters, c.Name)
		c.SameAs = groups[g].Clusters[0]
		for j := range c.Objects {
			c.Objects[j].Diff = ""
		}
	}
	if groups == nil {
		groups = []Group{}
	}
	// Removals first, then by fleet and ring, larger groups before smaller ones.
	slices.SortStableFunc(groups, func(a, b Group) int {
		if (a.Change == Removed) != (b.Change == Removed) {
			if a.Change == Removed {
				return -1
			}
			return 1
		}
		if c := strings.Compare(a.Fleet, b.Fleet); c != 0 {
			return c
		}
		if c := strings.Compare(a.Ring, b.Ring); c != 0 {
			return c
		}
		return len(b.Clusters) - len(a.Clusters)
	})
	return groups
}

func union[K comparable, V any](a, b map[K]V) map[K]bool {
	out := map[K]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

func change(inBase, inHead bool) Change {
	switch {
	case !inBase:
		return Added
	case !inHead:
		return Removed
	}
	return Changed
}

// shapePairs compares clusters laid over shapes: a cluster whose own overlay is the same on
// both sides renders differently only in the objects that differ between its two shapes, so
// each pair of shapes is compared once and, per cluster, only those objects are printed.
type shapePairs struct {
	sessions [2]*render.Session
	mu       sync.Mutex
	pairs    map[[2]string]*shapePair
}

type shapePair struct {
	once   sync.Once
	differ map[render.ID]bool
	err    error
}

// compare diffs a cluster through its shapes; ok is false when it must be built in full.
func (sp *shapePairs) compare(cluster string) (objs []Object, ok bool, err error) {
	bShape, bIn, bok := sp.sessions[0].ShapeOf(cluster)
	hShape, hIn, hok := sp.sessions[1].ShapeOf(cluster)
	if !bok || !hok || bIn != hIn {
		return nil, false, nil
	}
	key := [2]string{bShape, hShape}
	sp.mu.Lock()
	p := sp.pairs[key]
	if p == nil {
		p = &shapePair{}
		sp.pairs[key] = p
	}
	sp.mu.Unlock()
	p.once.Do(func() {
		var docs [2]map[render.ID][]byte
		for i, sh := range key {
			if docs[i], p.err = sp.sessions[i].ShapeDocs(sh); p.err != nil {
				return
			}
		}
		p.differ = map[render.ID]bool{}
		for id := range union(docs[0], docs[1]) {
			a, inA := docs[0][id]
			b, inB := docs[1][id]
			if !inA || !inB || !bytes.Equal(a, b) {
				p.differ[id] = true
			}
		}
	})
	if p.err != nil {
		return nil, false, p.err
	}
	if len(p.differ) == 0 {
		sp.sessions[0].Skip(cluster)
		sp.sessions[1].Skip(cluster)
		return nil, true, nil
	}
	keep := func(id render.ID) bool { return p.differ[id] }
	b, err := sp.sessions[0].BuildOnly(cluster, keep)
	if err != nil {
		return nil, false, err
	}
	h, err := sp.sessions[1].BuildOnly(cluster, keep)
	if err != nil {
		return nil, false, err
	}
	return compareDocs(cluster, b.Docs, h.Docs), true, nil
}

// compareDocs pairs the objects of two renders by group, kind, namespace and name (a version
// bump of the same object is a change, not a removal and an addition) and diffs each pair.
func compareDocs(cluster string, base, head []render.Doc) []Object {
	key := func(d render.Doc) string { return strings.Join([]string{d.Kind, d.Namespace, d.Name, d.Group}, "|") }
	index := func(docs []render.Doc) map[string]render.Doc {
		m := make(map[string]render.Doc, len(docs))
		for _, d := range docs {
			m[key(d)] = d
		}
		return m
	}
	b, h := index(base), index(head)
	var out []Object
	for _, k := range slices.Sorted(maps.Keys(union(b, h))) {
		bd, inBase := b[k]
		hd, inHead := h[k]
		if inBase && inHead && bytes.Equal(bd.YAML, hd.YAML) {
			continue
		}
		d := hd
		if !inHead {
			d = bd
		}
		o := Object{Group: d.Group, Kind: d.Kind, Namespace: d.Namespace, Name: d.Name, Change: change(inBase, inHead)}
		if o.Change == Removed {
			o.Persistent = persistent(bd.YAML)
		}
		a, b := bd.YAML, hd.YAML
		if d.Group == "" && d.Kind == "Secret" {
			a, b = maskSecret(a, b)
		}
		file := cluster + "/" + o.Ref()
		o.Diff = unified("a/"+file, "b/"+file, a, b)
		out = append(out, o)
	}
	return out
}

// unified is a unified diff with three lines of context; an absent side diffs against nothing.
func unified(from, to string, a, b []byte) string {
	if a == nil {
		from = "/dev/null"
	}
	if b == nil {
		to = "/dev/null"
	}
	d, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: lines(a), B: lines(b),
		FromFile: from, ToFile: to, Context: 3,
	})
	if err != nil {
		return err.Error() // writing to a strings.Builder cannot fail
	}
	return d
}

func lines(b []byte) []string {
	if len(b) == 0 {
		return nil
	}
	s := string(b)
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	out := strings.SplitAfter(s, "\n")
	return out[:len(out)-1]
}

// maskSecret hides a Secret's values with Argo CD's own masking (a value that changes gets a
// mask of another length, so the diff still shows that it changed); nil stays nil.
func maskSecret(base, head []byte) ([]byte, []byte) {
	decode := func(b []byte) *unstructured.Unstructured {
		if b == nil {
			return nil
		}
		u := &unstructured.Unstructured{}
		if err := sigsyaml.Unmarshal(b, &u.Object); err != nil {
			return &unstructured.Unstructured{Object: map[string]any{"data": "(not shown: " + err.Error() + ")"}}
		}
		return u
	}
	h, b, err := gitopsdiff.HideSecretData(decode(head), decode(base), nil)
	if err != nil {
		return []byte("(not shown: " + err.Error() + ")\n"), []byte("(not shown)\n")
	}
	encode := func(u *unstructured.Unstructured) []byte {
		if u == nil {
			return nil
		}
		out, err := sigsyaml.Marshal(u.Object)
		if err != nil {
			return []byte("(not shown: " + err.Error() + ")\n")
		}
		return out
	}
	return encode(b), encode(h)
}

// persistent tells whether an object is a PersistentVolumeClaim or a workload that claims
// persistent volumes (volume claim templates, or a pod volume naming a claim): deleting it can
// lose data.
func persistent(doc []byte) bool {
	var o struct {
		Kind string `json:"kind"`
		Spec struct {
			VolumeClaimTemplates []corev1.PersistentVolumeClaim `json:"volumeClaimTemplates"`
			Volumes              []corev1.Volume                `json:"volumes"`
			Template             corev1.PodTemplateSpec         `json:"template"`
			JobTemplate          batchv1.JobTemplateSpec        `json:"jobTemplate"`
		} `json:"spec"`
	}
	if sigsyaml.Unmarshal(doc, &o) != nil {
		return false
	}
	if o.Kind == "PersistentVolumeClaim" || len(o.Spec.VolumeClaimTemplates) > 0 {
		return true
	}
	for _, vs := range [][]corev1.Volume{o.Spec.Volumes, o.Spec.Template.Spec.Volumes, o.Spec.JobTemplate.Spec.Template.Spec.Volumes} {
		for _, v := range vs {
			if v.PersistentVolumeClaim != nil {
				return true
			}
		}
	}
	return false
}
