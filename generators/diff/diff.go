package diff

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

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
	Diff      string `json:"diff"`
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
	// Clusters are the clusters its Applications deploy, before or after the change (for an
	// AppProject, those of every Application in the project).
	Clusters []string `json:"clusters"`
	Diff     string   `json:"diff"`
}

// Report is the whole comparison.
type Report struct {
	Base string `json:"base"`
	Head string `json:"head"`
	// Clusters is every cluster whose rendered manifests differ, by name.
	Clusters []Cluster `json:"clusters"`
	// Unchanged counts the clusters rendered on both sides with identical output.
	Unchanged int `json:"unchanged"`
	// ArgoCD lists the changed Argo CD definitions (projects, applications, application sets).
	ArgoCD []File `json:"argocd"`
}

// Affected names the clusters a change reaches, in order: those whose rendered manifests
// differ and those whose Argo CD definitions changed.
func (r *Report) Affected() []string {
	set := map[string]bool{}
	for _, c := range r.Clusters {
		set[c.Name] = true
	}
	for _, f := range r.ArgoCD {
		for _, c := range f.Clusters {
			set[c] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// Empty reports whether nothing differs.
func (r *Report) Empty() bool { return len(r.Clusters) == 0 && len(r.ArgoCD) == 0 }

// Compare renders every overlay of both trees with the same renderer and compares them object
// by object, plus the Argo CD definitions file by file.
func Compare(ctx context.Context, r render.FSRenderer, base, head Tree) (*Report, error) {
	rendered := make([]map[string]render.Result, 2)
	argo := make([]map[string][]byte, 2)
	var baseErrors map[string]string
	for i, t := range []Tree{base, head} {
		overlays, err := t.Overlays()
		if err != nil {
			return nil, err
		}
		results, err := r.WithFS(t.FS).Render(ctx, t.Root, overlays)
		if err != nil && i == 0 {
			// A base that does not build must not hide what the pull request changes (it may be
			// the fix): build the overlays one by one and keep what builds.
			results, baseErrors = renderEach(ctx, r.WithFS(t.FS), t.Root, overlays)
		} else if err != nil {
			return nil, fmt.Errorf("%s: %w", t.Name, err)
		}
		rendered[i] = map[string]render.Result{}
		for _, res := range results {
			rendered[i][res.Cluster] = res
		}
		if argo[i], err = t.ArgoCDFiles(); err != nil {
			return nil, err
		}
	}
	rep := &Report{Base: base.Name, Head: head.Name, Clusters: []Cluster{}, ArgoCD: []File{}}
	for _, name := range slices.Sorted(maps.Keys(union(rendered[0], rendered[1]))) {
		b, inBase := rendered[0][name]
		h, inHead := rendered[1][name]
		c := Cluster{Name: name, Overlay: h.Overlay, Change: Changed, BaseError: baseErrors[name]}
		switch {
		case !inBase && c.BaseError != "":
			// everything the head renders is new against a base that rendered nothing
		case !inBase:
			c.Change = Added
		case !inHead:
			c.Change, c.Overlay = Removed, b.Overlay
		case bytes.Equal(b.YAML, h.YAML):
			rep.Unchanged++
			continue
		}
		objs, err := compareObjects(name, b.YAML, h.YAML)
		if err != nil {
			return nil, err
		}
		c.Objects = objs
		rep.Clusters = append(rep.Clusters, c)
	}
	var reached [2]reach
	for i := range argo {
		var err error
		if reached[i], err = argoReach(argo[i]); err != nil {
			return nil, fmt.Errorf("%s: %w", []Tree{base, head}[i].Name, err)
		}
	}
	for _, p := range slices.Sorted(maps.Keys(union(argo[0], argo[1]))) {
		b, inBase := argo[0][p]
		h, inHead := argo[1][p]
		if inBase && inHead && bytes.Equal(b, h) {
			continue
		}
		clusters := map[string]bool{}
		for _, r := range reached {
			for _, c := range r[p] {
				clusters[c] = true
			}
		}
		f := File{Path: p, Fleet: strings.Split(p, "/")[1], Change: change(inBase, inHead), Clusters: slices.Sorted(maps.Keys(clusters))}
		f.Diff = unified("a/"+p, "b/"+p, b, h)
		rep.ArgoCD = append(rep.ArgoCD, f)
	}
	return rep, nil
}

func union[V any](a, b map[string]V) map[string]bool {
	out := map[string]bool{}
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

// document is one object of a rendered stream with its YAML text.
type document struct {
	id   Object
	yaml []byte
}

// compareObjects pairs the objects of two renders by group, kind, namespace and name (a version
// bump of the same object is a change, not a removal and an addition) and diffs each pair.
func compareObjects(cluster string, base, head []byte) ([]Object, error) {
	b, err := documents(base)
	if err != nil {
		return nil, fmt.Errorf("%s: base render: %w", cluster, err)
	}
	h, err := documents(head)
	if err != nil {
		return nil, fmt.Errorf("%s: head render: %w", cluster, err)
	}
	var out []Object
	for _, key := range slices.Sorted(maps.Keys(union(b, h))) {
		bd, inBase := b[key]
		hd, inHead := h[key]
		if inBase && inHead && bytes.Equal(bd.yaml, hd.yaml) {
			continue
		}
		o := hd.id
		if !inHead {
			o = bd.id
		}
		o.Change = change(inBase, inHead)
		file := cluster + "/" + o.Ref()
		o.Diff = unified("a/"+file, "b/"+file, bd.yaml, hd.yaml)
		out = append(out, o)
	}
	return out, nil
}

// documents splits a rendered stream into its objects, keyed (and so ordered) by kind,
// namespace, name and group.
func documents(stream []byte) (map[string]document, error) {
	out := map[string]document{}
	nodes, err := splitNodes(stream)
	if err != nil {
		return nil, err
	}
	for _, n := range nodes {
		gv, err := schema.ParseGroupVersion(n.GetApiVersion())
		if err != nil {
			return nil, fmt.Errorf("%s %s: apiVersion: %w", n.GetKind(), n.GetName(), err)
		}
		id := Object{Group: gv.Group, Kind: n.GetKind(), Namespace: n.GetNamespace(), Name: n.GetName()}
		s, err := n.String()
		if err != nil {
			return nil, err
		}
		out[strings.Join([]string{id.Kind, id.Namespace, id.Name, id.Group}, "|")] = document{id: id, yaml: []byte(s)}
	}
	return out, nil
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

// splitNodes parses a rendered multi-document stream.
func splitNodes(stream []byte) ([]*yaml.RNode, error) {
	return (&kio.ByteReader{Reader: bytes.NewReader(stream), OmitReaderAnnotations: true}).Read()
}

// renderEach builds overlays one at a time and returns those that build, and why the others
// did not, by cluster.
func renderEach(ctx context.Context, r render.Renderer, root string, overlays map[string]string) ([]render.Result, map[string]string) {
	var out []render.Result
	failed := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(overlays)) {
		res, err := r.Render(ctx, root, map[string]string{name: overlays[name]})
		if err != nil {
			failed[name] = err.Error()
			continue
		}
		out = append(out, res...)
	}
	return out, failed
}
