// Package session follows calls across pushes: the events a vendor reports one by one (UinCall
// commands, Udesk occasions) and the final record that closes a call, merged per session, with
// what has already been reported downstream. State is bounded by a maximum count and an idle
// timeout; the oldest session is closed, never the process.
package session

import (
	"cmp"
	"container/list"
	"iter"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
)

// Key identifies a session across pushes and replicas.
type Key struct {
	Vendor, Tenant, ID string
}

// Closure is why a session stopped taking part in the call.
type Closure string

const (
	Open     Closure = ""
	Ended    Closure = "ended"   // the call ended: a final record or a call_ended event
	TimedOut Closure = "timeout" // nothing arrived for the idle timeout
	Evicted  Closure = "evicted" // the oldest session, closed to make room
)

// Event is one step of a session, placed in the call's order.
type Event struct {
	Type  call.EventType `json:",omitzero"`
	Name  string         `json:",omitzero"`
	Time  time.Time      `json:",omitzero"`
	Timed bool           `json:",omitzero"` // Time is the vendor's; otherwise it is the arrival
	Agent call.Agent
	// Details are the vendor's event fields.
	Details map[string]any `json:",omitzero"`
	// Key tells a repeated push of the same event from a new one.
	Key string
	// Segment is the vendor's call the event belongs to (Udesk conversation_id, UinCall
	// session_id): a transfer that came as a call of its own has events of two segments.
	Segment string `json:",omitempty"`
}

// Session is what is known about one call.
type Session struct {
	Key    Key
	Opened time.Time // arrival of the first push
	Seen   time.Time // arrival of the latest push
	// Call is every push's view of the call merged: later non-empty values win.
	Call   call.Call
	Events []Event
	// Record is the vendor's final record, when it sends one; for a call that arrived as several
	// segments, their records joined (see joinRecords).
	Record *call.Call
	// Segments are the vendor's calls that make up this one, in the order they joined: one,
	// unless a transfer arrived as a call of its own (Udesk conversations).
	Segments []Segment `json:"segments,omitempty"`
	// Group is what the segments share (Udesk call_id); "" for vendors without segments.
	Group   string `json:"group,omitempty"`
	Closure Closure
	Closed  time.Time // when the session was closed
	// reported holds what was already sent downstream (span keys, the completed call).
	reported map[string]bool
	// settled counts the leading events of an agent's timeline whose state spans were sent: an
	// agent's day grows by an event at a time, and only the spans after these can be new.
	settled int
	// ordered and endless count leading events known to be in order (inOrder) and known to hold
	// no end of the call, so that a push to an agent's day of thousands of events looks at its
	// own event, not at the day (BenchmarkAgentDay). 0 knows nothing, and is always right.
	ordered, endless int
	// journaled counts the leading events the state's journal holds for the session, and
	// claimedSince the items reported since its last change (Journal): a change of an agent's
	// day writes what the push added, not the day. 0 writes the whole session, and is always
	// right.
	journaled    int
	claimedSince []string
}

// StateSpanKey is the key of the span of an agent's state that an event of the agent's timeline
// starts.
func StateSpanKey(eventKey string) string { return "state/" + eventKey }

// Settled is how many leading events of an agent's timeline have had their state spans sent.
func (s *Session) Settled() int { return s.settled }

// settle counts the leading events of an agent's timeline whose state spans were reported.
func (s *Session) settle() {
	for s.settled < len(s.Events) && s.reported[StateSpanKey(s.Events[s.settled].Key)] {
		s.settled++
	}
}

// Segment is one of the vendor's calls in a session, with its final record once it came.
type Segment struct {
	ID     string
	Record *call.Call `json:",omitempty"`
}

// Completed returns the call as complete as it is known: the vendor's record when there is one,
// otherwise what the events say, and whether the call ended. A call of several segments ends
// with the last segment's record.
func (s *Session) Completed() (call.Call, bool) {
	if s.Record != nil {
		return *s.Record, s.ended()
	}
	c := assemble(s)
	return c, s.Closure == Ended
}

// Tracker holds the sessions.
type Tracker struct {
	mu          sync.Mutex
	max         int
	idleTimeout time.Duration
	sessions    map[Key]*list.Element // of *Session, open ones oldest first
	order       *list.List
	// closed are the tombstones of closed sessions, for late and repeated pushes: their slots in
	// closedOrder, which holds a *Session, or a *frozen past the newest (frozen.go).
	closed      map[Key]int32
	closedOrder tombs
	lastSweep   time.Time
	// warm are the closed sessions last decoded, brief those just closed that hold nothing back
	// (keepClosed): rings whose oldest is frozen when a newer one comes. An entry whose session
	// was since frozen, reopened or forgotten is passed over.
	warm, brief ring
	scratch     []byte // freeze's buffer
	// joined maps the key a segment would have on its own to the session it joined; groups the
	// group of segments (vendor, tenant, group) to the latest session that had it.
	joined map[Key]Key
	groups map[Key]Key
	// grace is Config.LateGrace. cut are the closed sessions dropped for room before their grace
	// ran out, in the order they were (cutOrder holds their keys): still kept, closed points at
	// them, until the core settled them with their grace cut short (TakeCutShort, EndCutShort).
	// wake tells it there are some.
	grace    time.Duration
	cut      map[Key]*list.Element // of cutOrder
	cutOrder *list.List
	wake     chan struct{}
}

