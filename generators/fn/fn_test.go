package fn_test

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/fn/framework/frameworktestutil"

	"github.com/hue-platform/hue-gitops/generators/fn"
	"github.com/hue-platform/hue-gitops/generators/render"
)

// Golden cases in the kyaml style: testdata/<case>/input.yaml is a ResourceList, expected.yaml
// the output, errors.txt one regular expression a line for failing cases. HUE_UPDATE_GOLDEN=1
// (make golden) rewrites expected.yaml; read the diff before committing. The errors.txt files
// are written by hand and kept: kyaml's checker would overwrite them with the plain message. A
// new failing case gets that message as its errors.txt, to be turned into expressions.
func TestProcessorGolden(t *testing.T) {
	update := os.Getenv("HUE_UPDATE_GOLDEN") == "1"
	if update {
		kept, err := filepath.Glob(filepath.Join("testdata", "*", "errors.txt"))
		require.NoError(t, err)
		for _, p := range kept {
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			t.Cleanup(func() { require.NoError(t, os.WriteFile(p, b, 0o644)) })
			// A case that only fails asserts no output: the update must not start to.
			out := filepath.Join(filepath.Dir(p), "expected.yaml")
			if _, err := os.Stat(out); errors.Is(err, fs.ErrNotExist) {
				t.Cleanup(func() { require.NoError(t, os.RemoveAll(out)) })
			}
		}
	}
	(&frameworktestutil.ProcessorResultsChecker{
		TestDataDirectory:        "testdata",
		Processor:                func() framework.ResourceListProcessor { return fn.Processor() },
		UpdateExpectedFromActual: update,
	}).Assert(t)
}

func hueBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("HUE"); bin != "" {
		return bin
	}
	bin := filepath.Join(t.TempDir(), "hue")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/hue-platform/hue-gitops/generators/cmd/hue").CombinedOutput()
	require.NoError(t, err, "%s", out)
	return bin
}

// A kustomization whose generators: entry runs `hue fn` through kustomize's exec function
// support yields exactly the objects of the committed base that `hue generate` wrote.
func TestKustomizeExecGeneratorMatchesBase(t *testing.T) {
	bin := hueBinary(t)
	repo, err := filepath.Abs("../..")
	require.NoError(t, err)
	for _, svc := range []string{"music", "fitness", "reminders-digest", "collect-proxy", "plugin-registry"} {
		t.Run(svc, func(t *testing.T) {
			spec, err := os.ReadFile(filepath.Join(repo, "base", svc, "hue.yaml"))
			require.NoError(t, err)
			annotated := strings.Replace(string(spec), "metadata:\n", "metadata:\n  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: "+bin+"\n        args: [fn]\n", 1)
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "hue.yaml"), []byte(annotated), 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte("generators:\n- hue.yaml\n"), 0o644))

			opts := render.Options()
			opts.PluginConfig = types.MakePluginConfig(types.PluginRestrictionsNone, types.BploUseStaticallyLinked)
			opts.PluginConfig.FnpLoadingOptions.EnableExec = true
			viaFn, err := krusty.MakeKustomizer(opts).Run(filesys.MakeFsOnDisk(), dir)
			require.NoError(t, err)
			got, err := viaFn.AsYaml()
			require.NoError(t, err)

			base, err := krusty.MakeKustomizer(render.Options()).Run(filesys.MakeFsOnDisk(), filepath.Join(repo, "base", svc))
			require.NoError(t, err)
			want, err := base.AsYaml()
			require.NoError(t, err)
			require.Equal(t, string(want), string(got))
			require.Greater(t, bytes.Count(got, []byte("\nkind: ")), 2)
		})
	}
}

// hue fn with a HueCheck, run by kustomize's exec function support: from a validators: entry
// a disallowed policy fixture fails the build with the policy, object and field on stderr; from a
// transformers: entry an allowed fixture passes through unchanged. (kustomize v5 refuses any exec
// validator's output as a modification, kustomize#5036, so the allowed case cannot use validators:.)
func TestKustomizeExecValidator(t *testing.T) {
	bin := hueBinary(t)
	repo, err := filepath.Abs("../..")
	require.NoError(t, err)
	build := func(t *testing.T, fixture, field string) (string, string, error) {
		dir := t.TempDir()
		objs, err := os.ReadFile(filepath.Join(repo, "policies", filepath.FromSlash(fixture)))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "objects.yaml"), objs, 0o644))
		k := "resources:\n- objects.yaml\n"
		if field != "" {
			k += field + ":\n- check.yaml\n"
			require.NoError(t, os.WriteFile(filepath.Join(dir, "check.yaml"), []byte(`apiVersion: platform.hue.dev/v1alpha1
kind: HueCheck
metadata:
  name: as-staging
  annotations:
    config.kubernetes.io/function: |
      exec:
        path: `+bin+`
        args: [fn]
spec:
  cluster: onprem-staging
  root: `+repo+`
`), 0o644))
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte(k), 0o644))
		opts := render.Options()
		opts.PluginConfig = types.MakePluginConfig(types.PluginRestrictionsNone, types.BploUseStaticallyLinked)
		opts.PluginConfig.FnpLoadingOptions.EnableExec = true
		// The function's stderr is this process's: catch it for the duration of the build.
		r, w, err := os.Pipe()
		require.NoError(t, err)
		stderr := os.Stderr
		os.Stderr = w
		caught := make(chan string)
		go func() {
			b, _ := io.ReadAll(r)
			caught <- string(b)
		}()
		m, runErr := krusty.MakeKustomizer(opts).Run(filesys.MakeFsOnDisk(), dir)
		os.Stderr = stderr
		require.NoError(t, w.Close())
		errText := <-caught
		if runErr != nil {
			return "", errText, runErr
		}
		out, err := m.AsYaml()
		require.NoError(t, err)
		return string(out), errText, nil
	}
	t.Run("disallowed fails the build", func(t *testing.T) {
		_, stderr, err := build(t, "builtin_write_roles/fixtures/disallowed/builtin-roles.yaml", "validators")
		require.ErrorContains(t, err, "exit status 1")
		require.Contains(t, stderr, "rbac.authorization.k8s.io/v1/RoleBinding/hue/hue-operators-edit roleRef.name: [HUE-033] binds Kubernetes' edit role")
		require.Contains(t, stderr, "ClusterRoleBinding/hue-operators-cluster-admin roleRef.name: [HUE-033]")
	})
	t.Run("allowed passes unchanged", func(t *testing.T) {
		got, _, err := build(t, "builtin_write_roles/fixtures/allowed/view-and-operate.yaml", "transformers")
		require.NoError(t, err)
		want, _, err := build(t, "builtin_write_roles/fixtures/allowed/view-and-operate.yaml", "")
		require.NoError(t, err)
		require.Equal(t, want, got)
		require.Contains(t, got, "kind: RoleBinding")
	})
}
