package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/hue-platform/hue-gitops/generators/check"
	"github.com/hue-platform/hue-gitops/generators/check/policy"
	"github.com/hue-platform/hue-gitops/generators/check/report"
	"github.com/hue-platform/hue-gitops/generators/fileset"
	"github.com/hue-platform/hue-gitops/generators/layout"
	"github.com/hue-platform/hue-gitops/generators/manifest"
)

// checkCacheFormat changes whenever what an entry holds, or how it is read, changes.
const checkCacheFormat = 2

// CheckCache keeps, per cluster, what a check found before waivers, with the fingerprint of
// everything that went into it: the render's inputs (render.Session.Fingerprint), the cluster's
// spec, the policies, the object-to-file map and the hue binary. A cluster whose key is the
// same is not rendered or checked again; any other key is a miss. A damaged entry is a miss.
type CheckCache struct {
	dir string
	// base is the part of every key that is the same for all clusters of a run.
	base string
}

// CachedCheck is what a check keeps of one cluster.
type CachedCheck struct {
	Format    int             `json:"format"`
	Key       string          `json:"key"`
	Findings  []check.Finding `json:"findings"`
	Summary   report.Cluster  `json:"summary"`
	Workloads int             `json:"workloads"`
	// Skeleton is each object as manifest.Skeleton keeps it, with its source file.
	Skeleton []SkeletonObject `json:"skeleton"`
}

// SkeletonObject is one object of a cached skeleton.
type SkeletonObject struct {
	Object map[string]any `json:"o"`
	Source string         `json:"s,omitempty"`
}

// OpenCheckCache keeps check results in dir/check, keyed also by the policies below root,
// the sources digest of the run and the running binary.
func OpenCheckCache(dir, root, sourcesDigest string) (*CheckCache, error) {
	d := filepath.Join(dir, "check")
	if err := os.MkdirAll(d, 0o755); err != nil {
		return nil, err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00%s\x00%s\x00", checkCacheFormat, binaryIdentity(), sourcesDigest)
	// Every Rego file of the policies' folders, <name>/<name>.rego and its tests, lib's included.
	pdir := filepath.Join(root, layout.Policies)
	policies, tests, err := policy.PolicyFiles(pdir)
	if err != nil {
		return nil, err
	}
	names := append(policies, tests...)
	slices.Sort(names)
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(pdir, n))
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(b))
		h.Write(b)
	}
	return &CheckCache{dir: d, base: hex.EncodeToString(h.Sum(nil))}, nil
}

// binaryIdentity changes whenever the hue binary is rebuilt, so results of other code are
// never served.
func binaryIdentity() string {
	exe, err := os.Executable()
	if err != nil {
		return "unknown"
	}
	st, err := os.Stat(exe)
	if err != nil {
		return "unknown"
	}
	return fmt.Sprintf("%s\x00%d\x00%d", exe, st.Size(), st.ModTime().UnixNano())
}

// Key is the cache key of a cluster given its render fingerprint.
func (cc *CheckCache) Key(c *check.Cluster, fingerprint string) (string, error) {
	spec, err := json.Marshal(c.Spec)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00", cc.base, fingerprint, c.SpecFile, c.Overlay)
	h.Write(spec)
	return hex.EncodeToString(h.Sum(nil)), nil
}

func (cc *CheckCache) file(cluster string) string {
	sum := sha256.Sum256([]byte(cluster))
	return filepath.Join(cc.dir, hex.EncodeToString(sum[:12])+".json")
}

// Get returns the entry of cluster when its key is key.
func (cc *CheckCache) Get(cluster, key string) (*CachedCheck, bool) {
	b, err := os.ReadFile(cc.file(cluster))
	if err != nil {
		return nil, false
	}
	var e CachedCheck
	if json.Unmarshal(b, &e) != nil || e.Format != checkCacheFormat || e.Key != key || e.Summary.Name != cluster {
		return nil, false
	}
	return &e, true
}

// Put keeps the results of cluster under key (atomically; a failure only costs a later check).
func (cc *CheckCache) Put(key string, c *check.Cluster, found []check.Finding, sum report.Cluster, workloads int) {
	e := CachedCheck{Format: checkCacheFormat, Key: key, Findings: found, Summary: sum, Workloads: workloads}
	for _, o := range manifest.Skeleton(c.Objects) {
		e.Skeleton = append(e.Skeleton, SkeletonObject{Object: o.Object, Source: o.Source})
	}
	b, err := json.Marshal(e)
	if err != nil {
		return
	}
	_ = fileset.WriteAtomic(cc.file(sum.Name), b) // a failure only costs a later check
}

// FleetKey is the key of a result about the whole fleet: the part every key of the run shares
// and what inputs writes of that result's own inputs.
func (cc *CheckCache) FleetKey(inputs func(io.Writer) error) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "fleet\x00%s\x00", cc.base)
	if err := inputs(h); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// fleetEntry is a cached result about the whole fleet.
type fleetEntry struct {
	Format int             `json:"format"`
	Key    string          `json:"key"`
	Value  json.RawMessage `json:"value"`
}

func (cc *CheckCache) fleetFile(name string) string {
	return filepath.Join(cc.dir, "fleet-"+name+".json")
}

// GetFleet decodes the result kept as name into v when its key is key.
func (cc *CheckCache) GetFleet(name, key string, v any) bool {
	b, err := os.ReadFile(cc.fleetFile(name))
	if err != nil {
		return false
	}
	var e fleetEntry
	if json.Unmarshal(b, &e) != nil || e.Format != checkCacheFormat || e.Key != key {
		return false
	}
	return json.Unmarshal(e.Value, v) == nil
}

// PutFleet keeps v as the result name under key (atomically; a failure only costs a later check).
func (cc *CheckCache) PutFleet(name, key string, v any) {
	raw, err := json.Marshal(v)
	if err != nil {
		return
	}
	b, err := json.Marshal(fleetEntry{Format: checkCacheFormat, Key: key, Value: raw})
	if err != nil {
		return
	}
	_ = fileset.WriteAtomic(cc.fleetFile(name), b)
}

// Objects are the skeleton objects of an entry (see manifest.Skeleton).
func (e *CachedCheck) Objects() []manifest.Object {
	out := make([]manifest.Object, len(e.Skeleton))
	for i, s := range e.Skeleton {
		out[i] = manifest.Object{Unstructured: &unstructured.Unstructured{Object: s.Object}, Source: s.Source}
	}
	return out
}
