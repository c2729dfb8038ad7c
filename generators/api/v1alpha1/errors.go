package v1alpha1

import (
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Error is one problem of an input file, located by file, object and field.
type Error struct {
	File string `json:"file"`
	// Line is the line of the file, for a problem no object can be blamed for.
	Line   int    `json:"line,omitempty"`
	Kind   string `json:"kind,omitempty"`
	Name   string `json:"name,omitempty"`
	Field  string `json:"field,omitempty"`
	Detail string `json:"detail"`
}

func (e *Error) Error() string {
	obj := e.Kind
	if e.Name != "" {
		obj += "/" + e.Name
	}
	if obj == "" {
		obj = "<document>"
	}
	fld := e.Field
	if fld == "" {
		fld = "<object>"
	}
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Detail)
	}
	if e.Kind == "" && e.Field == "" { // a problem of the file as a whole
		return fmt.Sprintf("%s: %s", e.File, e.Detail)
	}
	return fmt.Sprintf("%s: %s: %s: %s", e.File, obj, fld, e.Detail)
}

// Errors is every problem found in a set of inputs; they are reported together.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Err returns nil for an empty list, so callers can return it as an error.
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	es.Sort()
	return es
}

func (es Errors) Sort() {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].File != es[j].File {
			return es[i].File < es[j].File
		}
		if es[i].Name != es[j].Name {
			return es[i].Name < es[j].Name
		}
		return es[i].Field < es[j].Field
	})
}

// FromFieldErrors locates apimachinery field errors in a file and object.
func FromFieldErrors(file, kind, name string, errs field.ErrorList) Errors {
	out := make(Errors, 0, len(errs))
	for _, fe := range errs {
		detail := fe.ErrorBody()
		// ErrorBody repeats the bad value; keep it, it helps the reader.
		out = append(out, &Error{File: file, Kind: kind, Name: name, Field: fe.Field, Detail: detail})
	}
	return out
}
