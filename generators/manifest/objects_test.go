package manifest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Empty and comment-only documents are skipped; a mapping with a key twice is an error naming
// the file and the line, not a silent last-one-wins.
func TestDecodeObjects(t *testing.T) {
	objs, err := Decode("f.yaml", []byte("---\n# only a comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n"))
	require.NoError(t, err)
	require.Len(t, objs, 2)
	assert.Equal(t, "ConfigMap/b", objs[1].Ref())
	assert.Equal(t, "f.yaml", objs[1].Source)

	_, err = Decode("f.yaml", []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: {x: 1}\ndata: {y: 2}\n"))
	require.Error(t, err)
	assert.EqualError(t, err, `f.yaml:9: key "data" given twice in one mapping`)
}
