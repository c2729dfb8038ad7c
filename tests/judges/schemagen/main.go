// Command schemagen writes kubeconform's JSON schemas offline: one self-contained, strict schema per
// kind and version, from the Kubernetes OpenAPI v3 documents and from Argo CD's CRDs.
//
//	go run ./tests/judges/schemagen -kubernetes-openapi DIR -argocd-crds DIR -out DIR
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"
)

// marker names a directory as schemagen's own, so that regenerating may empty it.
const marker = ".hue-schemagen"

// objectMetaDef is the Kubernetes definition that CRD schemas leave as a bare object.
const objectMetaDef = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"

const refPrefix = "#/components/schemas/"

func main() {
	k8sDir := flag.String("kubernetes-openapi", "", "directory of the Kubernetes OpenAPI v3 documents (api/openapi-spec/v3 of k8s.io/kubernetes)")
	crdDir := flag.String("argocd-crds", "", "directory of Argo CD's CRD manifests (manifests/crds of github.com/argoproj/argo-cd/v3)")
	out := flag.String("out", "", "directory to write the schemas into (emptied first; must be new, empty or schemagen's own)")
	flag.Parse()
	if *k8sDir == "" || *crdDir == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "schemagen: -kubernetes-openapi, -argocd-crds and -out are all required")
		os.Exit(2)
	}
	n, err := generate(*k8sDir, *crdDir, *out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "schemagen:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "schemagen: wrote %d schemas to %s\n", n, *out)
}

// gvk is one kind of one API version; group is empty for the core group.
type gvk struct{ group, version, kind string }

func (g gvk) apiVersion() string {
	if g.group == "" {
		return g.version
	}
	return g.group + "/" + g.version
}

// schemaFileName is the name kubeconform v0.8.0 asks for under the template
// "{{ .ResourceKind }}{{ .KindSuffix }}-{{ .ResourceAPIVersion }}.json": the lowercased kind, then
// "-" and the lowercased first dot-label of the apiVersion's first part (the version itself for the
// core group), then "-" and the lowercased version when there is a group, then "-" and the version.
func schemaFileName(g gvk) string {
	parts := strings.Split(g.apiVersion(), "/")
	suffix := "-" + strings.ToLower(strings.Split(parts[0], ".")[0])
	if len(parts) > 1 {
		suffix += "-" + strings.ToLower(parts[1])
	}
	return strings.ToLower(g.kind) + suffix + "-" + parts[len(parts)-1] + ".json"
}

// schemas maps a file name to its schema and the kind it was made for, to catch two kinds sharing a name.
type schemas map[string]entry

type entry struct {
	gvk    gvk
	schema map[string]any
}

func (s schemas) add(g gvk, schema map[string]any) error {
	name := schemaFileName(g)
	if prev, ok := s[name]; ok {
		return fmt.Errorf("%s and %s both map to schema file %s", prev.gvk.apiVersion()+" "+prev.gvk.kind, g.apiVersion()+" "+g.kind, name)
	}
	s[name] = entry{g, schema}
	return nil
}

func generate(k8sDir, crdDir, outDir string) (int, error) {
	defs, kinds, err := loadKubernetes(k8sDir)
	if err != nil {
		return 0, err
	}
	all := schemas{}
	for _, k := range sortedGVKs(kinds) {
		schema, err := bundle(kinds[k], nil, defs)
		if err != nil {
			return 0, fmt.Errorf("%s %s: %w", k.apiVersion(), k.kind, err)
		}
		if err := all.add(k, schema); err != nil {
			return 0, err
		}
	}
	crds, err := loadCRDs(crdDir)
	if err != nil {
		return 0, err
	}
	for _, c := range crds {
		schema, err := bundle("", c.schema, defs)
		if err != nil {
			return 0, fmt.Errorf("%s %s (%s): %w", c.gvk.apiVersion(), c.gvk.kind, c.file, err)
		}
		if err := all.add(c.gvk, schema); err != nil {
			return 0, err
		}
	}
	if err := write(outDir, all); err != nil {
		return 0, err
	}
	return len(all), nil
}

func sortedGVKs(m map[gvk]string) []gvk {
	keys := make([]gvk, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return schemaFileName(keys[i]) < schemaFileName(keys[j])
	})
	return keys
}

