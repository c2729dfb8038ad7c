// Package fleet makes synthetic fleets: a copy of the repository's hand-edited inputs with many
// more school and science clusters, so generate, render, check and diff can be measured at the
// fleet sizes the platform is headed for.
package fleet

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/fileset"
	"github.com/hue-platform/hue-gitops/generators/layout"
	"github.com/hue-platform/hue-gitops/generators/manifest"
	"github.com/hue-platform/hue-gitops/generators/platform"
)

// MaxClusters bounds --schools and --science.
const MaxClusters = 100000

// OverrideEvery is how often a synthetic school carries a service override; the first comes
// early (OverrideOffset) so that even a small fleet has one.
const (
	OverrideEvery  = 50
	OverrideOffset = 7
)

// Options of one synthesis.
type Options struct {
	// Root is the repository whose inputs are copied.
	Root string
	// Out is the folder to create; it must be missing or empty.
	Out string
	// Schools and Science are the numbers of clusters to add to those fleets.
	Schools, Science int
}

// Result names what was written.
type Result struct {
	// Copied is the number of input files copied from Root.
	Copied int
	// Schools and Science are the added clusters, in the order they were made.
	Schools, Science []*v1alpha1.HueCluster
}

// UsageError is a bad option or a bad source tree (exit 2).
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usage(format string, args ...any) error {
	return &UsageError{fmt.Errorf(format, args...)}
}

// Synth copies the inputs of o.Root into o.Out and adds the synthetic clusters. Everything is
// computed and validated (with the catalog and inventory rules) before anything is written.
func Synth(o Options) (*Result, error) {
	if o.Schools < 0 || o.Schools > MaxClusters {
		return nil, usage("--schools %d: want 0 to %d", o.Schools, MaxClusters)
	}
	if o.Science < 0 || o.Science > MaxClusters {
		return nil, usage("--science %d: want 0 to %d", o.Science, MaxClusters)
	}
	if o.Out == "" {
		return nil, usage("--out is required")
	}
	if err := checkEmpty(o.Out); err != nil {
		return nil, err
	}
	cat, err := platform.LoadCatalog(o.Root)
	if err != nil {
		return nil, &UsageError{fmt.Errorf("--root %s: %w", o.Root, err)}
	}
	inv, err := platform.LoadInventory(o.Root, cat)
	if err != nil {
		return nil, &UsageError{fmt.Errorf("--root %s: %w", o.Root, err)}
	}
	taken := takenNames(inv)
	schools, err := Schools(inv, cat, o.Schools, taken)
	if err != nil {
		return nil, err
	}
	science, err := Science(inv, o.Science, taken)
	if err != nil {
		return nil, err
	}
	added := map[string][]byte{}
	for _, set := range []struct {
		fleet    string
		clusters []*v1alpha1.HueCluster
	}{{v1alpha1.FleetSchool, schools}, {v1alpha1.FleetScience, science}} {
		for _, c := range set.clusters {
			b, err := MarshalCluster(c)
			if err != nil {
				return nil, err
			}
			added[layout.ClusterFile(set.fleet, c.Name)] = b
		}
	}
	if err := validate(o.Root, cat, added); err != nil {
		return nil, err
	}
	n, err := copyInputs(o.Root, o.Out)
	if err != nil {
		return nil, err
	}
	for _, p := range slices.Sorted(maps.Keys(added)) {
		if err := os.WriteFile(filepath.Join(o.Out, p), added[p], 0o644); err != nil {
			return nil, err
		}
	}
	return &Result{Copied: n, Schools: schools, Science: science}, nil
}

func checkEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return usage("--out %s: %v", dir, err)
	case len(entries) > 0:
		return usage("--out %s exists and is not empty; give a new or empty folder", dir)
	}
	return nil
}

// validate decodes the committed inventory plus the added clusters, as hue generate will.
func validate(root string, cat *platform.Catalog, added map[string][]byte) error {
	names, err := platform.InventoryFiles(root)
	if err != nil {
		return err
	}
	files, err := platform.ReadFiles(root, names)
	if err != nil {
		return err
	}
	maps.Copy(files, added)
	if _, err := platform.BuildInventory(files, cat); err != nil {
		return fmt.Errorf("synthetic clusters do not validate (a bug in hue fleet synth): %w", err)
	}
	return nil
}

