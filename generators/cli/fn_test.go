package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// hue fn as a validator exits as hue check does: 1 when the checks find errors, 0 when they do
// not, 2 when its functionConfig names no cluster of the inventory.
func TestFnValidatorExitCodes(t *testing.T) {
	repo, err := filepath.Abs("../..")
	require.NoError(t, err)
	config := func(cluster string) string {
		p := filepath.Join(t.TempDir(), "check.yaml")
		require.NoError(t, os.WriteFile(p, []byte("apiVersion: platform.hue.dev/v1alpha1\nkind: HueCheck\nmetadata:\n  name: c\nspec:\n  cluster: "+
			cluster+"\n  root: "+repo+"\n"), 0o644))
		return p
	}
	fixture := func(rel string) string {
		return filepath.Join(repo, "policies", "builtin_write_roles", "fixtures", rel)
	}
	for _, tc := range []struct {
		name, cluster, items, stderr string
		code                         int
	}{
		{"findings", "onprem-staging", fixture("disallowed/builtin-roles.yaml"), "[HUE-033] binds Kubernetes' edit role", ExitFindings},
		{"clean", "onprem-staging", fixture("allowed/view-and-operate.yaml"), "", ExitOK},
		{"unknown cluster", "school-nowhere", fixture("allowed/view-and-operate.yaml"), `spec.cluster: Not found: "school-nowhere"`, ExitBadInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Main([]string{"fn", config(tc.cluster), tc.items}, strings.NewReader(""), &stdout, &stderr)
			require.Equal(t, tc.code, code, stderr.String())
			if tc.stderr == "" {
				require.Empty(t, stderr.String())
				require.Contains(t, stdout.String(), "kind: RoleBinding")
			} else {
				require.Contains(t, stderr.String(), tc.stderr)
			}
		})
	}
}

// Help lists a bool flag as --name, as cobra's other users show it, not pflag v1.1's
// --name[=true|false].
func TestHelpShowsBoolFlagsPlain(t *testing.T) {
	root := newRoot(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
	cmds := append(root.Commands(), root)
	seen := 0
	for _, c := range cmds {
		var out bytes.Buffer
		c.SetOut(&out)
		c.InitDefaultHelpFlag()
		require.NoError(t, c.Usage(), c.Name())
		require.NotContains(t, out.String(), "[=true|false]", c.Name())
		require.Contains(t, out.String(), "-h, --help", c.Name())
		if strings.Contains(out.String(), "      --summary  ") || strings.Contains(out.String(), "      --stack  ") {
			seen++
		}
	}
	require.GreaterOrEqual(t, seen, 2, "a bool flag is listed by name alone")
}

// A plain ResourceList on stdin gets its results in the ResourceList on stdout.
func TestFnValidatorResourceListOnStdin(t *testing.T) {
	repo, err := filepath.Abs("../..")
	require.NoError(t, err)
	items, err := os.ReadFile(filepath.Join(repo, "policies", "builtin_write_roles", "fixtures", "disallowed", "builtin-roles.yaml"))
	require.NoError(t, err)
	var list strings.Builder
	list.WriteString("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nfunctionConfig:\n  apiVersion: platform.hue.dev/v1alpha1\n  kind: HueCheck\n  metadata: {name: c}\n  spec: {cluster: onprem-staging, root: " + repo + "}\nitems:\n")
	for _, doc := range strings.Split(string(items), "\n---\n") {
		var body []string
		for _, l := range strings.Split(doc, "\n") {
			if !strings.HasPrefix(l, "#") && l != "" {
				body = append(body, l)
			}
		}
		list.WriteString("- " + strings.Join(body, "\n  ") + "\n")
	}
	var stdout, stderr bytes.Buffer
	code := Main([]string{"fn"}, strings.NewReader(list.String()), &stdout, &stderr)
	require.Equal(t, ExitFindings, code, stderr.String())
	out := stdout.String()
	require.Contains(t, out, "kind: ResourceList")
	require.Contains(t, out, "results:")
	require.Contains(t, out, "message: '[HUE-033] binds Kubernetes'' edit role")
	require.Contains(t, out, "path: roleRef.name")
	require.Contains(t, out, "name: hue-operators-edit")
	require.Contains(t, out, "check: HUE-033")
}
