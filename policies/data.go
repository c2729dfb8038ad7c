// Package policies carries the policy data that Go code reads too, embedded in the binary from
// the one file a person edits: the host-access allow-list (lib/host_access.yaml). The policy
// engine hands it to OPA as data; spec validation asks it which services may have host access.
package policies

import (
	_ "embed"
	"fmt"
	"slices"

	"sigs.k8s.io/yaml"
)

// DataFile is the data file, relative to the policies folder.
const DataFile = "lib/host_access.yaml"

//go:embed lib/host_access.yaml
var dataYAML []byte

// HostAccessGrant is one entry of the host-access allow-list.
type HostAccessGrant struct {
	Kind      string   `json:"kind"`
	Namespace string   `json:"namespace"`
	Name      string   `json:"name"`
	Allow     []string `json:"allow"`
}

type dataFile struct {
	AllowLists struct {
		HostAccess []HostAccessGrant `json:"host_access"`
	} `json:"allow_lists"`
}

var parsed = func() dataFile {
	var d dataFile
	if err := yaml.UnmarshalStrict(dataYAML, &d); err != nil {
		panic(fmt.Sprintf("policies/%s: %v", DataFile, err)) // embedded at build time; a test reads it
	}
	return d
}()

// Data is the policy data as OPA sees it: the file's top-level keys under data.
func Data() map[string]any {
	var m map[string]any
	if err := yaml.Unmarshal(dataYAML, &m); err != nil {
		panic(fmt.Sprintf("policies/%s: %v", DataFile, err))
	}
	return m
}

// HostAccess is the host-access allow-list.
func HostAccess() []HostAccessGrant { return slices.Clone(parsed.AllowLists.HostAccess) }

// HostAccessDaemonSets names the DaemonSets of the allow-list, sorted: the only services that may
// ask for hostAccess (a service's DaemonSet has the service's name).
func HostAccessDaemonSets() []string {
	var out []string
	for _, g := range parsed.AllowLists.HostAccess {
		if g.Kind == "DaemonSet" && !slices.Contains(out, g.Name) {
			out = append(out, g.Name)
		}
	}
	slices.Sort(out)
	return out
}