// takenNames holds every cluster name, destination and ingress domain already in use.
func takenNames(inv *platform.Inventory) map[string]bool {
	taken := map[string]bool{}
	for _, c := range inv.Clusters {
		taken[c.Name] = true
		if d := c.Spec.Destination; d != nil {
			taken["dest:"+d.Name] = true
			taken["dest:"+d.Server] = true
		}
		if c.Spec.Ingress != nil && c.Spec.Ingress.Domain != "" {
			taken["domain:"+c.Spec.Ingress.Domain] = true
		}
	}
	return taken
}

func free(taken map[string]bool, name, dest, domain string) bool {
	if taken[name] || taken["dest:"+dest] || taken["domain:"+domain] || len(validation.IsDNS1123Label(name)) > 0 {
		return false
	}
	taken[name], taken["dest:"+dest], taken["domain:"+domain] = true, true, true
	return true
}

// towns name the synthetic schools; none is a committed school's.
var towns = []string{
	"abbotsley", "alderton", "ambleside", "ashcombe", "barrowby", "beckford", "birchley",
	"bramwell", "carrow", "castleton", "chilworth", "cranmere", "dalston", "denholme",
	"eastleigh", "edgecote", "farleigh", "fenwick", "foxley", "garston", "greyfield",
	"halstow", "hartwell", "heathcote", "ivybridge", "kelmscott", "kingsway", "larkhill",
	"linwood", "marden", "millbrook", "newbold", "northam", "oakridge", "orwell", "pendle",
	"quarley", "redmarley", "rosedale", "saltwood", "sedgefield", "thornbury", "tilford",
	"upton", "wareham", "westbury", "whitmore", "yarwell",
}

func newCluster(name string) *v1alpha1.HueCluster {
	return &v1alpha1.HueCluster{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.APIVersion, Kind: v1alpha1.KindCluster},
		ObjectMeta: metav1.ObjectMeta{Name: name},
	}
}

// Schools makes n school clusters named school-<town>-<nnnn> (names do not depend on n, so a
// bigger fleet extends a smaller one), with rings spread as RingCounts says and an override on
// every OverrideEvery-th school.
func Schools(inv *platform.Inventory, cat *platform.Catalog, n int, taken map[string]bool) ([]*v1alpha1.HueCluster, error) {
	if n == 0 {
		return nil, nil
	}
	f := inv.Fleets[v1alpha1.FleetSchool]
	if f == nil {
		return nil, usage("no clusters/%s/fleet.yaml to add schools to", v1alpha1.FleetSchool)
	}
	rings := RingOrder(f.Spec.Rings, RingCounts(n, len(f.Spec.Rings)))
	if rings == nil {
		return nil, usage("clusters/%s/fleet.yaml names no rings", v1alpha1.FleetSchool)
	}
	deployments := Overridable(cat, f.Spec.Defaults.Services)
	out := make([]*v1alpha1.HueCluster, 0, n)
	for i := 0; len(out) < n; i++ {
		short := fmt.Sprintf("%s-%04d", towns[i%len(towns)], i+1)
		name := "school-" + short
		domain := short + ".schools.hue.dev"
		if !free(taken, name, name, domain) {
			continue
		}
		j := len(out)
		c := newCluster(name)
		c.Spec.Ring = rings[j]
		c.Spec.Ingress = &v1alpha1.IngressSpec{Domain: domain}
		c.Spec.Destination = &v1alpha1.Destination{Name: name}
		if j%OverrideEvery == OverrideOffset && len(deployments) > 0 {
			svc, o := Override(deployments, j/OverrideEvery)
			c.Spec.Overrides = map[string]v1alpha1.ServiceOverride{svc.Name: o}
		}
		out = append(out, c)
	}
	return out, nil
}

