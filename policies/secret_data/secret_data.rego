# METADATA
# title: No Secret values in the repository
# custom:
#   id: HUE-023
#   severity: error
#   rationale: Git history is forever and every clone holds it; credentials reach clusters through the external secret store, never through rendered manifests.
#   remediation: Remove data and stringData; reference the secret from the secret store (ExternalSecret) instead.
package hue.secret_data

import data.hue.lib

violation contains v if {
	some s in lib.objects_of_kind("Secret")
	some field in ["data", "stringData"]
	count(object.get(s, field, {})) > 0
	v := lib.violation("HUE-023", s, field, sprintf("Secret %s carries %s (%d keys)", [s.metadata.name, field, count(s[field])]))
}
