# METADATA
# title: Objects live only in the platform namespaces
# custom:
#   id: HUE-028
#   severity: error
#   rationale: RBAC, NetworkPolicies, Pod Security levels and the Argo CD AppProjects are written for hue, hue-data, hue-node, hue-system, restricted and one hue-<school> namespace per tenant; anything else escapes all of them.
#   remediation: Move the object into one of the platform namespaces, or add the tenant to the cluster's spec.tenants.
package hue.namespaces

import data.hue.lib

platform := {"hue", "hue-data", "hue-node", "hue-system", "restricted"}

allowed_namespaces := platform | {sprintf("hue-%s", [t]) | some t in object.get(input.cluster, "tenants", [])}

violation contains v if {
	some o in input.objects
	ns := lib.namespace(o)
	ns != ""
	not ns in allowed_namespaces
	v := lib.violation("HUE-028", o, "metadata.namespace", sprintf("namespace %s is not a platform namespace", [ns]))
}

violation contains v if {
	some ns in lib.objects_of_kind("Namespace")
	not ns.metadata.name in allowed_namespaces
	v := lib.violation("HUE-028", ns, "metadata.name", sprintf("namespace %s is not a platform namespace", [ns.metadata.name]))
}
