// Package manifest is the one way YAML files become objects here: specs, cluster inventories,
// rendered manifests and Argo CD files are all split into documents and decoded by it, so that
// every reader is equally strict. A key given twice in one mapping, malformed YAML and a file
// holding no object are errors naming the file and the line; a document decodes into a Go type
// strictly (unknown fields, wrong types and duplicate fields named by their full path).
package manifest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// Document is one non-empty YAML document of a file, as JSON.
type Document struct {
	File string
	// Index counts the documents of the file from 1, empty ones included.
	Index int
	// Line is the line of the file the document starts on, from 1.
	Line int
	JSON []byte
}

// Error is a problem of a file that no object can be blamed for: at a line when known.
type Error struct {
	File   string
	Line   int
	Detail string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Detail)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Detail)
}

// Empty is the detail of a file that holds no object.
const Empty = "holds no object: to remove what it defined, delete the file"

var lineRE = regexp.MustCompile(`line (\d+): `)

// Split reads the documents of one file. Documents holding only comments are skipped; a file
// without any object is an error. On the first malformed document it stops, with the line.
func Split(file string, data []byte) ([]Document, error) {
	var docs []Document
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	offset := 0 // where the search for the next document's bytes starts
	for index := 1; ; index++ {
		raw, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &Error{File: file, Line: lineAt(data, offset), Detail: "malformed YAML: " + err.Error()}
		}
		// The reader hands back the document's own bytes: finding them gives its first line.
		start := offset
		if i := bytes.Index(data[offset:], raw); i >= 0 {
			start = offset + i
			offset = start + len(raw)
		}
		line := lineAt(data, start)
		js, err := yaml.YAMLToJSONStrict(raw)
		if err != nil {
			return nil, yamlError(file, line, err)
		}
		if t := bytes.TrimSpace(js); len(t) == 0 || string(t) == "null" {
			continue
		}
		docs = append(docs, Document{File: file, Index: index, Line: line, JSON: js})
	}
	if len(docs) == 0 {
		return nil, &Error{File: file, Detail: Empty}
	}
	return docs, nil
}

// lineAt is the 1-based line of a byte offset.
func lineAt(data []byte, offset int) int {
	return bytes.Count(data[:min(offset, len(data))], []byte("\n")) + 1
}

// yamlError turns the YAML parser's error into one naming the file's line (the parser counts
// from the document's first line).
func yamlError(file string, docLine int, err error) error {
	msg := err.Error()
	for _, p := range []string{"error converting YAML to JSON: ", "yaml: unmarshal errors:\n", "yaml: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	msg = strings.TrimSpace(msg)
	line := 0
	if m := lineRE.FindStringSubmatchIndex(msg); m != nil {
		n, _ := strconv.Atoi(msg[m[2]:m[3]])
		line = docLine + n - 1
		msg = msg[:m[0]] + msg[m[1]:]
	}
	if strings.Contains(msg, "already set in map") {
		msg = strings.Replace(msg, "already set in map", "given twice in one mapping", 1)
	} else {
		msg = "malformed YAML: " + msg
	}
	return &Error{File: file, Line: line, Detail: msg}
}

// Header is what every object names about itself.
type Header struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
}

// Header reads the document's apiVersion, kind, name and namespace, whatever else it holds.
func (d Document) Header() (Header, error) {
	var h Header
	if _, err := sigsjson.UnmarshalStrict(d.JSON, &h); err != nil {
		return h, &Error{File: d.File, Line: d.Line, Detail: "malformed object: " + FieldError(err).Detail}
	}
	return h, nil
}

// FieldErr is one problem of a decoded object at the field it concerns ("" for the object).
type FieldErr struct {
	Field  string
	Detail string
	Got    string
}

// Decode unmarshals the document into obj strictly, as the API server does with
// fieldValidation=Strict: keys match case-sensitively, and each unknown or duplicate field
// and the first wrong type is returned at its full path.
func (d Document) Decode(obj any) []FieldErr {
	strict, err := sigsjson.UnmarshalStrict(d.JSON, obj, sigsjson.DisallowUnknownFields, sigsjson.DisallowDuplicateFields)
	var out []FieldErr
	if err != nil {
		out = append(out, FieldError(err))
	}
	for _, se := range strict {
		out = append(out, FieldError(se))
	}
	return out
}

// FieldError locates one error of sigs.k8s.io/json by its type: a strict error (unknown or
// duplicate field) carries its path, a wrong type is encoding/json's UnmarshalTypeError with the
// full path and both types. Got is the JSON type found, for a wrong type.
func FieldError(err error) FieldErr {
	var strict sigsjson.FieldError
	if errors.As(err, &strict) {
		path := strict.FieldPath()
		return FieldErr{Field: path, Detail: strings.TrimSuffix(strict.Error(), " "+strconv.Quote(path))}
	}
	var wrong *json.UnmarshalTypeError
	if errors.As(err, &wrong) && wrong.Type != nil {
		got, _, _ := strings.Cut(wrong.Value, " ") // "number -5" is a number
		return FieldErr{Field: wrong.Field, Got: got, Detail: fmt.Sprintf("wrong type: got %s, want %s", got, wrong.Type)}
	}
	return FieldErr{Detail: strings.TrimPrefix(err.Error(), "json: ")}
}
