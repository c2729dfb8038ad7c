# METADATA
# title: Every Ingress serves all its hosts over TLS
# custom:
#   id: HUE-021
#   severity: error
#   rationale: Personal assistant traffic carries user data; a host without a TLS entry is served in clear text by the ingress controller.
#   remediation: Add spec.tls entries (secretName from the cluster's ingress.tlsSecret) whose hosts cover every rule host.
package hue.ingress_tls

import data.hue.lib

tls_hosts(ing) := {h | some t in object.get(ing.spec, "tls", []); some h in object.get(t, "hosts", [])}

covers(pattern, host) if pattern == host

covers(pattern, host) if {
	startswith(pattern, "*.")
	suffix := substring(pattern, 1, -1)
	endswith(host, suffix)
	not contains(trim_suffix(host, suffix), ".")
}

violation contains v if {
	some ing in lib.objects_of_kind("Ingress")
	count(object.get(ing, ["spec", "tls"], [])) == 0
	v := lib.violation("HUE-021", ing, "spec.tls", sprintf("Ingress %s has no tls section", [ing.metadata.name]))
}

violation contains v if {
	some ing in lib.objects_of_kind("Ingress")
	count(object.get(ing, ["spec", "tls"], [])) > 0
	hosts := tls_hosts(ing)
	some i, rule in object.get(ing, ["spec", "rules"], [])
	host := object.get(rule, "host", "")
	not covered(hosts, host)
	v := lib.violation("HUE-021", ing, sprintf("spec.rules[%d].host", [i]), sprintf("host %q is not covered by any tls entry", [host]))
}

covered(hosts, host) if {
	host != ""
	some pattern in hosts
	covers(pattern, host)
}
