// Package progress reports how far a long fleet run (thousands of clusters rendered or checked)
// has got, on stderr: one line redrawn in place on a terminal, a line every few seconds in CI logs.
package progress

import (
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/term"
)

// MinItems is the smallest run ForStderr reports on: shorter runs end before progress would help,
// so they stay quiet.
const MinItems = 50

// Default time between two outputs.
const (
	// TerminalInterval keeps the redrawn line live without flooding a slow terminal.
	TerminalInterval = 100 * time.Millisecond
	// PlainInterval keeps CI logs short: a 10-minute run adds about 120 lines.
	PlainInterval = 5 * time.Second
)

// eraseLine is the ANSI "erase to end of line" sequence: it wipes what a longer previous line left.
const eraseLine = "\x1b[K"

// Option changes how New builds a Reporter.
type Option func(*config)

type config struct {
	now      func() time.Time
	interval time.Duration
	terminal *bool
	unit     string
}

// WithClock replaces time.Now so tests control elapsed time, rate and time left.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// WithInterval sets how often the background goroutine writes (TerminalInterval or PlainInterval
// by default); tests shorten it, or set it very long and drive output themselves.
func WithInterval(d time.Duration) Option {
	return func(c *config) { c.interval = d }
}

// WithTerminal forces terminal (redraw in place) or plain (one line per update) mode instead of
// asking the operating system, so both modes can be tested with an in-memory writer.
func WithTerminal(on bool) Option {
	return func(c *config) { c.terminal = &on }
}

// WithUnit names what is counted ("clusters" by default).
func WithUnit(unit string) Option {
	return func(c *config) { c.unit = unit }
}

// Reporter counts finished items and writes progress to one writer. A nil *Reporter is valid and
// does nothing, so callers pass nil when progress is off.
type Reporter struct {
	done atomic.Int64 // first field: the only state the hot path touches

	w        io.Writer
	label    string
	unit     string
	total    int
	terminal bool
	now      func() time.Time
	start    time.Time

	stop    chan struct{} // closed by Finish to end the goroutine
	stopped chan struct{} // closed by the goroutine as it returns, so Finish can wait for it
	finish  sync.Once

	// Owned by the goroutine, then by Finish once the goroutine has returned: no lock needed.
	lastDone int64
	lastLine string
}

// New starts reporting on w about a run of total items (total <= 0: unknown, no time left) and
// starts the goroutine that writes; call Finish to stop it. A nil w gives a nil Reporter.
// Terminal mode is chosen when w is an *os.File on a terminal, unless WithTerminal says otherwise.
func New(w io.Writer, label string, total int, opts ...Option) *Reporter {
	if w == nil {
		return nil
	}
	c := config{now: time.Now, unit: "clusters"}
	for _, o := range opts {
		o(&c)
	}
	terminal := isTerminal(w)
	if c.terminal != nil {
		terminal = *c.terminal
	}
	if c.interval <= 0 {
		c.interval = PlainInterval
		if terminal {
			c.interval = TerminalInterval
		}
	}
	r := &Reporter{
		w:        w,
		label:    label,
		unit:     c.unit,
		total:    total,
		terminal: terminal,
		now:      c.now,
		start:    c.now(),
		stop:     make(chan struct{}),
		stopped:  make(chan struct{}),
	}
	go r.loop(c.interval)
	return r
}

// ForStderr is New for a command's stderr that stays quiet (returns nil) for runs of fewer than
// MinItems items, and when handed os.Stdout, because stdout carries the rendered manifests.
func ForStderr(stderr io.Writer, label string, total int, opts ...Option) *Reporter {
	if f, ok := stderr.(*os.File); total < MinItems || (ok && f == os.Stdout) {
		return nil
	}
	return New(stderr, label, total, opts...)
}

// Done records n more finished items. It is one atomic add, safe from any number of goroutines.
func (r *Reporter) Done(n int) {
	if r == nil || n <= 0 {
		return
	}
	r.done.Add(int64(n))
}

