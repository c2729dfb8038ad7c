# Runs the platform policies (policies/<name>/<name>.rego, package hue.*) under conftest on
# policy inputs written as files, one cluster per file in the engine's own shape
# {cluster, objects}: the policies see exactly what `hue check` gives them, and conftest needs
# no --combine.
package main

violation contains v if some v in data.hue[_].violation
