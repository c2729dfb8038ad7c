# METADATA
# title: Namespaces carry Pod Security admission labels
# custom:
#   id: HUE-016
#   severity: error
#   rationale: Pod Security admission is the in-cluster backstop for HUE-006 to HUE-011; without the labels it enforces nothing.
#   remediation: Label the namespace pod-security.kubernetes.io/enforce, audit and warn with restricted (privileged only for hue-node, which runs collect-proxy alone).
package hue.namespace_psa

import data.hue.lib

levels := {"privileged", "baseline", "restricted"}

violation contains v if {
	some ns in lib.objects_of_kind("Namespace")
	some mode in ["enforce", "audit", "warn"]
	key := sprintf("pod-security.kubernetes.io/%s", [mode])
	level := object.get(lib.labels(ns), key, "")
	not level in levels
	v := lib.violation("HUE-016", ns, lib.label_path("metadata.labels", key), sprintf("namespace %s: label %s is %q, want one of privileged, baseline, restricted", [ns.metadata.name, key, level]))
}
