// Package scheduling checks, before anything reaches a cluster, that every rendered workload can
// be placed on the node pools its HueCluster declares. It replays the scheduler's hard filters on
// one synthetic node per pool: node selector and required node affinity (via
// k8s.io/component-helpers), NoSchedule/NoExecute taints against tolerations, and then packs
// the pods onto the pools' nodes. A workload that no pool can take, a DaemonSet that would miss a
// pool it selects, or pods whose cpu/memory requests no node has room for would otherwise only
// show up as Pending pods after the sync.
//
// The packing is a model, kept simple so that its findings are deterministic and explainable:
//
//   - Every pool has count nodes of its per-node capacity; cpu and memory only. An empty
//     capacity value means "unknown" and is never exhausted.
//   - Pod requests follow the Kubernetes rules (k8s.io/component-helpers/resource.PodRequests:
//     the sum of containers, the max with init containers, pod overhead, pod-level resources).
//   - DaemonSets are placed first: one pod on every node of every pool they are eligible on.
//   - Every other workload is then placed replica by replica, in render order, on the first
//     node with room (pools in the cluster spec's order, nodes in order): first fit, so room
//     split across nodes is not room (3 pods of 2.5 cpu do not fit two 4-cpu nodes). A
//     required pod anti-affinity on kubernetes.io/hostname whose selector matches the pods'
//     own labels allows one of them per node. A pod larger than a single node of every
//     eligible pool is reported on its own.
//   - Replicas: spec.replicas (default 1) for Deployments, StatefulSets and ReplicaSets; the
//     effective parallelism (parallelism, default 1, capped by completions) for Jobs and the
//     job template of CronJobs (one run at a time); 1 for a bare Pod. HPAs are not consulted.
//
// The real scheduler spreads pods rather than packing them first-fit, and may succeed where
// this order fails; a finding therefore means "no placement found in this order", which on
// the small pools the fleets declare is rare short of a real shortage. Only the first workload
// that overflows gets the capacity finding (one per cluster); its message names the others.
package scheduling
