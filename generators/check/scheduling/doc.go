// Package scheduling checks, before anything reaches a cluster, that every rendered workload can
// be placed on the node pools its HueCluster declares. It replays the scheduler's hard filters on
// one synthetic node per pool: node selector and required node affinity (via
// k8s.io/component-helpers), NoSchedule/NoExecute taints against tolerations, and a coarse
// capacity budget. A workload that no pool can take, a DaemonSet that would miss a pool it
// selects, or a set of workloads whose cpu/memory requests exceed what their pools offer would
// otherwise only show up as Pending pods after the sync.
//
// The capacity budget is an approximation, kept simple so that its findings are deterministic
// and explainable:
//
//   - A pool's capacity is its per-node capacity times its node count; cpu and memory only.
//     An empty capacity value means "unknown" and is never exhausted.
//   - Pod requests follow the Kubernetes rules (k8s.io/component-helpers/resource.PodRequests:
//     the sum of containers, the max with init containers, pod overhead, pod-level resources).
//   - DaemonSets are charged first: one pod per node of every pool they are eligible on.
//   - Every other workload is then charged replica by replica, in render order, to the first
//     eligible pool (in the cluster spec's pool order) whose remaining capacity fits one pod.
//     Pools are treated as one pooled bin, not as separate nodes (no per-node fragmentation),
//     except that a pod larger than a single node of every eligible pool is reported on its own.
//   - Replicas: spec.replicas (default 1) for Deployments, StatefulSets and ReplicaSets; the
//     effective parallelism (parallelism, default 1, capped by completions) for Jobs and the
//     job template of CronJobs (one run at a time); 1 for a bare Pod. HPAs are not consulted.
//
// Only the first workload that overflows gets the capacity finding (one per cluster); its
// message names the others.
package scheduling
