# METADATA
# title: Every namespace has a default-deny NetworkPolicy
# custom:
#   id: HUE-012
#   severity: error
#   rationale: Without a default-deny every pod can reach every other pod, including finance and medical stores; allowed flows must be declared one by one.
#   remediation: Add a NetworkPolicy with podSelector {}, policyTypes [Ingress, Egress] and no ingress or egress rules to the namespace (component network/default-deny).
package hue.default_deny

import data.hue.lib

is_default_deny(np) if {
	count(object.get(np, ["spec", "podSelector"], {"x": 1})) == 0
	types := {t | some t in object.get(np, ["spec", "policyTypes"], [])}
	{"Ingress", "Egress"} - types == set()
	count(object.get(np, ["spec", "ingress"], [])) == 0
	count(object.get(np, ["spec", "egress"], [])) == 0
}

denied_namespaces contains lib.namespace(np) if {
	some np in lib.objects_of_kind("NetworkPolicy")
	is_default_deny(np)
}

violation contains v if {
	some ns in lib.objects_of_kind("Namespace")
	not ns.metadata.name in denied_namespaces
	v := lib.violation("HUE-012", ns, "metadata.name", sprintf("namespace %s has no default-deny NetworkPolicy (podSelector {}, policyTypes Ingress and Egress, no rules)", [ns.metadata.name]))
}
