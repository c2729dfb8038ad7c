# METADATA
# title: Service account tokens are not mounted automatically
# custom:
#   id: HUE-020
#   severity: error
#   rationale: Almost no Hue service calls the Kubernetes API; an auto-mounted long-lived token is a credential waiting to be stolen. Services that do call the API mount a projected, short-lived token volume explicitly.
#   remediation: Set automountServiceAccountToken false on every ServiceAccount and pod template; mount a projected serviceAccountToken volume where the API is really needed.
package hue.service_account_token

import data.hue.lib

violation contains v if {
	some sa in lib.objects_of_kind("ServiceAccount")
	object.get(sa, "automountServiceAccountToken", true) != false
	v := lib.violation("HUE-020", sa, "automountServiceAccountToken", sprintf("ServiceAccount %s does not set automountServiceAccountToken false", [sa.metadata.name]))
}

violation contains v if {
	some o in lib.workloads
	object.get(lib.pod_spec(o), "automountServiceAccountToken", true) != false
	v := lib.violation("HUE-020", o, sprintf("%s.automountServiceAccountToken", [lib.pod_spec_path(o)]), "pod template does not set automountServiceAccountToken false")
}
