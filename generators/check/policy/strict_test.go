package policy

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"
	"github.com/stretchr/testify/require"
)

// The policies and their unit tests compile in OPA's strict mode, as `opa check --strict` would:
// no unused variables, imports or arguments, no shadowed or deprecated built-ins.
func TestPoliciesCompileStrictly(t *testing.T) {
	c := ast.NewCompiler().WithStrict(true)
	c.Compile(allModules(t))
	for _, e := range c.Errors {
		t.Error(e)
	}
}

// Every Rego file is as `opa fmt` writes it (OPA's own formatter, Rego v1).
func TestPoliciesAreFormatted(t *testing.T) {
	dir := policiesDir(t)
	policies, tests, err := PolicyFiles(dir)
	require.NoError(t, err)
	require.NotEmpty(t, policies)
	for _, name := range append(policies, tests...) {
		f := filepath.Join(dir, name)
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		want, err := format.SourceWithOpts(f, src, format.Opts{RegoVersion: ast.RegoV1})
		require.NoError(t, err, f)
		if string(want) != string(src) {
			t.Errorf("policies/%s is not formatted: run opa fmt -w (or write what OPA's format package gives)", name)
		}
	}
}
