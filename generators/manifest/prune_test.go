package manifest

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPrune(t *testing.T) {
	var tree any
	require.NoError(t, json.Unmarshal([]byte(`{"a":"","b":[],"c":{"d":null,"e":[""]},"f":"x",
		"keep":{"g":"","h":[{"i":""}]},"default":-1,"n":0,"t":false}`), &tree))
	got, ok := Prune(tree, func(k string) bool { return k == "keep" }, func(k string, v any) bool { return k == "default" && v == -1.0 })
	require.True(t, ok)
	out, err := json.Marshal(got)
	require.NoError(t, err)
	// numbers and bools are values, not emptiness; empty strings stay only below keep
	require.JSONEq(t, `{"f":"x","keep":{"g":"","h":[{"i":""}]},"n":0,"t":false}`, string(out))

	_, ok = Prune(map[string]any{"a": []any{map[string]any{}}}, nil, nil)
	require.False(t, ok, "a tree of empties is empty")
}
