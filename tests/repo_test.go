// Package tests holds the whole-repository tests: golden renders of every cluster, agreement
// with the kustomize CLI, generator idempotence and the bad-input cases.
package tests

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hue-platform/hue-gitops/generators/cli"
	"github.com/hue-platform/hue-gitops/generators/fileset"
	"github.com/hue-platform/hue-gitops/generators/layout"
	"github.com/hue-platform/hue-gitops/generators/pipeline"
	"github.com/hue-platform/hue-gitops/generators/render"
)

const root = ".."

func renderFleet(t *testing.T) []render.Result {
	t.Helper()
	specs, err := pipeline.Load(root, true)
	require.NoError(t, err)
	results, err := pipeline.Render(context.Background(), render.Krusty{}, root, specs.Inventory.Clusters)
	require.NoError(t, err)
	return results
}

// updateGolden is the one switch of every golden test (make golden sets it): the test writes
// what it got as the golden, and the diff is read before committing.
var updateGolden = os.Getenv("HUE_UPDATE_GOLDEN") == "1"

// Every cluster's in-process render is its golden file, and every golden file is a cluster.
func TestGoldenRenders(t *testing.T) {
	results := renderFleet(t)
	want := map[string]bool{}
	for _, r := range results {
		want[r.Cluster+".yaml"] = true
		if updateGolden {
			require.NoError(t, fileset.WriteAtomic(filepath.Join("golden", r.Cluster+".yaml"), r.YAML))
		}
		golden, err := os.ReadFile(filepath.Join("golden", r.Cluster+".yaml"))
		require.NoError(t, err, "missing golden for %s: run make golden and read the diff", r.Cluster)
		if !bytes.Equal(golden, r.YAML) {
			t.Errorf("%s: render differs from tests/golden/%s.yaml: run make golden and read the diff", r.Cluster, r.Cluster)
		}
	}
	entries, err := os.ReadDir("golden")
	require.NoError(t, err)
	for _, e := range entries {
		switch {
		case want[e.Name()]:
		case updateGolden:
			require.NoError(t, os.Remove(filepath.Join("golden", e.Name())))
		default:
			t.Errorf("tests/golden/%s belongs to no cluster of the inventory", e.Name())
		}
	}
}

// Stock kustomize (the pinned CLI, what Argo CD runs) prints exactly the golden file.
func TestKustomizeCLIAgrees(t *testing.T) {
	bin := os.Getenv("KUSTOMIZE")
	if bin == "" {
		bin = filepath.Join(t.TempDir(), "kustomize")
		out, err := exec.Command("go", "build", "-o", bin, "sigs.k8s.io/kustomize/kustomize/v5").CombinedOutput()
		require.NoError(t, err, "%s", out)
	}
	entries, err := os.ReadDir(filepath.Join(root, "overlays"))
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	for _, e := range entries {
		got, err := exec.Command(bin, "build", filepath.Join(root, "overlays", e.Name())).Output()
		require.NoError(t, err, e.Name())
		golden, err := os.ReadFile(filepath.Join("golden", e.Name()+".yaml"))
		require.NoError(t, err)
		if !bytes.Equal(golden, got) {
			t.Errorf("kustomize build overlays/%s differs from tests/golden/%s.yaml", e.Name(), e.Name())
		}
	}
}

// The committed tree is exactly what the generators write.
func TestGeneratedTreeIsCurrent(t *testing.T) {
	files, err := pipeline.Generate(context.Background(), root, nil, nil)
	require.NoError(t, err)
	existing, err := fileset.Existing(root, layout.Generated, layout.GeneratedDirs...)
	require.NoError(t, err)
	drift, err := fileset.Compare(root, files, existing)
	require.NoError(t, err)
	require.Empty(t, drift, "run make generate")
	for p, b := range files {
		require.True(t, fileset.IsGenerated(b), "%s has no generated header", p)
	}
}

// The repository's own fleet passes every check with no finding at all.
func TestFleetIsClean(t *testing.T) {
	specs, err := pipeline.Load(root, true)
	require.NoError(t, err)
	results := renderFleet(t)
	clusters := pipeline.Clusters(specs.Inventory, results)
	ck, err := pipeline.NewChecker(root)
	require.NoError(t, err)
	ck.WholeFleet = true
	found, err := ck.Check(context.Background(), clusters)
	require.NoError(t, err)
	argo, err := pipeline.CheckArgoCD(root, specs.Inventory, clusters, nil)
	require.NoError(t, err)
	found = append(found, argo...)
	// Not a warning either: what the fleet may not meet yet is a reviewed, expiring waiver.
	var all []string
	for _, f := range found {
		all = append(all, f.String())
	}
	require.Empty(t, all)
}