// Config bounds the tracker.
type Config struct {
	MaxSessions int
	IdleTimeout time.Duration
	// LateGrace is how long after its end a call waits for late pushes before it is settled
	// (the sweep's grace). A call that holds something back for it (events) and is dropped for
	// room before it is over is handed out to be settled at once instead (TakeCutShort). 0 holds
	// nothing back.
	LateGrace time.Duration
	// WarmClosed is how many of the closed sessions last closed or used stay decoded; the others
	// are frozen (frozen.go), and so are those closed that hold nothing back once briefClosed
	// newer ones did (fewer if WarmClosed is; all stay decoded if WarmClosed is at least
	// MaxSessions). 0 is DefaultWarmClosed.
	WarmClosed int
}

// DefaultWarmClosed keeps the closed sessions of the last second or so of a busy receiver
// decoded: their claims and late pushes come right after their end.
const DefaultWarmClosed = 4096

// briefClosed is how many of the sessions just closed that hold nothing back stay decoded: more
// than the pushes processed at once, whose claims come right after the close.
const briefClosed = 256

// NewTracker returns an empty tracker.
func NewTracker(cfg Config) *Tracker {
	warm := cmp.Or(cfg.WarmClosed, DefaultWarmClosed)
	brief := min(briefClosed, warm)
	if cfg.MaxSessions > 0 && warm >= cfg.MaxSessions {
		brief = warm // room for every session kept: all stay decoded
	}
	return &Tracker{
		max:         cfg.MaxSessions,
		idleTimeout: cfg.IdleTimeout,
		sessions:    map[Key]*list.Element{},
		order:       list.New(),
		closed:      map[Key]int32{},
		joined:      map[Key]Key{},
		groups:      map[Key]Key{},
		warm:        ring{size: warm},
		brief:       ring{size: brief},
		grace:       cfg.LateGrace,
		cut:         map[Key]*list.Element{},
		cutOrder:    list.New(),
		wake:        make(chan struct{}, 1),
	}
}

// agentPrefix starts the IDs of agent timelines: an agent's events of one day, followed like a
// call so that they become the agent's own trace.
const agentPrefix = "agent/"

// KeyOf returns the session key of a push: its call, or for an agent event the agent's day. It
// returns false for pushes that belong to neither (UinCall's dial request before it has a
// session, recordings).
func KeyOf(p *call.Push) (Key, bool) {
	switch {
	case p.Kind == call.KindAgentEvent:
		agent := p.Call.Agent.Key()
		if agent == "" {
			return Key{}, false
		}
		return Key{Vendor: p.Vendor, Tenant: p.Tenant, ID: agentPrefix + agent + "/" + p.When().UTC().Format(time.DateOnly)}, true
	case p.Call.SessionID == "" || (p.Kind != call.KindCallEvent && p.Kind != call.KindCallRecord):
		return Key{}, false
	default:
		return Key{Vendor: p.Vendor, Tenant: p.Tenant, ID: p.Call.SessionID}, true
	}
}

// IsAgent reports whether the key is an agent's timeline rather than a call.
func (k Key) IsAgent() bool { return strings.HasPrefix(k.ID, agentPrefix) }

// Change is the result of applying a push.
type Change struct {
	// Session is a copy of the push's session after it was applied. Its events are shared with
	// the tracker, which never changes them in place: read only.
	Session *Session
	// Closed are sessions the push made room for by evicting them.
	Closed []*Session
	// Retry is a push that came after its call ended and repeats an event every pipeline already
	// accepted, of a vendor that documents every push after the end as a retry (Udesk). (A retry
	// of a push that failed is not one: it is processed.)
	Retry bool
	// EventKey is the key of the push's event in the session; "" for pushes without one.
	EventKey string
}

// Apply adds a push to its session, opening it on the first push. It returns nil for pushes
// that belong to no session.
func (t *Tracker) Apply(p *call.Push) *Change {
	key, ok := KeyOf(p)
	if !ok {
		return nil
	}
	// Allocated before taking the lock, which every push waits for.
	ch := &Change{Session: new(Session)}
	var rec *call.Call
	if p.Kind == call.KindCallRecord {
		rec = new(call.Call)
		*rec = p.Call
	}
	t.mu.Lock()
	defer t.mu.Unlock()

	key = t.sessionOf(key, p)
	s := t.lookup(key)
	if s == nil {
		s = &Session{Key: key, Opened: p.Arrival, reported: map[string]bool{}}
		for t.max > 0 && t.order.Len() >= t.max {
			oldest := t.order.Front().Value.(*Session)
			t.close(oldest, Evicted, p.Arrival)
			ch.Closed = append(ch.Closed, oldest.clone())
		}
		t.sessions[key] = t.order.PushBack(s)
	} else if e, open := t.sessions[key]; open {
		t.order.MoveToBack(e)
	}
	ch.Retry = p.EndIsFinal && p.Event != nil && s.segmentEnded(p.Call.SessionID) && s.reported[AcceptedEvent(p)]
	ch.EventKey = s.apply(p, rec)
	t.index(s, p)
	switch {
	case s.Closure == Open && s.ended():
		t.close(s, Ended, p.Arrival)
	case s.Closure == Ended && !s.ended():
		t.reopen(s) // a transfer's segment joined after the earlier segment's end
	case s.Closure != Open:
		t.closedOrder.touch(t.closed[s.Key]) // a late push: its Seen, for the sweep
	}
	s.copyTo(ch.Session)
	return ch
}

