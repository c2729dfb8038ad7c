package argocd

import (
	"fmt"

	"github.com/hue-platform/hue-gitops/generators/fileset"
	"github.com/hue-platform/hue-gitops/generators/manifest"
)

// Marshal renders a typed Argo CD object as clean YAML: the empty status, the null
// creationTimestamp and every other null, empty string, empty map or empty list the types
// marshal are dropped, recursively. Keys come out sorted, so the output is deterministic. Two
// kinds of empty string are kept because they mean something: a whitelist entry's core group
// (group: "") and the parameters of a List generator element (goTemplate's missingkey=error
// needs every key in every element).
func Marshal(obj any) ([]byte, error) {
	out, err := fileset.MarshalTidy(obj, func(m map[string]any) {
		delete(m, "status")
		Prune(m)
	})
	if err != nil {
		return nil, fmt.Errorf("marshal %T: %w", obj, err)
	}
	return out, nil
}

// Prune drops empty values bottom up, as Marshal does; keep is false if v itself is empty. A
// whitelist entry's core group and a List generator element's parameters keep their empty strings.
func Prune(v any) (out any, keep bool) {
	return manifest.Prune(v, func(k string) bool { return k == "group" || k == "elements" }, nil)
}
