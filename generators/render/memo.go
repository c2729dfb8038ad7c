package render

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/hue-platform/hue-gitops/generators/manifest"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// Memo remembers overlay builds by everything they read: each file's content, each existence,
// directory and path question, with paths relative to the tree's root. A build of the same
// overlay in another tree (a pull request's head after its base) whose every read answers the
// same is not run again: kustomize, with no remote resources or plugins, is a function of what
// it reads. Results served from the memo share their objects with the build that made them, so
// they are read-only, as every check treats them. Safe for concurrent use.
type Memo struct {
	mu      sync.Mutex
	entries map[string][]*memoEntry
	hits    int
	// dir, when set, keeps the memo across runs (see OpenMemo); loaded marks the overlays
	// whose cache file was read.
	dir    string
	loaded map[string]bool
}

type memoEntry struct {
	reads   []read
	yaml    []byte
	objects []*unstructured.Unstructured
}

// read is one question a build asked of the file system and the answer it got.
type read struct {
	op, path, answer string
}

// NewMemo is an empty memo.
func NewMemo() *Memo { return &Memo{entries: map[string][]*memoEntry{}} }

// Hits tells how many builds the memo saved.
func (m *Memo) Hits() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.hits
}

// lookup finds a build of overlay whose reads all answer the same on fs below root.
func (m *Memo) lookup(fs filesys.FileSystem, root, overlay string) *memoEntry {
	m.mu.Lock()
	m.load(overlay)
	candidates := append([]*memoEntry(nil), m.entries[overlay]...)
	m.mu.Unlock()
	for _, e := range candidates {
		r := &recorder{fs: fs, root: root}
		if !r.replays(e.reads) {
			continue
		}
		m.mu.Lock()
		defer m.mu.Unlock()
		if e.objects == nil { // read from disk: decode once
			objs, err := decodeObjects(e.yaml)
			if err != nil {
				return nil
			}
			e.objects = objs
		}
		m.hits++
		return e
	}
	return nil
}

func (m *Memo) store(overlay string, e *memoEntry) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries[overlay] = append(m.entries[overlay], e)
	m.save(overlay, e)
}

// recorder is a read-only view of a file system that writes down every question asked of it.
// A write, or a read it does not follow (Open, Walk), makes the build impossible to remember.
type recorder struct {
	fs        filesys.FileSystem
	root      string
	mu        sync.Mutex
	reads     []read
	untracked bool
}

var _ filesys.FileSystem = (*recorder)(nil)

// rel expresses a path relative to the tree's root, so two trees at different places compare.
func (r *recorder) rel(p string) string {
	if rel, err := filepath.Rel(r.root, p); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	if abs, err := filepath.Abs(r.root); err == nil {
		if rel, err := filepath.Rel(abs, p); err == nil && !strings.HasPrefix(rel, "..") {
			return filepath.ToSlash(rel)
		}
	}
	return "!" + p // outside the tree: compared as is
}

func (r *recorder) note(op, p, answer string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reads = append(r.reads, read{op, r.rel(p), answer})
}

func (r *recorder) untrack() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.untracked = true
}

