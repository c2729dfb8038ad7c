package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"sigs.k8s.io/yaml"
)

// The module versions the judges pin; tests/judges/run resolves the same ones.
const (
	kubernetesModule = "k8s.io/kubernetes@v1.37.2"
	argocdModule     = "github.com/argoproj/argo-cd/v3@v3.6.1"
)

var (
	genOnce sync.Once
	genDir  string
	genErr  error
)

func moduleDir(t *testing.T, mod string) string {
	t.Helper()
	out, err := exec.Command("go", "mod", "download", "-json", mod).Output()
	if err != nil {
		t.Fatalf("go mod download %s: %v", mod, err)
	}
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(out, &info); err != nil || info.Dir == "" {
		t.Fatalf("go mod download %s: no Dir (%v %s)", mod, err, info.Error)
	}
	return info.Dir
}

// generated runs schemagen once for the whole test binary and returns its output directory.
func generated(t *testing.T) string {
	t.Helper()
	genOnce.Do(func() {
		k8s := filepath.Join(moduleDir(t, kubernetesModule), "api", "openapi-spec", "v3")
		crds := filepath.Join(moduleDir(t, argocdModule), "manifests", "crds")
		genDir, genErr = os.MkdirTemp("", "schemagen-test-")
		if genErr != nil {
			return
		}
		_, genErr = generate(k8s, crds, genDir)
	})
	if genErr != nil {
		t.Fatalf("generate: %v", genErr)
	}
	return genDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if genDir != "" {
		os.RemoveAll(genDir)
	}
	os.Exit(code)
}

func TestSchemaFileName(t *testing.T) {
	for _, tc := range []struct {
		g    gvk
		want string
	}{
		{gvk{"", "v1", "Pod"}, "pod-v1-v1.json"},
		{gvk{"apps", "v1", "Deployment"}, "deployment-apps-v1-v1.json"},
		{gvk{"networking.k8s.io", "v1", "NetworkPolicy"}, "networkpolicy-networking-v1-v1.json"},
		{gvk{"argoproj.io", "v1alpha1", "Application"}, "application-argoproj-v1alpha1-v1alpha1.json"},
	} {
		if got := schemaFileName(tc.g); got != tc.want {
			t.Errorf("schemaFileName(%v) = %q, want %q", tc.g, got, tc.want)
		}
	}
}

func TestEveryGoldenKindHasASchema(t *testing.T) {
	dir := generated(t)
	for _, name := range []string{
		"namespace-v1-v1.json", "service-v1-v1.json", "serviceaccount-v1-v1.json",
		"deployment-apps-v1-v1.json", "statefulset-apps-v1-v1.json", "daemonset-apps-v1-v1.json",
		"cronjob-batch-v1-v1.json", "job-batch-v1-v1.json", "horizontalpodautoscaler-autoscaling-v2-v2.json",
		"networkpolicy-networking-v1-v1.json", "ingress-networking-v1-v1.json", "endpointslice-discovery-v1-v1.json",
		"poddisruptionbudget-policy-v1-v1.json", "role-rbac-v1-v1.json", "rolebinding-rbac-v1-v1.json",
		"resourcequota-v1-v1.json",
		"application-argoproj-v1alpha1-v1alpha1.json", "applicationset-argoproj-v1alpha1-v1alpha1.json",
		"appproject-argoproj-v1alpha1-v1alpha1.json",
	} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("schema %s: %v", name, err)
		}
	}
}

const validDeployment = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: music
  namespace: hue
  labels: {app: music, any.label/at-all: "yes"}
spec:
  replicas: 2
  selector: {matchLabels: {app: music}}
  strategy: {rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: music}}
    spec:
      containers:
      - name: music
        image: registry.hue.dev/hue/music:2.0.1
        ports: [{name: http, containerPort: 8888}]
        readinessProbe: {httpGet: {path: /ready, port: http}}
        resources:
          requests: {cpu: 100m, memory: 128Mi, ephemeral-storage: 1}
          limits: {memory: 256Mi}
`

const validApplication = `
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: hue-sci-lab-1
  namespace: argocd
  finalizers: [resources-finalizer.argocd.argoproj.io/foreground]
spec:
  project: hue-science
  destination: {namespace: hue, server: "https://sci-lab-1.k8s.hue.dev"}
  source: {path: overlays/sci-lab-1, repoURL: "https://git.hue.dev/platform/hue-gitops.git", targetRevision: main}
  syncPolicy:
    automated: {prune: true, selfHeal: true}
    syncOptions: [ServerSideApply=true]
