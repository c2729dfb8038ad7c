package diff

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hue-platform/hue-gitops/generators/layout"
	"sigs.k8s.io/yaml"
)

// Measures a limit can bound.
const (
	MeasureClustersRemoved     = "clustersRemoved"
	MeasureClustersChanged     = "clustersChanged"
	MeasureApplicationsRemoved = "applicationsRemoved"
	MeasureNamespacesDeleted   = "namespacesDeleted"
	MeasurePersistentDeleted   = "persistentDeleted"
	MeasureCRDsDeleted         = "crdsDeleted"
	MeasureProductionAtOnce    = "productionChangedAtOncePercent"
)

// Measures lists every measure, in the order a verdict reports them.
var Measures = []string{MeasureClustersRemoved, MeasureApplicationsRemoved, MeasureNamespacesDeleted,
	MeasurePersistentDeleted, MeasureCRDsDeleted, MeasureClustersChanged, MeasureProductionAtOnce}

// Limit bounds one measure over the clusters it selects.
type Limit struct {
	// Name is what an override names (hue diff --override NAME, the pull-request label
	// guard-override/NAME).
	Name    string `json:"name"`
	Measure string `json:"measure"`
	Max     int    `json:"max"`
	// Fleet, Ring and Environment narrow the clusters counted; empty selects every one.
	Fleet       string `json:"fleet,omitempty"`
	Ring        string `json:"ring,omitempty"`
	Environment string `json:"environment,omitempty"`
	Reason      string `json:"reason,omitempty"`
}

// Guard is the content of layout.GuardFile.
type Guard struct {
	Limits []Limit `json:"limits"`
}

// DefaultGuard applies when no tree has layout.GuardFile: nothing is deleted without a named override.
var DefaultGuard = Guard{Limits: []Limit{
	{Name: "cluster-removal", Measure: MeasureClustersRemoved, Max: 0},
	{Name: "application-removal", Measure: MeasureApplicationsRemoved, Max: 0},
	{Name: "namespace-deletion", Measure: MeasureNamespacesDeleted, Max: 0},
	{Name: "persistent-deletion", Measure: MeasurePersistentDeleted, Max: 0},
	{Name: "crd-deletion", Measure: MeasureCRDsDeleted, Max: 0},
}}

