package argocd

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"

	argo "github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// doc is one decoded Argo CD object of a file.
type doc struct {
	file      string
	index     int
	kind      string
	name      string
	namespace string
	obj       any // *argo.AppProject, *argo.Application, *argo.ApplicationSet or *corev1.ConfigMap (argocd-cm)
}

// decodeError is a problem of one YAML document, located at a field when possible.
type decodeError struct {
	file, kind, name, field, detail string
}

var strictFieldRE = regexp.MustCompile(`^(unknown|duplicate) field "([^"]+)"`)

// decodeFiles decodes every document of every file, strictly, in path order.
func decodeFiles(files map[string][]byte) ([]*doc, []decodeError) {
	var docs []*doc
	var errs []decodeError
	for _, file := range slices.Sorted(maps.Keys(files)) {
		reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(files[file])))
		for i := 0; ; i++ {
			raw, err := reader.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				errs = append(errs, decodeError{file: file, detail: fmt.Sprintf("document %d: malformed YAML: %v", i+1, err)})
				break
			}
			if isBlank(raw) {
				continue
			}
			d, derrs := decodeDoc(file, i, raw)
			if len(derrs) > 0 {
				errs = append(errs, derrs...)
				continue
			}
			docs = append(docs, d)
		}
	}
	return docs, errs
}

func decodeDoc(file string, index int, raw []byte) (*doc, []decodeError) {
	var h objectHeader
	if err := yaml.Unmarshal(raw, &h); err != nil {
		return nil, []decodeError{{file: file, detail: fmt.Sprintf("document %d: malformed YAML: %v", index+1, err)}}
	}
	fail := func(fieldPath, format string, args ...any) *decodeError {
		return &decodeError{file: file, kind: h.Kind, name: h.Metadata.Name, field: fieldPath, detail: fmt.Sprintf(format, args...)}
	}
	if h.APIVersion == "v1" && h.Kind == "ConfigMap" {
		if h.Metadata.Name != ArgoConfigMap || h.Metadata.Namespace != ArgoNamespace {
			return nil, []decodeError{*fail("metadata.name", "the only ConfigMap of the Argo CD files is %s/%s", ArgoNamespace, ArgoConfigMap)}
		}
	} else if h.APIVersion != argo.SchemeGroupVersion.String() {
		return nil, []decodeError{*fail("apiVersion", "must be %q, got %q", argo.SchemeGroupVersion.String(), h.APIVersion)}
	}
	var obj any
	switch h.Kind {
	case "ConfigMap":
		obj = &corev1.ConfigMap{}
	case "AppProject":
		obj = &argo.AppProject{}
	case "Application":
		obj = &argo.Application{}
	case "ApplicationSet":
		obj = &argo.ApplicationSet{}
	default:
		return nil, []decodeError{*fail("kind", "unexpected kind %q (want AppProject, Application or ApplicationSet)", h.Kind)}
	}
	if h.Metadata.Name == "" {
		return nil, []decodeError{*fail("metadata.name", "required")}
	}
	data, err := yaml.YAMLToJSON(raw)
	if err != nil {
		return nil, []decodeError{*fail("", "malformed YAML: %v", err)}
	}
	// sigs.k8s.io/json matches keys case-sensitively, as the API server does (encoding/json
	// would take "selfheal" for selfHeal), and names every unknown or duplicate field by path.
	strict, err := sigsjson.UnmarshalStrict(data, obj)
	if err != nil {
		return nil, []decodeError{*fail("", "%s", err.Error())}
	}
	if len(strict) > 0 {
		var errs []decodeError
		for _, se := range strict {
			fieldPath, detail := "", se.Error()
			if m := strictFieldRE.FindStringSubmatch(detail); m != nil {
				fieldPath, detail = m[2], m[1]+" field of "+h.Kind
			}
			errs = append(errs, *fail(fieldPath, "%s", detail))
		}
		return nil, errs
	}
	return &doc{file: file, index: index, kind: h.Kind, name: h.Metadata.Name, namespace: h.Metadata.Namespace, obj: obj}, nil
}

func isBlank(raw []byte) bool {
	for _, line := range bytes.Split(raw, []byte("\n")) {
		t := bytes.TrimSpace(line)
		if len(t) > 0 && t[0] != '#' && string(t) != "---" {
			return false
		}
	}
	return true
}

// sameJSON reports whether two objects marshal identically.
func sameJSON(a, b any) bool {
	return bytes.Equal(canonicalJSON(a), canonicalJSON(b))
}

func canonicalJSON(v any) []byte {
	var tree any
	_ = json.Unmarshal(mustJSON(v), &tree)
	tree, _ = prune(tree)
	b, _ := json.Marshal(tree) // map keys marshal sorted
	return b
}
