// Command callbench measures the call-center receiver against the Collector's own OTLP/HTTP
// receiver in one run of the built distribution: both receivers in one collector, both into the
// same debug exporter, driven with the same bytes (distinct calls from internal/traffic for each
// vendor; for OTLP, each push's body as the string body of an OTLP/JSON log record).
//
//	callbench -collector _build/otelcol-callcenter -duration 10s
//	callbench -collector _build/otelcol-callcenter -soak 10m
//
// Per vendor it runs a closed loop (-conns connections, each sending its next push as soon as
// the last was answered) against each endpoint, then an open loop at half of the OTLP
// receiver's closed-loop peak, where p99 is read; latency there counts from when a push was due,
// so a backlog shows. CPU is the collector's (utime+stime from /proc/<pid>/stat over the phase),
// memory its VmRSS at the end of the phase. The machine may be shared: read the ratios, which
// come from one run, rather than the absolute figures.
//
// It listens and sends on loopback only, and every phase is bounded in time and in pushes.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/otelcallcenter/callcenterreceiver/internal/traffic"
)

func main() {
	collector := flag.String("collector", "_build/otelcol-callcenter", "the built distribution")
	duration := flag.Duration("duration", 10*time.Second, "length of each closed-loop and open-loop phase")
	conns := flag.Int("conns", 16, "connections of the closed loop")
	vendors := flag.String("vendors", strings.Join(traffic.Vendors, ","), "vendors to measure")
	soak := flag.Duration("soak", 0, "instead: push TCCC calls at half of the OTLP peak for this long, sampling RSS")
	maxKeys := flag.Int("soak-max-keys", 50_000, "with -soak: the receiver's dedup.max_keys")
	workdir := flag.String("workdir", "_build/bench", "where the config and the collector's output go")
	profiles := flag.String("cpuprofile", "", "a directory: write the collector's CPU profile of each closed-loop phase there (pprof)")
	durable := flag.Bool("storage", false, "give the callcenter receiver a file_storage extension (in the workdir, emptied first): every push journaled before its reply")
	flag.Parse()

	if err := os.MkdirAll(*workdir, 0o755); err != nil {
		log.Fatal(err)
	}
	b := &bench{collector: *collector, workdir: *workdir, duration: *duration, conns: *conns, profiles: *profiles, storage: *durable}
	if b.profiles != "" {
		if err := os.MkdirAll(b.profiles, 0o755); err != nil {
			log.Fatal(err)
		}
	}
	var err error
	if *soak > 0 {
		err = b.soak(*soak, *maxKeys)
	} else {
		err = b.compare(strings.Split(*vendors, ","))
	}
	if err != nil {
		log.Fatal(err)
	}
}

type bench struct {
	collector string
	workdir   string
	duration  time.Duration
	conns     int
	profiles  string // where CPU profiles go; "" for none
	storage   bool   // the callcenter receiver keeps its state in file_storage
}

// result is one phase against one endpoint.
type result struct {
	endpoint string
	loop     string
	sent     int
	failed   int
	elapsed  time.Duration
	p50, p99 time.Duration
	cpu      time.Duration // the collector's CPU time over the phase
	rss      int64         // the collector's VmRSS at the end, bytes
}

func (r result) rate() float64 {
	if r.elapsed == 0 {
		return 0
	}
	return float64(r.sent-r.failed) / r.elapsed.Seconds()
}

// cpuPer1000 is the collector's CPU seconds per 1000 pushes.
func (r result) cpuPer1000() float64 {
	if r.sent == 0 {
		return 0
	}
	return r.cpu.Seconds() * 1000 / float64(r.sent)
}

// compare measures, for each vendor, the callcenter endpoint and OTLP with the vendor's pushes.
func (b *bench) compare(vendors []string) error {
	c, err := b.start(0)
	if err != nil {
		return err
	}
	defer c.stop()
	fmt.Printf("callbench: %d connections closed loop, open loop at half of the OTLP peak, %s per phase, GOMAXPROCS of the collector: all %d cores\n\n",
		b.conns, b.duration, runtime.NumCPU())
	fmt.Printf("%-22s %-6s %9s %8s %8s %10s %8s %7s %7s %7s %s\n",
		"endpoint", "loop", "pushes/s", "p50", "p99", "cpu s/1k", "RSS MB", "×rate", "×p99", "×cpu", "failed")
	var shares []share
	defer func() { printShares(shares) }()
	for _, vendor := range vendors {
		pushes := distinctPushes(vendor, 1, 180_000)
		if len(pushes) == 0 {
			return fmt.Errorf("no traffic for vendor %q", vendor)
		}
		otlp := otlpRequests(c.otlp, pushes)
		own := ownRequests(c.callcenter, pushes)
		// Half of each pool for the closed loop, half for the open loop: every push sent once.
		half := len(pushes) / 2
		profiled := b.profile(c, "otlp-"+vendor)
		oc := c.closed("otlp ("+vendor+")", otlp[:half], b.conns, b.duration)
		shares = append(shares, profiled(oc)...)
		profiled = b.profile(c, "callcenter-"+vendor)
		cc := c.closed("callcenter "+vendor, own[:half], b.conns, b.duration)
		shares = append(shares, profiled(cc)...)
		rate := oc.rate() / 2
		oo := c.open("otlp ("+vendor+")", otlp[half:], rate, b.duration)
		co := c.open("callcenter "+vendor, own[half:], rate, b.duration)
		printRow(oc, result{})
		printRow(cc, oc)
		printRow(oo, result{})
		printRow(co, oo)
	}
	return nil
}

