package fileset

import (
	"os"
	"path/filepath"
	"testing"
)

// A stale file's folders go with it, also when the root is the working directory (as `hue
// generate` run in the repository gives it).
func TestWriteRemovesEmptiedFolders(t *testing.T) {
	for _, rootOf := range map[string]func(dir string) string{
		"absolute": func(dir string) string { return dir },
		"relative": func(dir string) string { t.Chdir(dir); return "." },
	} {
		dir := t.TempDir()
		for _, p := range []string{"shapes/old/tenants/a/k.yaml", "shapes/new/k.yaml"} {
			if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, p), []byte("x\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		root := rootOf(dir)
		existing := map[string]bool{"shapes/old/tenants/a/k.yaml": true, "shapes/new/k.yaml": true}
		if _, err := Write(root, Files{"shapes/new/k.yaml": []byte("x\n")}, existing); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, "shapes/old")); !os.IsNotExist(err) {
			t.Errorf("root %q: shapes/old is still there (%v)", root, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "shapes/new/k.yaml")); err != nil {
			t.Errorf("root %q: the wanted file went too: %v", root, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "shapes")); err != nil {
			t.Errorf("root %q: a folder that still holds files was removed: %v", root, err)
		}
	}
}
