// Package traffic generates call-center traffic: calls drawn from a seeded random source,
// rendered as each vendor pushes them (retries, duplicates and out-of-order delivery where the
// vendor does that), with the ground truth to check what the receiver makes of them.
package traffic

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
	"github.com/otelcallcenter/callcenterreceiver/internal/platforms"
)

// Vendors are the registered platforms traffic can be generated for (those with a renderer), in
// the registry's order.
var Vendors = func() []string {
	var out []string
	for _, name := range platforms.Names() {
		if _, ok := renderers[name]; ok {
			out = append(out, name)
		}
	}
	return out
}()

// Options shape the traffic.
type Options struct {
	Seed     uint64
	Start    time.Time     // the first call starts at or after Start
	Duration time.Duration // calls start within [Start, Start+Duration)
	Rate     float64       // calls per minute and vendor
	Vendors  []string      // default: all
	// Location is the receiver's timezone, for vendor times written without a zone.
	Location *time.Location
}

// Call is the ground truth of one generated call: what the receiver should report about it.
type Call struct {
	Vendor       string    `json:"vendor"`
	Tenant       string    `json:"tenant"`
	Session      string    `json:"session"`
	Direction    string    `json:"direction"`
	Queue        string    `json:"queue"`
	Agent        string    `json:"agent"`
	Start        time.Time `json:"start"`
	End          time.Time `json:"end"`
	EndStatus    string    `json:"end_status"`
	AbandonStage string    `json:"abandon_stage,omitempty"`
	// Offered is an inbound call that reached a queue or an agent: it queued, an agent's phone
	// rang, or a person answered it.
	Offered      bool   `json:"offered,omitempty"`
	HangupSide   string `json:"hangup_side"`
	Transfers    int    `json:"transfers"`
	Satisfaction string `json:"satisfaction,omitempty"`
	// Phases are the durations in seconds the receiver knows for the call, by phase (total, ivr,
	// queue, ring, talk, acw), plus speed_of_answer and time_to_abandon where they apply. UinCall
	// phases are measured by the receiver from arrival times and have none here.
	Phases map[string]float64 `json:"phases,omitempty"`
	// Timed is false for vendors whose pushes carry no times (UinCall).
	Timed bool `json:"timed"`
}

// Push is one HTTP request as the vendor makes it.
type Push struct {
	Vendor string            `json:"vendor"`
	At     time.Time         `json:"at"` // when the vendor sends it
	Path   string            `json:"path"`
	Header map[string]string `json:"header,omitempty"`
	Body   json.RawMessage   `json:"body"`
	// Repeat marks a retry or duplicate of an earlier push: it must add nothing.
	Repeat bool `json:"repeat,omitempty"`
	// Event is the event type the push reports once (a call or agent event), "" for others.
	Event string `json:"event,omitempty"`
	// EventKind is call_event or agent_event when Event is set.
	EventKind string `json:"event_kind,omitempty"`
	// Recording is recording or voicemail for recording notices.
	Recording string `json:"recording,omitempty"`
}

// plan is a call before it is rendered: whole seconds, as vendors report them.
type plan struct {
	Call
	seq                      int
	inbound, answered        bool
	ivr, queue, ring, talk   int // seconds; 0 when the phase did not happen
	acw                      int
	queued, rang, transferAt int // seconds after start when the call queued / rang / was transferred
	agentNumber, agentName   string
	customer, hotline        string
	rating                   int // 0 none, 1..5 (1 very satisfied)
	queueIndex               int
	variant                  string // a vendor's edge case, drawn and rendered in its own file
}

// Generate returns the pushes in the order vendors send them, and the calls behind them.
func Generate(o Options) ([]Push, []Call) {
	if len(o.Vendors) == 0 {
		o.Vendors = Vendors
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x5eed))
	var pushes []Push
	var calls []Call
	for _, vendor := range o.Vendors {
		render := renderers[vendor]
		g := &gen{rng: rng, vendor: vendor, loc: o.Location}
		pushes = append(pushes, g.agentLogins(o.Start)...)
		n := int(math.Round(o.Rate * o.Duration.Minutes()))
		for i := range n {
			offset := time.Duration(rng.Int64N(int64(max(o.Duration, time.Second))))
			p := g.plan(i, o.Start.Add(offset).Truncate(time.Second))
			pushes = append(pushes, g.mistype(p, render(g, p))...) // renderers set what the vendor names the queue
			calls = append(calls, p.Call)
		}
	}
	slices.SortStableFunc(pushes, func(a, b Push) int { return a.At.Compare(b.At) })
	return pushes, calls
}

// gen draws calls for one vendor.
type gen struct {
	rng    *rand.Rand
	vendor string
	loc    *time.Location
	pushID int
}

