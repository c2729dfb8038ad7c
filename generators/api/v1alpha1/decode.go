package v1alpha1

import (
	"errors"
	"fmt"

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
func Decode(file string, data []byte) ([]Document, Errors) {
	raws, err := manifest.Split(file, data)
	if err != nil {
		return nil, Errors{fileError(err)}
	}
	var docs []Document
	var errs Errors
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
func fileError(err error) *Error {
	var me *manifest.Error
	if errors.As(err, &me) {
		return &Error{File: me.File, Line: me.Line, Detail: me.Detail}
	}
	return &Error{Detail: err.Error()}
}

func decodeOne(raw manifest.Document) (*Document, Errors) {
	h, err := raw.Header()
	if err != nil {
		return nil, Errors{fileError(err)}
	}
	locate := func(fieldPath, detail string) Errors {
		return Errors{{File: raw.File, Kind: h.Kind, Name: h.Metadata.Name, Field: fieldPath, Detail: detail}}
	}
	if h.APIVersion != APIVersion {
		return nil, locate("apiVersion", fmt.Sprintf("must be %q, got %q", APIVersion, h.APIVersion))
	}
	var obj any
	switch h.Kind {
	case KindService:
		obj = &HueService{}
	case KindCompartment:
		obj = &HueCompartment{}
	case KindDataStore:
		obj = &HueDataStore{}
	case KindCluster:
		obj = &HueCluster{}
	case KindFleet:
		obj = &HueFleet{}
	case KindRegistry:
		obj = &HueClusterRegistry{}
	case KindCheck:
		obj = &HueCheck{}
	default:
		return nil, locate("kind", fmt.Sprintf("unknown kind %q (want one of %s, %s, %s, %s, %s, %s, %s)",
			h.Kind, KindService, KindCompartment, KindDataStore, KindCluster, KindFleet, KindRegistry, KindCheck))
	}
	if ferrs := raw.Decode(obj); len(ferrs) > 0 {
		var errs Errors
		for _, fe := range ferrs {
			errs = append(errs, locate(fe.Field, fe.Detail)...)
		}
		return nil, errs
	}
	return &Document{File: raw.File, Index: raw.Index - 1, Kind: h.Kind, Name: h.Metadata.Name, Object: obj}, nil
}