func printRow(r, ref result) {
	ratio := func(a, b float64) string {
		if b == 0 || math.IsNaN(b) {
			return "-"
		}
		return fmt.Sprintf("%.2f", a/b)
	}
	fmt.Printf("%-22s %-6s %9.0f %8s %8s %10.3f %8.0f %7s %7s %7s %d/%d\n",
		r.endpoint, r.loop, r.rate(), ms(r.p50), ms(r.p99), r.cpuPer1000(), float64(r.rss)/(1<<20),
		ratio(r.rate(), ref.rate()), ratio(float64(r.p99), float64(ref.p99)), ratio(r.cpuPer1000(), ref.cpuPer1000()),
		r.failed, r.sent)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

// soak measures the closed-loop peaks of OTLP and callcenter with TCCC pushes, then sends
// distinct TCCC pushes at half of the lower one for the given time to a receiver with a small
// dedup.max_keys, sampling RSS every 30 s: once max_keys pushes are remembered (and
// sessions.max_open calls held), the oldest go first, and memory stays flat.
func (b *bench) soak(length time.Duration, maxKeys int) error {
	c, err := b.start(maxKeys)
	if err != nil {
		return err
	}
	defer c.stop()
	probe := distinctPushes("tccc", 1, 100_000)
	otlp := c.closed("otlp (tccc)", otlpRequests(c.otlp, probe), b.conns, b.duration)
	own := c.closed("callcenter tccc", ownRequests(c.callcenter, probe), b.conns, b.duration)
	rate := min(otlp.rate(), own.rate()) / 2
	fmt.Printf("soak: %s of distinct TCCC pushes at %.0f/s (half the lower closed-loop peak: OTLP %.0f/s, callcenter %.0f/s) into dedup.max_keys %d\n",
		length, rate, otlp.rate(), own.rate(), maxKeys)
	fmt.Printf("%10s %10s %10s %8s %8s\n", "elapsed", "pushes", "RSS MB", "p99", "failed")
	// The next 10 s of pushes are generated while the last are sent; each seed's calls have
	// their own random session ids and push UUIDs.
	const chunk = 10 * time.Second
	chunks := make(chan []request, 1)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for seed := uint64(2); ; seed++ {
			select {
			case chunks <- ownRequests(c.callcenter, distinctPushes("tccc", seed, int(rate*chunk.Seconds()))):
			case <-stop:
				return
			}
		}
	}()
	began := time.Now()
	total, failed := 0, 0
	var p99 time.Duration
	for i := 1; time.Since(began) < length; i++ {
		r := c.open("callcenter tccc", <-chunks, rate, min(chunk, length-time.Since(began)))
		total, failed, p99 = total+r.sent, failed+r.failed, max(p99, r.p99)
		if i%3 == 0 || time.Since(began) >= length {
			fmt.Printf("%10s %10d %10.1f %8s %8d\n", time.Since(began).Round(time.Second), total,
				float64(r.rss)/(1<<20), ms(p99), failed)
			p99 = 0
		}
	}
	return nil
}

// profile starts the collector's CPU profile for the length of a phase, if asked for, and
// returns what waits for it, writes it to <profiles>/<name>.pprof and reads where the phase's
// CPU went.
func (b *bench) profile(c *collector, name string) (wait func(result) []share) {
	if b.profiles == "" {
		return func(result) []share { return nil }
	}
	done := make(chan error, 1)
	go func() {
		url := fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", c.pprof, max(1, int(b.duration.Seconds())))
		resp, err := http.Get(url)
		if err != nil {
			done <- err
			return
		}
		defer resp.Body.Close()
		f, err := os.Create(filepath.Join(b.profiles, name+".pprof"))
		if err == nil {
			_, err = io.Copy(f, resp.Body)
			err = errors.Join(err, f.Close())
		}
		done <- err
	}()
	return func(r result) []share {
		if err := <-done; err != nil {
			log.Printf("profile %s: %v", name, err)
			return nil
		}
		s, err := readShare(r.endpoint, filepath.Join(b.profiles, name+".pprof"), r.sent)
		if err != nil {
			log.Printf("profile %s: %v", name, err)
			return nil
		}
		return []share{s}
	}
}