// loadKubernetes reads every OpenAPI v3 document in dir and returns all component schemas by name
// and, for every kind and version the documents declare, the name of its definition.
func loadKubernetes(dir string) (map[string]map[string]any, map[gvk]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, nil, err
	}
	if len(files) == 0 {
		return nil, nil, fmt.Errorf("%s: no OpenAPI documents (*.json)", dir)
	}
	defs := map[string]map[string]any{}
	// The same definition appears in many documents, each listing only its own group's kinds.
	seen := map[string][]byte{}
	kinds := map[gvk]string{}
	for _, f := range files {
		var doc struct {
			Components struct {
				Schemas map[string]map[string]any `json:"schemas"`
			} `json:"components"`
		}
		if err := decodeJSONFile(f, &doc); err != nil {
			return nil, nil, err
		}
		for name, def := range doc.Components.Schemas {
			ks, err := groupVersionKinds(def)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %s: %w", f, name, err)
			}
			for _, k := range ks {
				if prev, ok := kinds[k]; ok && prev != name {
					return nil, nil, fmt.Errorf("%s: %s %s is declared by both %s and %s", f, k.apiVersion(), k.kind, prev, name)
				}
				kinds[k] = name
			}
			body, err := json.Marshal(withoutKey(def, "x-kubernetes-group-version-kind"))
			if err != nil {
				return nil, nil, err
			}
			if prev, ok := seen[name]; ok {
				if !bytes.Equal(prev, body) {
					return nil, nil, fmt.Errorf("%s: definition %s differs from an earlier document's", f, name)
				}
				continue
			}
			seen[name] = body
			defs[name] = def
		}
	}
	if len(kinds) == 0 {
		return nil, nil, fmt.Errorf("%s: no definition declares x-kubernetes-group-version-kind", dir)
	}
	return defs, kinds, nil
}

func groupVersionKinds(def map[string]any) ([]gvk, error) {
	raw, ok := def["x-kubernetes-group-version-kind"]
	if !ok {
		return nil, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, errors.New("x-kubernetes-group-version-kind is not a list")
	}
	var out []gvk
	for i, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("x-kubernetes-group-version-kind[%d] is not an object", i)
		}
		g, _ := m["group"].(string)
		v, _ := m["version"].(string)
		k, _ := m["kind"].(string)
		if v == "" || k == "" {
			return nil, fmt.Errorf("x-kubernetes-group-version-kind[%d] lacks version or kind", i)
		}
		out = append(out, gvk{g, v, k})
	}
	return out, nil
}

func withoutKey(m map[string]any, key string) map[string]any {
	c := make(map[string]any, len(m))
	for k, v := range m {
		if k != key {
			c[k] = v
		}
	}
	return c
}