`

func TestDeploymentSchema(t *testing.T) {
	s := loadSchema(t, "deployment-apps-v1-v1.json")
	if err := s.validate(decodeYAML(t, validDeployment)); err != nil {
		t.Fatalf("a valid Deployment is refused: %v", err)
	}
	for _, tc := range []struct{ name, from, to, wantErr string }{
		{"unknown container field", "        image: registry", "        imagePullPolicyy: Always\n        image: registry", "imagePullPolicyy"},
		{"unknown metadata field", "  name: music\n  namespace", "  name: music\n  labelz: {}\n  namespace", "labelz"},
		{"unknown spec field", "  replicas: 2", "  replica: 2", "replica"},
		{"wrong type", "  replicas: 2", "  replicas: two", "want integer"},
		{"missing required container name", "      - name: music\n        image", "      - image", "missing required name"},
		{"port neither int nor string", "port: http}", "port: [http]}", "oneOf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := strings.Replace(validDeployment, tc.from, tc.to, 1)
			if doc == validDeployment {
				t.Fatalf("test case does not change the object")
			}
			err := s.validate(decodeYAML(t, doc))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("got %v, want an error mentioning %q", err, tc.wantErr)
			}
		})
	}
}

func TestApplicationSchema(t *testing.T) {
	s := loadSchema(t, "application-argoproj-v1alpha1-v1alpha1.json")
	if err := s.validate(decodeYAML(t, validApplication)); err != nil {
		t.Fatalf("a valid Application is refused: %v", err)
	}
	// A CRD leaves metadata a bare object; schemagen checks it as ObjectMeta, as the API server does.
	doc := strings.Replace(validApplication, "  namespace: argocd", "  namespace: argocd\n  nmae: x", 1)
	if err := s.validate(decodeYAML(t, doc)); err == nil || !strings.Contains(err.Error(), "nmae") {
		t.Fatalf("unknown metadata field: got %v", err)
	}
	doc = strings.Replace(validApplication, "  project: hue-science", "  project: hue-science\n  sourcee: {}", 1)
	if err := s.validate(decodeYAML(t, doc)); err == nil || !strings.Contains(err.Error(), "sourcee") {
		t.Fatalf("unknown spec field: got %v", err)
	}
}

func TestCloseObject(t *testing.T) {
	props := map[string]any{"a": map[string]any{"type": "string"}}
	for _, tc := range []struct {
		name   string
		schema map[string]any
		closed bool
	}{
		{"plain object", map[string]any{"type": "object", "properties": props}, true},
		{"map", map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}}, false},
		{"free-form object", map[string]any{"type": "object"}, false},
		{"keeps unknown fields", map[string]any{"type": "object", "properties": props, "x-kubernetes-preserve-unknown-fields": true}, false},
		{"properties from allOf", map[string]any{"properties": props, "allOf": []any{map[string]any{"properties": props}}}, false},
		{"constraint-only anyOf", map[string]any{"properties": props, "anyOf": []any{map[string]any{"required": []any{"a"}}}}, true},
		{"explicitly open", map[string]any{"properties": props, "additionalProperties": true}, false},
	} {
		closeObject(tc.schema)
		got := tc.schema["additionalProperties"] == false
		if got != tc.closed {
			t.Errorf("%s: closed = %v, want %v", tc.name, got, tc.closed)
		}
	}
}

func TestIntOrStringAndNullable(t *testing.T) {
	s := map[string]any{"x-kubernetes-int-or-string": true}
	intOrString(s)
	if _, ok := s["anyOf"]; !ok {
		t.Errorf("bare int-or-string got no anyOf: %v", s)
	}
	n := map[string]any{"type": "string", "nullable": true}
	nullable(n)
	if fmt.Sprint(n["type"]) != "[string null]" {
		t.Errorf("nullable string: type = %v", n["type"])
	}
}

func TestRefusesAForeignDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "keep.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := prepare(dir); err == nil {
		t.Fatal("prepare emptied a directory that schemagen did not make")
	}
}

// TestKubeconform runs the real judge on the schemas. make test builds it and sets KUBECONFORM;
// a bare go test without the binary skips only this test.
func TestKubeconform(t *testing.T) {
	bin := os.Getenv("KUBECONFORM")
	if bin == "" {
		t.Skip("KUBECONFORM not set: run make test, which builds kubeconform and sets it")
	}
	dir := generated(t)
	bad := strings.Replace(validDeployment, "  replicas: 2", "  replica: 2", 1)
	for _, tc := range []struct {
		doc  string
		want string
	}{{validDeployment + "---\n" + validApplication, `"valid": 2`}, {bad, `"invalid": 1`}} {
		f := filepath.Join(t.TempDir(), "in.yaml")
		if err := os.WriteFile(f, []byte(tc.doc), 0o644); err != nil {
			t.Fatal(err)
		}
		out, _ := exec.Command(bin, "-strict", "-summary", "-output", "json", "-schema-location",
			dir+"/{{ .ResourceKind }}{{ .KindSuffix }}-{{ .ResourceAPIVersion }}.json", f).Output()
		if !bytes.Contains(out, []byte(tc.want)) {
			t.Errorf("kubeconform: want %s in\n%s", tc.want, out)
		}
	}
}

func decodeYAML(t *testing.T, doc string) any {
	t.Helper()
	j, err := yaml.YAMLToJSON([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// testSchema is a small draft 4 evaluator covering the keywords schemagen emits, enough to show
// that a generated schema accepts and refuses what it should; kubeconform is the real judge.
type testSchema struct {
	root map[string]any
}

func loadSchema(t *testing.T, name string) testSchema {
	t.Helper()
	var root map[string]any
	if err := decodeJSONFile(filepath.Join(generated(t), name), &root); err != nil {
		t.Fatal(err)
	}
	return testSchema{root}
}

func (s testSchema) validate(v any) error { return s.check(s.root, v, "") }

func (s testSchema) check(node any, v any, at string) error {
	if b, ok := node.(bool); ok {
		if !b {
			return fmt.Errorf("%s: not allowed", at)
		}
		return nil
	}
	sch := node.(map[string]any)
	if ref, ok := sch["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/definitions/")
		def, ok := s.root["definitions"].(map[string]any)[name]
		if !ok {
			return fmt.Errorf("%s: dangling $ref %s", at, ref)
		}
		return s.check(def, v, at)
	}
	if t, ok := sch["type"]; ok && !hasType(t, v) {
		return fmt.Errorf("%s: got %T, want %v", at, v, t)
	}
	if enum, ok := sch["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			found = found || fmt.Sprint(e) == fmt.Sprint(v)
		}
		if !found {
			return fmt.Errorf("%s: %v not in enum", at, v)
		}
	}
	for _, sub := range asList(sch["allOf"]) {
		if err := s.check(sub, v, at); err != nil {
			return err
		}
	}
	if list := asList(sch["anyOf"]); list != nil {
		if n := s.matches(list, v, at); n == 0 {
			return fmt.Errorf("%s: anyOf: nothing matches", at)
		}
	}
	if list := asList(sch["oneOf"]); list != nil {
		if n := s.matches(list, v, at); n != 1 {
			return fmt.Errorf("%s: oneOf: %d match", at, n)
		}
	}
	switch val := v.(type) {
	case map[string]any:
		for _, r := range asList(sch["required"]) {
			if _, ok := val[r.(string)]; !ok {
				return fmt.Errorf("%s: missing required %s", at, r)
			}
		}
		props, _ := sch["properties"].(map[string]any)
		for k, fv := range val {
			if p, ok := props[k]; ok {
				if err := s.check(p, fv, at+"/"+k); err != nil {
					return err
				}
			} else if ap, ok := sch["additionalProperties"]; ok {
				if err := s.check(ap, fv, at+"/"+k); err != nil {
					return fmt.Errorf("%s: additional property %s: %w", at, k, err)
				}
			}
		}
	case []any:
		if items, ok := sch["items"]; ok {
			for i, iv := range val {
				if err := s.check(items, iv, fmt.Sprintf("%s/%d", at, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (s testSchema) matches(list []any, v any, at string) int {
	n := 0
	for _, sub := range list {
		if s.check(sub, v, at) == nil {
			n++
		}
	}
	return n
}

func hasType(t any, v any) bool {
	if list, ok := t.([]any); ok {
		for _, one := range list {
			if hasType(one, v) {
				return true
			}
		}
		return false
	}
	switch t {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "number":
		_, ok := v.(json.Number)
		return ok
	case "integer":
		n, ok := v.(json.Number)
		_, err := n.Int64()
		return ok && err == nil
	case "null":
		return v == nil
	}
	return false
}
