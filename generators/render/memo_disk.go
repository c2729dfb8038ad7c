package render

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime/debug"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/kyaml/kio"

	"github.com/hue-platform/hue-gitops/generators/fileset"
)

// diskFormat changes whenever what a cache file holds, or how it is read, changes.
const diskFormat = 1

// diskEntry is one remembered build as a cache file holds it.
type diskEntry struct {
	Format    int         `json:"format"`
	Kustomize string      `json:"kustomize"`
	Overlay   string      `json:"overlay"`
	Reads     [][3]string `json:"reads"`
	YAML      string      `json:"yaml"`
}

// kustomizeVersion is the kustomize API this binary builds with: a cache written by another
// one is not trusted, since the same inputs may render differently.
var kustomizeVersion = func() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "sigs.k8s.io/kustomize/api" {
				if d.Replace != nil {
					return d.Replace.Path + "@" + d.Replace.Version
				}
				return d.Version
			}
		}
	}
	return "unknown"
}()

// OpenMemo is a memo also kept in the folder dir, so that builds remembered by an earlier run are
// served again: one file per overlay, holding its latest build, written atomically. A file that
// cannot be read, or that another kustomize wrote, is ignored and replaced; the cache can make
// a render faster, never different.
func OpenMemo(dir string) (*Memo, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	m := NewMemo()
	m.dir = dir
	m.loaded = map[string]bool{}
	return m, nil
}

func (m *Memo) file(overlay string) string {
	sum := sha256.Sum256([]byte(overlay))
	return filepath.Join(m.dir, hex.EncodeToString(sum[:12])+".json")
}

// load reads overlay's cache file into the memo, once. Called with m.mu held.
func (m *Memo) load(overlay string) {
	if m.dir == "" || m.loaded[overlay] {
		return
	}
	m.loaded[overlay] = true
	b, err := os.ReadFile(m.file(overlay))
	if err != nil {
		return
	}
	var d diskEntry
	if json.Unmarshal(b, &d) != nil || d.Format != diskFormat || d.Kustomize != kustomizeVersion || d.Overlay != overlay {
		return
	}
	e := &memoEntry{yaml: []byte(d.YAML)}
	for _, r := range d.Reads {
		e.reads = append(e.reads, read{op: r[0], path: r[1], answer: r[2]})
	}
	m.entries[overlay] = append(m.entries[overlay], e)
}

// save writes overlay's latest build to its cache file; a failure only costs a later rebuild.
func (m *Memo) save(overlay string, e *memoEntry) {
	if m.dir == "" {
		return
	}
	d := diskEntry{Format: diskFormat, Kustomize: kustomizeVersion, Overlay: overlay, YAML: string(e.yaml)}
	for _, r := range e.reads {
		d.Reads = append(d.Reads, [3]string{r.op, r.path, r.answer})
	}
	b, err := json.Marshal(d)
	if err != nil {
		return
	}
	_ = fileset.WriteAtomic(m.file(overlay), b) // a failure only costs a later rebuild
}

// decodeObjects turns a stored render back into objects the way krusty hands them out (kyaml
// nodes as maps), for entries read from disk.
func decodeObjects(y []byte) ([]*unstructured.Unstructured, error) {
	nodes, err := (&kio.ByteReader{Reader: bytes.NewReader(y), OmitReaderAnnotations: true}).Read()
	if err != nil {
		return nil, err
	}
	out := make([]*unstructured.Unstructured, 0, len(nodes))
	for _, n := range nodes {
		obj, err := n.Map()
		if err != nil {
			return nil, err
		}
		out = append(out, &unstructured.Unstructured{Object: obj})
	}
	return out, nil
}
