// Package render builds cluster overlays with kustomize's Go API (krusty), in process, exactly
// as the kustomize CLI (and so Argo CD) would, and hands the objects to the checks without a
// YAML round trip. Every render strategy sits behind Renderer so a smarter one (shared bases
// built once, a content-hash cache) can replace it without touching generators or checks.
package render

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/kio"

	"github.com/hue-platform/hue-gitops/generators/fileset"
	"github.com/hue-platform/hue-gitops/generators/layout"
	"github.com/hue-platform/hue-gitops/generators/manifest"
)

// Result is one rendered overlay.
type Result struct {
	Cluster string
	Overlay string
	YAML    []byte
	Objects []manifest.Object
	// Docs is each object's YAML as kustomize prints it (YAML is them joined by "---").
	Docs []Doc
}

// ID names a rendered object.
type ID struct{ Group, Kind, Namespace, Name string }

// Doc is one rendered object: its identity and its YAML.
type Doc struct {
	ID
	YAML []byte
}

// Renderer renders overlays below a repository root.
type Renderer interface {
	Render(ctx context.Context, root string, overlays map[string]string) ([]Result, error)
	Stream(ctx context.Context, root string, overlays map[string]string, fn func(Result) error) error
	Open(root string, overlays map[string]string) (*Session, error)
}

// Options are the krusty options that make the in-process build match `kustomize build`
// byte for byte: the CLI still sorts resources in the legacy order.
func Options() *krusty.Options {
	o := krusty.MakeDefaultOptions()
	o.Reorder = krusty.ReorderOptionLegacy
	return o
}

// Krusty is the reference strategy: kustomize's build of each overlay, overlays in parallel.
// A thin overlay (see thinOverlay) is laid over its shape, built once per run, by kustomize's
// own transformers; every other overlay is built in full.
type Krusty struct {
	// Workers bounds the parallel builds; 0 means GOMAXPROCS.
	Workers int
	// FS is where the tree is read from; nil means the disk.
	FS filesys.FileSystem
	// Memo, when set, skips the full build of an overlay whose inputs it has seen before.
	Memo *Memo
	// Want says what each Result carries; zero means both the YAML and the objects.
	Want Want
	// Full builds every overlay in full, as the reference the shape strategy is tested against.
	Full bool
	// Stats, when set, counts how the overlays were built.
	Stats *Stats
	// Progress, when set, is called once for each overlay built (from the worker).
	Progress func()
}

// Stats counts the builds of a render: overlays laid over a shape, shapes built, overlays
// built in full.
type Stats struct {
	Thin, Shapes, Full atomic.Int64
}

// Want selects the parts of a Result a caller reads, so no work is spent on the others.
type Want int

const (
	WantYAML Want = 1 << iota
	WantObjects
	WantDocs
)

func (w Want) yaml() bool    { return w == 0 || w&WantYAML != 0 }
func (w Want) objects() bool { return w == 0 || w&WantObjects != 0 }
func (w Want) docs() bool    { return w&WantDocs != 0 }

// FSRenderer is a Renderer that can read its tree from any file system, such as a git revision
// held in memory.
type FSRenderer interface {
	Renderer
	WithFS(fs filesys.FileSystem) Renderer
}

// WithFS is the same strategy reading from fs.
func (k Krusty) WithFS(fs filesys.FileSystem) Renderer {
	k.FS = fs
	return k
}

// Render builds each overlay (cluster name -> overlay folder relative to root) and returns the
// results by cluster name.
func (k Krusty) Render(ctx context.Context, root string, overlays map[string]string) ([]Result, error) {
	var mu sync.Mutex
	var out []Result
	err := k.Stream(ctx, root, overlays, func(r Result) error {
		mu.Lock()
		defer mu.Unlock()
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Cluster < out[j].Cluster })
	return out, nil
}

