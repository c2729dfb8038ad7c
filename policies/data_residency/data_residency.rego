# METADATA
# title: Data-residency labels match the cluster
# custom:
#   id: HUE-025
#   severity: error
#   rationale: Science clusters hold data that must stay in its jurisdiction; a namespace or store labelled for another jurisdiction means data is routed or replicated across a border.
#   remediation: Label every Namespace hue.dev/data-residency=<cluster spec.dataResidency>, and fix objects whose label names another jurisdiction (usually a patch copied from another region's overlay); a data store, or the egress to it, annotated hue.dev/store-residency for another jurisdiction comes from another residency's base (base/datastores/<residency>, base/compartments/<name>/egress/<residency>).
package hue.data_residency

import data.hue.lib

key := "hue.dev/data-residency"

want := object.get(input.cluster, "dataResidency", "")

violation contains v if {
	some o in input.objects
	got := lib.labels(o)[key]
	got != want
	v := lib.violation("HUE-025", o, lib.label_path("metadata.labels", key), sprintf("data residency %q differs from cluster %s's %q", [got, input.cluster.name, want]))
}

violation contains v if {
	want != ""
	some ns in lib.objects_of_kind("Namespace")
	not lib.labels(ns)[key]
	v := lib.violation("HUE-025", ns, lib.label_path("metadata.labels", key), sprintf("namespace %s has no %s label (cluster: %q)", [ns.metadata.name, key, want]))
}

store_key := "hue.dev/store-residency"

violation contains v if {
	some o in input.objects
	got := object.get(o, ["metadata", "annotations", store_key], null)
	got != null
	got != want
	v := lib.violation("HUE-025", o, lib.label_path("metadata.annotations", store_key), sprintf("a data store of residency %q (or the egress to it) on cluster %s, whose data stay in %q", [got, input.cluster.name, want]))
}
