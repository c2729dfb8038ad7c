package policy

import (
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
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
