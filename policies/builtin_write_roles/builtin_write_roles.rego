# METADATA
# title: Nobody is bound to Kubernetes' admin, edit or cluster-admin role
# custom:
#   id: HUE-033
#   severity: error
#   rationale: Those roles read every Secret of the namespace and create pods under any of its service accounts, so whoever holds them holds every workload's credentials; where Argo CD applies every change from git, a person needs to read and to restart pods, no more.
#   remediation: Grant the view role, or operate (view plus deleting and evicting pods, the hue-operate Role) in the compartment's spec.access; a workload names the verbs it needs in spec.apiAccess.
package hue.builtin_write_roles

import data.hue.lib

builtin_write_roles := {"admin", "edit", "cluster-admin"}

violation contains v if {
	some o in input.objects
	o.kind in {"RoleBinding", "ClusterRoleBinding"}
	o.roleRef.kind == "ClusterRole"
	o.roleRef.name in builtin_write_roles
	v := lib.violation("HUE-033", o, "roleRef.name", sprintf("binds Kubernetes' %s role: it reads every Secret and creates pods under any service account", [o.roleRef.name]))
}