var queues = []string{"售前咨询", "售后服务", "投诉建议"}

// agents are the agents of every vendor's call center: staff number and name.
var agents = [][2]string{{"8014", "王芳"}, {"8015", "李娜"}, {"8016", "张伟"}, {"8017", "刘洋"}, {"8018", "陈静"}}

func (g *gen) between(lo, hi int) int { return lo + g.rng.IntN(hi-lo+1) }

func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

// outcomes each vendor can express, with their weights, by direction.
var outcomes = map[string]map[bool][]weighted{
	"tccc": {
		true:  {{call.StatusAnswered, 70}, {call.StatusAbandonedIVR, 6}, {call.StatusAbandonedQueue, 10}, {call.StatusAbandonedRinging, 5}, {call.StatusIVRCompleted, 6}, {call.StatusNoAgent, 3}, {call.StatusNoAnswer, 3}},
		false: {{call.StatusAnswered, 55}, {call.StatusNoAnswer, 20}, {call.StatusBusy, 10}, {call.StatusUnreachable, 10}, {call.StatusRejected, 5}},
	},
	"dezhu": {
		true:  {{call.StatusAnswered, 75}, {call.StatusAbandonedIVR, 5}, {call.StatusAbandonedQueue, 10}, {call.StatusAbandonedRinging, 5}, {call.StatusOutsideHours, 5}, {call.StatusNoAnswer, 5}},
		false: {{call.StatusAnswered, 60}, {call.StatusNoAnswer, 25}, {call.StatusUnreachable, 15}},
	},
	"udesk": {
		true: {{call.StatusAnswered, 75}, {call.StatusAbandonedIVR, 5}, {call.StatusAbandonedQueue, 12}, {call.StatusAbandonedRinging, 8},
			{call.StatusNoAnswer, 3}, {call.StatusNoAgent, 3}, {call.StatusAbandoned, 3}},
		false: {{call.StatusAnswered, 60}, {call.StatusNoAnswer, 20}, {call.StatusUnreachable, 10}, {call.StatusBusy, 10}},
	},
	"uincall": {
		true:  {{call.StatusAnswered, 80}, {call.StatusAbandonedRinging, 20}},
		false: {{call.StatusAnswered, 65}, {call.StatusNoAnswer, 25}, {call.StatusFailed, 10}},
	},
}

type weighted struct {
	status call.EndStatus
	weight int
}

func (g *gen) pick(ws []weighted) call.EndStatus {
	total := 0
	for _, w := range ws {
		total += w.weight
	}
	n := g.rng.IntN(total)
	for _, w := range ws {
		if n < w.weight {
			return w.status
		}
		n -= w.weight
	}
	return ws[len(ws)-1].status
}

// plan draws one call: its direction, outcome and phases in whole seconds.
func (g *gen) plan(i int, start time.Time) *plan {
	p := &plan{seq: i, inbound: g.chance(0.7)}
	agent := agents[g.rng.IntN(len(agents))]
	p.agentNumber, p.agentName = agent[0], agent[1]
	p.customer = fmt.Sprintf("1%02d%08d", 30+g.rng.IntN(60), g.rng.IntN(100_000_000))
	p.hotline = "4008001234"
	status := g.pick(outcomes[g.vendor][p.inbound])
	p.answered = status == call.StatusAnswered
	p.Call = Call{
		Vendor: g.vendor, Tenant: tenants[g.vendor], Session: fmt.Sprintf("%s-%06d-%08x", g.vendor, i, g.rng.Uint32()),
		Direction: "outbound", Start: start, EndStatus: string(status), Timed: g.vendor != "uincall",
		HangupSide: "customer", Phases: map[string]float64{},
	}
	if !p.Timed {
		p.HangupSide = "unknown" // UinCall does not say
	}
	if p.inbound {
		p.Direction = "inbound"
		p.queueIndex = g.rng.IntN(len(queues))
		p.Queue = queues[p.queueIndex]
		g.inbound(p, status)
	} else {
		g.outbound(p, status)
	}
	if p.answered {
		p.Agent = p.agentNumber
		p.talk = g.between(20, 600)
		if p.Timed && g.chance(0.5) {
			p.HangupSide = "agent"
		}
		if p.inbound && g.chance(0.12) && g.vendor != "uincall" {
			p.Transfers = 1
			p.transferAt = p.talk / 2
		}
		if g.chance(0.4) && g.vendor != "uincall" {
			p.rating = g.between(1, 5)
			p.Satisfaction = []string{"", "very_satisfied", "satisfied", "neutral", "dissatisfied", "very_dissatisfied"}[p.rating]
		} else if g.vendor == "udesk" || g.vendor == "dezhu" {
			p.Satisfaction = "not_rated" // their answered calls always carry a survey result
		}
		if g.vendor == "dezhu" {
			p.acw = g.between(0, 60)
		}
	}
	p.AbandonStage = status.AbandonStage()
	if status == call.StatusAbandoned {
		// The vendor names no stage (Udesk 客户挂机): the caller hung up where the call was.
		p.AbandonStage = map[bool]string{true: "ringing", false: "queue"}[p.rang > 0]
	}
	p.Offered = p.inbound && (p.answered || p.queued > 0 || p.rang > 0)
	total := p.ivr + p.queue + p.ring + p.talk
	if !p.inbound {
		total++ // one second of dialing before the customer's phone rings
	}
	p.End = start.Add(time.Duration(total) * time.Second)
	g.truthPhases(p, total)
	if cases := vendorCases[g.vendor]; cases != nil {
		cases(g, p)
	}
	return p
}

