// Command benchfleet measures hue on synthetic fleets of many schools (make bench-fleet): each
// hue command as a child process (wall time, user+sys CPU, peak RSS), the naive per-cluster
// loop (kustomize build, then conftest) on a sample, and the in-process YAML decode+encode floor,
// then prints a Markdown table and the project's targets per fleet size. A missed target is
// reported, never an error: this is a benchmark, not a test.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	policydata "github.com/hue-platform/hue-gitops/policies"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/hue-platform/hue-gitops/generators/api/v1alpha1"
	"github.com/hue-platform/hue-gitops/generators/check/policy"
	"github.com/hue-platform/hue-gitops/generators/fleet"
	"github.com/hue-platform/hue-gitops/generators/layout"
	"github.com/hue-platform/hue-gitops/generators/platform"
)

// The targets the project measures itself against.
const (
	targetNaiveRatio = 20.0             // naive CPU / hue check cold CPU, at least
	targetFloorRatio = 3.0              // hue check cold wall / YAML floor wall, at most
	targetPRWall     = 2 * time.Second  // one-school PR, warm check, under
	targetDiffWall   = 30 * time.Second // diff of a base change reaching every school, under
	targetRSS        = int64(3) << 29   // 1.5 GiB, max peak RSS of any hue command, under
)

// floorWorkers is the YAML floor's parallelism: the CI machine's cores.
const floorWorkers = 2

type config struct {
	hue, kustomize, conftest, root, adapter, work string
	sizes                                         []int
	naiveSample                                   int
}

func main() {
	var c config
	var sizes string
	flag.StringVar(&c.hue, "hue", "bin/hue", "the hue binary")
	flag.StringVar(&c.kustomize, "kustomize", "bin/kustomize", "the pinned kustomize CLI (make tools)")
	flag.StringVar(&c.conftest, "conftest", "bin/conftest", "the pinned conftest (make bin/conftest)")
	flag.StringVar(&c.root, "root", ".", "repository whose inputs the synthetic fleets copy")
	flag.StringVar(&c.adapter, "conftest-adapter", "tools/conftest/policy/combined", "conftest entry package that hands each rendered file to the policies")
	flag.StringVar(&sizes, "schools", "100,500,2000", "comma-separated numbers of synthetic schools")
	flag.IntVar(&c.naiveSample, "naive-sample", 100, "clusters the naive kustomize+conftest loop runs on (scaled to the fleet)")
	flag.StringVar(&c.work, "work", "", "folder for the synthetic trees (a new temporary folder by default, removed at the end)")
	floorDir := flag.String("yaml-floor", "", "(internal) run the YAML floor on the rendered files of this folder and print its result as JSON")
	flag.Parse()
	if *floorDir != "" {
		if err := floorChild(*floorDir); err != nil {
			fmt.Fprintln(os.Stderr, "benchfleet --yaml-floor:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(c, sizes); err != nil {
		fmt.Fprintln(os.Stderr, "benchfleet:", err)
		os.Exit(1)
	}
}

func run(c config, sizes string) error {
	var err error
	if c.sizes, err = parseSizes(sizes); err != nil {
		return err
	}
	if c.naiveSample < 1 {
		return fmt.Errorf("--naive-sample %d: want at least 1", c.naiveSample)
	}
	for _, p := range []*string{&c.hue, &c.kustomize, &c.conftest, &c.root, &c.adapter} {
		if *p, err = filepath.Abs(*p); err != nil {
			return err
		}
		if _, err := os.Stat(*p); err != nil {
			return err
		}
	}
	if c.work == "" {
		if c.work, err = os.MkdirTemp("", "bench-fleet-"); err != nil {
			return err
		}
		defer os.RemoveAll(c.work)
	} else if c.work, err = filepath.Abs(c.work); err != nil {
		return err
	}
	fmt.Printf("# hue fleet benchmark\n\n%s, %d CPUs (GOMAXPROCS %d), hue %s, work folder %s\n",
		time.Now().Format(time.RFC3339), runtime.NumCPU(), runtime.GOMAXPROCS(0), c.hue, c.work)
	for _, n := range c.sizes {
		b := &bench{config: c, n: n, w: filepath.Join(c.work, fmt.Sprintf("schools-%d", n))}
		b.logs = b.w + "-logs"
		if err := b.run(); err != nil {
			return fmt.Errorf("%d schools: %w (logs in %s)", n, err, b.logs)
		}
		b.print(os.Stdout)
	}
	return nil
}

// parseSizes reads "100,500,2000".
func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > fleet.MaxClusters {
			return nil, fmt.Errorf("--schools %q: want numbers from 1 to %d, comma-separated", s, fleet.MaxClusters)
		}
		out = append(out, n)
	}
	return out, nil
}