func digest(b []byte, err error) string {
	if err != nil {
		return "error"
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func (r *recorder) rels(ps []string, err error) string {
	if err != nil {
		return "error"
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = r.rel(p)
	}
	sort.Strings(out)
	return strings.Join(out, "\x00")
}

// answer asks fs the question a read recorded, below this recorder's root.
func (r *recorder) answer(rd read) string {
	p := rd.path
	if strings.HasPrefix(p, "!") {
		p = p[1:]
	} else {
		p = filepath.Join(r.root, filepath.FromSlash(p))
	}
	switch rd.op {
	case "read":
		return digest(r.fs.ReadFile(p))
	case "exists":
		return fmt.Sprint(r.fs.Exists(p))
	case "isdir":
		return fmt.Sprint(r.fs.IsDir(p))
	case "readdir":
		names, err := r.fs.ReadDir(p)
		if err != nil {
			return "error"
		}
		sort.Strings(names)
		return strings.Join(names, "\x00")
	case "glob":
		return r.rels(r.fs.Glob(p))
	case "abs":
		d, f, err := r.fs.CleanedAbs(p)
		if err != nil {
			return "error"
		}
		return r.rel(string(d)) + "\x00" + f
	}
	return "unknown op " + rd.op
}

func (r *recorder) replays(reads []read) bool {
	for _, rd := range reads {
		if r.answer(rd) != rd.answer {
			return false
		}
	}
	return true
}

func (r *recorder) ReadFile(p string) ([]byte, error) {
	b, err := r.fs.ReadFile(p)
	r.note("read", p, digest(b, err))
	return b, err
}

func (r *recorder) Exists(p string) bool {
	ok := r.fs.Exists(p)
	r.note("exists", p, fmt.Sprint(ok))
	return ok
}

func (r *recorder) IsDir(p string) bool {
	ok := r.fs.IsDir(p)
	r.note("isdir", p, fmt.Sprint(ok))
	return ok
}

func (r *recorder) ReadDir(p string) ([]string, error) {
	names, err := r.fs.ReadDir(p)
	answer := "error"
	if err == nil {
		sorted := append([]string(nil), names...)
		sort.Strings(sorted)
		answer = strings.Join(sorted, "\x00")
	}
	r.note("readdir", p, answer)
	return names, err
}

func (r *recorder) Glob(pattern string) ([]string, error) {
	ms, err := r.fs.Glob(pattern)
	r.note("glob", pattern, r.rels(ms, err))
	return ms, err
}

func (r *recorder) CleanedAbs(p string) (filesys.ConfirmedDir, string, error) {
	d, f, err := r.fs.CleanedAbs(p)
	answer := "error"
	if err == nil {
		answer = r.rel(string(d)) + "\x00" + f
	}
	r.note("abs", p, answer)
	return d, f, err
}

// Open and Walk read whole files or trees in ways the memo does not follow; kustomize's build
// does not use them, and if it ever does the build is simply not remembered.
func (r *recorder) Open(p string) (filesys.File, error) { r.untrack(); return r.fs.Open(p) }

func (r *recorder) Walk(p string, fn filepath.WalkFunc) error { r.untrack(); return r.fs.Walk(p, fn) }

func (r *recorder) Create(p string) (filesys.File, error) { r.untrack(); return r.fs.Create(p) }

func (r *recorder) Mkdir(p string) error { r.untrack(); return r.fs.Mkdir(p) }

func (r *recorder) MkdirAll(p string) error { r.untrack(); return r.fs.MkdirAll(p) }

func (r *recorder) RemoveAll(p string) error { r.untrack(); return r.fs.RemoveAll(p) }

func (r *recorder) WriteFile(p string, data []byte) error {
	r.untrack()
	return r.fs.WriteFile(p, data)
}

// build is One, through the memo when there is one.
func (k Krusty) build(fs filesys.FileSystem, root, cluster, overlay string, sources Sources) (Result, error) {
	if k.Memo == nil {
		return oneWant(fs, root, cluster, overlay, sources, k.Want)
	}
	if e := k.Memo.lookup(fs, root, overlay); e != nil {
		res := Result{Cluster: cluster, Overlay: overlay, YAML: e.yaml}
		for _, u := range e.objects {
			res.Objects = append(res.Objects, manifest.Object{Unstructured: u, Source: sources.Lookup(u, overlay)})
		}
		if k.Want.docs() {
			res.Docs = splitDocs(e.yaml, e.objects)
		}
		return res, nil
	}
	rec := &recorder{fs: fs, root: root}
	res, err := oneWant(rec, root, cluster, overlay, sources, k.Want|WantYAML|WantObjects)
	if err != nil || rec.untracked {
		return res, err
	}
	e := &memoEntry{reads: rec.reads, yaml: res.YAML}
	for _, o := range res.Objects {
		e.objects = append(e.objects, o.Unstructured)
	}
	k.Memo.store(overlay, e)
	return res, nil
}

// splitDocs cuts what AsYaml printed back into its objects' documents: a line "---" at the
// margin only ever separates them (a block scalar's lines are indented).
func splitDocs(y []byte, objs []*unstructured.Unstructured) []Doc {
	parts := bytes.Split(y, []byte("\n---\n"))
	if len(parts) != len(objs) {
		return nil
	}
	out := make([]Doc, len(objs))
	for i, u := range objs {
		doc := parts[i]
		if i < len(parts)-1 {
			doc = append(doc[:len(doc):len(doc)], '\n')
		}
		gvk := u.GroupVersionKind()
		out[i] = Doc{ID: ID{Group: gvk.Group, Kind: gvk.Kind, Namespace: u.GetNamespace(), Name: u.GetName()}, YAML: doc}
	}
	return out
}

// Fingerprint is a digest of the latest remembered build of key (an overlay or a shape folder,
// relative to the tree's root) asked again of fs: every question that build asked, with the
// answer fs gives now. Two trees with the same fingerprint render key alike, so results
// derived from the render (check findings) can be kept by it. ok is false when no build of
// key is remembered.
func (m *Memo) Fingerprint(fs filesys.FileSystem, root, key string) (string, bool) {
	m.mu.Lock()
	m.load(key)
	es := m.entries[key]
	m.mu.Unlock()
	if len(es) == 0 {
		return "", false
	}
	e := es[len(es)-1]
	r := &recorder{fs: fs, root: root}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", kustomizeVersion, key)
	for _, rd := range e.reads {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00", rd.op, rd.path, r.answer(rd))
	}
	return hex.EncodeToString(h.Sum(nil)), true
}

// record builds dir (a shape folder below root) through a recorder and remembers its reads
// under its path relative to root, so a later run can fingerprint the shape without building it.
func (m *Memo) record(fs filesys.FileSystem, root, dir string, build func(filesys.FileSystem) ([]byte, error)) error {
	rec := &recorder{fs: fs, root: root}
	y, err := build(rec)
	if err != nil || rec.untracked {
		return err
	}
	m.store(rec.rel(dir), &memoEntry{reads: rec.reads, yaml: y})
	return nil
}
