package policy

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// policies/README.md lists every policy as its METADATA says: id, title, its folder linking to
// the policy file, and severity, in id order, so the table people read cannot drift from the
// policies that run.
func TestReadmeListsEveryPolicy(t *testing.T) {
	dir := policiesDir(t)
	e, err := Load(dir)
	require.NoError(t, err)
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	require.NoError(t, err)
	var want []string
	for _, m := range e.Metadata() {
		want = append(want, fmt.Sprintf("| %s | %s ([%s](%s)) | %s |", m.ID, m.Title, path.Dir(m.File), m.File, m.Severity))
	}
	got := regexp.MustCompile(`(?m)^\| HUE-\d+ \|.*$`).FindAllString(string(readme), -1)
	require.Equal(t, want, got)
}