// measure is one timed step.
type measure struct {
	name      string
	wall, cpu time.Duration
	rss       int64 // bytes; 0 when not measured
	note      string
	hue       bool // a hue command: counts for the peak RSS target
}

type bench struct {
	config
	n        int
	w, logs  string
	clusters int
	objects  int
	steps    []measure
	// The rows the targets read.
	checkCold, floor, naive, prWarm, diff measure
	seq                                   int // numbers the log files
}

func (b *bench) run() error {
	if err := os.MkdirAll(b.logs, 0o755); err != nil {
		return err
	}
	cache := filepath.Join(b.w, ".cache")
	if _, err := b.exec("synth", []int{0}, b.work, b.hue, "fleet", "synth", "--schools", strconv.Itoa(b.n), "--root", b.root, "--out", b.w); err != nil {
		return err
	}
	if _, err := b.cmd("generate (cold)", true, []int{0}, b.hue, "generate", "--root", b.w); err != nil {
		return err
	}
	if err := b.commit(); err != nil {
		return err
	}
	overlays, err := filepath.Glob(filepath.Join(b.w, "overlays", "*", "kustomization.yaml"))
	if err != nil {
		return err
	}
	b.clusters = len(overlays)
	// A warm run is the second with --cache; the first (priming) fills the cache.
	render := []string{"render", "--root", b.w, "--out", filepath.Join(b.w, "out")}
	check := []string{"check", "--root", b.w}
	for _, s := range []struct {
		name string
		args []string
	}{
		{"generate --cache (priming)", []string{"generate", "--root", b.w, "--cache", cache}},
		{"generate --cache (warm)", []string{"generate", "--root", b.w, "--cache", cache}},
		{"render (cold)", render},
		{"render --cache (priming)", append(slices.Clone(render), "--cache", cache)},
		{"render --cache (warm)", append(slices.Clone(render), "--cache", cache)},
		{"check (cold)", check},
		{"check --cache (priming)", append(slices.Clone(check), "--cache", cache)},
		{"check --cache (warm)", append(slices.Clone(check), "--cache", cache)},
	} {
		ok := []int{0}
		if s.args[0] == "check" {
			ok = []int{0, 1} // 1 is findings, still a measured run
		}
		m, err := b.cmd(s.name, true, ok, b.hue, s.args...)
		if err != nil {
			return err
		}
		if s.name == "check (cold)" {
			b.checkCold = m
		}
	}
	if b.floor, err = b.yamlFloor(filepath.Join(b.w, "out")); err != nil {
		return err
	}
	b.steps = append(b.steps, b.floor)
	if err := b.naiveLoop(overlays); err != nil {
		return err
	}
	if err := b.baseChange(); err != nil {
		return err
	}
	return b.onePR(cache)
}

// specs loads the synthetic tree's catalog and inventory.
func (b *bench) specs() (*platform.Catalog, *platform.Inventory, error) {
	cat, err := platform.LoadCatalog(b.w)
	if err != nil {
		return nil, nil, err
	}
	inv, err := platform.LoadInventory(b.w, cat)
	return cat, inv, err
}

// setup runs an unmeasured step.
func (b *bench) setup(name, bin string, args ...string) (measure, error) {
	return b.exec(name, []int{0}, b.w, bin, args...)
}

// cmd runs a measured step and records it.
func (b *bench) cmd(name string, hue bool, ok []int, bin string, args ...string) (measure, error) {
	m, err := b.exec(name, ok, b.w, bin, args...)
	if err != nil {
		return m, err
	}
	m.hue = hue
	b.steps = append(b.steps, m)
	return m, nil
}

