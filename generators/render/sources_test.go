package render

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// Objects of one kind and name in several namespaces are found in the file of their own
// namespace; one an overlay moved to another namespace falls back to its kind and name.
func TestSourcesLookupByNamespace(t *testing.T) {
	fs := filesys.MakeFsInMemory()
	policy := func(ns string) string {
		return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: default-deny, namespace: " + ns + "}\n"
	}
	require.NoError(t, fs.WriteFile("/r/base/compartments/hue/networkpolicy.yaml", []byte(policy("hue"))))
	require.NoError(t, fs.WriteFile("/r/base/compartments/restricted/networkpolicy.yaml", []byte(policy("restricted"))))
	require.NoError(t, fs.WriteFile("/r/overlays/c1/patch.yaml", []byte(policy("hue"))))
	s, err := IndexSources(fs, "/r")
	require.NoError(t, err)
	obj := func(ns string) *unstructured.Unstructured {
		u := &unstructured.Unstructured{}
		u.SetKind("NetworkPolicy")
		u.SetName("default-deny")
		u.SetNamespace(ns)
		return u
	}
	assert.Equal(t, "base/compartments/restricted/networkpolicy.yaml", s.Lookup(obj("restricted"), "overlays/c2"))
	assert.Equal(t, "base/compartments/hue/networkpolicy.yaml", s.Lookup(obj("hue"), "overlays/c2"))
	assert.Equal(t, "base/compartments/hue/networkpolicy.yaml", s.Lookup(obj("hue-maple"), "overlays/c2"), "moved by an overlay")
	assert.Equal(t, "overlays/c1/patch.yaml", s.Lookup(obj("hue"), "overlays/c1"), "an overlay's own file first")
	other := obj("hue")
	other.SetKind("Role")
	assert.Equal(t, "overlays/c2/kustomization.yaml", s.Lookup(other, "overlays/c2"))
}