// joinWindow is how long after the end of a call a segment may start and still be taken as its
// transfer.
const joinWindow = time.Minute

// sessionOf returns the session a push goes to: the one its segment joined, else the earlier
// call it continues, else its own. A segment continues an earlier call when the evidence says it
// is its transfer (Udesk documents call_id as 同一客户一系列通话唯一id, a customer's series of
// calls, so sharing it is not enough): the same group, transferred from an agent of that call
// (from_agent_id, 高级通话时上一个客服的id), while that call is going on or no later than
// joinWindow after its end.
func (t *Tracker) sessionOf(own Key, p *call.Push) Key {
	if k, ok := t.joined[own]; ok {
		return k
	}
	seg := p.Segment
	if seg == nil || seg.Group == "" || seg.TransferFrom == "" || t.lookup(own) != nil {
		return own
	}
	k, ok := t.groups[Key{Vendor: own.Vendor, Tenant: own.Tenant, ID: seg.Group}]
	if !ok {
		return own
	}
	earlier := t.lookup(k)
	if earlier == nil || !earlier.hadAgent(seg.TransferFrom) {
		return own
	}
	start := call.FirstTime(p.Call.Start, p.Call.Ring, p.Call.Answer, p.When())
	if earlier.Closure != Open && start.After(earlier.latest().Add(joinWindow)) {
		return own
	}
	t.joined[own] = k
	return k
}

// index remembers the session's group, for the segments that may continue it.
func (t *Tracker) index(s *Session, p *call.Push) {
	if p.Segment == nil || p.Segment.Group == "" {
		return
	}
	if s.Group == "" {
		s.Group = p.Segment.Group
	}
	t.groups[Key{Vendor: s.Key.Vendor, Tenant: s.Key.Tenant, ID: s.Group}] = s.Key
}

// reopen moves a closed session back to the open ones.
func (t *Tracker) reopen(s *Session) {
	if i, ok := t.closed[s.Key]; ok {
		t.closedOrder.remove(i)
		delete(t.closed, s.Key)
	}
	t.uncut(s.Key)
	s.Closure, s.Closed = Open, time.Time{}
	t.sessions[s.Key] = t.order.PushBack(s)
}

// forget drops the tombstone of a closed session (a *Session or *frozen) in slot i, and what
// points at it.
func (t *Tracker) forget(i int32) {
	tombstone := t.closedOrder.slots[i].session
	t.closedOrder.remove(i)
	var (
		key      Key
		group    string
		segments []string
	)
	switch s := tombstone.(type) {
	case *frozen:
		key, group, segments = s.ids()
	case *Session:
		key, group = s.Key, s.Group
		for _, seg := range s.Segments {
			segments = append(segments, seg.ID)
		}
	}
	delete(t.closed, key)
	for _, id := range segments {
		delete(t.joined, Key{Vendor: key.Vendor, Tenant: key.Tenant, ID: id})
	}
	g := Key{Vendor: key.Vendor, Tenant: key.Tenant, ID: group}
	if t.groups[g] == key {
		delete(t.groups, g)
	}
}

// Claim marks items (span keys, "call") of a session as reported and returns those that were
// not reported before: items itself when none was. Release undoes it for items whose sending
// failed.
func (t *Tracker) Claim(key Key, items []string) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	// An agent's day settles on claims (settle), so it is always looked at.
	if f := t.frozenOf(key); f != nil && !key.IsAgent() {
		if fresh, claimed, ok := f.claim(items); ok {
			t.closedOrder.slots[t.closed[key]].session = claimed
			return fresh
		}
	}
	s := t.lookup(key)
	if s == nil {
		return items // forgotten: report again rather than lose it
	}
	if len(items) == 0 {
		return nil
	}
	fresh := items // while every item is fresh; a copy from the first that is not
	for i, it := range items {
		if s.reported[it] {
			if len(fresh) == len(items) {
				fresh = append([]string(nil), items[:i]...)
			}
			continue
		}
		s.reported[it] = true
		if s.journaled > 0 {
			s.claimedSince = append(s.claimedSince, it)
		}
		if len(fresh) < len(items) {
			fresh = append(fresh, it)
		}
	}
	if s.Key.IsAgent() {
		s.settle()
	}
	return fresh
}

// Release forgets that items were reported.
func (t *Tracker) Release(key Key, items []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s := t.lookup(key); s != nil {
		for _, it := range items {
			delete(s.reported, it)
		}
		s.settled = 0 // counted again on the next claim
		s.unjournal() // the journal cannot take items back: the next change is whole
	}
}