// ParseGuard reads a guard file strictly; errors name the file and the limit.
func ParseGuard(file string, b []byte) (Guard, error) {
	var g Guard
	if err := yaml.UnmarshalStrict(b, &g); err != nil {
		return Guard{}, fmt.Errorf("%s: %w", file, err)
	}
	var errs []error
	names := map[string]bool{}
	for i, l := range g.Limits {
		at := fmt.Sprintf("%s: limits[%d]", file, i)
		switch {
		case l.Name == "":
			errs = append(errs, fmt.Errorf("%s.name: required (an override names it)", at))
		case names[l.Name]:
			errs = append(errs, fmt.Errorf("%s.name: %q is already another limit's", at, l.Name))
		case strings.ContainsAny(l.Name, " ,/"):
			errs = append(errs, fmt.Errorf("%s.name: %q: no spaces, commas or slashes (it becomes a flag value and a label)", at, l.Name))
		}
		names[l.Name] = true
		if !slices.Contains(Measures, l.Measure) {
			errs = append(errs, fmt.Errorf("%s.measure: %q is not one of %s", at, l.Measure, strings.Join(Measures, ", ")))
		}
		if l.Max < 0 || (l.Measure == MeasureProductionAtOnce && l.Max > 100) {
			errs = append(errs, fmt.Errorf("%s.max: %d is out of range", at, l.Max))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Guard{}, err
	}
	return g, nil
}

// LoadGuard reads layout.GuardFile from the base tree, the reviewed version a pull request cannot
// loosen for itself, or from the head when the base has none; DefaultGuard when neither has.
func LoadGuard(base, head Tree) (Guard, string, error) {
	for _, t := range []Tree{base, head} {
		p := t.Root + "/" + layout.GuardFile
		if !t.FS.Exists(p) {
			continue
		}
		b, err := t.FS.ReadFile(p)
		if err != nil {
			return Guard{}, "", fmt.Errorf("%s: %w", layout.GuardFile, err)
		}
		g, err := ParseGuard(layout.GuardFile, b)
		return g, fmt.Sprintf("%s of %s", layout.GuardFile, t.Name), err
	}
	return DefaultGuard, "built-in limits (no " + layout.GuardFile + ")", nil
}

// Verdict is the guard's judgement of a report.
type Verdict struct {
	// Source says where the limits came from.
	Source string `json:"source"`
	// Counts are the measures per fleet, ring and environment.
	Counts []Count `json:"counts"`
	// Deletions says, cluster by cluster, what Argo CD would delete and why.
	Deletions []Deletion `json:"deletions"`
	Limits    []Judged   `json:"limits"`
}

// Count is every measure over one fleet, ring and environment.
type Count struct {
	Fleet       string         `json:"fleet,omitempty"`
	Ring        string         `json:"ring,omitempty"`
	Environment string         `json:"environment,omitempty"`
	Clusters    int            `json:"clusters"`
	Values      map[string]int `json:"values"`
}

// Deletion is what a change deletes in or with one cluster.
type Deletion struct {
	Cluster string `json:"cluster"`
	// Removed says the cluster itself goes (its overlay is gone).
	Removed bool `json:"removed,omitempty"`
	// Application is the cluster's Application that goes, with how its objects fare.
	Application string `json:"application,omitempty"`
	Consequence string `json:"consequence,omitempty"`
	// Objects are the Namespaces, persistent workloads and CRDs deleted.
	Objects []string `json:"objects,omitempty"`
}

// Judged is one limit and what the change measures against it.
type Judged struct {
	Limit
	Value int `json:"value"`
	// Over says the value exceeds the limit; Overridden that an override names it.
	Over       bool `json:"over,omitempty"`
	Overridden bool `json:"overridden,omitempty"`
}

// Tripped lists the limits exceeded without an override.
func (v *Verdict) Tripped() []string {
	var out []string
	for _, j := range v.Limits {
		if j.Over && !j.Overridden {
			out = append(out, j.Name)
		}
	}
	return out
}

// Judge measures the report against the guard's limits; overrides name limits that may be
// exceeded. An override naming no limit is an error, so a typo never passes silently.
func (r *Report) Judge(g Guard, source string, overrides []string) (*Verdict, error) {
	known := map[string]bool{}
	for _, l := range g.Limits {
		known[l.Name] = true
	}
	for _, o := range overrides {
		if !known[o] {
			return nil, fmt.Errorf("override %q names no limit of %s (limits: %s)", o, source, strings.Join(slices.Sorted(maps.Keys(known)), ", "))
		}
	}
	type group struct{ fleet, ring, env string }
	type tally struct {
		group
		values   map[string]int
		clusters int
	}
	tallies := map[group]*tally{}
	get := func(fleet, ring, env string) *tally {
		k := group{fleet, ring, env}
		if tallies[k] == nil {
			tallies[k] = &tally{group: k, values: map[string]int{}}
		}
		return tallies[k]
	}
	// Every cluster of either side is in some group, so a share has its denominator.
	members := map[string]*App{}
	for _, t := range r.argo {
		for c, a := range t.apps {
			if members[c] == nil || t == r.argo[1] {
				members[c] = a
			}
		}
	}
	for _, a := range members {
		get(a.Fleet, a.Ring, a.Environment).clusters++
	}
	v := &Verdict{Source: source, Counts: []Count{}, Deletions: []Deletion{}, Limits: []Judged{}}
	metaOf := func(c *Cluster) (string, string, string) { return c.Fleet, c.Ring, c.Environment }
	deletionOf := map[string]int{}
	for i := range r.Clusters {
		c := &r.Clusters[i]
		t := get(metaOf(c))
		d := Deletion{Cluster: c.Name, Removed: c.Change == Removed}
		if d.Removed {
			t.values[MeasureClustersRemoved]++
		} else {
			t.values[MeasureClustersChanged]++
			if a := r.argo[1].apps[c.Name]; a != nil && a.AtOnce() && a.Environment == "production" {
				t.values[MeasureProductionAtOnce]++
			}
		}
		for _, o := range c.Objects {
			if o.Change != Removed {
				continue
			}
			switch {
			case o.Group == "" && o.Kind == "Namespace":
				t.values[MeasureNamespacesDeleted]++
				d.Objects = append(d.Objects, o.Ref())
			case o.Group == "apiextensions.k8s.io" && o.Kind == "CustomResourceDefinition":
				t.values[MeasureCRDsDeleted]++
				d.Objects = append(d.Objects, o.Ref())
			case o.Persistent:
				t.values[MeasurePersistentDeleted]++
				d.Objects = append(d.Objects, o.Ref())
			}
		}
		if d.Removed || len(d.Objects) > 0 {
			deletionOf[c.Name] = len(v.Deletions)
			v.Deletions = append(v.Deletions, d)
		}
	}
	// A cluster whose only change is its own Application still changes what it runs.
	rendered := map[string]bool{}
	for _, c := range r.Clusters {
		rendered[c.Name] = true
	}
	for _, c := range r.Apps {
		if rendered[c] {
			continue
		}
		if a := r.argo[1].apps[c]; a != nil {
			t := get(a.Fleet, a.Ring, a.Environment)
			t.values[MeasureClustersChanged]++
			if a.AtOnce() && a.Environment == "production" {
				t.values[MeasureProductionAtOnce]++
			}
		}
	}
	// Applications that go: a cluster whose Application the head no longer has.
	for _, c := range slices.Sorted(maps.Keys(r.argo[0].apps)) {
		if r.argo[1].apps[c] != nil {
			continue
		}
		a := r.argo[0].apps[c]
		get(a.Fleet, a.Ring, a.Environment).values[MeasureApplicationsRemoved]++
		i, ok := deletionOf[c]
		if !ok {
			v.Deletions = append(v.Deletions, Deletion{Cluster: c})
			i = len(v.Deletions) - 1
		}
		v.Deletions[i].Application, v.Deletions[i].Consequence = a.Name, consequence(a)
	}
	slices.SortStableFunc(v.Deletions, func(a, b Deletion) int {
		if a.Removed != b.Removed {
			if a.Removed {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Cluster, b.Cluster)
	})
	for _, k := range slices.SortedFunc(maps.Keys(tallies), func(a, b group) int {
		return strings.Compare(a.fleet+"\x00"+a.ring+"\x00"+a.env, b.fleet+"\x00"+b.ring+"\x00"+b.env)
	}) {
		t := tallies[k]
		values := map[string]int{}
		for m, n := range t.values {
			if n > 0 && m != MeasureProductionAtOnce {
				values[m] = n
			}
		}
		if k.env == "production" && t.values[MeasureProductionAtOnce] > 0 {
			values[MeasureProductionAtOnce] = t.values[MeasureProductionAtOnce]
		}
		if len(values) > 0 {
			v.Counts = append(v.Counts, Count{Fleet: k.fleet, Ring: k.ring, Environment: k.env, Clusters: t.clusters, Values: values})
		}
	}
	for _, l := range g.Limits {
		sum, production := 0, 0
		for k, t := range tallies {
			if (l.Fleet != "" && l.Fleet != k.fleet) || (l.Ring != "" && l.Ring != k.ring) || (l.Environment != "" && l.Environment != k.env) {
				continue
			}
			sum += t.values[l.Measure]
			if k.env == "production" {
				production += t.clusters
			}
		}
		value := sum
		if l.Measure == MeasureProductionAtOnce {
			value = 0
			if production > 0 {
				value = (100*sum + production - 1) / production // rounded up: 1 of 300 is not 0 %
			}
		}
		j := Judged{Limit: l, Value: value, Over: value > l.Max}
		j.Overridden = j.Over && slices.Contains(overrides, l.Name)
		v.Limits = append(v.Limits, j)
	}
	r.Guard = v
	return v, nil
}

// consequence says what happens to the objects of a cluster whose Application goes.
func consequence(a *App) string {
	fin := a.Cascades()
	switch {
	case a.AppSet != "" && !a.SetDeletes:
		s := fmt.Sprintf("ApplicationSet %s does not delete it (its applicationsSync policy forbids deletion): the Application stays, deploying a path that no longer exists, until someone deletes it", a.AppSet)
		if fin != "" {
			s += fmt.Sprintf("; deleted with its finalizer %s, Argo CD deletes every object it manages", fin)
		}
		return s
	case fin != "" && a.AppSet != "":
		return fmt.Sprintf("ApplicationSet %s deletes it; its finalizer %s cascades: Argo CD deletes every object it manages in the cluster", a.AppSet, fin)
	case fin != "":
		return fmt.Sprintf("its root app prunes it; its finalizer %s cascades: Argo CD deletes every object it manages in the cluster", fin)
	}
	return "it is deleted without a resources finalizer: its objects stay in the cluster, unmanaged"
}