// copyRepo copies the inputs and generated tree of the repository into a temporary folder.
func copyRepo(t testing.TB) string {
	t.Helper()
	dst := t.TempDir()
	for _, dir := range []string{"base", "components", "shapes", "overlays", "clusters", "policies"} {
		src := filepath.Join(root, dir)
		err := filepath.WalkDir(src, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			if e.IsDir() {
				return os.MkdirAll(filepath.Join(dst, rel), 0o755)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
		})
		require.NoError(t, err)
	}
	return dst
}

func treeHash(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	var paths []string
	require.NoError(t, filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			paths = append(paths, p)
		}
		return err
	}))
	sort.Strings(paths)
	for _, p := range paths {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		fmt.Fprintf(h, "%s\x00%x\x00", p, sha256.Sum256(b))
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

func run(args ...string) (int, string) {
	var out bytes.Buffer
	code := cli.Main(args, strings.NewReader(""), &out, &out)
	return code, out.String()
}

// Generating twice changes nothing, and --check is clean on a fresh generate.
func TestGenerateIsIdempotent(t *testing.T) {
	dir := copyRepo(t)
	code, out := run("generate", "--root", dir)
	require.Equal(t, 0, code, out)
	before := treeHash(t, dir)
	code, out = run("generate", "--root", dir)
	require.Equal(t, 0, code, out)
	require.Contains(t, out, ", 0 changed")
	require.Equal(t, before, treeHash(t, dir))
	code, out = run("generate", "--check", "--root", dir)
	require.Equal(t, 0, code, out)
}

// A hand edit of a generated file, a missing one and a stale one are each reported by
// generate --check (exit 1, nothing written) and repaired by generate.
func TestGenerateCheckFindsDrift(t *testing.T) {
	dir := copyRepo(t)
	edited := filepath.Join(dir, "base", "music", "deployment.yaml")
	b, err := os.ReadFile(edited)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(edited, bytes.Replace(b, []byte("replicas: 2"), []byte("replicas: 9"), 1), 0o644))
	require.NoError(t, os.Remove(filepath.Join(dir, "base", "fitness", "service.yaml")))
	stale := filepath.Join(dir, "overlays", "gone", "kustomization.yaml")
	require.NoError(t, os.MkdirAll(filepath.Dir(stale), 0o755))
	require.NoError(t, os.WriteFile(stale, []byte(fileset.Header+"kind: Kustomization\n"), 0o644))

	before := treeHash(t, dir)
	code, out := run("generate", "--check", "--root", dir)
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "base/music/deployment.yaml: differs")
	require.Contains(t, out, "base/fitness/service.yaml: missing")
	require.Contains(t, out, "overlays/gone/kustomization.yaml: stale")
	require.Equal(t, before, treeHash(t, dir), "--check wrote something")

	code, out = run("generate", "--root", dir)
	require.Equal(t, 0, code, out)
	code, out = run("generate", "--check", "--root", dir)
	require.Equal(t, 0, code, out)
	_, err = os.Stat(stale)
	require.True(t, os.IsNotExist(err), "stale file not removed")
}

// Each folder of bad-input/ holds files laid over a copy of the repository and expect.txt:
// the command line (after `hue`, with --root added; {root} names the copy), the exit code, then one regular
// expression per line that the output must match. Nothing may be written.
func TestBadInput(t *testing.T) {
	cases, err := os.ReadDir("bad-input")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(cases), 30)
	for _, c := range cases {
		t.Run(c.Name(), func(t *testing.T) {
			caseDir := filepath.Join("bad-input", c.Name())
			spec, err := os.ReadFile(filepath.Join(caseDir, "expect.txt"))
			require.NoError(t, err)
			lines := strings.Split(strings.TrimSpace(string(spec)), "\n")
			require.GreaterOrEqual(t, len(lines), 3, "expect.txt: command, exit code, then patterns")
			wantCode, err := strconv.Atoi(strings.TrimSpace(lines[1]))
			require.NoError(t, err)

			dir := copyRepo(t)
			require.NoError(t, filepath.WalkDir(caseDir, func(p string, e fs.DirEntry, err error) error {
				if err != nil || e.IsDir() || e.Name() == "expect.txt" {
					return err
				}
				rel, _ := filepath.Rel(caseDir, p)
				b, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				target := filepath.Join(dir, rel)
				if strings.HasSuffix(rel, ".delete") {
					return os.Remove(strings.TrimSuffix(target, ".delete"))
				}
				require.NoError(t, os.MkdirAll(filepath.Dir(target), 0o755))
				return os.WriteFile(target, b, 0o644)
			}))
			before := treeHash(t, dir)
			// {root} in the command is the copy of the repository (for files named by a flag).
			args := append(strings.Fields(strings.ReplaceAll(lines[0], "{root}", dir)), "--root", dir)
			code, out := run(args...)
			require.Equal(t, wantCode, code, out)
			for _, pat := range lines[2:] {
				if strings.TrimSpace(pat) == "" {
					continue
				}
				require.Regexp(t, regexp.MustCompile(pat), out)
			}
			require.Equal(t, before, treeHash(t, dir), "a failing command wrote files")
		})
	}
}