// Stream builds each overlay and hands its result to fn as soon as it is built, from the
// worker that built it (fn is called concurrently and must not keep what it does not need):
// memory holds the clusters being built, not the fleet. Every overlay's error is reported,
// not only the first; an error from fn stops the run.
func (k Krusty) Stream(ctx context.Context, root string, overlays map[string]string, fn func(Result) error) error {
	s, err := k.Open(root, overlays)
	if err != nil {
		return err
	}
	order := s.Order()
	workers := k.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	errs := make([]error, len(order))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for i, name := range order {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if errs[i] = gctx.Err(); errs[i] != nil {
				return nil
			}
			var res Result
			res, errs[i] = s.Build(name)
			if k.Progress != nil {
				k.Progress()
			}
			if errs[i] != nil {
				return nil
			}
			return fn(res)
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	var msgs []string
	for _, e := range errs {
		if e != nil && !errors.Is(e, context.Canceled) {
			msgs = append(msgs, e.Error())
		}
	}
	if len(msgs) > 0 {
		return fmt.Errorf("%s", strings.Join(msgs, "\n"))
	}
	return ctx.Err()
}

// Session renders the overlays of one tree, sharing the shapes they are laid over.
type Session struct {
	k        Krusty
	fs       filesys.FileSystem
	root     string
	overlays map[string]string
	sources  Sources
	shapes   *shapes
	thin     map[string]*thinOverlay
	order    []string
	// fps are the shapes' fingerprints, asked once.
	fpMu sync.Mutex
	fps  map[string]string
}

// Open prepares the overlays of the tree at root (cluster name -> overlay folder) for Build.
func (k Krusty) Open(root string, overlays map[string]string) (*Session, error) {
	fs := k.FS
	if fs == nil {
		fs = filesys.MakeFsOnDisk()
	}
	sources, err := IndexSources(fs, root)
	if err != nil {
		return nil, err
	}
	s := &Session{k: k, fs: fs, root: root, overlays: overlays, sources: sources, shapes: newShapes(k.Memo, root), thin: map[string]*thinOverlay{}}
	for name, overlay := range overlays {
		s.order = append(s.order, name)
		if k.Full {
			continue
		}
		if t := loadThin(fs, filepath.Join(root, overlay)); t != nil {
			s.thin[name] = t
			s.shapes.want(t.shape)
		}
	}
	shapeOf := func(name string) string {
		if t := s.thin[name]; t != nil {
			return t.shape
		}
		return ""
	}
	sort.Slice(s.order, func(i, j int) bool {
		a, b := s.order[i], s.order[j]
		if sa, sb := shapeOf(a), shapeOf(b); sa != sb {
			return sa < sb
		}
		return a < b
	})
	return s, nil
}

// Order lists the clusters with those of one shape together, the order that keeps the
// fewest shapes in memory.
func (s *Session) Order() []string { return s.order }

// Build renders one cluster of the session, once: a shape is let go after its last cluster.
func (s *Session) Build(cluster string) (Result, error) { return s.build(cluster, s.k, nil) }

func (s *Session) build(cluster string, k Krusty, keep func(ID) bool) (Result, error) {
	overlay, ok := s.overlays[cluster]
	if !ok {
		return Result{}, fmt.Errorf("%s: no overlay", cluster)
	}
	if t := s.thin[cluster]; t != nil {
		defer s.shapes.done(t.shape)
	}
	return k.one(s.fs, s.root, cluster, overlay, s.sources, s.shapes, s.thin[cluster], keep)
}

// one renders an overlay over its shape when it is thin, and in full otherwise.
func (k Krusty) one(fs filesys.FileSystem, root, cluster, overlay string, sources Sources, sh *shapes, thin *thinOverlay, keep func(ID) bool) (Result, error) {
	if thin != nil {
		if m, ok := sh.renderThin(fs, root, overlay, thin, k.Stats); ok {
			if k.Stats != nil {
				k.Stats.Thin.Add(1)
			}
			return resultOf(cluster, overlay, m, sources, k.Want, keep)
		}
	}
	if k.Stats != nil {
		k.Stats.Full.Add(1)
	}
	res, err := k.build(fs, root, cluster, overlay, sources)
	if err == nil && keep != nil {
		res.Docs = slices.DeleteFunc(res.Docs, func(d Doc) bool { return !keep(d.ID) })
	}
	return res, err
}

// One builds a single overlay in full.
func One(fs filesys.FileSystem, root, cluster, overlay string, sources Sources) (Result, error) {
	return oneWant(fs, root, cluster, overlay, sources, 0)
}

func oneWant(fs filesys.FileSystem, root, cluster, overlay string, sources Sources, want Want) (Result, error) {
	m, err := krusty.MakeKustomizer(Options()).Run(fs, filepath.Join(root, overlay))
	if err != nil {
		return Result{}, fmt.Errorf("%s: kustomize build %s: %w", cluster, overlay, err)
	}
	return result(cluster, overlay, m, sources, want)
}

// result turns a build into what the caller wants of it.
func result(cluster, overlay string, m resmap.ResMap, sources Sources, want Want) (Result, error) {
	return resultOf(cluster, overlay, m, sources, want, nil)
}

func resultOf(cluster, overlay string, m resmap.ResMap, sources Sources, want Want, keep func(ID) bool) (Result, error) {
	res := Result{Cluster: cluster, Overlay: overlay}
	if keep != nil {
		want = WantDocs
	}
	if want.docs() {
		// What AsYaml prints, object by object.
		var all bytes.Buffer
		for i, r := range m.Resources() {
			id := r.CurId()
			doc := Doc{ID: ID{Group: id.Group, Kind: id.Kind, Namespace: id.Namespace, Name: id.Name}}
			if keep != nil && !keep(doc.ID) {
				continue
			}
			y, err := r.AsYAML()
			if err != nil {
				return Result{}, fmt.Errorf("%s: %s: %w", cluster, r.CurId(), err)
			}
			doc.YAML = y
			res.Docs = append(res.Docs, doc)
			if want.yaml() {
				if i > 0 {
					all.WriteString("---\n")
				}
				all.Write(y)
			}
		}
		if want.yaml() {
			res.YAML = all.Bytes()
		}
	} else if want.yaml() {
		y, err := m.AsYaml()
		if err != nil {
			return Result{}, fmt.Errorf("%s: %w", cluster, err)
		}
		res.YAML = y
	}
	if want.objects() {
		for _, r := range m.Resources() {
			obj, err := r.Map()
			if err != nil {
				return Result{}, fmt.Errorf("%s: %s: %w", cluster, r.CurId(), err)
			}
			u := &unstructured.Unstructured{Object: obj}
			res.Objects = append(res.Objects, manifest.Object{Unstructured: u, Source: sources.Lookup(u, overlay)})
		}
	}
	return res, nil
}

// Sources maps an object to the repository file that declares it, so a finding can point at
// the base, component or overlay file to change rather than at the rendered output.
type Sources map[string]string

func sourceKey(kind, name string) string { return kind + "/" + name }

func namespacedKey(kind, namespace, name string) string { return kind + "/" + namespace + "/" + name }

// Lookup finds the file of an object: the one declaring it in its namespace (compartments'
// bases declare objects of one name in each namespace), else the first declaring its kind and
// name (an overlay may have moved it to another namespace, as tenants do); an overlay's own
// files first.
func (s Sources) Lookup(u *unstructured.Unstructured, overlay string) string {
	ns, plain := namespacedKey(u.GetKind(), u.GetNamespace(), u.GetName()), sourceKey(u.GetKind(), u.GetName())
	for _, key := range []string{overlay + "|" + ns, overlay + "|" + plain, ns, plain} {
		if f, ok := s[key]; ok {
			return f
		}
	}
	return path.Join(overlay, "kustomization.yaml")
}

// IndexSources reads every resource file of base/, components/ and overlays/ below root.
func IndexSources(fs filesys.FileSystem, root string) (Sources, error) {
	s := Sources{}
	for _, dir := range []string{layout.Base, layout.Components, layout.Shapes, layout.Overlays} {
		top := filepath.Join(root, dir)
		if !fs.Exists(top) {
			continue
		}
		err := fs.Walk(top, func(p string, info os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			name := info.Name()
			if info.IsDir() || !strings.HasSuffix(name, ".yaml") || name == "kustomization.yaml" || name == "hue.yaml" {
				return nil
			}
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			rel = filepath.ToSlash(rel)
			if strings.Contains(rel, "/patches/") {
				return nil
			}
			b, err := fs.ReadFile(p)
			if err != nil {
				return err
			}
			nodes, err := (&kio.ByteReader{Reader: strings.NewReader(string(b)), OmitReaderAnnotations: true}).Read()
			if err != nil {
				return fmt.Errorf("%s: %w", rel, err)
			}
			for _, n := range nodes {
				prefix := ""
				if strings.HasPrefix(rel, layout.Overlays+"/") {
					parts := strings.SplitN(rel, "/", 3)
					prefix = parts[0] + "/" + parts[1] + "|"
				}
				for _, key := range []string{namespacedKey(n.GetKind(), n.GetNamespace(), n.GetName()), sourceKey(n.GetKind(), n.GetName())} {
					if _, ok := s[prefix+key]; !ok {
						s[prefix+key] = rel
					}
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Tree loads base/, components/ and overlays/ below root into memory and lays the generated
// files over them (dropping generated files that are no longer produced), so the tree that
// generate is about to write can be rendered before anything is written. The returned root is
// the tree's root inside the in-memory file system.
func Tree(root string, generated map[string][]byte, isGenerated func([]byte) bool) (filesys.FileSystem, string, error) {
	mem := filesys.MakeFsInMemory()
	const memRoot = "/repo"
	err := fileset.Walk(root, []string{layout.Base, layout.Components, layout.Shapes, layout.Overlays}, nil, func(rel string, _ fs.DirEntry) error {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil || isGenerated(b) {
			return err
		}
		return mem.WriteFile(path.Join(memRoot, rel), b)
	})
	if err != nil {
		return nil, "", err
	}
	for p, b := range generated {
		if err := mem.WriteFile(path.Join(memRoot, p), b); err != nil {
			return nil, "", err
		}
	}
	return mem, memRoot, nil
}

// SourcesDigest is a digest of the map from objects to the files that declare them, which
// findings carry: results kept across runs are valid only while it is the same.
func (s *Session) SourcesDigest() string {
	h := sha256.New()
	for _, k := range slices.Sorted(maps.Keys(s.sources)) {
		fmt.Fprintf(h, "%s\x00%s\x00", k, s.sources[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}
