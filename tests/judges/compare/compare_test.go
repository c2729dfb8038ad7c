package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const golden = `apiVersion: apps/v1
kind: Deployment
metadata: {name: music, namespace: hue}
---
apiVersion: v1
kind: Service
metadata: {name: music, namespace: hue}
`

// kube-score's v2 JSON for the two objects above: one warning, one OK, one skipped critical.
const scored = `[
 {"object_name": "music", "type_meta": {"kind": "Deployment", "apiVersion": "apps/v1"},
  "object_meta": {"name": "music", "namespace": "hue", "labels": {"app": "music"}},
  "file_name": "/x/tests/golden/school-a.yaml", "file_row": 1,
  "checks": [
   {"check": {"id": "container-image-pull-policy"}, "grade": 1, "skipped": false,
    "comments": [{"path": "music", "summary": "ImagePullPolicy is not set to Always", "description": "..."}]},
   {"check": {"id": "deployment-has-poddisruptionbudget"}, "grade": 10, "skipped": false, "comments": []},
   {"check": {"id": "container-seccomp-profile"}, "grade": 1, "skipped": true, "comments": []}
  ]},
 {"object_name": "music", "type_meta": {"kind": "Service", "apiVersion": "v1"},
  "object_meta": {"name": "music", "namespace": "hue"},
  "checks": [{"check": {"id": "service-type"}, "grade": 7, "skipped": false, "comments": null}]}
]`

const allValid = `{"resources": [], "summary": {"valid": 2, "invalid": 0, "errors": 0, "skipped": 0}}`

type fixture struct {
	dir                                string
	ignore, kubeconform, kubeScore, gd string
}

func newFixture(t *testing.T, ignore, kubeconform string) fixture {
	t.Helper()
	dir := t.TempDir()
	f := fixture{dir: dir,
		ignore:      filepath.Join(dir, "ignore.yaml"),
		kubeconform: filepath.Join(dir, "kubeconform.json"),
		kubeScore:   filepath.Join(dir, "kube-score"),
		gd:          filepath.Join(dir, "golden"),
	}
	for _, d := range []string{f.kubeScore, f.gd} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write(t, f.ignore, ignore)
	write(t, f.kubeconform, kubeconform)
	write(t, filepath.Join(f.gd, "school-a.yaml"), golden)
	write(t, filepath.Join(f.kubeScore, "school-a.json"), scored)
	return f
}

