# Runs the platform policies (policies/<name>/<name>.rego, package hue.*) under conftest on the
# rendered YAML files themselves. conftest --combine hands every document of every file in one
# input, as [{path, contents}]; the policies expect one cluster per input, {cluster, objects},
# so each rendered file tests/golden/<cluster>.yaml is re-bound as input with its cluster from
# data.clusters (written by the benchmark from the inventory). Nothing else differs.
package main

cluster_name(path) := trim_suffix(parts[count(parts) - 1], ".yaml") if parts := split(path, "/")

violation contains v if {
	some path in {f.path | some f in input}
	objects := [f.contents | some f in input; f.path == path]
	name := cluster_name(path)
	found := {x | some x in data.hue[_].violation} with input as {"cluster": data.clusters[name], "objects": objects}
	some x in found
	v := object.union(x, {"cluster": name})
}