// exec runs bin in dir with stdout and stderr in the log folder and returns its rusage. An exit
// code outside ok fails with the command's stderr.
func (b *bench) exec(name string, ok []int, dir, bin string, args ...string) (measure, error) {
	b.seq++
	base := b.logFile(b.seq, name)
	stdout, err := os.Create(base + ".out")
	if err != nil {
		return measure{}, err
	}
	defer stdout.Close()
	var stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout = stdout
	cmd.Stderr = &stderr
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	os.WriteFile(base+".err", stderr.Bytes(), 0o644)
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return measure{}, fmt.Errorf("%s: %w", name, err)
	}
	if code := cmd.ProcessState.ExitCode(); !slices.Contains(ok, code) {
		return measure{}, fmt.Errorf("%s: %s %s exited %d:\n%s", name, filepath.Base(bin), strings.Join(args, " "), code, tail(stderr.String(), 40))
	}
	m := measure{name: name, wall: wall}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		m.rss = ru.Maxrss * 1024 // KiB on Linux
	}
	return m, nil
}

// logFile is the path, without its .out or .err, of the logs of the seq-th step, name.
func (b *bench) logFile(seq int, name string) string {
	return filepath.Join(b.logs, fmt.Sprintf("%02d-%s", seq, slug(name)))
}

// tail keeps the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{"..."}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// slug names a log file after a step: lower-case words joined by dashes.
func slug(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9')
	}), "-")
}

// commit makes the generated tree the base revision hue diff compares against.
func (b *bench) commit() error {
	git := func(args ...string) error {
		_, err := b.setup("git "+args[0], "git", append([]string{"-c", "user.name=bench-fleet", "-c", "user.email=bench-fleet@localhost",
			"-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"}, args...)...)
		return err
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"commit", "-q", "-m", "synthetic fleet"}} {
		if err := git(args...); err != nil {
			return err
		}
	}
	return nil
}

// rusageSelf is this process's CPU time so far.
func rusageSelf() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// yamlFloor decodes and re-encodes the rendered files with kyaml on floorWorkers goroutines:
// the least any tool that reads and writes the fleet's YAML pays. It runs in a child process
// (this binary with --yaml-floor): run here, the floor's heap would stay with this process, and
// every command started after it would report this process's memory as its own peak (a child
// shares its parent's memory until it runs its own program).
func (b *bench) yamlFloor(dir string) (measure, error) {
	self, err := os.Executable()
	if err != nil {
		return measure{}, err
	}
	m, err := b.exec("YAML floor", []int{0}, b.w, self, "--yaml-floor", dir)
	if err != nil {
		return measure{}, err
	}
	raw, err := os.ReadFile(b.logFile(b.seq, "YAML floor") + ".out")
	if err != nil {
		return measure{}, err
	}
	var r floorResult
	if err := json.Unmarshal(raw, &r); err != nil {
		return measure{}, fmt.Errorf("YAML floor: %w", err)
	}
	b.objects = r.Objects
	// The round trip alone, not the reading of the files or the process's start.
	return measure{name: "YAML floor (kyaml decode+encode)", wall: r.Wall, cpu: r.CPU, rss: m.rss,
		note: fmt.Sprintf("%d files, %d objects, %.0f MiB, %d goroutines", r.Files, r.Objects, float64(r.Size)/(1<<20), workers(floorWorkers, r.Files))}, nil
}

// floorResult is what the YAML floor's child process reports.
type floorResult struct {
	Files, Objects, Size int
	Wall, CPU            time.Duration
}

// floorChild is the YAML floor's child process: it reads the rendered files of dir, round-trips
// them and prints a floorResult.
func floorChild(dir string) error {
	names, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return err
	}
	files := make([][]byte, len(names))
	r := floorResult{Files: len(names)}
	for i, n := range names {
		if files[i], err = os.ReadFile(n); err != nil {
			return err
		}
		r.Size += len(files[i])
	}
	// As the hue binary runs (generators/cmd/hue).
	debug.SetGCPercent(400)
	runtime.GC()
	cpu0, start := rusageSelf(), time.Now()
	if r.Objects, err = roundTrip(files, floorWorkers); err != nil {
		return err
	}
	r.Wall, r.CPU = time.Since(start), rusageSelf()-cpu0
	return json.NewEncoder(os.Stdout).Encode(r)
}

func workers(w, n int) int { return max(1, min(w, n)) }