// Sweep closes sessions idle for longer than the timeout and forgets closed ones older than it.
// It returns the sessions it closed, and the closed sessions whose grace after closing ran out
// since the previous sweep (their last late pushes are in).
func (t *Tracker) Sweep(now time.Time, grace time.Duration) (timedOut, ripe []*Session) {
	// A sweep at LateGrace/2 finds that many seconds of calls ripe at once, most of them frozen:
	// thawed under the lock, they held every push up for a fifth of a second (BenchmarkSweepRipe).
	var ripeCopies copies
	defer func() { ripe = ripeCopies.done() }()
	t.mu.Lock()
	defer t.mu.Unlock()
	for e := t.order.Front(); e != nil; {
		s := e.Value.(*Session)
		e = e.Next()
		if now.Sub(s.Seen) < t.idleTimeout {
			break // oldest first: the rest are newer
		}
		t.close(s, TimedOut, now)
		timedOut = append(timedOut, s.clone())
	}
	for i, next := t.closedOrder.front(), int32(0); i != 0; i = next {
		next = t.closedOrder.next(i)
		seen, closed := t.closedOrder.times(i)
		settling := t.settling(closed, grace)
		if settling && !closed.Add(grace).After(now) {
			ripeCopies.add(t.closedOrder.slots[i].session)
		}
		// Forgotten only after a sweep that already returned it ripe, so its claims still hold.
		if now.Sub(seen) >= t.idleTimeout && !settling {
			t.forget(i)
		}
	}
	t.lastSweep = now
	return timedOut, ripe
}

// copies are copies of closed sessions made under the tracker's lock but for the frozen ones,
// which are thawed after it (done): frozen bytes never change, and thawing is most of a copy's
// cost, which every push would wait for.
type copies struct {
	out  []*Session
	thaw []thawLater
}

// thawLater is a frozen session, to be thawed into its place in out.
type thawLater struct {
	at int
	f  *frozen
}

func (c *copies) add(tombstone any) {
	if f, ok := tombstone.(*frozen); ok {
		c.thaw = append(c.thaw, thawLater{at: len(c.out), f: f})
		c.out = append(c.out, nil)
		return
	}
	c.out = append(c.out, copyOf(tombstone))
}

// done thaws the frozen ones, without the lock, and returns the copies in the order added.
func (c *copies) done() []*Session {
	for _, l := range c.thaw {
		c.out[l.at] = copyOf(l.f)
	}
	return c.out
}

// CloseOpen closes every open session as timed out and returns them: a shutdown with nowhere to
// keep them cuts them short, so that what their pushes' log records name is sent.
func (t *Tracker) CloseOpen(now time.Time) []*Session {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []*Session
	for e := t.order.Front(); e != nil; {
		s := e.Value.(*Session)
		e = e.Next()
		t.close(s, TimedOut, now)
		out = append(out, s.clone())
	}
	return out
}

// Settling returns the closed sessions whose grace for late pushes has not run out by the last
// sweep: what a shutdown sends at once, as no later sweep will.
func (t *Tracker) Settling(grace time.Duration) []*Session {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []*Session
	for i := t.closedOrder.front(); i != 0; i = t.closedOrder.next(i) {
		if _, closed := t.closedOrder.times(i); t.settling(closed, grace) {
			out = append(out, copyOf(t.closedOrder.slots[i].session))
		}
	}
	t.eachCut(func(tombstone any, _ *list.Element) { out = append(out, copyOf(tombstone)) }) // not settled yet
	return out
}

// settling reports whether the grace of a session closed at this time had not run out by the
// last sweep: no sweep has returned it ripe yet.
func (t *Tracker) settling(closed time.Time, grace time.Duration) bool {
	return closed.Add(grace).After(t.lastSweep)
}

// timesOf returns when a closed session last saw a push and when it closed.
func timesOf(tombstone any) (seen, closed time.Time) {
	if f, ok := tombstone.(*frozen); ok {
		return fromUnixNano(f.seen), fromUnixNano(f.closed)
	}
	s := tombstone.(*Session)
	return s.Seen, s.Closed
}

// copyOf returns a copy of a closed session, decoding it if it is frozen.
func copyOf(tombstone any) *Session {
	if f, ok := tombstone.(*frozen); ok {
		s := f.thaw()
		s.reported = nil // as clone leaves it
		return s
	}
	return tombstone.(*Session).clone()
}

// OpenCounts returns the number of open calls per vendor and tenant (keys without an ID).
func (t *Tracker) OpenCounts() map[Key]int {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := map[Key]int{}
	for e := t.order.Front(); e != nil; e = e.Next() {
		if k := e.Value.(*Session).Key; !k.IsAgent() {
			out[Key{Vendor: k.Vendor, Tenant: k.Tenant}]++
		}
	}
	return out
}

// Len returns the number of open sessions.
func (t *Tracker) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.order.Len()
}

// frozenOf returns the session of key if it is closed and frozen.
func (t *Tracker) frozenOf(key Key) *frozen {
	if _, open := t.sessions[key]; open {
		return nil
	}
	if i, ok := t.closed[key]; ok {
		f, _ := t.closedOrder.slots[i].session.(*frozen)
		return f
	}
	return nil
}