func write(t *testing.T, file, content string) {
	t.Helper()
	if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (f fixture) run(t *testing.T) (int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run([]string{"-ignore", f.ignore, "-goldens", f.gd, "-kubeconform", f.kubeconform, "-kube-score", f.kubeScore}, &out, &errOut)
	return code, out.String() + errOut.String()
}

const waivePullPolicy = `
- tool: kube-score
  check: container-image-pull-policy
  kind: Deployment
  namespace: hue
  reason: images are pinned by digest
`

func TestUnwaivedFindingFails(t *testing.T) {
	code, out := newFixture(t, "[]\n", allValid).run(t)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	want := "FINDING kube-score container-image-pull-policy CRITICAL school-a Deployment hue/music: music: ImagePullPolicy is not set to Always"
	if !strings.Contains(out, want) {
		t.Fatalf("output lacks %q:\n%s", want, out)
	}
	// OK grades (7, 10) and skipped checks are not findings.
	for _, not := range []string{"service-type", "deployment-has-poddisruptionbudget", "container-seccomp-profile"} {
		if strings.Contains(out, "FINDING kube-score "+not) {
			t.Errorf("%s reported as a finding:\n%s", not, out)
		}
	}
}

func TestWaivedFindingPasses(t *testing.T) {
	code, out := newFixture(t, waivePullPolicy, allValid).run(t)
	if code != 0 {
		t.Fatalf("exit %d, want 0\n%s", code, out)
	}
	if !strings.Contains(out, "kube-score container-image-pull-policy") || strings.Contains(out, "FINDING") {
		t.Fatalf("unexpected output:\n%s", out)
	}
}

func TestEntryScopedElsewhereDoesNotWaive(t *testing.T) {
	ignore := strings.Replace(waivePullPolicy, "namespace: hue", "namespace: hue-data", 1)
	code, out := newFixture(t, ignore, allValid).run(t)
	if code != 1 || !strings.Contains(out, "FINDING kube-score container-image-pull-policy") || !strings.Contains(out, "stale") {
		t.Fatalf("exit %d, want 1 with the finding and a stale entry:\n%s", code, out)
	}
}

func TestStaleEntryFails(t *testing.T) {
	ignore := waivePullPolicy + `
- tool: kube-score
  check: pod-probes-identical
  reason: the probes differ on purpose
`
	code, out := newFixture(t, ignore, allValid).run(t)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	if !strings.Contains(out, "ignore.yaml:8: entry 2 (kube-score pod-probes-identical) matched no finding") {
		t.Fatalf("stale entry not named by line:\n%s", out)
	}
}

func TestMissingReasonFails(t *testing.T) {
	for name, ignore := range map[string]string{
		"absent": "- {tool: kube-score, check: container-image-pull-policy}\n",
		"empty":  "- {tool: kube-score, check: container-image-pull-policy, reason: '  '}\n",
		"todo":   "- {tool: kube-score, check: container-image-pull-policy, reason: 'TODO: ask'}\n",
	} {
		t.Run(name, func(t *testing.T) {
			code, out := newFixture(t, ignore, allValid).run(t)
			if code != 1 || !strings.Contains(out, "ignore.yaml:1: entry 1") {
				t.Fatalf("exit %d, want 1 naming the entry:\n%s", code, out)
			}
			// An entry without a reason waives nothing.
			if !strings.Contains(out, "FINDING kube-score container-image-pull-policy") {
				t.Fatalf("finding hidden by an entry without a reason:\n%s", out)
			}
		})
	}
}

func TestKubeconformFindings(t *testing.T) {
	invalid := `{"resources": [{"filename": "/x/golden/school-a.yaml", "kind": "Deployment", "name": "music",
	  "version": "apps/v1", "status": "statusInvalid", "msg": "additional properties 'replica' not allowed"},
	 {"filename": "/x/golden/school-a.yaml", "kind": "Service", "name": "music",
	  "version": "v1", "status": "statusError", "msg": "could not find schema for Service"}],
	 "summary": {"valid": 0, "invalid": 1, "errors": 1, "skipped": 0}}`
	code, out := newFixture(t, waivePullPolicy, invalid).run(t)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	for _, want := range []string{
		"FINDING kubeconform invalid school-a Deployment music: apps/v1/Deployment: additional properties 'replica' not allowed",
		"FINDING kubeconform error school-a Service music: v1/Service: could not find schema for Service",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	skipped := `{"resources": [], "summary": {"valid": 1, "invalid": 0, "errors": 0, "skipped": 1}}`
	if code, out := newFixture(t, waivePullPolicy, skipped).run(t); code != 1 || !strings.Contains(out, "FINDING kubeconform skipped") {
		t.Errorf("an unlisted skip passed: exit %d\n%s", code, out)
	}
}

func TestBadInput(t *testing.T) {
	for name, tc := range map[string]struct{ ignore, kubeconform, want string }{
		"unknown field":      {"- tool: kube-score\n  check: x\n  nmae: y\n  reason: z\n", allValid, `ignore.yaml:3: entry 1: unknown field "nmae"`},
		"unknown tool":       {"- {tool: kubescore, check: x, reason: y}\n", allValid, `ignore.yaml:1: entry 1: unknown tool "kubescore"`},
		"no check":           {"- {tool: kube-score, reason: y}\n", allValid, "ignore.yaml:1: entry 1: no check"},
		"bad glob":           {"- {tool: kube-score, check: x, name: '[', reason: y}\n", allValid, "bad glob"},
		"kubeconform check":  {"- {tool: kubeconform, check: warning, reason: y}\n", allValid, "want invalid, error or skipped"},
		"not a list":         {"tool: kube-score\n", allValid, "ignore.yaml:1: want a list"},
		"yaml syntax":        {"- {tool: kube-score\n", allValid, "ignore.yaml"},
		"malformed json":     {"[]\n", "{", "kubeconform.json"},
		"no summary":         {"[]\n", `{"resources": []}`, "no summary"},
		"objects not judged": {"[]\n", `{"resources": [], "summary": {"valid": 1}}`, "judged 1 objects, the golden files hold 2"},
	} {
		t.Run(name, func(t *testing.T) {
			code, out := newFixture(t, tc.ignore, tc.kubeconform).run(t)
			if code != 2 || !strings.Contains(out, tc.want) {
				t.Fatalf("exit %d, want 2 with %q:\n%s", code, tc.want, out)
			}
		})
	}
	f := newFixture(t, "[]\n", allValid)
	if err := os.Remove(filepath.Join(f.kubeScore, "school-a.json")); err != nil {
		t.Fatal(err)
	}
	if code, out := f.run(t); code != 2 || !strings.Contains(out, "school-a.json") {
		t.Fatalf("missing kube-score output: exit %d\n%s", code, out)
	}
}

func TestSharedReasonThroughAnAnchor(t *testing.T) {
	ignore := `
- {tool: kube-score, check: container-image-pull-policy, kind: Deployment, reason: &why images are pinned}
- {tool: kube-score, check: container-image-pull-policy, kind: CronJob, reason: *why}
`
	code, out := newFixture(t, ignore, allValid).run(t)
	if code != 1 || !strings.Contains(out, "entry 2 (kube-score container-image-pull-policy) matched no finding") || strings.Contains(out, "reason") {
		t.Fatalf("exit %d, want 1 with only entry 2 stale:\n%s", code, out)
	}
}
