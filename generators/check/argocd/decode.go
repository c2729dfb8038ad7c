package argocd

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"

	argo "github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	corev1 "k8s.io/api/core/v1"

	argogen "github.com/hue-platform/hue-gitops/generators/argocd"
	"github.com/hue-platform/hue-gitops/generators/manifest"
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

// decodeFiles decodes every document of every file, strictly, in path order.
func decodeFiles(files map[string][]byte) ([]*doc, []decodeError) {
	var docs []*doc
	var errs []decodeError
	for _, file := range slices.Sorted(maps.Keys(files)) {
		raws, err := manifest.Split(file, files[file])
		if err != nil {
			errs = append(errs, decodeError{file: file, detail: strings.TrimPrefix(err.Error(), file+": ")})
			continue
		}
		for _, raw := range raws {
			d, derrs := decodeDoc(raw)
			if len(derrs) > 0 {
				errs = append(errs, derrs...)
				continue
			}
			docs = append(docs, d)
		}
	}
	return docs, errs
}

func decodeDoc(raw manifest.Document) (*doc, []decodeError) {
	file := raw.File
	h, err := raw.Header()
	if err != nil {
		return nil, []decodeError{{file: file, detail: strings.TrimPrefix(err.Error(), file+": ")}}
	}
	fail := func(fieldPath, format string, args ...any) *decodeError {
		return &decodeError{file: file, kind: h.Kind, name: h.Metadata.Name, field: fieldPath, detail: fmt.Sprintf(format, args...)}
	}
	if h.APIVersion == "v1" && h.Kind == "ConfigMap" {
		if h.Metadata.Name != argogen.ArgoConfigMap || h.Metadata.Namespace != argogen.ArgoNamespace {
			return nil, []decodeError{*fail("metadata.name", "the only ConfigMap of the Argo CD files is %s/%s", argogen.ArgoNamespace, argogen.ArgoConfigMap)}
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
	// Keys match case-sensitively, as the API server does (encoding/json would take
	// "selfheal" for selfHeal), and every unknown or duplicate field is named by path.
	if ferrs := raw.Decode(obj); len(ferrs) > 0 {
		var errs []decodeError
		for _, fe := range ferrs {
			detail := fe.Detail
			if strings.HasSuffix(detail, " field") {
				detail += " of " + h.Kind
			}
			errs = append(errs, *fail(fe.Field, "%s", detail))
		}
		return nil, errs
	}
	return &doc{file: file, index: raw.Index - 1, kind: h.Kind, name: h.Metadata.Name, namespace: h.Metadata.Namespace, obj: obj}, nil
}

// sameJSON reports whether two objects are the same once written as the generator writes them.
func sameJSON(a, b any) bool {
	ma, errA := argogen.Marshal(a)
	mb, errB := argogen.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ma, mb)
}