func (t *Tracker) lookup(key Key) *Session {
	if e, ok := t.sessions[key]; ok {
		return e.Value.(*Session)
	}
	if i, ok := t.closed[key]; ok {
		tomb := &t.closedOrder.slots[i]
		if f, isFrozen := tomb.session.(*frozen); isFrozen {
			tomb.session = f.thaw()
			t.keepWarm(tomb.session.(*Session)) // adds no slot: tomb stays where it is
		}
		return tomb.session.(*Session)
	}
	return nil
}

// keepClosed keeps a session just closed decoded for a while. One that holds something back
// for its late pushes, which mostly come soon after its end, stays among the warm ones. One that
// holds nothing back (a call with its final record, an agent's day) is touched again only by
// the claims of the push that closed it: it is frozen after a few newer ones (brief), since
// every session kept decoded is marked by each GC cycle until it is frozen.
func (t *Tracker) keepClosed(s *Session) {
	if _, held := t.holdsBack(s); held {
		t.keepWarm(s)
		return
	}
	t.keep(&t.brief, s)
}

// keepWarm keeps a closed session decoded until WarmClosed newer ones came, and freezes the
// oldest warm one it takes the place of. The session a locked call works on is never that one
// before the call is done changing it: close, which may freeze it, comes last.
func (t *Tracker) keepWarm(s *Session) { t.keep(&t.warm, s) }

// ring is closed sessions kept decoded, oldest first from next.
type ring struct {
	sessions   []*Session
	next, size int
}

// keep puts s in the ring, and freezes the oldest it takes the place of.
func (t *Tracker) keep(r *ring, s *Session) {
	if len(r.sessions) < r.size {
		r.sessions = append(r.sessions, s)
		return
	}
	oldest := r.sessions[r.next]
	r.sessions[r.next] = s
	r.next = (r.next + 1) % len(r.sessions)
	i, ok := t.closed[oldest.Key]
	if !ok || t.closedOrder.slots[i].session != oldest {
		return // since frozen, reopened or forgotten
	}
	f, scratch, err := freeze(oldest, t.scratch)
	t.scratch = scratch
	if err == nil {
		t.closedOrder.slots[i].session = f
	}
}

// close moves an open session to the tombstones.
func (t *Tracker) close(s *Session, why Closure, at time.Time) {
	if e, ok := t.sessions[s.Key]; ok {
		t.order.Remove(e)
		delete(t.sessions, s.Key)
	}
	s.Closure, s.Closed = why, at
	t.closed[s.Key] = t.closedOrder.pushBack(s)
	t.keepClosed(s)
	// Tombstones are bounded like open sessions. One that still holds something back for late
	// pushes is not dropped unsettled: it waits, out of the bound, for the core to settle it.
	for t.max > 0 && t.closedOrder.n > t.max {
		i := t.closedOrder.front()
		if key, ok := t.holdsBack(t.closedOrder.slots[i].session); ok {
			t.closedOrder.unlink(i)
			t.cut[key] = t.cutOrder.PushBack(key)
			select {
			case t.wake <- struct{}{}:
			default:
			}
			continue
		}
		t.forget(i)
	}
}

// holdsBack returns the key of a closed session that still holds something back for its late
// pushes: the events of a call (its root and duration-only phases, its count when it has no
// record), within its grace, which no sweep handed out yet. (An agent's day holds nothing back.)
func (t *Tracker) holdsBack(tombstone any) (Key, bool) {
	// Most tombstones dropped for room are past their grace: told from two numbers, without
	// decoding a frozen one's key, which forget decodes again.
	if _, closed := timesOf(tombstone); t.grace <= 0 || !t.settling(closed, t.grace) {
		return Key{}, false
	}
	switch s := tombstone.(type) {
	case *frozen:
		if !s.events {
			return Key{}, false
		}
		key, _, _ := s.ids()
		return key, !key.IsAgent()
	case *Session:
		return s.Key, len(s.Events) > 0 && !s.Key.IsAgent()
	}
	return Key{}, false
}

// CutShort tells when closed sessions were dropped for room before their grace ran out: the
// core settles them then (TakeCutShort), rather than at the next sweep.
func (t *Tracker) CutShort() <-chan struct{} { return t.wake }

// Cut are the sessions cut short that TakeCutShort handed out.
type Cut struct {
	// Sessions are copies of them, oldest first.
	Sessions []*Session
	// from is where each was among those cut short: a session reopened and cut short again
	// since is another place, whose newer state EndCutShort must not forget.
	from []*list.Element
}

// TakeCutShort returns copies of the closed sessions dropped for room before their grace ran
// out, oldest first, and those handed out before whose settling EndCutShort did not confirm.
// They stay kept, for their claims, until it does.
func (t *Tracker) TakeCutShort() Cut {
	var (
		cut  copies
		from []*list.Element
	)
	t.mu.Lock()
	t.eachCut(func(tombstone any, place *list.Element) {
		cut.add(tombstone)
		from = append(from, place)
	})
	t.mu.Unlock()
	return Cut{Sessions: cut.done(), from: from}
}