// RingCounts spreads n schools over rings as a real rollout does: about 1% in the first ring
// (at least one school), about 9% over the middle rings, the rest in the last.
func RingCounts(n, rings int) []int {
	if rings == 0 {
		return nil
	}
	counts := make([]int, rings)
	if rings == 1 || n == 0 {
		counts[rings-1] = n
		return counts
	}
	counts[0] = min(n, max(1, (n+50)/100))
	left := n - counts[0]
	if middle := rings - 2; middle > 0 {
		share := min(left, (9*n+50)/100)
		for i := range middle {
			counts[1+i] = share / middle
			if i < share%middle {
				counts[1+i]++
			}
		}
		left -= share
	}
	counts[rings-1] = left
	return counts
}

// RingOrder lays out ring names so each ring's schools are spread evenly through the fleet
// (smooth weighted round robin: exactly counts[r] of ring r, the first school in the first ring).
func RingOrder(rings []string, counts []int) []string {
	if len(rings) == 0 {
		return nil
	}
	total := 0
	for _, c := range counts {
		total += c
	}
	out := make([]string, 0, total)
	current := make([]int, len(counts))
	for range total {
		best := 0
		for r := range counts {
			current[r] += counts[r]
			if current[r] > current[best] {
				best = r
			}
		}
		current[best] -= total
		out = append(out, rings[best])
	}
	return out
}

// Overridable lists the fleet's Deployment services without autoscaling whose replicas and tag
// a cluster may override. A service of fewer than two replicas is left out: its base has no
// PodDisruptionBudget, so one more replica would make the synthetic school fail HUE-014, and a
// benchmark fleet must check as clean as the committed one.
func Overridable(cat *platform.Catalog, services []string) []*v1alpha1.HueService {
	var out []*v1alpha1.HueService
	for _, name := range slices.Sorted(slices.Values(services)) {
		s := cat.Service(name)
		if s != nil && s.Spec.Workload == v1alpha1.Deployment && s.Spec.Autoscaling == nil && s.Spec.Replicas != nil && *s.Spec.Replicas >= 2 {
			out = append(out, s)
		}
	}
	return out
}

// Override is the k-th synthetic override, alternating one more replica and the next image tag
// (what a school pinned to a newer release looks like, as clusters/school/school-brookside.yaml).
func Override(services []*v1alpha1.HueService, k int) (*v1alpha1.HueService, v1alpha1.ServiceOverride) {
	s := services[(k/2)%len(services)]
	if k%2 == 0 {
		replicas := *s.Spec.Replicas + 1
		return s, v1alpha1.ServiceOverride{Replicas: &replicas}
	}
	return s, v1alpha1.ServiceOverride{Tag: NextTag(s.Spec.Image)}
}

// NextTag is the image's tag with its last number bumped ("x:0.3" gives "0.4"), or the tag
// with "-1" appended when it ends in no number.
func NextTag(image string) string {
	tag := "latest"
	if i := strings.LastIndex(image, ":"); i >= 0 && !strings.Contains(image[i:], "/") {
		tag = image[i+1:]
	}
	if i := strings.LastIndexAny(tag, ".-_") + 1; i < len(tag) {
		if v, err := strconv.Atoi(tag[i:]); err == nil {
			return tag[:i] + strconv.Itoa(v+1)
		}
	}
	return tag + "-1"
}

// region is one jurisdiction a committed science cluster runs in.
type region struct{ name, residency string }

// Science makes n science clusters named sci-<region>-<nn>, cycling through the regions (and
// their data residencies) of the committed science clusters.
func Science(inv *platform.Inventory, n int, taken map[string]bool) ([]*v1alpha1.HueCluster, error) {
	if n == 0 {
		return nil, nil
	}
	var regions []region
	for _, c := range inv.Clusters {
		r := region{c.Spec.Region, c.Spec.DataResidency}
		if c.Spec.Fleet == v1alpha1.FleetScience && !slices.Contains(regions, r) {
			regions = append(regions, r)
		}
	}
	if len(regions) == 0 {
		return nil, usage("no committed clusters/%s/ cluster to take regions from", v1alpha1.FleetScience)
	}
	out := make([]*v1alpha1.HueCluster, 0, n)
	for i := 0; len(out) < n; i++ {
		r := regions[i%len(regions)]
		short := fmt.Sprintf("%s-%02d", r.name, i/len(regions)+2)
		name := "sci-" + short
		server := "https://" + name + ".federation.hue.dev:6443"
		domain := short + ".science.hue.dev"
		if !free(taken, name, server, domain) {
			continue
		}
		c := newCluster(name)
		c.Spec.Region = r.name
		c.Spec.DataResidency = r.residency
		c.Spec.Ingress = &v1alpha1.IngressSpec{Domain: domain}
		c.Spec.Destination = &v1alpha1.Destination{Server: server}
		out = append(out, c)
	}
	return out, nil
}

