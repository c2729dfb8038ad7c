package render

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"

	"sigs.k8s.io/kustomize/api/builtins"
	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/pkg/loader"
	"sigs.k8s.io/kustomize/api/provider"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/yaml"
)

// A thin overlay is a kustomization that lays a cluster's own values over one shared shape:
// its only resource is the shape's folder, and it has nothing but labels (plain pairs, on
// metadata only) and patches. kustomize builds a resource folder first and then runs the
// overlay's transformers over what it produced, and these transformers act on each object
// alone (no names change, nothing is generated or hashed), so the shape is built once by
// kustomize and each cluster's layer is applied by kustomize's own transformer plugins, in the
// order kustomize runs them, to a copy of that build. Anything else is built in full.
type thinOverlay struct {
	// shape is the shape's folder and dir the overlay's, both absolute in the file system.
	shape, dir string
	k          types.Kustomization
}

// kustomizationFile is the one kustomization file of dir, as kustomize looks for it.
func kustomizationFile(fs filesys.FileSystem, dir string) (string, bool) {
	found := ""
	for _, n := range konfig.RecognizedKustomizationFileNames() {
		if p := filepath.Join(dir, n); fs.Exists(p) {
			if found != "" {
				return "", false // kustomize refuses this; let it say so
			}
			found = p
		}
	}
	return found, found != ""
}

// loadThin reads the overlay at dir and returns it when it is thin; any doubt (a field it
// does not handle, a file it cannot read) returns nil, and the overlay is built in full.
func loadThin(fs filesys.FileSystem, dir string) *thinOverlay {
	abs, _, err := fs.CleanedAbs(dir)
	if err != nil {
		return nil
	}
	dir = string(abs)
	p, ok := kustomizationFile(fs, dir)
	if !ok {
		return nil
	}
	b, err := fs.ReadFile(p)
	if err != nil {
		return nil
	}
	var k types.Kustomization
	if err := yaml.UnmarshalStrict(b, &k); err != nil {
		return nil
	}
	if k.Kind != "" && k.Kind != types.KustomizationKind || len(k.Resources) != 1 {
		return nil
	}
	for _, l := range k.Labels {
		if l.IncludeSelectors || l.IncludeTemplates || l.IncludeVolumeClaimTemplates || len(l.FieldSpecs) > 0 {
			return nil
		}
	}
	rest := k
	rest.TypeMeta, rest.Resources, rest.Labels, rest.Patches = types.TypeMeta{}, nil, nil, nil
	if !reflect.DeepEqual(rest, types.Kustomization{}) {
		return nil
	}
	shapeAbs, _, err := fs.CleanedAbs(filepath.Join(dir, filepath.FromSlash(k.Resources[0])))
	if err != nil || !fs.IsDir(string(shapeAbs)) {
		return nil
	}
	shape := string(shapeAbs)
	return &thinOverlay{shape: shape, dir: dir, k: k}
}

// shapes builds each shape once per run and keeps it while clusters still need it.
type shapes struct {
	mu      sync.Mutex
	entries map[string]*shape
	// memo, when set, remembers what each shape's build read (see Memo.Fingerprint).
	memo *Memo
	root string
}

type shape struct {
	once sync.Once
	m    resmap.ResMap
	err  error
	// users counts the clusters still to be rendered over this shape.
	users int
	// full, once a cluster's thin render differed from its full build, sends every cluster of
	// this shape to the full build.
	verify sync.Once
	full   bool
}

func newShapes(memo *Memo, root string) *shapes {
	return &shapes{entries: map[string]*shape{}, memo: memo, root: root}
}

// want notes one more cluster that will be rendered over the shape at dir.
func (s *shapes) want(dir string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.entries[dir]
	if e == nil {
		e = &shape{}
		s.entries[dir] = e
	}
	e.users++
}

// get builds the shape at dir on first use.
func (s *shapes) get(fs filesys.FileSystem, dir string, stats *Stats) *shape {
	s.mu.Lock()
	e := s.entries[dir]
	s.mu.Unlock()
	e.once.Do(func() {
		if s.memo == nil {
			e.m, e.err = krusty.MakeKustomizer(Options()).Run(fs, dir)
		} else {
			e.err = s.memo.record(fs, s.root, dir, func(rfs filesys.FileSystem) ([]byte, error) {
				e.m, e.err = krusty.MakeKustomizer(Options()).Run(rfs, dir)
				return nil, e.err
			})
		}
		if stats != nil {
			stats.Shapes.Add(1)
		}
	})
	return e
}

