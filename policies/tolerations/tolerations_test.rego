package hue.tolerations_test

import data.hue.tolerations

cluster := {"name": "c", "taints": [
	{"key": "hue.dev/dedicated", "value": "gpu", "effect": "NoSchedule", "pool": "gpu"},
	{"key": "hue.dev/spot", "value": "true", "effect": "PreferNoSchedule", "pool": "spot"},
]}

deployment(placement, tols) := {
	"kind": "Deployment",
	"metadata": {"name": "w", "namespace": "hue"},
	"spec": {"template": {"metadata": {"labels": placement}, "spec": {"tolerations": tols}}},
}

fields(objs) := fs if {
	fs := {v.field | some v in tolerations.violation} with input as {"cluster": cluster, "objects": objs}
}

test_matching_taint_and_placement_pass if {
	objs := [deployment({"hue.dev/placement": "gpu"}, [
		{"key": "hue.dev/dedicated", "value": "gpu", "effect": "NoSchedule"},
		{"key": "hue.dev/spot", "operator": "Exists", "effect": "PreferNoSchedule"},
		{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
	])]
	count(tolerations.violation) == 0 with input as {"cluster": cluster, "objects": objs}
}

test_effect_must_match if {
	objs := [deployment({}, [{"key": "hue.dev/spot", "operator": "Exists", "effect": "NoSchedule"}])]
	fields(objs) == {"spec.template.spec.tolerations[0]"}
}

test_value_must_match if {
	objs := [deployment({"hue.dev/placement": "gpu"}, [{"key": "hue.dev/dedicated", "value": "GPU", "effect": "NoSchedule"}])]

	# no such taint, and not the placement class either
	count(tolerations.violation) == 2 with input as {"cluster": cluster, "objects": objs}
}

test_tolerate_all_only_allow_listed if {
	proxy := {
		"kind": "DaemonSet", "metadata": {"name": "collect-proxy", "namespace": "hue-node"},
		"spec": {"template": {"spec": {"tolerations": [{"operator": "Exists"}]}}},
	}
	count(tolerations.violation) == 0 with input as {"cluster": cluster, "objects": [proxy]}
	other := json.patch(proxy, [{"op": "replace", "path": "/metadata/namespace", "value": "hue"}])
	count(tolerations.violation) == 1 with input as {"cluster": cluster, "objects": [other]}
}

test_no_taints_on_cluster if {
	objs := [deployment({}, [{"key": "hue.dev/spot", "operator": "Exists"}])]
	count(tolerations.violation) == 1 with input as {"cluster": {"name": "c"}, "objects": objs}
}