func decodeJSONFile(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	// Keep numbers (minimum, maximum, defaults) exactly as written.
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

type crdSchema struct {
	file   string
	gvk    gvk
	schema map[string]any
}

// loadCRDs returns the openAPIV3Schema of every served version of every CRD in dir.
func loadCRDs(dir string) ([]crdSchema, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	var out []crdSchema
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var head struct {
			Kind string `json:"kind"`
		}
		if err := yaml.Unmarshal(data, &head); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		// kustomization.yaml and the like sit beside the CRDs.
		if head.Kind != "CustomResourceDefinition" {
			continue
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.UnmarshalStrict(data, &crd); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for _, v := range crd.Spec.Versions {
			if !v.Served {
				continue
			}
			if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
				return nil, fmt.Errorf("%s: version %s has no openAPIV3Schema", f, v.Name)
			}
			body, err := json.Marshal(v.Schema.OpenAPIV3Schema)
			if err != nil {
				return nil, fmt.Errorf("%s: version %s: %w", f, v.Name, err)
			}
			var schema map[string]any
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.UseNumber()
			if err := dec.Decode(&schema); err != nil {
				return nil, fmt.Errorf("%s: version %s: %w", f, v.Name, err)
			}
			out = append(out, crdSchema{f, gvk{crd.Spec.Group, v.Name, crd.Spec.Names.Kind}, schema})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no served CRD versions found", dir)
	}
	return out, nil
}

// bundle makes one self-contained schema: the root (a named Kubernetes definition, or a CRD's schema)
// converted for draft 4, with every definition it reaches carried under "definitions".
func bundle(rootName string, crdRoot map[string]any, defs map[string]map[string]any) (map[string]any, error) {
	var root map[string]any
	if rootName != "" {
		def, ok := defs[rootName]
		if !ok {
			return nil, fmt.Errorf("no definition %s", rootName)
		}
		root = withoutKey(def, "x-kubernetes-group-version-kind")
	} else {
		root = crdRoot
		// The API server validates a custom resource's metadata as ObjectMeta whatever the CRD says.
		if props, ok := root["properties"].(map[string]any); ok {
			if md, ok := props["metadata"].(map[string]any); ok && isBareObject(md) {
				props = maps.Clone(props)
				props["metadata"] = map[string]any{"$ref": refPrefix + objectMetaDef}
				root = maps.Clone(root)
				root["properties"] = props
			}
		}
	}
	c := &converter{defs: defs, reached: map[string]bool{}}
	out, err := c.schema(root, "#")
	if err != nil {
		return nil, err
	}
	converted := out.(map[string]any)
	definitions := map[string]any{}
	for len(c.queue) > 0 {
		name := c.queue[0]
		c.queue = c.queue[1:]
		d, err := c.schema(withoutKey(defs[name], "x-kubernetes-group-version-kind"), "#/definitions/"+name)
		if err != nil {
			return nil, err
		}
		definitions[name] = d
	}
	if len(definitions) > 0 {
		converted["definitions"] = definitions
	}
	converted["$schema"] = "http://json-schema.org/draft-04/schema#"
	return converted, nil
}

// isBareObject is a schema that says only "an object", as CRDs do for metadata.
func isBareObject(s map[string]any) bool {
	for k := range s {
		if k != "type" && k != "description" {
			return false
		}
	}
	return s["type"] == "object"
}

type converter struct {
	defs    map[string]map[string]any
	reached map[string]bool
	queue   []string
}

// Keywords whose value is a map of schemas, a schema, or a list of schemas; all others are data.
var (
	schemaMapKeywords  = []string{"properties", "patternProperties", "definitions"}
	schemaKeywords     = []string{"not", "additionalItems"}
	schemaListKeywords = []string{"allOf", "anyOf", "oneOf"}
)

// schema converts one OpenAPI schema node into draft 4 JSON schema, walking only schema-valued
// keywords so that a property called "$ref" or "properties" stays a property.
func (c *converter) schema(node any, at string) (any, error) {
	s, ok := node.(map[string]any)
	if !ok {
		if b, isBool := node.(bool); isBool {
			return b, nil
		}
		return nil, fmt.Errorf("%s: schema is %T, not an object", at, node)
	}
	out := make(map[string]any, len(s)+1)
	for k, v := range s {
		switch k {
		// Documentation only; dropping it keeps the files small.
		case "description", "example", "externalDocs":
			continue
		}
		out[k] = v
	}
	if ref, ok := s["$ref"].(string); ok {
		name, found := strings.CutPrefix(ref, refPrefix)
		if !found {
			return nil, fmt.Errorf("%s: $ref %q is not a component schema", at, ref)
		}
		if _, ok := c.defs[name]; !ok {
			return nil, fmt.Errorf("%s: $ref %q names no definition", at, ref)
		}
		if !c.reached[name] {
			c.reached[name] = true
			c.queue = append(c.queue, name)
		}
		// Draft 4 ignores every keyword beside $ref, so siblings move into an allOf.
		target := map[string]any{"$ref": "#/definitions/" + pointerEscape(name)}
		delete(out, "$ref")
		if len(out) == 0 {
			return target, nil
		}
		out["allOf"] = append([]any{target}, asList(out["allOf"])...)
	}
	for _, k := range schemaMapKeywords {
		raw, ok := out[k]
		if !ok {
			continue
		}
		m, ok := raw.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s/%s is not an object", at, k)
		}
		conv := make(map[string]any, len(m))
		for name, sub := range m {
			v, err := c.schema(sub, at+"/"+k+"/"+pointerEscape(name))
			if err != nil {
				return nil, err
			}
			conv[name] = v
		}
		out[k] = conv
	}
	for _, k := range schemaKeywords {
		if raw, ok := out[k]; ok {
			v, err := c.schema(raw, at+"/"+k)
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
	}
	for _, k := range schemaListKeywords {
		raw, ok := out[k]
		if !ok {
			continue
		}
		list, ok := raw.([]any)
		if !ok {
			return nil, fmt.Errorf("%s/%s is not a list", at, k)
		}
		conv := make([]any, len(list))
		for i, sub := range list {
			v, err := c.schema(sub, fmt.Sprintf("%s/%s/%d", at, k, i))
			if err != nil {
				return nil, err
			}
			conv[i] = v
		}
		out[k] = conv
	}
	if raw, ok := out["items"]; ok {
		var err error
		if list, isList := raw.([]any); isList {
			conv := make([]any, len(list))
			for i, sub := range list {
				if conv[i], err = c.schema(sub, fmt.Sprintf("%s/items/%d", at, i)); err != nil {
					return nil, err
				}
			}
			out["items"] = conv
		} else if out["items"], err = c.schema(raw, at+"/items"); err != nil {
			return nil, err
		}
	}
	if raw, ok := out["additionalProperties"]; ok {
		v, err := c.schema(raw, at+"/additionalProperties")
		if err != nil {
			return nil, err
		}
		out["additionalProperties"] = v
	}
	nullable(out)
	intOrString(out)
	closeObject(out)
	return out, nil
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func pointerEscape(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

// nullable turns OpenAPI's "nullable: true" into draft 4's null type, which is how it validates.
func nullable(s map[string]any) {
	if n, _ := s["nullable"].(bool); !n {
		return
	}
	if t, ok := s["type"].(string); ok {
		s["type"] = []any{t, "null"}
	}
	if enum, ok := s["enum"].([]any); ok {
		s["enum"] = append(enum, nil)
	}
}

// intOrString gives a CRD's bare x-kubernetes-int-or-string the type it stands for; Kubernetes's own
// IntOrString already carries a oneOf, and CRDs usually an anyOf.
func intOrString(s map[string]any) {
	if v, _ := s["x-kubernetes-int-or-string"].(bool); !v {
		return
	}
	_, hasType := s["type"]
	_, hasAny := s["anyOf"]
	_, hasOne := s["oneOf"]
	if !hasType && !hasAny && !hasOne {
		s["anyOf"] = []any{map[string]any{"type": "integer"}, map[string]any{"type": "string"}}
	}
}

// closeObject refuses fields a schema does not declare, as the API server's strict field validation
// does: kubeconform's -strict only catches duplicate keys and leaves unknown fields to the schema.
// Maps (additionalProperties given), free-form objects (no properties) and objects that keep unknown
// fields (x-kubernetes-preserve-unknown-fields) stay open, and so does an object whose allOf, anyOf
// or oneOf brings properties of its own, which additionalProperties would not see in draft 4.
func closeObject(s map[string]any) {
	if _, ok := s["additionalProperties"]; ok {
		return
	}
	if _, ok := s["properties"]; !ok {
		return
	}
	if keep, _ := s["x-kubernetes-preserve-unknown-fields"].(bool); keep {
		return
	}
	for _, k := range schemaListKeywords {
		for _, sub := range asList(s[k]) {
			m, _ := sub.(map[string]any)
			if _, ok := m["properties"]; ok {
				return
			}
			if _, ok := m["$ref"]; ok {
				return
			}
		}
	}
	s["additionalProperties"] = false
}

// write replaces outDir's schemas with all, refusing a directory that schemagen did not make.
func write(outDir string, all schemas) error {
	if err := prepare(outDir); err != nil {
		return err
	}
	names := make([]string, 0, len(all))
	for name := range all {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(all[name].schema); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(outDir, name), buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func prepare(outDir string) error {
	entries, err := os.ReadDir(outDir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(outDir, 0o755); err != nil {
			return err
		}
	case err != nil:
		return err
	case len(entries) > 0:
		if _, err := os.Stat(filepath.Join(outDir, marker)); err != nil {
			return fmt.Errorf("%s: not empty and not made by schemagen (no %s): refusing to empty it", outDir, marker)
		}
		// Stale schemas from an earlier run could hide a kind that no longer has one.
		for _, e := range entries {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
				if err := os.Remove(filepath.Join(outDir, e.Name())); err != nil {
					return err
				}
			}
		}
	}
	return os.WriteFile(filepath.Join(outDir, marker), []byte("schemas written by tests/judges/schemagen; emptied on every run\n"), 0o644)
}
