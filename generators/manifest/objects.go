package manifest

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Load reads rendered objects from a YAML file or from every *.yaml/*.yml file of a
// folder (not recursive), as a CLI's --manifests PATH does. Source is the file path.
func Load(path string) ([]Object, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	files := []string{path}
	if st.IsDir() {
		files = nil
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if !e.IsDir() && (strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
				files = append(files, filepath.Join(path, e.Name()))
			}
		}
		sort.Strings(files)
	}
	var objs []Object
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		o, err := Decode(filepath.ToSlash(f), data)
		if err != nil {
			return nil, err
		}
		objs = append(objs, o...)
	}
	return objs, nil
}

// Decode reads the YAML documents of one rendered file into objects, in order, skipping empty
// documents; numbers become int64, as in a render. It is strict about what cannot be seen after
// decoding (Split): malformed YAML, a key given twice in one mapping and a file holding
// no object are errors naming the file and line.
func Decode(source string, data []byte) ([]Object, error) {
	docs, err := Split(source, data)
	if err != nil {
		return nil, err
	}
	out := make([]Object, 0, len(docs))
	for _, d := range docs {
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(d.JSON); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", source, d.Line, err)
		}
		out = append(out, Object{Unstructured: u, Source: source})
	}
	return out, nil
}
