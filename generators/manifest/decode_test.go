package manifest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplit(t *testing.T) {
	docs, err := Split("f.yaml", []byte("# header\n---\n# only a comment\n---\na: 1\n---\n\n---\nb:\n  c: 2\n"))
	require.NoError(t, err)
	require.Len(t, docs, 2)
	assert.Equal(t, Document{File: "f.yaml", Index: 3, Line: 5, JSON: []byte(`{"a":1}`)}, docs[0])
	assert.Equal(t, 5, docs[1].Index)
	assert.Equal(t, 9, docs[1].Line)
}

func TestSplitErrors(t *testing.T) {
	for name, tt := range map[string]struct{ data, want string }{
		"empty file":             {"", "f.yaml: " + Empty},
		"only a separator":       {"---\n", "f.yaml: " + Empty},
		"only comments":          {"# nothing yet\n---\n# still nothing\n", "f.yaml: " + Empty},
		"only null":              {"~\n", "f.yaml: " + Empty},
		"a key twice":            {"a: 1\na: 2\n", `f.yaml:2: key "a" given twice in one mapping`},
		"a key twice, nested":    {"a: 1\n---\nb:\n  c: 1\n  d: 2\n  c: 3\n", `f.yaml:6: key "c" given twice in one mapping`},
		"a key twice, flow":      {"x: 1\n---\n---\nm: {k: 1, k: 2}\n", `f.yaml:4: key "k" given twice in one mapping`},
		"malformed, second doc":  {"a: 1\n---\nb: {c: 1\n", "f.yaml:3: malformed YAML: did not find expected ',' or '}'"},
		"text after a separator": {"a: 1\n--- b\n", "f.yaml:1: malformed YAML: invalid Yaml document separator: b"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Split("f.yaml", []byte(tt.data))
			assert.EqualError(t, err, tt.want)
		})
	}
}

func TestDecode(t *testing.T) {
	type spec struct {
		Replicas int32    `json:"replicas"`
		Ports    []string `json:"ports"`
	}
	type obj struct {
		Kind string `json:"kind"`
		Spec spec   `json:"spec"`
	}
	docs, err := Split("f.yaml", []byte("kind: X\nmetadata: {name: x, namespace: ns}\nspec: {replicas: 1, Ports: [a], extra: 1}\n"))
	require.NoError(t, err)
	h, err := docs[0].Header()
	require.NoError(t, err)
	assert.Equal(t, "X", h.Kind)
	assert.Equal(t, "x", h.Metadata.Name)
	assert.Equal(t, "ns", h.Metadata.Namespace)
	var o obj
	assert.Equal(t, []FieldErr{
		{Field: "metadata", Detail: "unknown field"},
		{Field: "spec.Ports", Detail: "unknown field"},
		{Field: "spec.extra", Detail: "unknown field"},
	}, docs[0].Decode(&o), "keys match case-sensitively; every unknown field by path")

	docs, err = Split("f.yaml", []byte("kind: X\nspec: {replicas: two}\n"))
	require.NoError(t, err)
	assert.Equal(t, []FieldErr{{Field: "spec.replicas", Got: "string", Detail: "wrong type: got string, want int32"}}, docs[0].Decode(&o))
}
