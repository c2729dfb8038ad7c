# METADATA
# title: Workloads and pod templates carry the platform labels
# custom:
#   id: HUE-019
#   severity: error
#   rationale: Selectors, NetworkPolicies, cost reports and the blast-radius diff all key on app, service, tier and runtime-environment; a missing or wrong label silently drops a workload from them.
#   remediation: Label the workload and its pod template app=hue, service=<name>, tier=<tier> and runtime-environment=<cluster environment> (the service generator does this; check hand-written patches).
package hue.labels

import data.hue.lib

# label_sets: the workload's own labels and its pod template's, with their paths.
label_sets(o) := [
	["metadata.labels", lib.labels(o)],
	[sprintf("%s.metadata.labels", [lib.template_path(o)]), lib.template_labels(o)],
]

violation contains v if {
	some o in lib.workloads
	some [path, lbls] in label_sets(o)
	some key in ["service", "tier"]
	object.get(lbls, key, "") == ""
	v := lib.violation("HUE-019", o, lib.label_path(path, key), sprintf("label %s is missing", [key]))
}

violation contains v if {
	some o in lib.workloads
	some [path, lbls] in label_sets(o)
	object.get(lbls, "app", "") != "hue"
	v := lib.violation("HUE-019", o, lib.label_path(path, "app"), sprintf("label app is %q, want \"hue\"", [object.get(lbls, "app", "")]))
}

violation contains v if {
	some o in lib.workloads
	some [path, lbls] in label_sets(o)
	got := object.get(lbls, "runtime-environment", "")
	got != input.cluster.environment
	v := lib.violation("HUE-019", o, lib.label_path(path, "runtime-environment"), sprintf("label runtime-environment is %q, want the cluster's %q", [got, input.cluster.environment]))
}

violation contains v if {
	some o in lib.workloads
	want := lib.labels(o).service
	got := lib.template_labels(o).service
	want != got
	v := lib.violation("HUE-019", o, lib.label_path(sprintf("%s.metadata.labels", [lib.template_path(o)]), "service"), sprintf("pod template label service %q differs from the workload's %q", [got, want]))
}