// eachCut calls f with the tombstone of each session cut short, oldest first, and its place
// among them.
func (t *Tracker) eachCut(f func(tombstone any, place *list.Element)) {
	for ce := t.cutOrder.Front(); ce != nil; ce = ce.Next() {
		f(t.closedOrder.slots[t.closed[ce.Value.(Key)]].session, ce)
	}
}

// EndCutShort forgets the sessions TakeCutShort handed out, which the core settled: those still
// where they were among the sessions cut short.
func (t *Tracker) EndCutShort(settled Cut) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, s := range settled.Sessions {
		if t.cut[s.Key] == settled.from[i] {
			t.uncut(s.Key)
			t.forget(t.closed[s.Key])
		}
	}
}

// uncut takes key out of the sessions cut short (reopened, or settled).
func (t *Tracker) uncut(key Key) {
	if ce, ok := t.cut[key]; ok {
		t.cutOrder.Remove(ce)
		delete(t.cut, key)
	}
}

// apply adds what a push says to the session and returns the key of its event. rec is a copy of
// the push's call when the push is a call record.
func (s *Session) apply(p *call.Push, rec *call.Call) string {
	if p.Arrival.After(s.Seen) {
		s.Seen = p.Arrival
	}
	merge(&s.Call, &p.Call)
	seg := s.segment(p.Call.SessionID)
	if rec != nil {
		if seg != nil {
			seg.Record = rec
		}
		s.Record = joinRecords(s.Segments, rec)
	}
	if p.Event == nil {
		return ""
	}
	ev := Event{
		Type: p.Event.Type, Name: p.Event.Name, Time: p.When(), Timed: !p.Time.IsZero(),
		Agent: p.Call.Agent, Details: p.Event.Attributes, Key: s.eventKey(p), Segment: p.Call.SessionID,
	}
	// A push numbered by its place (eventKey) is new: no key has that number yet. Only pushes
	// the vendor identifies can repeat one. (A name with "@" could meet an identified key.)
	numbered := p.DedupKey == "" && !strings.Contains(p.Event.Name, "@")
	if !numbered && slices.ContainsFunc(s.Events, func(e Event) bool { return e.Key == ev.Key }) {
		return ev.Key // a repeated push: the event is known
	}
	if appended := s.addEvent(ev); !appended && s.Key.IsAgent() {
		// An event sorted in among the sent ones ends the span before it anew. (One appended
		// comes after every settled one.)
		if i := slices.IndexFunc(s.Events, func(e Event) bool { return e.Key == ev.Key }); i < s.settled {
			s.settled = i
		}
	}
	return ev.Key
}

// addEvent puts an event in the call's order. The events already there are shared with the
// copies of the session handed out (Change.Session), which see only those before their length:
// so they are never moved in place. An event that takes its place at the end, as events mostly
// come, is appended; otherwise the events are sorted into a new slice. It reports whether the
// event was appended, last.
func (s *Session) addEvent(ev Event) (appended bool) {
	endless := s.endless == len(s.Events) && ev.Type != call.EventCallEnded
	evs := append(s.Events, ev)
	appended = inOrder(evs, s.ordered)
	s.ordered = len(evs)
	if !appended {
		evs = slices.Clone(evs)
		sortEvents(evs)
		s.ordered = 0
		s.unjournal() // the events the journal holds moved
	}
	s.Events = evs
	s.endless = 0
	if endless {
		s.endless = len(evs)
	}
	return appended
}

// inOrder reports whether sortEvents would leave the events as they are: they are in order, and
// all timed or all not. (Timed and untimed events compare by different rules, so that a mix of
// them has no order a stable sort is bound to keep.) The first known events are known to be.
func inOrder(evs []Event, known int) bool {
	for i := max(known, 1); i < len(evs); i++ {
		if evs[i].Timed != evs[0].Timed || compareEvents(evs[i], evs[i-1]) < 0 {
			return false
		}
	}
	return true
}

// AcceptedEvent is the claim that the push's event, by its name in its segment, was accepted by
// every pipeline.
func AcceptedEvent(p *call.Push) string { return "accepted:" + p.Call.SessionID + "/" + p.Event.Name }

// eventKey identifies the event a push reports, the same across the vendor's retries. A push
// without a dedup key is an event of its own every time (UinCall documents no retries): it is
// numbered by its place among the session's events, which only grow.
func (s *Session) eventKey(p *call.Push) string {
	if p.DedupKey == "" {
		return p.Event.Name + "#" + strconv.Itoa(len(s.Events))
	}
	return p.Event.Name + "@" + p.DedupKey
}

// ended reports whether the session has what closes a call: every segment's final record, or
// for a vendor that sends none an event that ends the call.
func (s *Session) ended() bool {
	if s.Record != nil {
		return !slices.ContainsFunc(s.Segments, func(g Segment) bool { return g.Record == nil })
	}
	return slices.ContainsFunc(s.Events[min(s.endless, len(s.Events)):], func(e Event) bool { return e.Type == call.EventCallEnded })
}

// segment returns the session's segment of this id, adding it on its first push; nil for pushes
// of no call (agent events).
func (s *Session) segment(id string) *Segment {
	if id == "" {
		return nil
	}
	for i := range s.Segments {
		if s.Segments[i].ID == id {
			return &s.Segments[i]
		}
	}
	s.Segments = append(s.Segments, Segment{ID: id})
	return &s.Segments[len(s.Segments)-1]
}