// distinctPushes are the first pushes of the vendor's generated traffic that are not repeats,
// at most limit.
func distinctPushes(vendor string, seed uint64, limit int) []traffic.Push {
	// About 2 pushes a call; calls spread over a day so that they start at different seconds.
	pushes, _ := traffic.Generate(traffic.Options{
		Seed: seed, Start: time.Now().Add(-24 * time.Hour).Truncate(time.Second), Duration: 24 * time.Hour,
		Rate: float64(limit) / 2 / (24 * 60), Vendors: []string{vendor},
	})
	var out []traffic.Push
	for _, p := range pushes {
		if !p.Repeat && len(out) < limit {
			out = append(out, p)
		}
	}
	return out
}

// request is one prepared HTTP request.
type request struct {
	url    string
	header http.Header
	body   []byte
}

func ownRequests(base string, pushes []traffic.Push) []request {
	out := make([]request, len(pushes))
	for i, p := range pushes {
		h := http.Header{"Content-Type": {"application/json"}}
		for k, v := range p.Header {
			h.Set(k, v)
		}
		out[i] = request{url: base + p.Path, header: h, body: p.Body}
	}
	return out
}

// otlpRequests carry each push's body as the string body of one OTLP/JSON log record.
func otlpRequests(base string, pushes []traffic.Push) []request {
	out := make([]request, len(pushes))
	for i, p := range pushes {
		body, _ := json.Marshal(map[string]any{"resourceLogs": []any{map[string]any{
			"resource": map[string]any{"attributes": []any{map[string]any{"key": "service.name", "value": map[string]any{"stringValue": p.Vendor}}}},
			"scopeLogs": []any{map[string]any{"logRecords": []any{map[string]any{
				"timeUnixNano": strconv.FormatInt(p.At.UnixNano(), 10),
				"body":         map[string]any{"stringValue": string(p.Body)},
			}}}},
		}}})
		out[i] = request{url: base + "/v1/logs", header: http.Header{"Content-Type": {"application/json"}}, body: body}
	}
	return out
}

// collector is the running distribution.
type collector struct {
	cmd        *exec.Cmd
	callcenter string // base URLs
	otlp       string
	pprof      string
	client     *http.Client
}

// start writes the config and starts the collector on free loopback ports.
func (b *bench) start(maxKeys int) (*collector, error) {
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	storageDir := ""
	if b.storage {
		if storageDir, err = filepath.Abs(filepath.Join(b.workdir, "storage")); err != nil {
			return nil, err
		}
		if err := os.RemoveAll(storageDir); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(storageDir, 0o755); err != nil {
			return nil, err
		}
	}
	cfg := config(ports, maxKeys, storageDir)
	path := filepath.Join(b.workdir, "config.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	out, err := os.Create(filepath.Join(b.workdir, "collector.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(b.collector, "--config", path)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	// Interrupted, the bench stops its collector before it exits.
	interrupted := make(chan os.Signal, 1)
	signal.Notify(interrupted, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-interrupted
		_ = cmd.Process.Kill()
		os.Exit(130)
	}()
	c := &collector{
		cmd:        cmd,
		callcenter: fmt.Sprintf("http://127.0.0.1:%d", ports[0]),
		otlp:       fmt.Sprintf("http://127.0.0.1:%d", ports[1]),
		pprof:      fmt.Sprintf("http://127.0.0.1:%d", ports[2]),
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
			MaxIdleConns: 256, MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256, IdleConnTimeout: time.Minute,
		}},
	}
	for range 100 {
		if resp, err := http.Get(c.callcenter + "/health"); err == nil {
			resp.Body.Close()
			return c, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.stop()
	return nil, errors.New("the collector did not answer on its health path within 10 s: see " + out.Name())
}

// config is the collector's config on the ports (callcenter, OTLP/HTTP, pprof), with the
// receiver's dedup.max_keys when maxKeys is not 0, and its state in a file_storage extension in
// storageDir when it is not "".
func config(ports []int, maxKeys int, storageDir string) string {
	cfg := fmt.Sprintf(configTemplate, ports[0], ports[1], ports[2])
	if maxKeys > 0 {
		cfg = strings.Replace(cfg, "max_keys: 500000", fmt.Sprintf("max_keys: %d", maxKeys), 1)
	}
	if storageDir != "" {
		cfg = strings.Replace(cfg, "    dedup:\n", "    storage: file_storage\n    dedup:\n", 1)
		cfg = strings.Replace(cfg, "extensions:\n", fmt.Sprintf("extensions:\n  file_storage:\n    directory: %s\n", storageDir), 1)
		cfg = strings.Replace(cfg, "extensions: [pprof]", "extensions: [pprof, file_storage]", 1)
	}
	return cfg
}

func (c *collector) stop() {
	_ = c.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
}

// closed sends the requests over conns connections, each sending its next as soon as the last
// was answered, until they run out or the time is up.
func (c *collector) closed(endpoint string, reqs []request, conns int, length time.Duration) result {
	var next atomic.Int64
	lat := make([][]time.Duration, conns)
	var failed atomic.Int64
	deadline := time.Now().Add(length)
	cpu0 := c.cpu()
	began := time.Now()
	var wg sync.WaitGroup
	for w := range conns {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				i := int(next.Add(1)) - 1
				if i >= len(reqs) {
					return
				}
				t := time.Now()
				if !c.send(reqs[i]) {
					failed.Add(1)
				}
				lat[w] = append(lat[w], time.Since(t))
			}
		})
	}
	wg.Wait()
	return c.result(endpoint, "closed", slices.Concat(lat...), int(failed.Load()), time.Since(began), cpu0)
}

