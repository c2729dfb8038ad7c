package policy

import (
	"os"
	"path/filepath"
	"testing"
)

// policiesDir finds the repository's policies folder by walking up to go.mod.
func policiesDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "policies")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}

// fixtureCluster is the cluster of the fixtures that bring none of their own.
func fixtureCluster(t testing.TB) string {
	t.Helper()
	return filepath.Join(policiesDir(t), "lib", "fixture-cluster.yaml")
}
