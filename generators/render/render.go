// Package render builds cluster overlays with kustomize's Go API (krusty), in process, exactly
// as the kustomize CLI (and so Argo CD) would, and hands the objects to the checks without a
// YAML round trip. Every render strategy sits behind Renderer so a smarter one (shared bases
// built once, a content-hash cache) can replace it without touching generators or checks.
package render

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/kio"

	"github.com/hue-platform/hue-gitops/generators/check"
)

// Result is one rendered overlay.
type Result struct {
	Cluster string
	Overlay string
	YAML    []byte
	Objects []check.Object
}

// Renderer renders overlays below a repository root.
type Renderer interface {
	Render(ctx context.Context, root string, overlays map[string]string) ([]Result, error)
}

// Options are the krusty options that make the in-process build match `kustomize build`
// byte for byte: the CLI still sorts resources in the legacy order.
func Options() *krusty.Options {
	o := krusty.MakeDefaultOptions()
	o.Reorder = krusty.ReorderOptionLegacy
	return o
}

// Krusty is the reference strategy: one full kustomize build per overlay, overlays in parallel.
type Krusty struct {
	// Workers bounds the parallel builds; 0 means GOMAXPROCS.
	Workers int
	// FS is where the tree is read from; nil means the disk.
	FS filesys.FileSystem
	// Memo, when set, skips the build of an overlay whose inputs it has seen before.
	Memo *Memo
}

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

// Render builds each overlay (cluster name -> overlay folder relative to root).
func (k Krusty) Render(ctx context.Context, root string, overlays map[string]string) ([]Result, error) {
	names := make([]string, 0, len(overlays))
	for n := range overlays {
		names = append(names, n)
	}
	sort.Strings(names)
	fs := k.FS
	if fs == nil {
		fs = filesys.MakeFsOnDisk()
	}
	sources, err := IndexSources(fs, root)
	if err != nil {
		return nil, err
	}
	workers := k.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	results := make([]Result, len(names))
	errs := make([]error, len(names))
	var g errgroup.Group // every overlay's error is reported, not only the first
	g.SetLimit(workers)
	for i, name := range names {
		g.Go(func() error {
			if errs[i] = ctx.Err(); errs[i] == nil {
				results[i], errs[i] = k.build(fs, root, name, overlays[name], sources)
			}
			return nil
		})
	}
	_ = g.Wait()
	var msgs []string
	for _, e := range errs {
		if e != nil {
			msgs = append(msgs, e.Error())
		}
	}
	if len(msgs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(msgs, "\n"))
	}
	return results, nil
}

// One builds a single overlay.
func One(fs filesys.FileSystem, root, cluster, overlay string, sources Sources) (Result, error) {
	m, err := krusty.MakeKustomizer(Options()).Run(fs, filepath.Join(root, overlay))
	if err != nil {
		return Result{}, fmt.Errorf("%s: kustomize build %s: %w", cluster, overlay, err)
	}
	y, err := m.AsYaml()
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", cluster, err)
	}
	res := Result{Cluster: cluster, Overlay: overlay, YAML: y}
	for _, r := range m.Resources() {
		obj, err := r.Map()
		if err != nil {
			return Result{}, fmt.Errorf("%s: %s: %w", cluster, r.CurId(), err)
		}
		u := &unstructured.Unstructured{Object: obj}
		res.Objects = append(res.Objects, check.Object{Unstructured: u, Source: sources.Lookup(u, overlay)})
	}
	return res, nil
}

// Sources maps an object to the repository file that declares it, so a finding can point at
// the base, component or overlay file to change rather than at the rendered output.
type Sources map[string]string

func sourceKey(kind, name string) string { return kind + "/" + name }

// Lookup finds the file of an object; names are unique per kind across the repository's bases,
// so namespace changes made by overlays do not hide the origin.
func (s Sources) Lookup(u *unstructured.Unstructured, overlay string) string {
	if f, ok := s[overlay+"|"+sourceKey(u.GetKind(), u.GetName())]; ok {
		return f
	}
	if f, ok := s[sourceKey(u.GetKind(), u.GetName())]; ok {
		return f
	}
	return path.Join(overlay, "kustomization.yaml")
}

// IndexSources reads every resource file of base/, components/ and overlays/ below root.
func IndexSources(fs filesys.FileSystem, root string) (Sources, error) {
	s := Sources{}
	for _, dir := range []string{"base", "components", "shapes", "overlays"} {
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
				key := sourceKey(n.GetKind(), n.GetName())
				if strings.HasPrefix(rel, "overlays/") {
					parts := strings.SplitN(rel, "/", 3)
					key = parts[0] + "/" + parts[1] + "|" + key
				}
				if _, ok := s[key]; !ok {
					s[key] = rel
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
	for _, dir := range []string{"base", "components", "shapes", "overlays"} {
		top := filepath.Join(root, dir)
		if _, err := os.Stat(top); os.IsNotExist(err) {
			continue
		}
		err := filepath.WalkDir(top, func(p string, e os.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if isGenerated(b) {
				return nil
			}
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			return mem.WriteFile(path.Join(memRoot, filepath.ToSlash(rel)), b)
		})
		if err != nil {
			return nil, "", err
		}
	}
	for p, b := range generated {
		if err := mem.WriteFile(path.Join(memRoot, p), b); err != nil {
			return nil, "", err
		}
	}
	return mem, memRoot, nil
}