// done releases the shape once its last cluster is rendered, so memory holds only the shapes
// in use.
func (s *shapes) done(dir string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.entries[dir]; e != nil {
		if e.users--; e.users <= 0 {
			e.m = nil
		}
	}
}

var depProvider = provider.NewDefaultDepProvider()

// apply lays the overlay over a copy of its shape's build, as kustomize's build of the overlay
// would: patches, then labels (the built-in transformer order), then the build's last steps.
func (t *thinOverlay) apply(fs filesys.FileSystem, shapeBuild resmap.ResMap) (resmap.ResMap, error) {
	return t.applyExcept(fs, shapeBuild, nil)
}

// applyExcept is apply without the patches skip holds (by index).
func (t *thinOverlay) applyExcept(fs filesys.FileSystem, shapeBuild resmap.ResMap, skip map[int]bool) (resmap.ResMap, error) {
	m := shapeBuild.DeepCopy()
	// The public loader starts at the file system's root and takes a relative path from there;
	// like kustomize's own, it then reads only below the overlay's folder.
	ldr, err := loader.NewFileLoaderAtRoot(fs).New(strings.TrimPrefix(filepath.ToSlash(t.dir), "/"))
	if err != nil {
		return nil, err
	}
	h := resmap.NewPluginHelpers(ldr, depProvider.GetFieldValidator(), resmap.NewFactory(depProvider.GetResourceFactory()), types.DisabledPluginConfig())
	var plugins []resmap.TransformerPlugin
	for i, pc := range t.k.Patches {
		if skip[i] {
			continue
		}
		p := builtins.NewPatchTransformerPlugin()
		cfg := struct {
			Path    string           `json:"path,omitempty"`
			Patch   string           `json:"patch,omitempty"`
			Target  *types.Selector  `json:"target,omitempty"`
			Options *types.PatchArgs `json:"options,omitempty"`
		}{pc.Path, pc.Patch, pc.Target, pc.Options}
		if err := configure(p, h, cfg); err != nil {
			return nil, err
		}
		plugins = append(plugins, p)
	}
	for _, l := range t.k.Labels {
		p := builtins.NewLabelTransformerPlugin()
		cfg := struct {
			Labels     map[string]string `json:"labels,omitempty"`
			FieldSpecs []types.FieldSpec `json:"fieldSpecs,omitempty"`
		}{l.Pairs, []types.FieldSpec{{Path: "metadata/labels", CreateIfNotPresent: true}}}
		if err := configure(p, h, cfg); err != nil {
			return nil, err
		}
		plugins = append(plugins, p)
	}
	for _, p := range plugins {
		if err := p.Transform(m); err != nil {
			return nil, err
		}
	}
	// kustomize's legacy order is a total order of the objects' ids, and the shape's build is
	// in it already: with no id changed, the overlay's objects stand in the shape's order.
	before, after := shapeBuild.Resources(), m.Resources()
	for i := range after {
		if !after[i].CurId().Equals(before[i].CurId()) {
			return nil, fmt.Errorf("%s changed the id of %s", t.dir, before[i].CurId())
		}
	}
	// The build's last steps drop kustomize's own annotations; they rewrite every object's
	// annotations, so they run only when a transformer left one.
	if hasBuildAnnotations(m) {
		m.RemoveBuildAnnotations()
		if err := m.RemoveOriginAnnotations(); err != nil {
			return nil, err
		}
		if err := m.RemoveTransformerAnnotations(); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// hasBuildAnnotations tells whether some object carries an annotation of kustomize's own
// (config.kubernetes.io/..., internal.config.kubernetes.io/..., alpha.config.kubernetes.io/...).
func hasBuildAnnotations(m resmap.ResMap) bool {
	for _, r := range m.Resources() {
		for k := range r.GetAnnotations() {
			if strings.Contains(k, "config.kubernetes.io/") {
				return true
			}
		}
	}
	return false
}

func configure(p resmap.TransformerPlugin, h *resmap.PluginHelpers, cfg any) error {
	b, err := yaml.Marshal(cfg)
	if err != nil {
		return err
	}
	return p.Config(h, b)
}

// renderThin renders an overlay over its shape, verifying the first cluster of every shape
// against kustomize's full build of that overlay: a shape whose clusters do not come out byte
// for byte the same is built in full from then on. ok is false when the overlay must be built
// in full.
func (sh *shapes) renderThin(fs filesys.FileSystem, root, overlay string, t *thinOverlay, stats *Stats) (resmap.ResMap, bool) {
	if !sh.verified(fs, root, overlay, t, stats) {
		return nil, false
	}
	m, err := t.apply(fs, sh.get(fs, t.shape, stats).m)
	if err != nil {
		return nil, false // the full build says what is wrong, as kustomize would
	}
	return m, true
}

// verified tells whether the shape of t passed its check: the first of its clusters to ask is
// laid over it and built in full, and the two must print the same bytes.
func (sh *shapes) verified(fs filesys.FileSystem, root, overlay string, t *thinOverlay, stats *Stats) bool {
	s := sh.get(fs, t.shape, stats)
	if s.err != nil {
		return false
	}
	s.verify.Do(func() {
		m, err := t.apply(fs, s.m)
		if err != nil {
			s.full = true
			return
		}
		full, ferr := krusty.MakeKustomizer(Options()).Run(fs, filepath.Join(root, overlay))
		if ferr != nil {
			s.full = true
			return
		}
		a, aerr := m.AsYaml()
		b, berr := full.AsYaml()
		s.full = aerr != nil || berr != nil || !bytes.Equal(a, b)
	})
	return !s.full
}

// ShapeOf tells, for a cluster laid over a shape, the shape's folder relative to the tree's root
// and a digest of every file of the cluster's own overlay that the layer reads (its
// kustomization and patches). Two clusters of two trees with the same digest over shapes whose
// objects are the same render the same, object by object: the layer acts on each object alone.
// ok is false for a cluster built in full, or whose shape does not pass the check against the
// full build.
func (s *Session) ShapeOf(cluster string) (shape, inputs string, ok bool) {
	t := s.thin[cluster]
	if t == nil {
		return "", "", false
	}
	if !s.shapes.verified(s.fs, s.root, s.overlays[cluster], t, s.k.Stats) {
		return "", "", false
	}
	digest, ok := s.overlayInputs(t)
	if !ok {
		return "", "", false
	}
	rel, err := filepath.Rel(string(s.absRoot()), t.shape)
	if err != nil {
		return "", "", false
	}
	return filepath.ToSlash(rel), digest, true
}

// overlayInputs is a digest of the files of a thin overlay's own that its layer reads.
func (s *Session) overlayInputs(t *thinOverlay) (string, bool) {
	h := sha256.New()
	files := []string{}
	if p, ok := kustomizationFile(s.fs, t.dir); ok {
		files = append(files, p)
	}
	for _, pc := range t.k.Patches {
		if pc.Path != "" {
			files = append(files, filepath.Join(t.dir, filepath.FromSlash(pc.Path)))
		}
	}
	for _, f := range files {
		b, err := s.fs.ReadFile(f)
		if err != nil {
			return "", false
		}
		rel, _ := filepath.Rel(t.dir, f)
		fmt.Fprintf(h, "%s\x00%d\x00", filepath.ToSlash(rel), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), true
}

// Fingerprint is a digest of everything the render of cluster reads, asked of the tree now,
// from what the memo remembers of an earlier build (Memo.Fingerprint): for a cluster laid over
// a shape, the shape's reads and the overlay's own files; for one built in full, the
// overlay's reads. ok is false without a memo or before any build was remembered. Results
// kept by fingerprint stay valid as long as it does not change.
func (s *Session) Fingerprint(cluster string) (string, bool) {
	if s.k.Memo == nil {
		return "", false
	}
	h := sha256.New()
	if t := s.thin[cluster]; t != nil {
		rel, err := filepath.Rel(s.absRoot(), t.shape)
		if err != nil {
			return "", false
		}
		shapeFP, ok := s.shapeFingerprint(filepath.ToSlash(rel))
		if !ok {
			return "", false
		}
		own, ok := s.overlayInputs(t)
		if !ok {
			return "", false
		}
		fmt.Fprintf(h, "thin\x00%s\x00%s\x00%s", s.overlays[cluster], shapeFP, own)
	} else {
		fp, ok := s.k.Memo.Fingerprint(s.fs, s.root, s.overlays[cluster])
		if !ok {
			return "", false
		}
		fmt.Fprintf(h, "full\x00%s\x00%s", s.overlays[cluster], fp)
	}
	return hex.EncodeToString(h.Sum(nil)), true
}

// shapeFingerprint asks a shape's remembered reads once per session.
func (s *Session) shapeFingerprint(shape string) (string, bool) {
	s.fpMu.Lock()
	defer s.fpMu.Unlock()
	if fp, ok := s.fps[shape]; ok {
		return fp, true
	}
	fp, ok := s.k.Memo.Fingerprint(s.fs, s.root, shape)
	if ok {
		if s.fps == nil {
			s.fps = map[string]string{}
		}
		s.fps[shape] = fp
	}
	return fp, ok
}

func (s *Session) absRoot() string {
	if abs, _, err := s.fs.CleanedAbs(s.root); err == nil {
		return string(abs)
	}
	return s.root
}

// ShapeDocs is the YAML of each object of a shape's build (see ShapeOf), by identity. The shape must still have a cluster to build.
func (s *Session) ShapeDocs(shape string) (map[ID][]byte, error) {
	dir := filepath.Join(s.absRoot(), filepath.FromSlash(shape))
	e := s.shapes.get(s.fs, dir, s.k.Stats)
	if e.err != nil {
		return nil, e.err
	}
	out := map[ID][]byte{}
	for _, r := range e.m.Resources() {
		y, err := r.AsYAML()
		if err != nil {
			return nil, err
		}
		id := r.CurId()
		out[ID{Group: id.Group, Kind: id.Kind, Namespace: id.Namespace, Name: id.Name}] = y
	}
	return out, nil
}

// Skip lets go of a cluster that will not be built (its shape is released as Build would).
func (s *Session) Skip(cluster string) {
	if t := s.thin[cluster]; t != nil {
		s.shapes.done(t.shape)
	}
}

// BuildOnly is Build with the documents of only the objects keep holds (by identity; YAML
// and Objects are not made): the objects a comparison already knows to be the same are not
// printed.
//
// A cluster laid over a shape is laid over only those objects and the targets of its
// strategic-merge patches without a target (kustomize fails such a patch whose object is
// missing): the layer acts on each object alone, so each comes out as in the whole build.
func (s *Session) BuildOnly(cluster string, keep func(ID) bool) (Result, error) {
	k := s.k
	k.Want = WantDocs
	t := s.thin[cluster]
	if t == nil || !s.shapes.verified(s.fs, s.root, s.overlays[cluster], t, k.Stats) {
		return s.build(cluster, k, keep)
	}
	defer s.shapes.done(t.shape)
	targets, ok := t.patchTargets(s.fs)
	if !ok {
		return s.build(cluster, k, keep)
	}
	shape := s.shapes.get(s.fs, t.shape, k.Stats).m
	kept := map[string]bool{}
	for _, r := range shape.Resources() {
		id := r.CurId()
		if keep(ID{Group: id.Group, Kind: id.Kind, Namespace: id.Namespace, Name: id.Name}) {
			kept[id.Kind+"/"+id.Name] = true
		}
	}
	// A patch that reaches none of the kept objects changes nothing printed; one that does
	// needs every object it patches.
	skip, needed := map[int]bool{}, map[string]bool{}
	for i, ts := range targets {
		if ts == nil {
			continue // targeted by a selector: it finds what is there
		}
		if !slices.ContainsFunc(ts, func(n string) bool { return kept[n] }) {
			skip[i] = true
			continue
		}
		for _, n := range ts {
			needed[n] = true
		}
	}
	subset := resmap.New()
	for _, r := range shape.Resources() {
		id := r.CurId()
		if n := id.Kind + "/" + id.Name; kept[n] || needed[n] {
			if err := subset.Append(r); err != nil {
				return Result{}, err
			}
		}
	}
	m, err := t.applyExcept(s.fs, subset, skip)
	if err != nil {
		return Result{}, fmt.Errorf("%s: kustomize build %s: %w", cluster, s.overlays[cluster], err)
	}
	if k.Stats != nil {
		k.Stats.Thin.Add(1)
	}
	return resultOf(cluster, s.overlays[cluster], m, s.sources, WantDocs, keep)
}

// patchTargets names (kind/name), patch by patch, the objects the overlay's strategic-merge
// patches without a target patch (nil for a patch with a target); ok is false when a patch
// cannot be read.
func (t *thinOverlay) patchTargets(fs filesys.FileSystem) ([][]string, bool) {
	out := make([][]string, len(t.k.Patches))
	for i, pc := range t.k.Patches {
		if pc.Target != nil {
			continue
		}
		text := []byte(pc.Patch)
		if pc.Path != "" {
			b, err := fs.ReadFile(filepath.Join(t.dir, filepath.FromSlash(pc.Path)))
			if err != nil {
				return nil, false
			}
			text = b
		}
		nodes, err := kio.FromBytes(text)
		if err != nil {
			return nil, false
		}
		out[i] = []string{}
		for _, n := range nodes {
			out[i] = append(out[i], n.GetKind()+"/"+n.GetName())
		}
	}
	return out, true
}
