package v1alpha1

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// Document is one decoded spec with where it came from.
type Document struct {
	File   string
	Index  int
	Kind   string
	Name   string
	Object any
}

// Decode reads every YAML document of a spec file into its typed struct, strictly: unknown
// fields, wrong types and unknown kinds are errors. All problems of the file are returned together.
func Decode(file string, data []byte) ([]Document, Errors) {
	var docs []Document
	var errs Errors
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for i := 0; ; i++ {
		raw, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, &Error{File: file, Detail: fmt.Sprintf("document %d: malformed YAML: %v", i+1, err)})
			break
		}
		if len(bytes.TrimSpace(stripComments(raw))) == 0 {
			continue
		}
		doc, derrs := decodeOne(file, i, raw)
		errs = append(errs, derrs...)
		if doc != nil {
			docs = append(docs, *doc)
		}
	}
	return docs, errs
}

type header struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
}

func decodeOne(file string, index int, raw []byte) (*Document, Errors) {
	var h header
	if err := yaml.Unmarshal(raw, &h); err != nil {
		return nil, Errors{{File: file, Detail: fmt.Sprintf("document %d: malformed YAML: %s", index+1, cleanYAMLError(err))}}
	}
	locate := func(fieldPath, detail string) Errors {
		return Errors{{File: file, Kind: h.Kind, Name: h.Metadata.Name, Field: fieldPath, Detail: detail}}
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
	default:
		return nil, locate("kind", fmt.Sprintf("unknown kind %q (want one of %s, %s, %s, %s, %s, %s)",
			h.Kind, KindService, KindCompartment, KindDataStore, KindCluster, KindFleet, KindRegistry))
	}
	j, err := yaml.YAMLToJSON(raw)
	if err != nil {
		return nil, locate("", cleanYAMLError(err))
	}
	// sigs.k8s.io/json names the full path of an unknown or mistyped field and matches keys
	// case-sensitively, as the API server does.
	strictErrs, err := sigsjson.UnmarshalStrict(j, obj)
	if err != nil {
		fld, detail := strictErrorField(err)
		return nil, locate(fld, detail)
	}
	if len(strictErrs) > 0 {
		var errs Errors
		for _, se := range strictErrs {
			fld, detail := strictErrorField(se)
			errs = append(errs, locate(fld, detail)...)
		}
		return nil, errs
	}
	return &Document{File: file, Index: index, Kind: h.Kind, Name: h.Metadata.Name, Object: obj}, nil
}

var (
	unknownFieldRE = regexp.MustCompile(`unknown field "([^"]+)"`)
	wrongTypeRE    = regexp.MustCompile(`cannot unmarshal (\S+) into Go struct field \S+?\.(\S+) of type (\S+)`)
	wrongValueRE   = regexp.MustCompile(`cannot unmarshal (\S+) into Go value of type (\S+)`)
)

// strictErrorField turns a strict-decoding error into the field it names and a short detail.
func strictErrorField(err error) (string, string) {
	msg := err.Error()
	if m := unknownFieldRE.FindStringSubmatch(msg); m != nil {
		return m[1], "unknown field"
	}
	if m := wrongTypeRE.FindStringSubmatch(msg); m != nil {
		return m[2], fmt.Sprintf("wrong type: got %s, want %s", m[1], m[3])
	}
	if m := wrongValueRE.FindStringSubmatch(msg); m != nil {
		return "", fmt.Sprintf("wrong type: got %s, want %s", m[1], m[2])
	}
	return "", cleanYAMLError(err)
}

func cleanYAMLError(err error) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "error converting YAML to JSON: ")
	msg = strings.TrimPrefix(msg, "error unmarshaling JSON: ")
	msg = strings.TrimPrefix(msg, "while decoding JSON: ")
	return msg
}

func stripComments(raw []byte) []byte {
	var out [][]byte
	for _, line := range bytes.Split(raw, []byte("\n")) {
		t := bytes.TrimSpace(line)
		if len(t) == 0 || t[0] == '#' || string(t) == "---" {
			continue
		}
		out = append(out, line)
	}
	return bytes.Join(out, []byte("\n"))
}
