# METADATA
# title: RBAC rules name their verbs, resources and API groups
# custom:
#   id: HUE-022
#   severity: error
#   rationale: A wildcard grants whatever future API versions add, and makes least-privilege reviews of AppProjects and tenants impossible.
#   remediation: List the exact verbs, resources and apiGroups the role needs.
package hue.rbac_wildcards

import data.hue.lib

violation contains v if {
	some o in input.objects
	o.kind in {"Role", "ClusterRole"}
	some i, rule in object.get(o, "rules", [])
	some field in ["verbs", "resources", "apiGroups"]
	some entry in object.get(rule, field, [])
	contains(entry, "*")
	v := lib.violation("HUE-022", o, sprintf("rules[%d].%s", [i, field]), sprintf("rule %d uses wildcard %q in %s", [i, entry, field]))
}