// vendorCases draw a vendor's edge cases over a planned call, and set their truth.
var vendorCases = map[string]func(*gen, *plan){"tccc": tcccCases, "dezhu": dezhuCases, "udesk": udeskCases}

func (g *gen) inbound(p *plan, status call.EndStatus) {
	p.ivr = g.between(5, 40)
	switch status {
	case call.StatusAbandonedIVR, call.StatusIVRCompleted, call.StatusOutsideHours:
		return // the call ends in the IVR
	case call.StatusNoAgent:
		p.queued, p.queue = p.ivr, 1 // queued, and no agent online to wait for
		return
	}
	p.queued = p.ivr
	p.queue = int(math.Min(180, g.rng.ExpFloat64()*20))
	if status == call.StatusAbandonedQueue {
		p.queue = max(p.queue, 1)
		return
	}
	p.rang = p.queued + p.queue
	p.ring = g.between(2, 20)
}

func (g *gen) outbound(p *plan, status call.EndStatus) {
	switch status {
	case call.StatusUnreachable, call.StatusBusy, call.StatusFailed:
		return // nothing rang
	}
	p.rang = 1
	p.ring = g.between(3, 30)
}

// truthPhases sets what the receiver should report of the call's phases.
func (g *gen) truthPhases(p *plan, total int) {
	if !p.Timed {
		p.Phases = nil // UinCall: measured from arrival times by the receiver
		return
	}
	ph := p.Phases
	ph["total"] = float64(total)
	// 得助 reports no IVR time; TCCC and Udesk do for every inbound call.
	if p.inbound && p.Vendor != "dezhu" {
		ph["ivr"] = float64(p.ivr)
	}
	if p.queued > 0 {
		ph["queue"] = float64(p.queue)
	}
	if p.rang > 0 {
		ph["ring"] = float64(p.ring)
	}
	if p.answered {
		ph["talk"] = float64(p.talk)
	}
	if p.Vendor == "dezhu" && p.answered {
		ph["acw"] = float64(p.acw)
	}
	if p.answered {
		ph["speed_of_answer"] = ph["queue"] + ph["ring"] // 0 when neither was reported
	}
	switch p.AbandonStage {
	case "ivr":
		ph["time_to_abandon"] = float64(p.ivr)
		if p.Vendor == "dezhu" {
			ph["time_to_abandon"] = float64(total) // no IVR time: the whole call
		}
	case "queue", "ringing":
		ph["time_to_abandon"] = ph["queue"] + ph["ring"]
	}
}

var tenants = map[string]string{"tccc": "1400000001", "udesk": "", "uincall": "acf528a2-0000-4000-8000-000000000001", "dezhu": "87462158132343186600590049"}

// next returns a new push id for the vendor.
func (g *gen) next() int {
	g.pushID++
	return g.pushID
}

// NewRequest is the HTTP request the vendor makes for the push, to the receiver at base
// (http://host:port, or "" for a path only).
func (p Push) NewRequest(base string) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, base+p.Path, bytes.NewReader(p.Body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range p.Header {
		req.Header.Set(k, v)
	}
	return req, nil
}

// Decode decodes the push as its platform's endpoint does, arriving when the vendor sends it;
// times that carry no zone are read in loc. It returns the request the decoder got, too.
func (p Push) Decode(loc *time.Location) (platform.Request, []call.Push, error) {
	e, ok := platforms.Lookup(p.Vendor)
	if !ok {
		return platform.Request{}, nil, fmt.Errorf("no platform %q", p.Vendor)
	}
	_, query, _ := strings.Cut(p.Path, "?")
	q, err := url.ParseQuery(query)
	if err != nil {
		return platform.Request{}, nil, err
	}
	h := http.Header{}
	for k, v := range p.Header {
		h.Set(k, v)
	}
	req := platform.Request{Query: q, Header: h, Body: p.Body, Arrival: p.At, Location: loc}
	pushes, err := e.Decode(req)
	return req, pushes, err
}
