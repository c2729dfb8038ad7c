# METADATA
# title: Ingresses with different hosts never share a TLS Secret
# custom:
#   id: HUE-030
#   severity: error
#   rationale: cert-manager keeps one Certificate per Secret and refuses to update one it does not own; two Ingresses naming one Secret for different hosts leave one host with the other's certificate.
#   remediation: Give each Ingress (each host set) a Secret of its own; hue generate names them <ingress.tlsSecret>-<service>.
package hue.tls_secret_per_host

import data.hue.lib

# hosts_of is the set of hosts an Ingress serves with one Secret.
hosts_of(ing, secret) := {h |
	some t in object.get(ing.spec, "tls", [])
	object.get(t, "secretName", "") == secret
	some h in object.get(t, "hosts", [])
}

violation contains v if {
	ingresses := lib.objects_of_kind("Ingress")
	some i, ing in ingresses
	some j, t in object.get(ing.spec, "tls", [])
	secret := object.get(t, "secretName", "")
	secret != ""
	some other in ingresses
	other.metadata.name != ing.metadata.name
	lib.namespace(other) == lib.namespace(ing)
	theirs := hosts_of(other, secret)
	count(theirs) > 0
	theirs != hosts_of(ing, secret)
	v := lib.violation("HUE-030", ing, sprintf("spec.tls[%d].secretName", [j]), sprintf("Secret %s also serves Ingress %s, for other hosts (%s)", [secret, other.metadata.name, concat(", ", sort(theirs))]))
}
