# Helpers shared by every policy: where pod templates and containers live in each workload
# kind, label selectors, image references, and the violation shape the Go engine reads.
package hue.lib

workload_kinds := {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"}

long_running_kinds := {"Deployment", "StatefulSet", "DaemonSet"}

# Host access is granted by the allow-list of policies/lib/host_access.yaml (loaded as data), by
# exact kind/namespace/name, and by nothing else (waivers and annotations included). Each entry
# lists what the workload may do that others may not.
host_access_allow_list := data.allow_lists.host_access

allowed(o, what) if {
	some e in host_access_allow_list
	e.kind == o.kind
	e.namespace == namespace(o)
	e.name == o.metadata.name
	what in e.allow
}

workloads := [o | some o in input.objects; o.kind in workload_kinds]

# kind_index holds the positions of each kind's objects, built in one pass per evaluation;
# grouping with a comprehension per kind, or a function, would rescan every object each time.
kind_index[kind] contains i if {
	some i, o in input.objects
	kind := o.kind
}

by_kind[kind] := [input.objects[i] | some i in positions] if some kind, positions in kind_index

objects_of_kind(kind) := object.get(by_kind, kind, [])

# Selectors look workloads up in indexes instead of scanning them: template_index holds, per
# namespace, label key and value, the positions (in workloads) of the pod templates carrying that
# label; workloads_in holds the positions per namespace.
template_index[ref] contains i if {
	some i, o in workloads
	some k, v in template_labels(o)
	ref := label_ref(namespace(o), k, v)
}

workloads_in[ns] contains i if {
	some i, o in workloads
	ns := namespace(o)
}

label_ref(ns, k, v) := sprintf("%s\u0000%s\u0000%v", [ns, k, v])

# selected_workloads is the set of positions in workloads of the pod templates that the
# LabelSelector sel selects in namespace ns: the matchLabels narrow the candidates through the
# index, the whole selector decides.
selected_workloads(ns, sel) := {i |
	some i in selector_candidates(ns, object.get(sel, "matchLabels", {}))
	selector_matches(sel, template_labels(workloads[i]))
}

selector_candidates(ns, match_labels) := intersection({s |
	some k, v in match_labels
	s := object.get(template_index, label_ref(ns, k, v), set())
}) if {
	count(match_labels) > 0
} else := object.get(workloads_in, ns, set())

namespace(o) := object.get(o, ["metadata", "namespace"], "")

labels(o) := object.get(o, ["metadata", "labels"], {})

template_path(o) := "spec.jobTemplate.spec.template" if {
	o.kind == "CronJob"
} else := "spec.template"

template(o) := object.get(o, ["spec", "jobTemplate", "spec", "template"], {}) if {
	o.kind == "CronJob"
} else := object.get(o, ["spec", "template"], {})

template_labels(o) := object.get(template(o), ["metadata", "labels"], {})

pod_spec(o) := object.get(template(o), "spec", {})

pod_spec_path(o) := concat(".", [template_path(o), "spec"])

# containers lists the containers and init containers of a workload with their field paths.
containers(o) := [e |
	some list in ["initContainers", "containers"]
	some i, c in object.get(pod_spec(o), list, [])
	e := {
		"container": c,
		"name": object.get(c, "name", ""),
		"path": sprintf("%s.%s[%d]", [pod_spec_path(o), list, i]),
		"init": list == "initContainers",
	}
]

# label_path writes a label key as a field path; keys with dots or slashes get brackets.
label_path(prefix, key) := sprintf("%s[%q]", [prefix, key]) if {
	regex.match(`[./]`, key)
} else := sprintf("%s.%s", [prefix, key])

# selector_matches implements a LabelSelector (matchLabels and matchExpressions).
selector_matches(sel, lbls) if {
	every k, v in object.get(sel, "matchLabels", {}) {
		lbls[k] == v
	}
	every e in object.get(sel, "matchExpressions", []) {
		expression_matches(e, lbls)
	}
}

expression_matches(e, lbls) if {
	e.operator == "In"
	lbls[e.key] in e.values
}

expression_matches(e, lbls) if {
	e.operator == "NotIn"
	not value_in(lbls, e.key, e.values)
}

value_in(lbls, key, values) if lbls[key] in values

expression_matches(e, lbls) if {
	e.operator == "Exists"
	_ = lbls[e.key]
}

expression_matches(e, lbls) if {
	e.operator == "DoesNotExist"
	not has_key(lbls, e.key)
}

has_key(obj, k) if _ = obj[k]

# map_selects is a Service-style selector: a plain map of labels, all of which must match.
map_selects(sel, lbls) if {
	count(sel) > 0
	every k, v in sel {
		lbls[k] == v
	}
}

# image_tag is the tag of an image reference, undefined when it has none.
image_tag(image) := t if {
	parts := split(split(image, "@")[0], "/")
	last := parts[count(parts) - 1]
	contains(last, ":")
	t := split(last, ":")[1]
}

has_digest(image) if contains(image, "@sha256:")

replicas(o) := object.get(o, ["spec", "replicas"], 1)

violation(id, o, field, msg) := {
	"id": id,
	"msg": msg,
	"kind": o.kind,
	"namespace": namespace(o),
	"name": object.get(o, ["metadata", "name"], ""),
	"field": field,
}