// open sends the requests at a fixed rate, whatever the replies take; a push's latency counts
// from when it was due.
func (c *collector) open(endpoint string, reqs []request, rate float64, length time.Duration) result {
	n := min(len(reqs), int(rate*length.Seconds()))
	interval := time.Duration(float64(time.Second) / rate)
	due := make(chan int, n)
	var mu sync.Mutex
	var lat []time.Duration
	var failed atomic.Int64
	cpu0 := c.cpu()
	began := time.Now()
	var wg sync.WaitGroup
	for range 128 {
		wg.Go(func() {
			for i := range due {
				at := began.Add(time.Duration(i) * interval)
				ok := c.send(reqs[i])
				d := time.Since(at)
				if !ok {
					failed.Add(1)
				}
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
		})
	}
	for i := range n {
		time.Sleep(time.Until(began.Add(time.Duration(i) * interval)))
		due <- i
	}
	close(due)
	wg.Wait()
	return c.result(endpoint, "open", lat, int(failed.Load()), time.Since(began), cpu0)
}

func (c *collector) result(endpoint, loop string, lat []time.Duration, failed int, elapsed, cpu0 time.Duration) result {
	slices.Sort(lat)
	r := result{endpoint: endpoint, loop: loop, sent: len(lat), failed: failed, elapsed: elapsed,
		cpu: c.cpu() - cpu0, rss: c.rss()}
	if len(lat) > 0 {
		r.p50 = lat[len(lat)*50/100]
		r.p99 = lat[len(lat)*99/100]
	}
	return r
}

// send posts one request; true for a 200 reply.
func (c *collector) send(r request) bool {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, r.url, bytes.NewReader(r.body))
	if err != nil {
		return false
	}
	req.Header = r.header.Clone()
	resp, err := c.client.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// cpu is the collector's user and system CPU time so far (/proc/<pid>/stat fields 14 and 15,
// in clock ticks of 1/100 s on Linux).
func (c *collector) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", c.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// The fields after the command name, which is in parentheses and may hold spaces.
	fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// rss is the collector's VmRSS in bytes.
func (c *collector) rss() int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
		defer ln.Close()
	}
	return ports, nil
}

// configTemplate is the collector under test: the callcenter receiver with logs, metrics and
// traces, and the OTLP/HTTP receiver, all into one debug exporter at verbosity basic; pprof for
// -cpuprofile.
const configTemplate = `receivers:
  callcenter:
    endpoint: 127.0.0.1:%d
    dedup:
      max_keys: 500000
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:%d

exporters:
  debug:
    verbosity: basic

extensions:
  pprof:
    endpoint: 127.0.0.1:%d

service:
  telemetry:
    metrics:
      level: none
    logs:
      level: info
  extensions: [pprof]
  pipelines:
    logs:
      receivers: [callcenter, otlp]
      exporters: [debug]
    metrics:
      receivers: [callcenter]
      exporters: [debug]
    traces:
      receivers: [callcenter]
      exporters: [debug]
`
