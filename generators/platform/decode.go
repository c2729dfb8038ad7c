package platform

import (
	"errors"
	"fmt"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/manifest"
)

// Document is one decoded spec with where it came from.
type Document struct {
	File   string
	Index  int
	Kind   string
	Name   string
	Object any
}

// Decode reads every YAML document of a spec file into its typed struct, strictly: a key given
// twice, unknown fields, wrong types and unknown kinds are errors, and so is a file holding no
// object. All problems of the file are returned together.
func Decode(file string, data []byte) ([]Document, v1alpha1.Errors) {
	raws, err := manifest.Split(file, data)
	if err != nil {
		return nil, v1alpha1.Errors{fileError(err)}
	}
	var docs []Document
	var errs v1alpha1.Errors
	for _, raw := range raws {
		doc, derrs := decodeOne(raw)
		errs = append(errs, derrs...)
		if doc != nil {
			docs = append(docs, *doc)
		}
	}
	return docs, errs
}

// fileError is a manifest.Error (a problem of the file, at a line) as an Error.
func fileError(err error) *v1alpha1.Error {
	var me *manifest.Error
	if errors.As(err, &me) {
		return &v1alpha1.Error{File: me.File, Line: me.Line, Detail: me.Detail}
	}
	return &v1alpha1.Error{Detail: err.Error()}
}

func decodeOne(raw manifest.Document) (*Document, v1alpha1.Errors) {
	h, err := raw.Header()
	if err != nil {
		return nil, v1alpha1.Errors{fileError(err)}
	}
	locate := func(fieldPath, detail string) v1alpha1.Errors {
		return v1alpha1.Errors{{File: raw.File, Kind: h.Kind, Name: h.Metadata.Name, Field: fieldPath, Detail: detail}}
	}
	if h.APIVersion != v1alpha1.APIVersion {
		return nil, locate("apiVersion", fmt.Sprintf("must be %q, got %q", v1alpha1.APIVersion, h.APIVersion))
	}
	var obj any
	switch h.Kind {
	case v1alpha1.KindService:
		obj = &v1alpha1.HueService{}
	case v1alpha1.KindCompartment:
		obj = &v1alpha1.HueCompartment{}
	case v1alpha1.KindDataStore:
		obj = &v1alpha1.HueDataStore{}
	case v1alpha1.KindCluster:
		obj = &v1alpha1.HueCluster{}
	case v1alpha1.KindFleet:
		obj = &v1alpha1.HueFleet{}
	case v1alpha1.KindRegistry:
		obj = &v1alpha1.HueClusterRegistry{}
	case v1alpha1.KindCheck:
		obj = &v1alpha1.HueCheck{}
	default:
		return nil, locate("kind", fmt.Sprintf("unknown kind %q (want one of %s, %s, %s, %s, %s, %s, %s)",
			h.Kind, v1alpha1.KindService, v1alpha1.KindCompartment, v1alpha1.KindDataStore, v1alpha1.KindCluster, v1alpha1.KindFleet, v1alpha1.KindRegistry, v1alpha1.KindCheck))
	}
	if ferrs := raw.Decode(obj); len(ferrs) > 0 {
		var errs v1alpha1.Errors
		for _, fe := range ferrs {
			errs = append(errs, locate(fe.Field, fe.Detail)...)
		}
		return nil, errs
	}
	return &Document{File: raw.File, Index: raw.Index - 1, Kind: h.Kind, Name: h.Metadata.Name, Object: obj}, nil
}
