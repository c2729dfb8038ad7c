# METADATA
# title: Nobody is given write access in a privileged namespace
# custom:
#   id: HUE-031
#   severity: error
#   rationale: Pod Security admits privileged and host-namespace pods in a namespace labelled privileged; whoever may create a pod there, or exec into the one that lives there, is root on the node.
#   remediation: Bind only the view ClusterRole (or a Role with read verbs) in the privileged compartment (HueCompartment access role view), and keep every other workload in a namespace of its own.
package hue.privileged_namespace_rbac

import data.hue.lib

privileged_namespaces := {ns.metadata.name |
	some ns in lib.objects_of_kind("Namespace")
	lib.labels(ns)["pod-security.kubernetes.io/enforce"] == "privileged"
}

write_verbs := {"*", "create", "update", "patch", "delete", "deletecollection", "bind", "escalate", "impersonate"}

write_cluster_roles := {"admin", "edit", "cluster-admin"}

writes(rb) if {
	rb.roleRef.kind == "ClusterRole"
	rb.roleRef.name in write_cluster_roles
}

writes(rb) if {
	some role in lib.objects_of_kind(rb.roleRef.kind)
	rb.roleRef.kind in {"Role", "ClusterRole"}
	role.metadata.name == rb.roleRef.name
	lib.namespace(role) in {lib.namespace(rb), ""}
	some rule in object.get(role, "rules", [])
	some verb in object.get(rule, "verbs", [])
	verb in write_verbs
}

violation contains v if {
	some rb in lib.objects_of_kind("RoleBinding")
	lib.namespace(rb) in privileged_namespaces
	writes(rb)
	v := lib.violation("HUE-031", rb, "roleRef", sprintf("namespace %s is privileged: %s %s lets its subjects write there", [lib.namespace(rb), rb.roleRef.kind, rb.roleRef.name]))
}
