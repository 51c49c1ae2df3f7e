// Package dedup recognizes vendor retries: a push whose key was seen is not emitted again. What
// is remembered per key is which signals the pipeline already accepted, so that a retry of a
// push that only partly failed emits only what is missing, and a push being processed is not
// processed twice at once. Keys expire after their window and the number kept is bounded.
package dedup

import (
	"math"
	"sync"
	"time"
)

// Signal is a set of pipelines a push was accepted by.
type Signal uint8

const (
	Logs Signal = 1 << iota
	Traces
	Metrics
)

// Has reports whether s includes every signal of o.
func (s Signal) Has(o Signal) bool { return s&o == o }

// Entry is what is remembered of one key.
type Entry struct {
	Key     string
	Done    Signal
	Expires time.Time
}

// Cache remembers keys.
//
// It holds up to max keys (500000 by default) for as long as the process runs, and the garbage
// collector scans all of them at every cycle: so the keys are kept in one slice of plain values
// linked by index, one key string each, rather than as list elements and entries that point at
// each other.
type Cache struct {
	mu    sync.Mutex
	max   int
	index map[string]int32 // the slot of each key
	// slots[0] heads a circular list of the keys, least recently used first. Free slots are
	// chained through next from free; 0 ends the chain.
	slots []slot
	free  int32
}

type slot struct {
	key        string
	expires    int64 // Unix nanoseconds; 0 until a request got the key accepted
	prev, next int32
	done       Signal
	busy       bool // a request is processing the key
}

// New returns a cache holding at most max keys.
func New(max int) *Cache {
	return &Cache{max: max, index: map[string]int32{}, slots: make([]slot, 1)}
}

// Begin claims key for one request and returns what the pipeline already accepted of it. busy
// is true, and nothing is claimed, when another request is processing the same key.
func (c *Cache) Begin(key string, now time.Time) (done Signal, busy bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i, ok := c.index[key]; ok {
		s := &c.slots[i]
		if s.busy {
			return 0, true
		}
		if now.UnixNano() < s.expires {
			s.busy = true
			c.unlink(i)
			c.pushBack(i)
			return s.done, false
		}
		c.remove(i) // expired: a new push with an old key
	}
	c.add(slot{key: key, busy: true})
	c.evict()
	return 0, false
}

// End releases key, adding what this request got accepted. A key nothing was accepted for is
// forgotten; others are kept for window from now, and returned to be saved.
func (c *Cache) End(key string, accepted Signal, now time.Time, window time.Duration) (Entry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i, ok := c.index[key]
	if !ok {
		return Entry{}, false
	}
	s := &c.slots[i]
	s.busy = false
	s.done |= accepted
	if s.done == 0 {
		c.remove(i)
		return Entry{}, false
	}
	if accepted != 0 {
		s.expires = now.Add(window).UnixNano()
	}
	return s.entry(), true
}

// Restore puts back entries remembered before a restart.
func (c *Cache) Restore(entries []Entry, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range entries {
		if !now.Before(e.Expires) || e.Done == 0 {
			continue
		}
		if i, ok := c.index[e.Key]; ok {
			c.slots[i].done |= e.Done
			continue
		}
		c.add(slot{key: e.Key, expires: e.Expires.UnixNano(), done: e.Done})
	}
	c.evict()
}

// Export returns the keys remembered, for persistence; keys being processed are left out (their
// request saves them when it ends).
func (c *Cache) Export(now time.Time) []Entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Entry, 0, len(c.index))
	ns := now.UnixNano()
	for i := c.slots[0].next; i != 0; i = c.slots[i].next {
		if s := &c.slots[i]; !s.busy && ns < s.expires {
			out = append(out, s.entry())
		}
	}
	return out
}

// Len returns the number of keys held.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.index)
}

func (s *slot) entry() Entry {
	return Entry{Key: s.key, Done: s.done, Expires: time.Unix(0, s.expires).UTC()}
}

// evict drops the least recently used keys beyond the bound, never one being processed.
func (c *Cache) evict() {
	for i := c.slots[0].next; i != 0 && c.max > 0 && len(c.index) > c.max; {
		next := c.slots[i].next
		if !c.slots[i].busy {
			c.remove(i)
		}
		i = next
	}
}

// add puts a new key at the back of the list, in a free slot if there is one.
func (c *Cache) add(s slot) {
	i := c.free
	if i != 0 {
		c.free = c.slots[i].next
		c.slots[i] = s
	} else {
		if len(c.slots) == math.MaxInt32 {
			panic("dedup: too many keys")
		}
		i = int32(len(c.slots))
		c.slots = append(c.slots, s)
	}
	c.index[s.key] = i
	c.pushBack(i)
}

func (c *Cache) remove(i int32) {
	delete(c.index, c.slots[i].key)
	c.unlink(i)
	c.slots[i] = slot{next: c.free}
	c.free = i
}

func (c *Cache) pushBack(i int32) {
	last := c.slots[0].prev
	c.slots[i].prev, c.slots[i].next = last, 0
	c.slots[last].next = i
	c.slots[0].prev = i
}

func (c *Cache) unlink(i int32) {
	s := &c.slots[i]
	c.slots[s.prev].next = s.next
	c.slots[s.next].prev = s.prev
}
