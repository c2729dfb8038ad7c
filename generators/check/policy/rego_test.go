package policy

import (
	"context"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"
)

// allModules parses every Rego file of policies/, the unit tests included.
func allModules(t *testing.T) map[string]*ast.Module {
	t.Helper()
	dir := policiesDir(t)
	policies, tests, err := PolicyFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(tests) == 0 {
		t.Fatal("no *_test.rego files")
	}
	modules, err := ParseFiles(dir, append(policies, tests...))
	if err != nil {
		t.Fatal(err)
	}
	return modules
}

// TestRegoUnitTests runs the policies' */*_test.rego with OPA's test runner.
func TestRegoUnitTests(t *testing.T) {
	modules := allModules(t)
	ch, err := tester.NewRunner().SetCompiler(ast.NewCompiler()).SetStore(Store()).Run(context.Background(), modules)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for r := range ch {
		n++
		if !r.Pass() {
			t.Errorf("%s.%s: %s (%v)", r.Package, r.Name, r.String(), r.Error)
		}
	}
	if n == 0 {
		t.Fatal("no Rego tests ran")
	}
	t.Logf("%d Rego tests", n)
}
