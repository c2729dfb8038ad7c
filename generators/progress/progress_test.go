package progress

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock; locked because Finish and the goroutine may both read it.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// syncBuffer lets a test read what the background goroutine is still writing.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// manual is the options of a Reporter whose goroutine never ticks within a test, so the test
// calls tick itself and output is deterministic.
func manual(clock *fakeClock, terminal bool) []Option {
	return []Option{WithClock(clock.now), WithInterval(time.Hour), WithTerminal(terminal)}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestPlainPeriodicLinesAndSummary(t *testing.T) {
	clock := newFakeClock()
	var out bytes.Buffer
	r := New(&out, "render", 2027, manual(clock, false)...)

	r.tick() // nothing done yet: no line
	r.Done(1000)
	clock.advance(2 * time.Second)
	r.tick()
	r.tick() // count unchanged: no second line
	clock.advance(time.Second)
	r.Done(500)
	r.tick()
	clock.advance(time.Second)
	r.Done(527)
	r.tick() // all done: the summary says it, no progress line
	r.Finish()

	want := "render: 1000/2027 clusters, 500/s, 3s left\n" +
		"render: 1500/2027 clusters, 500/s, 2s left\n" +
		"render: 2027/2027 clusters in 4.0s (507/s)\n"
	if got := out.String(); got != want {
		t.Errorf("output:\n%q\nwant:\n%q", got, want)
	}
}

func TestTerminalRedrawsOneLine(t *testing.T) {
	clock := newFakeClock()
	var out bytes.Buffer
	r := New(&out, "fleet", 2027, manual(clock, true)...)

	clock.advance(100 * time.Millisecond) // the first tick comes one interval after New
	r.tick()
	r.Done(1240)
	clock.advance(3900 * time.Millisecond)
	r.tick()
	r.tick() // same text: not redrawn
	r.Finish()

	want := "\rfleet: 0/2027 clusters, 0.0/s, ? left\x1b[K" +
		"\rfleet: 1240/2027 clusters, 310/s, 3s left\x1b[K" +
		"\rfleet: 1240/2027 clusters in 4.0s (310/s)\x1b[K\n"
	if got := out.String(); got != want {
		t.Errorf("output:\n%q\nwant:\n%q", got, want)
	}
}

func TestLineAndSummary(t *testing.T) {
	known := &Reporter{label: "check", unit: "clusters", total: 2027}
	unknown := &Reporter{label: "check", unit: "apps"}
	for _, tc := range []struct {
		r       *Reporter
		done    int64
		elapsed time.Duration
		line    string
		summary string
	}{
		{known, 0, 0, "check: 0/2027 clusters, ?/s, ? left", "check: 0/2027 clusters in 0.0s (?/s)"},
		{known, 0, 3 * time.Second, "check: 0/2027 clusters, 0.0/s, ? left", "check: 0/2027 clusters in 3.0s (0.0/s)"},
		{known, 1236, 4 * time.Second, "check: 1236/2027 clusters, 309/s, 3s left", "check: 1236/2027 clusters in 4.0s (309/s)"},
		{known, 1, time.Second, "check: 1/2027 clusters, 1.0/s, 33m46s left", "check: 1/2027 clusters in 1.0s (1.0/s)"},
		{known, 2027, 6300 * time.Millisecond, "check: 2027/2027 clusters, 322/s, 0s left", "check: 2027/2027 clusters in 6.3s (322/s)"},
		{known, 3000, time.Second, "check: 3000/2027 clusters, 3000/s, 0s left", "check: 3000/2027 clusters in 1.0s (3000/s)"},
		{known, 1, 100 * time.Hour, "check: 1/2027 clusters, 0.0/s, 202600h00m left", "check: 1/2027 clusters in 100h00m (0.0/s)"},
		// Over the cap (MaxInt64/2 ns) the estimate stops growing instead of overflowing negative.
		{known, 1, 1000 * time.Hour, "check: 1/2027 clusters, 0.0/s, 1281023h54m left", "check: 1/2027 clusters in 1000h00m (0.0/s)"},
		{unknown, 12, 4 * time.Second, "check: 12 apps, 3.0/s", "check: 12 apps in 4.0s (3.0/s)"},
	} {
		if got := tc.r.line(tc.done, tc.elapsed); got != tc.line {
			t.Errorf("line(%d, %v) = %q, want %q", tc.done, tc.elapsed, got, tc.line)
		}
		if got := tc.r.summary(tc.done, tc.elapsed); got != tc.summary {
			t.Errorf("summary(%d, %v) = %q, want %q", tc.done, tc.elapsed, got, tc.summary)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Second:                            "0.0s",
		0:                                       "0.0s",
		40 * time.Millisecond:                   "0.0s",
		6300 * time.Millisecond:                 "6.3s",
		59940 * time.Millisecond:                "59.9s",
		59960 * time.Millisecond:                "1m00s",
		65 * time.Second:                        "1m05s",
		65600 * time.Millisecond:                "1m06s",
		59*time.Minute + 59*time.Second:         "59m59s",
		59*time.Minute + 59600*time.Millisecond: "1h00m",
		time.Hour + 2*time.Minute + 29*time.Second: "1h02m",
		26 * time.Hour: "26h00m",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestFormatLeft(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Second:             "0s",
		0:                        "0s",
		time.Nanosecond:          "1s",
		1200 * time.Millisecond:  "2s",
		2 * time.Second:          "2s",
		59100 * time.Millisecond: "1m00s",
		65 * time.Second:         "1m05s",
		3 * time.Hour:            "3h00m",
	} {
		if got := formatLeft(d); got != want {
			t.Errorf("formatLeft(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestFormatRate(t *testing.T) {
	for _, tc := range []struct {
		done    int64
		elapsed time.Duration
		want    string
	}{
		{0, 0, "?/s"},
		{5, 0, "?/s"},
		{0, time.Second, "0.0/s"},
		{5, 2 * time.Second, "2.5/s"},
		{99, 10 * time.Second, "9.9/s"},
		{100, 10 * time.Second, "10/s"},
		{2027, 6300 * time.Millisecond, "322/s"},
	} {
		if got := formatRate(tc.done, tc.elapsed); got != tc.want {
			t.Errorf("formatRate(%d, %v) = %q, want %q", tc.done, tc.elapsed, got, tc.want)
		}
	}
}

func TestConcurrentDone(t *testing.T) {
	const workers, each = 64, 1000
	var out syncBuffer
	// A 1ms tick makes the goroutine read the counter while the workers add to it (for -race).
	r := New(&out, "render", workers*each, WithTerminal(false), WithInterval(time.Millisecond))
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				r.Done(1)
			}
		}()
	}
	wg.Wait()
	r.Done(0)  // ignored
	r.Done(-7) // ignored: a count never goes back
	r.Finish()

	if got := r.done.Load(); got != workers*each {
		t.Errorf("done = %d, want %d", got, workers*each)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "render: 64000/64000 clusters in ") {
		t.Errorf("summary = %q", last)
	}
}

func TestNilReporterIsSafe(t *testing.T) {
	var r *Reporter
	r.Done(3)
	r.Finish()
	r.Finish()
	if New(nil, "x", 1000) != nil {
		t.Error("New(nil writer) is not nil")
	}
}

func TestFinishIsIdempotentAndStopsGoroutine(t *testing.T) {
	before := runtime.NumGoroutine()
	var out syncBuffer
	r := New(&out, "check", 100, WithTerminal(false), WithInterval(time.Millisecond))

	// The real ticker writes a line per change of the count, and only then.
	r.Done(10)
	waitFor(t, "first line", func() bool { return strings.Contains(out.String(), "check: 10/100 clusters, ") })
	r.Done(5)
	waitFor(t, "second line", func() bool { return strings.Contains(out.String(), "check: 15/100 clusters, ") })
	r.Finish()

	select {
	case <-r.stopped:
	default:
		t.Fatal("goroutine still running after Finish")
	}
	got := out.String()
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[2], "check: 15/100 clusters in ") {
		t.Fatalf("want 2 progress lines and a summary, got:\n%s", got)
	}

	r.Finish()
	r.Done(1)
	time.Sleep(20 * time.Millisecond) // 20 former ticks: nothing may write any more
	if again := out.String(); again != got {
		t.Errorf("output changed after Finish:\n%q\nwas:\n%q", again, got)
	}
	waitFor(t, "goroutine count back to "+strconv.Itoa(before), func() bool { return runtime.NumGoroutine() <= before })
}

func TestForStderr(t *testing.T) {
	var out bytes.Buffer
	if r := ForStderr(&out, "render", MinItems-1); r != nil {
		r.Finish()
		t.Errorf("ForStderr with %d items is not nil", MinItems-1)
	}
	if r := ForStderr(os.Stdout, "render", 10*MinItems); r != nil {
		r.Finish()
		t.Error("ForStderr(os.Stdout) is not nil")
	}

	clock := newFakeClock()
	r := ForStderr(&out, "render", MinItems, manual(clock, false)...)
	if r == nil {
		t.Fatalf("ForStderr with %d items is nil", MinItems)
	}
	r.Done(MinItems)
	clock.advance(2 * time.Second)
	r.Finish()
	if got, want := out.String(), "render: 50/50 clusters in 2.0s (25/s)\n"; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}

func TestModeDetection(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, tc := range []struct {
		name string
		r    *Reporter
		want bool
	}{
		{"buffer", New(&bytes.Buffer{}, "x", 100), false},
		{"regular file", New(f, "x", 100), false},
		{"forced terminal", New(&bytes.Buffer{}, "x", 100, WithTerminal(true)), true},
		{"forced plain", New(f, "x", 100, WithTerminal(false)), false},
	} {
		tc.r.Finish()
		if tc.r.terminal != tc.want {
			t.Errorf("%s: terminal = %v, want %v", tc.name, tc.r.terminal, tc.want)
		}
	}
}