// segmentEnded reports whether the segment of this id has its final record, or for a vendor that
// sends none, whether the call ended.
func (s *Session) segmentEnded(id string) bool {
	if s.Record == nil {
		return s.Closure == Ended
	}
	i := slices.IndexFunc(s.Segments, func(g Segment) bool { return g.ID == id })
	return i >= 0 && s.Segments[i].Record != nil
}

// hadAgent reports whether an agent of this id took part in the call.
func (s *Session) hadAgent(id string) bool {
	return s.Call.Agent.ID == id || slices.ContainsFunc(s.Events, func(e Event) bool { return e.Agent.ID == id })
}

// latest is the latest moment known of the call: its last event, or its record's end.
func (s *Session) latest() time.Time {
	var out time.Time
	for _, e := range s.Events {
		if e.Time.After(out) {
			out = e.Time
		}
	}
	if s.Record != nil && s.Record.End.After(out) {
		out = s.Record.End
	}
	return out
}

func (s *Session) clone() *Session {
	c := new(Session)
	s.copyTo(c)
	return c
}

// copyTo makes c a copy of the session. The copy shares the events, which are never changed in
// place (addEvent), clipped so that no append to it writes into the session's.
func (s *Session) copyTo(c *Session) {
	*c = *s
	c.Events = slices.Clip(s.Events)
	c.Segments = slices.Clone(s.Segments)
	c.reported = nil
	c.unjournal() // a copy is not what the journal holds
}

// rank orders events that carry no time of their own (UinCall's), by where they fall in a call.
var rank = map[call.EventType]int{
	call.EventCallStarted:      0,
	call.EventQueued:           1,
	call.EventAgentRinging:     2,
	call.EventCustomerRinging:  3,
	call.EventAgentMissed:      3,
	call.EventAgentAnswered:    4,
	call.EventCustomerAnswered: 4,
	call.EventTalking:          5,
	call.EventHangup:           8,
	call.EventCallEnded:        9,
}

func rankOf(t call.EventType) int {
	if r, ok := rank[t]; ok {
		return r
	}
	return 6 // transfers, consults and the like happen while talking
}

// sortEvents puts events in call order: by the vendor's time when events carry one, else by
// their rank in a call and then arrival (EventTimes clamps arrival times that would run
// backwards).
func sortEvents(evs []Event) { slices.SortStableFunc(evs, compareEvents) }

func compareEvents(a, b Event) int {
	if a.Timed && b.Timed {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return rankOf(a.Type) - rankOf(b.Type)
	}
	if c := rankOf(a.Type) - rankOf(b.Type); c != 0 {
		return c
	}
	return a.Time.Compare(b.Time)
}

// EventTimes returns the times of the events in the session's order: arrival times of untimed
// events are clamped to never precede an earlier event.
func (s *Session) EventTimes() []time.Time { return s.EventTimesFrom(0) }

// EventTimesFrom returns EventTimes()[from:].
func (s *Session) EventTimesFrom(from int) []time.Time {
	out := make([]time.Time, 0, len(s.Events)-from)
	latest := s.latestBefore(from)
	for _, e := range s.Events[from:] {
		t := e.Time
		if !e.Timed && latest.After(e.Time) {
			t = latest
		}
		out = append(out, t)
		if e.Time.After(latest) {
			latest = e.Time
		}
	}
	return out
}

// latestBefore returns the latest time of the events before from. Events known to be in order
// are in the order of their times when they are timed, or when untimed and all of one rank (an
// agent's day): then it is the last one's, and an agent's day of thousands of events is not
// looked at on every push.
func (s *Session) latestBefore(from int) time.Time {
	if from > 0 && from <= s.ordered && (s.Events[0].Timed || rankOf(s.Events[0].Type) == rankOf(s.Events[from-1].Type)) {
		return s.Events[from-1].Time // in order, ranks never fall: the first's being the last's, all are
	}
	var latest time.Time
	for _, e := range s.Events[:from] {
		if e.Time.After(latest) {
			latest = e.Time
		}
	}
	return latest
}

// Snapshot is a session as it is persisted: its state and what was reported of it.
type Snapshot struct {
	Session
	Reported []string `json:"reported,omitempty"`
	// From, when not 0, makes the snapshot a change to the one before it in the journal: Events
	// are the session's from this index on, the earlier ones being those it holds, and Reported
	// are added to its reported items.
	From int `json:"from,omitempty"`
	// RecordOf, when not 0, is the segment (from 1) whose record is the session's Record, left
	// out of it: a call of one segment, whose record would otherwise be written twice.
	RecordOf int `json:"record_of,omitempty"`
}

func (s *Session) snapshot() Snapshot { return s.change(0, slices.Collect(maps.Keys(s.reported))) }