// roundTrip reads every file with kio.ByteReader and writes it back with kio.ByteWriter, on w
// goroutines, and returns the number of objects.
func roundTrip(files [][]byte, w int) (int, error) {
	var mu sync.Mutex
	var firstErr error
	objects := 0
	next := make(chan []byte)
	var wg sync.WaitGroup
	for range workers(w, len(files)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range next {
				nodes, err := (&kio.ByteReader{Reader: bytes.NewReader(f), OmitReaderAnnotations: true}).Read()
				if err == nil {
					err = kio.ByteWriter{Writer: io.Discard}.Write(nodes)
				}
				mu.Lock()
				objects += len(nodes)
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	for _, f := range files {
		next <- f
	}
	close(next)
	wg.Wait()
	return objects, firstErr
}

// sample picks k of names spread evenly over the sorted list (all when k >= len).
func sample(names []string, k int) []string {
	if k >= len(names) {
		return slices.Clone(names)
	}
	out := make([]string, 0, k)
	for i := range k {
		out = append(out, names[i*len(names)/k])
	}
	return out
}

// naiveLoop is what a per-cluster pipeline does: kustomize build each overlay to a file, then
// one conftest process on it over our policies (as tests/policy_bench_test.go runs conftest).
func (b *bench) naiveLoop(overlays []string) error {
	var all []string
	for _, o := range overlays {
		all = append(all, filepath.Base(filepath.Dir(o)))
	}
	slices.Sort(all)
	picked := sample(all, b.naiveSample)
	dir := filepath.Join(b.w+"-naive", "rendered")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	_, inv, err := b.specs()
	if err != nil {
		return err
	}
	data := map[string]any{}
	for _, name := range picked {
		c := inv.Cluster(name)
		if c == nil {
			return fmt.Errorf("overlays/%s: no such cluster in the inventory", name)
		}
		data[name] = policy.ClusterInput(c)
	}
	js, err := json.Marshal(map[string]any{"clusters": data})
	if err != nil {
		return err
	}
	dataFile := filepath.Join(b.w+"-naive", "clusters.json")
	if err := os.WriteFile(dataFile, js, 0o644); err != nil {
		return err
	}
	policies := filepath.Join(b.w, "policies")
	names, _, err := policy.PolicyFiles(policies)
	if err != nil {
		return err
	}
	args := []string{"test", "--no-color", "--output", "json", "--data", filepath.Join(policies, policydata.DataFile)}
	for _, n := range names {
		args = append(args, "--policy", filepath.Join(policies, n))
	}
	args = append(args, "--combine", "--data", dataFile, "--policy", b.adapter)

	total := measure{name: fmt.Sprintf("naive: kustomize build + conftest, %d sampled clusters", len(picked))}
	for _, name := range picked {
		out := filepath.Join(dir, name+".yaml")
		build, err := b.exec("kustomize build "+name, []int{0}, b.w, b.kustomize, "build", filepath.Join("overlays", name), "-o", out)
		if err != nil {
			return err
		}
		// conftest exits 1 when a policy fails, which the waived warnings make it do.
		test, err := b.exec("conftest "+name, []int{0, 1}, b.w, b.conftest, append(slices.Clone(args), out)...)
		if err != nil {
			return err
		}
		total.wall += build.wall + test.wall
		total.cpu += build.cpu + test.cpu
		total.rss = max(total.rss, build.rss, test.rss)
	}
	// What Argo CD renders must be what hue rendered: the sample is compared byte for byte.
	for _, name := range picked {
		want, err := os.ReadFile(filepath.Join(dir, name+".yaml"))
		if err != nil {
			return err
		}
		got, err := os.ReadFile(filepath.Join(b.w, "out", name+".yaml"))
		if err != nil {
			return err
		}
		if !bytes.Equal(want, got) {
			return fmt.Errorf("%s: hue render differs from kustomize build overlays/%s", name, name)
		}
	}
	total.note = fmt.Sprintf("kustomize CLI output = hue render output on all %d", len(picked))
	b.steps = append(b.steps, total)
	b.naive = scale(total, len(picked), b.clusters)
	b.naive.name = fmt.Sprintf("naive, scaled to %d clusters (per-cluster time × %d)", b.clusters, b.clusters)
	b.naive.note = fmt.Sprintf("scaled from %d sampled clusters", len(picked))
	b.steps = append(b.steps, b.naive)
	return nil
}

// scale extrapolates a run over sampled clusters to all of them (the naive loop is sequential
// and per cluster, so linear); the peak RSS stays that of one process.
func scale(m measure, sampled, clusters int) measure {
	f := float64(clusters) / float64(sampled)
	m.wall = time.Duration(float64(m.wall) * f)
	m.cpu = time.Duration(float64(m.cpu) * f)
	return m
}

// baseChange edits a service every school runs (its description, an annotation on its workload
// in every cluster), regenerates, and diffs against the committed base; then restores the tree.
func (b *bench) baseChange() error {
	svc, err := schoolService(b.w)
	if err != nil {
		return err
	}
	spec := filepath.Join(b.w, "base", svc, layout.SpecFile)
	old, err := os.ReadFile(spec)
	if err != nil {
		return err
	}
	changed, err := setDescription(old, "changed by bench-fleet")
	if err != nil {
		return fmt.Errorf("%s: %w", spec, err)
	}
	if err := os.WriteFile(spec, changed, 0o644); err != nil {
		return err
	}
	if _, err := b.cmd("generate, base change of "+svc, true, []int{0}, b.hue, "generate", "--root", b.w); err != nil {
		return err
	}
	if b.diff, err = b.cmd("diff --base HEAD, base change reaching every school", true, []int{0}, b.hue,
		"diff", "--root", b.w, "--base", "HEAD"); err != nil {
		return err
	}
	if out, err := os.ReadFile(filepath.Join(b.logs, fmt.Sprintf("%02d-%s.out", b.seq, slug(b.diff.name)))); err == nil {
		b.diff.note = diffSummary(out)
		b.steps[len(b.steps)-1].note = b.diff.note
	}
	// Back to the base revision; a changed base leaves new generated folders (shapes) behind.
	if _, err := b.setup("git checkout", "git", "checkout", "-q", "--", "."); err != nil {
		return err
	}
	_, err = b.setup("git clean", "git", "clean", "-fdq", "-e", ".cache")
	return err
}

var summaryLine = regexp.MustCompile(`(?m)^\d+ cluster\(s\) affected.*$`)

// diffSummary is the summary line of hue diff's text output.
func diffSummary(out []byte) string { return string(summaryLine.Find(out)) }

// schoolService is the first service (by name) of the school fleet's defaults whose spec has a
// description.
func schoolService(root string) (string, error) {
	inv, err := platform.LoadInventory(root, nil)
	if err != nil {
		return "", err
	}
	f := inv.Fleets[v1alpha1.FleetSchool]
	if f == nil {
		return "", fmt.Errorf("no school fleet")
	}
	for _, s := range slices.Sorted(slices.Values(f.Spec.Defaults.Services)) {
		b, err := os.ReadFile(filepath.Join(root, "base", s, layout.SpecFile))
		if err == nil && bytes.Contains(b, []byte("\n  description:")) {
			return s, nil
		}
	}
	return "", fmt.Errorf("no school service with a description")
}

// setDescription appends note to spec.description of a HueService file, keeping its comments.
func setDescription(spec []byte, note string) ([]byte, error) {
	n, err := yaml.Parse(string(spec))
	if err != nil {
		return nil, err
	}
	d, err := n.Pipe(yaml.Lookup("spec", "description"))
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, fmt.Errorf("no spec.description")
	}
	if err := n.PipeE(yaml.Lookup("spec"), yaml.SetField("description", yaml.NewStringRNode(yaml.GetValue(d)+" ("+note+")"))); err != nil {
		return nil, err
	}
	s, err := n.String()
	return []byte(s), err
}

// onePR changes one synthetic school (pins a service to its next release), regenerates, and
// checks the fleet with the warm cache, as a pull request's CI job would.
func (b *bench) onePR(cache string) error {
	file, err := prSchool(b.w)
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	cat, inv, err := b.specs()
	if err != nil {
		return err
	}
	changed, err := pinNextRelease(raw, fleet.Overridable(cat, inv.Fleets[v1alpha1.FleetSchool].Spec.Defaults.Services))
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if err := os.WriteFile(file, changed, 0o644); err != nil {
		return err
	}
	name := strings.TrimSuffix(filepath.Base(file), ".yaml")
	if _, err := b.cmd("generate, one-school PR ("+name+")", true, []int{0}, b.hue, "generate", "--root", b.w); err != nil {
		return err
	}
	b.prWarm, err = b.cmd("check --cache, one-school PR (warm)", true, []int{0, 1}, b.hue, "check", "--root", b.w, "--cache", cache)
	return err
}

// prSchool is the middle synthetic school (by name) without overrides.
func prSchool(root string) (string, error) {
	files, err := filepath.Glob(filepath.Join(root, "clusters", v1alpha1.FleetSchool, "school-*-[0-9][0-9][0-9][0-9]*.yaml"))
	if err != nil {
		return "", err
	}
	slices.Sort(files)
	for i := range files {
		f := files[(len(files)/2+i)%len(files)]
		if b, err := os.ReadFile(f); err == nil && !bytes.Contains(b, []byte("overrides:")) {
			return f, nil
		}
	}
	return "", fmt.Errorf("no synthetic school without overrides in %s", root)
}

// pinNextRelease sets a tag override of the cluster file to the next release of the first of
// services, as clusters/school/school-brookside.yaml pins learner.
func pinNextRelease(raw []byte, services []*v1alpha1.HueService) ([]byte, error) {
	if len(services) == 0 {
		return nil, fmt.Errorf("no service to override")
	}
	docs, errs := platform.Decode("cluster.yaml", raw)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if len(docs) != 1 {
		return nil, fmt.Errorf("want one HueCluster, got %d documents", len(docs))
	}
	c, ok := docs[0].Object.(*v1alpha1.HueCluster)
	if !ok {
		return nil, fmt.Errorf("want a HueCluster, got %s", docs[0].Kind)
	}
	svc, o := fleet.Override(services, 1)
	if c.Spec.Overrides == nil {
		c.Spec.Overrides = map[string]v1alpha1.ServiceOverride{}
	}
	c.Spec.Overrides[svc.Name] = o
	return fleet.MarshalCluster(c)
}

// target is one goal of the project with the value measured.
type target struct {
	what, value, goal string
	met               bool
}

func (b *bench) targets() []target {
	var peak measure
	for _, s := range b.steps {
		if s.hue && s.rss > peak.rss {
			peak = s
		}
	}
	naiveRatio := ratio(b.naive.cpu, b.checkCold.cpu)
	floorRatio := ratio(b.checkCold.wall, b.floor.wall)
	return []target{
		{"naive CPU (scaled) / hue check cold CPU", fmt.Sprintf("%.1fx", naiveRatio), fmt.Sprintf("≥ %.0fx", targetNaiveRatio), naiveRatio >= targetNaiveRatio},
		{"hue check cold wall / YAML floor wall", fmt.Sprintf("%.1fx", floorRatio), fmt.Sprintf("≤ %.0fx", targetFloorRatio), floorRatio <= targetFloorRatio},
		{"one-school PR, warm check wall", seconds(b.prWarm.wall), "< " + seconds(targetPRWall), b.prWarm.wall < targetPRWall},
		{"diff of a base change, wall", seconds(b.diff.wall), "< " + seconds(targetDiffWall), b.diff.wall < targetDiffWall},
		{"max peak RSS of a hue command (" + peak.name + ")", mib(peak.rss), "< " + mib(targetRSS), peak.rss < targetRSS},
	}
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

func mib(n int64) string {
	if n <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
}

func (b *bench) print(w io.Writer) {
	fmt.Fprintf(w, "\n## %d synthetic schools (%d clusters, %d rendered objects)\n\n", b.n, b.clusters, b.objects)
	fmt.Fprintln(w, "| command | wall | CPU (user+sys) | peak RSS | note |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---|")
	for _, s := range b.steps {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", s.name, seconds(s.wall), seconds(s.cpu), mib(s.rss), s.note)
	}
	fmt.Fprintln(w, "\nThe naive row is extrapolated: CPU and wall per sampled cluster times the number of clusters.")
	fmt.Fprintln(w, "\n| target | measured | goal | met |")
	fmt.Fprintln(w, "|---|---:|---:|---|")
	for _, t := range b.targets() {
		met := "no"
		if t.met {
			met = "yes"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", t.what, t.value, t.goal, met)
	}
}