// Finish stops the goroutine and writes the summary line (over the live line on a terminal).
// Later calls do nothing, so a deferred Finish can sit next to an explicit one.
func (r *Reporter) Finish() {
	if r == nil {
		return
	}
	r.finish.Do(func() {
		close(r.stop)
		<-r.stopped // no write of the goroutine can land after the summary
		s := r.summary(r.done.Load(), r.now().Sub(r.start))
		if r.terminal {
			s = "\r" + s + eraseLine
		}
		_, _ = io.WriteString(r.w, s+"\n") // progress is best effort: a broken stderr must not fail the run
	})
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func (r *Reporter) loop(interval time.Duration) {
	defer close(r.stopped)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
			r.tick()
		}
	}
}

// tick writes one update if it would tell the reader something new.
func (r *Reporter) tick() {
	done := r.done.Load()
	if !r.terminal {
		// A log line per unchanged count, or one just before the summary, is noise.
		if done == r.lastDone || (r.total > 0 && done >= int64(r.total)) {
			return
		}
	}
	line := r.line(done, r.now().Sub(r.start))
	if r.terminal {
		if line == r.lastLine {
			return
		}
		_, _ = io.WriteString(r.w, "\r"+line+eraseLine)
	} else {
		_, _ = io.WriteString(r.w, line+"\n")
	}
	r.lastDone, r.lastLine = done, line
}

// line is one progress update: "label: 1234/2027 clusters, 310/s, 2s left".
func (r *Reporter) line(done int64, elapsed time.Duration) string {
	rate := formatRate(done, elapsed)
	if r.total <= 0 {
		return fmt.Sprintf("%s: %d %s, %s", r.label, done, r.unit, rate)
	}
	left := "?"
	if done > 0 && elapsed > 0 {
		remaining := max(int64(r.total)-done, 0)
		// remaining / (done / elapsed), capped so a crawling start cannot overflow a Duration.
		eta := math.Min(float64(elapsed)*float64(remaining)/float64(done), float64(math.MaxInt64/2))
		left = formatLeft(time.Duration(eta))
	}
	return fmt.Sprintf("%s: %d/%d %s, %s, %s left", r.label, done, r.total, r.unit, rate, left)
}

// summary is the final line: "label: 2027/2027 clusters in 6.3s (321/s)".
func (r *Reporter) summary(done int64, elapsed time.Duration) string {
	count := strconv.FormatInt(done, 10)
	if r.total > 0 {
		count += "/" + strconv.Itoa(r.total)
	}
	return fmt.Sprintf("%s: %s %s in %s (%s)", r.label, count, r.unit, formatDuration(elapsed), formatRate(done, elapsed))
}

// formatRate is items per second since start: whole numbers from 10/s, one decimal below so a
// slow run does not read "0/s".
func formatRate(done int64, elapsed time.Duration) string {
	if elapsed <= 0 {
		return "?/s"
	}
	rate := float64(done) / elapsed.Seconds()
	if rate >= 10 {
		return strconv.FormatFloat(rate, 'f', 0, 64) + "/s"
	}
	return strconv.FormatFloat(rate, 'f', 1, 64) + "/s"
}

// formatDuration is compact elapsed time: "6.3s", "1m05s", "2h03m".
func formatDuration(d time.Duration) string {
	d = max(d, 0)
	// Round before choosing the form so 59.96s reads "1m00s", not "60.0s".
	if t := d.Round(100 * time.Millisecond); t < time.Minute {
		return strconv.FormatFloat(t.Seconds(), 'f', 1, 64) + "s"
	}
	if s := d.Round(time.Second); s < time.Hour {
		return fmt.Sprintf("%dm%02ds", s/time.Minute, s%time.Minute/time.Second)
	}
	m := d.Round(time.Minute)
	return fmt.Sprintf("%dh%02dm", m/time.Hour, m%time.Hour/time.Minute)
}

// formatLeft is time left in whole seconds, rounded up: an estimate has no tenths, and "0s left"
// while work remains would be wrong.
func formatLeft(d time.Duration) string {
	d = max(d, 0)
	if rem := d % time.Second; rem != 0 {
		d += time.Second - rem
	}
	if d < time.Minute {
		return strconv.Itoa(int(d/time.Second)) + "s"
	}
	return formatDuration(d)
}
