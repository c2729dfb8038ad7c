package argocd

import (
	"encoding/json"
	"fmt"

	"sigs.k8s.io/yaml"
)

// Marshal renders a typed Argo CD object as clean YAML: the empty status, the null
// creationTimestamp and every other null, empty string, empty map or empty list the types
// marshal are dropped, recursively. Keys come out sorted, so the output is deterministic. Two
// kinds of empty string are kept because they mean something: a whitelist entry's core group
// (group: "") and the parameters of a List generator element (goTemplate's missingkey=error
// needs every key in every element).
func Marshal(obj any) ([]byte, error) {
	raw, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("marshal %T: %w", obj, err)
	}
	var tree any
	if err := json.Unmarshal(raw, &tree); err != nil {
		return nil, fmt.Errorf("marshal %T: %w", obj, err)
	}
	if m, ok := tree.(map[string]any); ok {
		delete(m, "status")
	}
	tree, _ = prune(tree)
	return yaml.Marshal(tree)
}

// prune drops empty values bottom up; keep is false if v itself is empty.
func prune(v any) (out any, keep bool) {
	return pruneValue(v, false)
}

func pruneValue(v any, keepEmptyString bool) (any, bool) {
	switch t := v.(type) {
	case nil:
		return nil, false
	case string:
		return t, t != "" || keepEmptyString
	case map[string]any:
		for k, child := range t {
			keepStr := keepEmptyString || k == "group" || k == "elements"
			if pruned, ok := pruneValue(child, keepStr); ok {
				t[k] = pruned
			} else {
				delete(t, k)
			}
		}
		return t, len(t) > 0
	case []any:
		kept := t[:0]
		for _, child := range t {
			if pruned, ok := pruneValue(child, keepEmptyString); ok {
				kept = append(kept, pruned)
			}
		}
		return kept, len(kept) > 0
	default:
		return v, true
	}
}