// change is the session's snapshot from its event from on, with the reported items given.
func (s *Session) change(from int, reported []string) Snapshot {
	snap := Snapshot{Session: *s.clone(), Reported: reported, From: from}
	snap.Events = snap.Events[from:]
	slices.Sort(snap.Reported)
	// The record of a call of one segment is its segment's too: written once.
	if s.Record != nil {
		if i := slices.IndexFunc(snap.Segments, func(g Segment) bool { return g.Record == s.Record }); i >= 0 {
			snap.Segments[i].Record = nil // the clone's segments
			snap.RecordOf = i + 1
		}
	}
	return snap
}

// unjournal makes the session's next change whole.
func (s *Session) unjournal() {
	s.journaled = 0
	s.claimedSince = nil
}

// Journal returns the session's change for the state's journal, open or closed: the session
// whole, or, once the journal holds it, what changed since its previous change.
func (t *Tracker) Journal(key Key) (Snapshot, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.lookup(key)
	if s == nil {
		return Snapshot{}, false
	}
	var snap Snapshot
	if s.journaled == 0 {
		snap = s.snapshot()
	} else {
		snap = s.change(s.journaled, s.claimedSince)
	}
	s.journaled, s.claimedSince = len(s.Events), nil
	return snap, true
}

// Unjournal makes the next change of each session of changes whole: their write failed.
func (t *Tracker) Unjournal(changes []Snapshot) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, c := range changes {
		if s := t.lookup(c.Key); s != nil {
			s.unjournal()
		}
	}
}

// Export returns every session the tracker holds, open and closed, oldest first.
func (t *Tracker) Export() []Snapshot {
	var out []Snapshot
	for part := range t.Exporting().Parts(1 << 30) {
		out = append(out, part...)
	}
	return out
}

// Exported is every session a tracker held when Exporting took them, to be made into snapshots
// without the tracker's lock or its caller's: most of the sessions a busy receiver keeps are
// frozen, and thawing them all took a third of a second at 100000 (their bytes never change,
// so they are thawed later); the decoded ones are copied.
type Exported struct {
	sessions []any // Snapshot, or *frozen
}

// Exporting takes the state of every session the tracker holds, oldest first.
func (t *Tracker) Exporting() Exported {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]any, 0, t.cutOrder.Len()+t.closedOrder.n+t.order.Len())
	add := func(tombstone any) {
		if f, ok := tombstone.(*frozen); ok {
			out = append(out, f)
			return
		}
		out = append(out, tombstone.(*Session).snapshot())
	}
	t.eachCut(func(tombstone any, _ *list.Element) { add(tombstone) }) // closed before the others
	for i := t.closedOrder.front(); i != 0; i = t.closedOrder.next(i) {
		add(t.closedOrder.slots[i].session)
	}
	for e := t.order.Front(); e != nil; e = e.Next() {
		add(e.Value)
	}
	return Exported{sessions: out}
}

// Parts yields the snapshots n at a time, in order, each part thawed as it is yielded: a caller
// that encodes a part and lets it go never holds them all decoded.
func (e Exported) Parts(n int) iter.Seq[[]Snapshot] {
	return func(yield func([]Snapshot) bool) {
		for sessions := range slices.Chunk(e.sessions, n) {
			part := make([]Snapshot, len(sessions))
			for i, s := range sessions {
				if f, ok := s.(*frozen); ok {
					part[i] = f.thaw().snapshot()
				} else {
					part[i] = s.(Snapshot)
				}
			}
			if !yield(part) {
				return
			}
		}
	}
}

// Restore puts back sessions saved before a restart; a later snapshot of a key replaces an
// earlier one.
func (t *Tracker) Restore(snaps []Snapshot) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, snap := range snaps {
		s := snap.Session
		s.Events = slices.Clone(snap.Events)
		if i := snap.RecordOf - 1; i >= 0 && i < len(s.Segments) {
			s.Segments = slices.Clone(s.Segments)
			s.Segments[i].Record = s.Record
		}
		s.reported = make(map[string]bool, len(snap.Reported))
		if snap.From > 0 {
			// A change: the session's earlier events and reported items are those it holds.
			// Without them (the write of a change before failed) it goes on with what it has,
			// until a whole change of it comes.
			if base := t.lookup(s.Key); base != nil {
				s.Events = slices.Concat(base.Events[:min(snap.From, len(base.Events))], snap.Events)
				maps.Copy(s.reported, base.reported)
			}
		}
		for _, k := range snap.Reported {
			s.reported[k] = true
		}
		if e, ok := t.sessions[s.Key]; ok {
			t.order.Remove(e)
			delete(t.sessions, s.Key)
		}
		if i, ok := t.closed[s.Key]; ok {
			t.closedOrder.remove(i)
			delete(t.closed, s.Key)
		}
		t.uncut(s.Key)
		if s.Closure == Open {
			t.sessions[s.Key] = t.order.PushBack(&s)
		} else {
			t.closed[s.Key] = t.closedOrder.pushBack(&s)
			t.keepClosed(&s)
		}
		for _, seg := range s.Segments[min(1, len(s.Segments)):] {
			t.joined[Key{Vendor: s.Key.Vendor, Tenant: s.Key.Tenant, ID: seg.ID}] = s.Key
		}
		if s.Group != "" {
			t.groups[Key{Vendor: s.Key.Vendor, Tenant: s.Key.Tenant, ID: s.Group}] = s.Key
		}
	}
}
