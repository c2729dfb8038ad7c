package fn_test

import (
	"bytes"
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
// rewrites expected.yaml; read the diff before committing.
func TestProcessorGolden(t *testing.T) {
	(&frameworktestutil.ProcessorResultsChecker{
		TestDataDirectory:        "testdata",
		Processor:                func() framework.ResourceListProcessor { return fn.Processor() },
		UpdateExpectedFromActual: os.Getenv("HUE_UPDATE_GOLDEN") == "1",
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
