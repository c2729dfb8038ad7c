// Package check holds what every check of a rendered cluster shares: the rendered objects with
// where they came from, the cluster they are checked against, and the findings.
package check

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/manifest"
)

// Severity of a finding: an error fails the check, a warning is printed only.
type Severity string

const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Finding is one problem in one object of one cluster.
type Finding struct {
	// Check is the check or policy id that found it (schema, scheduling, crossref, HUE-...).
	Check     string   `json:"check"`
	Severity  Severity `json:"severity"`
	Cluster   string   `json:"cluster"`
	Kind      string   `json:"kind,omitempty"`
	Namespace string   `json:"namespace,omitempty"`
	Name      string   `json:"name,omitempty"`
	// Field is the path inside the object, for example spec.template.spec.containers[0].image.
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
	// Source is the repository file the object came from (a base, component or overlay file).
	Source string `json:"source,omitempty"`
	// Related is another file the fix may belong in: for a workload that does not fit, the
	// cluster spec that declares the node pools.
	Related string `json:"related,omitempty"`
	// Spec, when Source is a generated file, is the hand-edited spec it was generated from: the
	// file a person edits. SpecField is the field of the spec that gave the value, when known.
	Spec      string `json:"spec,omitempty"`
	SpecField string `json:"specField,omitempty"`
	// Waiver, on a finding a reviewed waiver excuses, is that waiver: file, owner, expiry, reason.
	Waiver string `json:"waiver,omitempty"`
}

func (f Finding) String() string {
	obj := f.Kind
	if f.Namespace != "" {
		obj += "/" + f.Namespace
	}
	if f.Name != "" {
		obj += "/" + f.Name
	}
	loc := f.Cluster
	if files := f.Files(); len(files) > 0 {
		loc += " (" + strings.Join(files, ", ") + ")"
	}
	fld := ""
	if f.Field != "" {
		fld = " " + f.Field + ":"
	}
	edit := ""
	if f.SpecField != "" {
		edit = " (edit " + f.Spec + ": " + f.SpecField + ")"
	}
	return fmt.Sprintf("%s: %s [%s] %s:%s %s%s", f.Severity, loc, f.Check, obj, fld, f.Message, edit)
}

// Files are the files a finding concerns, the one to edit first: its spec, the file the object
// came from, the related file.
func (f Finding) Files() []string {
	var out []string
	for _, p := range []string{f.Spec, f.Source, f.Related} {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Cluster is one rendered cluster: its spec and its objects, in render order.
type Cluster struct {
	Spec    *v1alpha1.HueCluster
	Objects []manifest.Object
	// Overlay is the overlay folder, relative to the repository root.
	Overlay string
	// SpecFile is the HueCluster spec file, relative to the repository root, when known.
	SpecFile string
}

// Finding starts a finding located at an object.
func (c *Cluster) Finding(checkID string, sev Severity, o manifest.Object, fieldPath, format string, args ...any) Finding {
	return Finding{
		Check: checkID, Severity: sev, Cluster: c.Spec.Name,
		Kind: o.GetKind(), Namespace: o.GetNamespace(), Name: o.GetName(),
		Field: fieldPath, Message: fmt.Sprintf(format, args...), Source: o.Source,
	}
}

// Errors counts the findings of error severity.
func Errors(fs []Finding) int {
	n := 0
	for _, f := range fs {
		if f.Severity == SeverityError {
			n++
		}
	}
	return n
}

// Sort orders findings by cluster, object, field and check, so output is stable.
func Sort(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		for _, p := range [][2]string{{a.Cluster, b.Cluster}, {a.Kind, b.Kind}, {a.Namespace, b.Namespace}, {a.Name, b.Name}, {a.Field, b.Field}, {a.Check, b.Check}, {a.Message, b.Message}} {
			if p[0] != p[1] {
				return p[0] < p[1]
			}
		}
		return false
	})
}
