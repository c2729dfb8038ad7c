# METADATA
# title: Finance and medical live only in namespace restricted, never on school clusters
# custom:
#   id: HUE-024
#   severity: error
#   rationale: Financial and health data need the restricted namespace's tighter RBAC, network and audit setup, and are out of scope for schools entirely.
#   remediation: Put every finance and medical object in namespace restricted, and remove those services from school-fleet clusters (HueCluster spec.services).
package hue.sensitive_services

import data.hue.lib

sensitive := {"finance", "medical"}

violation contains v if {
	some o in input.objects
	lib.labels(o).service in sensitive
	ns := lib.namespace(o)
	ns != ""
	ns != "restricted"
	v := lib.violation("HUE-024", o, "metadata.namespace", sprintf("%s objects belong in namespace restricted, not %s", [lib.labels(o).service, ns]))
}

violation contains v if {
	input.cluster.fleet == "school"
	some o in input.objects
	lib.labels(o).service in sensitive
	v := lib.violation("HUE-024", o, "metadata.labels.service", sprintf("%s must never run on a school cluster (%s)", [lib.labels(o).service, input.cluster.name]))
}