// specOrder is the field order of the committed cluster files; other fields follow, sorted.
var specOrder = []string{"fleet", "environment", "region", "dataResidency", "ring", "bareMetal",
	"highAvailability", "tenants", "ingress", "destination", "services", "nodePools", "overrides"}

// MarshalCluster writes a cluster in the style of the committed files: apiVersion, kind,
// metadata, spec; small mappings of scalars in flow style; strings quoted only when needed.
func MarshalCluster(c *v1alpha1.HueCluster) ([]byte, error) {
	m, err := fileset.Tree(c)
	if err != nil {
		return nil, err
	}
	// ObjectMeta always marshals a creationTimestamp: drop nulls, then what they leave empty.
	manifest.Prune(m, nil, nil)
	j, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(j, &doc); err != nil {
		return nil, err
	}
	top := doc.Content[0]
	plain(top)
	order(top, []string{"apiVersion", "kind", "metadata", "spec"})
	if spec := value(top, "spec"); spec != nil {
		order(spec, specOrder)
		for i := 1; i < len(spec.Content); i += 2 {
			style(spec.Content[i])
		}
	}
	var buf bytes.Buffer
	e := yaml.NewEncoder(&buf)
	if err := e.Encode(top); err != nil {
		return nil, err
	}
	if err := e.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// prune removes empty mappings, in place.
func value(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// order sorts a mapping's keys by their place in keys; keys not listed keep their order, last.
func order(n *yaml.Node, keys []string) {
	type pair struct{ k, v *yaml.Node }
	var pairs []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		pairs = append(pairs, pair{n.Content[i], n.Content[i+1]})
	}
	rank := func(k string) int {
		if i := slices.Index(keys, k); i >= 0 {
			return i
		}
		return len(keys)
	}
	slices.SortStableFunc(pairs, func(a, b pair) int { return rank(a.k.Value) - rank(b.k.Value) })
	n.Content = n.Content[:0]
	for _, p := range pairs {
		n.Content = append(n.Content, p.k, p.v)
	}
}

// style makes every mapping or sequence holding only scalars a flow one, below n.
func style(n *yaml.Node) {
	if n.Kind != yaml.MappingNode && n.Kind != yaml.SequenceNode {
		return
	}
	flat := true
	for _, c := range n.Content {
		style(c)
		flat = flat && c.Kind == yaml.ScalarNode
	}
	if flat && len(n.Content) > 0 {
		n.Style = yaml.FlowStyle
	}
}

// plain drops the JSON styles (flow mappings, quoted strings); the encoder quotes only what
// would not read back as the same string.
func plain(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		plain(c)
	}
}

// skipped are the top-level folders that are not inputs: history, outputs, tools, golden renders.
var skipped = []string{".git", "out", "bin", ".cache", "tests/golden"}

// copyInputs copies every hand-edited file of root into out: the whole tree but skipped
// folders and generated files (hue generate writes those again).
func copyInputs(root, out string) (int, error) {
	absOut, err := filepath.Abs(out)
	if err != nil {
		return 0, err
	}
	n := 0
	skip := func(rel string) bool {
		abs, _ := filepath.Abs(filepath.Join(root, filepath.FromSlash(rel)))
		return abs == absOut || slices.Contains(skipped, rel)
	}
	err = fileset.Walk(root, []string{"."}, skip, func(rel string, e fs.DirEntry) error {
		p := filepath.Join(root, filepath.FromSlash(rel))
		dst := filepath.Join(out, rel)
		if e.Type()&fs.ModeSymlink != 0 {
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			n++
			return os.Symlink(target, dst)
		}
		if !e.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if fileset.IsGenerated(b) {
			return nil
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		n++
		return os.WriteFile(dst, b, info.Mode().Perm())
	})
	return n, err
}
