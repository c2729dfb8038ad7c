package checktest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hue-platform/hue-gitops/generators/check"
)

// recorder collects the failures AssertFindings reports instead of failing the test, so the test
// can show that every asserted field is in fact asserted.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestAssertFindings(t *testing.T) {
	common := Common{Check: "crossref", Cluster: "c1", Source: "fixture.yaml", Related: "clusters/f/c1.yaml"}
	found := check.Finding{
		Check: "crossref", Severity: check.SeverityError, Cluster: "c1", Kind: "Service", Namespace: "hue", Name: "web",
		Field: "spec.selector", Message: "selector app=web selects no pod", Source: "fixture.yaml", Related: "clusters/f/c1.yaml",
	}
	ok := Error("Service", "web", "spec.selector", "selects no pod", "app=web")
	tests := []struct {
		name   string
		common func(*Common)
		want   func(*Want)
		extra  bool // a second finding nobody wants
	}{
		{name: "check", common: func(c *Common) { c.Check = "schema" }},
		{name: "cluster", common: func(c *Common) { c.Cluster = "c2" }},
		{name: "source", common: func(c *Common) { c.Source = "other.yaml" }},
		{name: "no related file stated", common: func(c *Common) { c.Related = "" }},
		{name: "severity", want: func(w *Want) { w.Severity = check.SeverityWarning }},
		{name: "kind", want: func(w *Want) { w.Kind = "Deployment" }},
		{name: "no name stated", want: func(w *Want) { w.Name = "" }},
		{name: "field", want: func(w *Want) { w.Field = "spec.ports" }},
		{name: "one substring of two missing", want: func(w *Want) { w.Msg = []string{"selects no pod", "app=api"} }},
		{name: "no substring", want: func(w *Want) { w.Msg = nil }},
		{name: "a finding too many", extra: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, w := common, ok
			w.Msg = append([]string(nil), ok.Msg...)
			if tt.common != nil {
				tt.common(&c)
			}
			if tt.want != nil {
				tt.want(&w)
			}
			got := []check.Finding{found}
			if tt.extra {
				got = append(got, found)
			}
			r := &recorder{TB: t}
			assert.False(t, AssertFindings(r, got, c, []Want{w}))
			assert.NotEmpty(t, r.errors)
		})
	}
	t.Run("match", func(t *testing.T) {
		r := &recorder{TB: t}
		assert.True(t, AssertFindings(r, []check.Finding{found}, common, []Want{ok}))
		assert.Empty(t, r.errors)
	})
}

func TestStrings(t *testing.T) {
	fs := []check.Finding{
		{Check: "b", Severity: check.SeverityWarning, Cluster: "c1", Kind: "Service", Name: "web", Message: "later"},
		{Check: "a", Severity: check.SeverityError, Cluster: "c1", Kind: "Deployment", Name: "web", Message: "first"},
	}
	assert.Equal(t, []string{fs[1].String(), fs[0].String()}, Strings(fs))
	assert.Equal(t, []string{}, Strings(nil))
}
