# METADATA
# title: Egress reaches only declared networks, never the whole internet
# custom:
#   id: HUE-032
#   severity: error
#   rationale: Data residency and the sensitive compartments are only as strong as their egress; a rule without destinations, or to 0.0.0.0/0, ::/0 or a network as wide, lets a pod send data anywhere.
#   remediation: Declare the networks a data store is served from (HueDataStore spec.regions[].ranges or addresses) and let egress name only those, or pods and namespaces by selector.
package hue.egress_destinations

import data.hue.lib

# The widest prefix a data store's network may have, as HueDataStore validation allows.
min_bits := {"ipv4": 8, "ipv6": 32}

family(cidr) := "ipv6" if contains(cidr, ":")

else := "ipv4"

egress_rules contains [np, i, rule] if {
	some np in lib.objects_of_kind("NetworkPolicy")
	some i, rule in object.get(np, ["spec", "egress"], [])
}

violation contains v if {
	some [np, i, rule] in egress_rules
	count(object.get(rule, "to", [])) == 0
	v := lib.violation("HUE-032", np, sprintf("spec.egress[%d].to", [i]), "an egress rule without destinations allows every address")
}

violation contains v if {
	some [np, i, rule] in egress_rules
	some j, peer in object.get(rule, "to", [])
	cidr := peer.ipBlock.cidr
	parts := split(cidr, "/")
	count(parts) == 2
	to_number(parts[1]) < min_bits[family(cidr)]
	v := lib.violation("HUE-032", np, sprintf("spec.egress[%d].to[%d].ipBlock.cidr", [i, j]), sprintf("egress to %s is egress to the internet: allow only a data store's networks (wider than /%d is refused)", [cidr, min_bits[family(cidr)]]))
}
