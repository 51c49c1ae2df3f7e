// Command callgen generates call-center traffic for every vendor the receiver knows and pushes
// it to a receiver as the vendors would (retries and duplicates included), or writes it to
// files, together with the ground truth: each call, and the KPIs they add up to.
//
//	callgen -url http://localhost:8088 -duration 3m -rate 20 -truth truth.json
//	callgen -out traffic/ -seed 7
//	callgen -url http://localhost:8088 -live -vendors udesk,uincall -waiting 5 -oldest 90s -ringing 2 -talking 3 -gap 20s -truth live.json
//
// With -live it holds the traffic at a known state instead: two stages of pushes, -gap apart,
// and the state each leaves (the calls in progress and what the live gauges should say).
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/otelcallcenter/callcenterreceiver/internal/traffic"
)

func main() {
	seed := flag.Uint64("seed", 1, "random seed: the same seed gives the same traffic")
	duration := flag.Duration("duration", 3*time.Minute, "calls start within this span")
	rate := flag.Float64("rate", 10, "calls per minute and vendor")
	vendors := flag.String("vendors", strings.Join(traffic.Vendors, ","), "vendors to generate for")
	url := flag.String("url", "", "push to the receiver at this base URL, e.g. http://localhost:8088")
	speed := flag.Float64("speed", 1, "pushes are sent at this multiple of real time; 0 sends them as fast as possible")
	out := flag.String("out", "", "write pushes.jsonl and calls.jsonl to this directory")
	truth := flag.String("truth", "", "write the aggregated ground truth (counts, phases, KPIs) to this file")
	timezone := flag.String("timezone", "Asia/Shanghai", "the receiver's timezone, for vendor times written without one")
	live := flag.Bool("live", false, "hold Udesk and UinCall traffic at a known state at two moments instead (see -waiting)")
	waiting := flag.Int("waiting", 5, "with -live: Udesk calls waiting in a queue at each moment")
	oldest := flag.Duration("oldest", 90*time.Second, "with -live: how long the oldest waiting call has waited")
	ringing := flag.Int("ringing", 2, "with -live: calls ringing at the first moment")
	talking := flag.Int("talking", 3, "with -live: calls talking at the first moment, the last never ending")
	gap := flag.Duration("gap", 20*time.Second, "with -live: time between the stages; keep it under the receiver's sessions.idle_timeout")
	flag.Parse()

	loc, err := time.LoadLocation(*timezone)
	if err != nil {
		log.Fatalf("timezone: %v", err)
	}
	if *live {
		opts := traffic.LiveOptions{Now: time.Now().Truncate(time.Second), Gap: *gap, Waiting: *waiting,
			Oldest: *oldest, Ringing: *ringing, Talking: *talking, Location: loc}
		if err := holdLive(*url, *truth, strings.Split(*vendors, ","), opts); err != nil {
			log.Fatal(err)
		}
		return
	}
	pushes, calls := traffic.Generate(traffic.Options{
		Seed: *seed, Start: time.Now().Truncate(time.Second), Duration: *duration, Rate: *rate,
		Vendors: strings.Split(*vendors, ","), Location: loc,
	})
	log.Printf("generated %d calls in %d pushes", len(calls), len(pushes))

	if *out != "" {
		if err := writeFiles(*out, pushes, calls); err != nil {
			log.Fatal(err)
		}
	}
	if *truth != "" {
		if err := writeJSON(*truth, traffic.Summarize(calls, pushes)); err != nil {
			log.Fatal(err)
		}
	}
	if *url != "" {
		if err := send(*url, pushes, *speed); err != nil {
			log.Fatal(err)
		}
	}
}

// holdLive sends the two stages of held traffic of each vendor, -gap apart, and writes the
// state each stage leaves: the live gauges read soon after the first stage, and after the
// receiver's idle_timeout since it for the second, should say what it says.
func holdLive(url, truth string, vendors []string, o traffic.LiveOptions) error {
	var stages [2][]traffic.LiveStage
	for _, v := range vendors {
		o.Vendor = v
		s, err := traffic.GenerateLive(o)
		if err != nil {
			log.Printf("%v: skipped", err)
			continue
		}
		stages[0], stages[1] = append(stages[0], s[0]), append(stages[1], s[1])
	}
	out := map[string]any{}
	for i, stage := range stages {
		if i > 0 && url != "" {
			time.Sleep(time.Until(o.Now.Add(o.Gap)))
		}
		truths := map[string]traffic.LiveTruth{}
		for _, s := range stage {
			truths[s.Pushes[0].Vendor] = s.Truth()
			if url != "" {
				if err := send(url, s.Pushes, 0); err != nil {
					return err
				}
			}
		}
		out[fmt.Sprintf("moment%d", i+1)] = map[string]any{"at": stage[0].At, "vendors": truths, "stages": stage}
	}
	if truth == "" {
		return nil
	}
	return writeJSON(truth, out)
}

// send posts the pushes in order, paced at speed times real time, and retries a push that did
// not get a success reply, as the vendors do.
func send(base string, pushes []traffic.Push, speed float64) error {
	client := &http.Client{Timeout: 10 * time.Second}
	began := time.Now()
	failed := 0
	for _, p := range pushes {
		if speed > 0 {
			due := began.Add(time.Duration(float64(p.At.Sub(pushes[0].At)) / speed))
			time.Sleep(time.Until(due))
		}
		var last error
		for attempt := range 3 {
			if last = post(client, base, p); last == nil {
				break
			}
			time.Sleep(time.Duration(attempt+1) * time.Second)
		}
		if last != nil {
			failed++
			log.Printf("%s %s: %v", p.Vendor, p.Path, last)
		}
	}
	log.Printf("sent %d pushes in %s, %d failed", len(pushes), time.Since(began).Round(time.Millisecond), failed)
	if failed > 0 {
		return fmt.Errorf("%d pushes failed", failed)
	}
	return nil
}

func post(client *http.Client, base string, p traffic.Push) error {
	req, err := http.NewRequest(http.MethodPost, base+p.Path, bytes.NewReader(p.Body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json;charset=utf8")
	for k, v := range p.Header {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(reply))
	}
	return nil
}

func writeFiles(dir string, pushes []traffic.Push, calls []traffic.Call) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := writeLines(filepath.Join(dir, "pushes.jsonl"), pushes); err != nil {
		return err
	}
	return writeLines(filepath.Join(dir, "calls.jsonl"), calls)
}

func writeLines[T any](path string, items []T) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	for _, it := range items {
		if err := enc.Encode(it); err != nil {
			return errors.Join(err, f.Close())
		}
	}
	return f.Close()
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
