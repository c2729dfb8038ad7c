package manifest

// Prune drops the nulls, empty strings, empty maps and empty lists of a decoded JSON tree,
// bottom up, and says whether anything of v is left. Below a key keepEmpty names, empty strings
// stay (they mean something there); a key drop names with that value goes although it is not
// empty. Either function may be nil.
func Prune(v any, keepEmpty func(key string) bool, drop func(key string, value any) bool) (any, bool) {
	return prune(v, false, keepEmpty, drop)
}

func prune(v any, keepEmptyString bool, keepEmpty func(string) bool, drop func(string, any) bool) (any, bool) {
	switch t := v.(type) {
	case nil:
		return nil, false
	case string:
		return t, t != "" || keepEmptyString
	case map[string]any:
		for k, child := range t {
			if drop != nil && drop(k, child) {
				delete(t, k)
				continue
			}
			keep := keepEmptyString || (keepEmpty != nil && keepEmpty(k))
			if pruned, ok := prune(child, keep, keepEmpty, drop); ok {
				t[k] = pruned
			} else {
				delete(t, k)
			}
		}
		return t, len(t) > 0
	case []any:
		kept := t[:0]
		for _, child := range t {
			if pruned, ok := prune(child, keepEmptyString, keepEmpty, drop); ok {
				kept = append(kept, pruned)
			}
		}
		return kept, len(kept) > 0
	default:
		return v, true
	}
}
