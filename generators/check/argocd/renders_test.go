package argocd

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	argogen "github.com/hue-platform/hue-gitops/generators/argocd"
	"github.com/hue-platform/hue-gitops/generators/argocd/argocdtest"
	"github.com/hue-platform/hue-gitops/generators/check/checktest"
)

// Remembered expansions give the findings a fresh expansion gives, and a run renders again only
// the elements whose set or element changed.
func TestRendersRememberUnchangedElements(t *testing.T) {
	const broad = "clusters/school/argocd/apps/applicationset-hue-schools-broad.yaml"
	inv, rendered := argocdtest.LoadCase(t, filepath.Join(cases, "fleets"))
	files, err := argogen.Generate(inv, rendered, argogen.Options{})
	require.NoError(t, err)
	exists := argocdtest.OverlayExists(rendered)

	// run checks files through renders kept by the previous run (as a cache stores them, in
	// JSON) and holds the findings to those of a run without any.
	var kept map[string]Rendered
	run := func(t *testing.T) *Renders {
		t.Helper()
		if kept != nil {
			raw, err := json.Marshal(kept)
			require.NoError(t, err)
			kept = nil
			require.NoError(t, json.Unmarshal(raw, &kept))
		}
		r := NewRenders(kept)
		got := CheckWith(r, inv, files, rendered, exists)
		require.Equal(t, checktest.Strings(Check(inv, files, rendered, exists)), checktest.Strings(got))
		kept = r.Used()
		return r
	}

	r := run(t)
	require.Equal(t, 0, r.Hits)
	elements := r.Misses
	require.Equal(t, 4, elements, "the case's three school sets list four schools")
	require.Len(t, r.Used(), elements)

	r = run(t)
	require.Equal(t, [2]int{elements, 0}, [2]int{r.Hits, r.Misses}, "nothing changed: nothing is rendered")

	// One element changes: it alone is rendered again, and what it renders to is checked.
	edit(t, files, broad, "region: eu-west-1\n        server: \"\"", "region: eu-south-1\n        server: \"\"")
	r = run(t)
	require.Equal(t, [2]int{elements - 1, 1}, [2]int{r.Hits, r.Misses})

	// The set's template changes: each of its elements is rendered again.
	edit(t, files, broad, "hue.dev/fleet: school\n        hue.dev/region", "hue.dev/fleet: school\n        hue.dev/zone: a\n        hue.dev/region")
	r = run(t)
	require.Equal(t, [2]int{elements - 2, 2}, [2]int{r.Hits, r.Misses})

	// An element the template cannot render for is remembered with its error, which the next
	// run reports alike.
	edit(t, files, broad, "      - destinationName: school-cedar\n        environment: production\n", "      - destinationName: school-cedar\n")
	r = run(t)
	require.Equal(t, 1, r.Misses)
	found := false
	for _, f := range CheckWith(NewRenders(kept), inv, files, rendered, exists) {
		found = found || f.Source == broad && f.Field == "spec.generators[0].list.elements[1]"
	}
	require.True(t, found, "the element without an environment is reported")
	r = run(t)
	require.Equal(t, [2]int{elements, 0}, [2]int{r.Hits, r.Misses})

	// A set that is gone leaves nothing behind.
	delete(files, broad)
	r = run(t)
	require.Len(t, r.Used(), elements-2)
}
