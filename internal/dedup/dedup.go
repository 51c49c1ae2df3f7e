// Package dedup recognizes vendor retries: a push whose key was seen is not emitted again. What
// is remembered per key is which signals the pipeline already accepted, so that a retry of a
// push that only partly failed emits only what is missing, and a push being processed is not
// processed twice at once. Keys expire after their window and the number kept is bounded.
package dedup

import (
	"container/list"
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
type Cache struct {
	mu      sync.Mutex
	max     int
	entries map[string]*list.Element // of *entry, least recently used first
	lru     *list.List
}

type entry struct {
	Entry
	busy bool
}

// New returns a cache holding at most max keys.
func New(max int) *Cache {
	return &Cache{max: max, entries: map[string]*list.Element{}, lru: list.New()}
}

// Begin claims key for one request and returns what the pipeline already accepted of it. busy
// is true, and nothing is claimed, when another request is processing the same key.
func (c *Cache) Begin(key string, now time.Time) (done Signal, busy bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		e := el.Value.(*entry)
		if e.busy {
			return 0, true
		}
		if now.Before(e.Expires) {
			e.busy = true
			c.lru.MoveToBack(el)
			return e.Done, false
		}
		c.remove(el) // expired: a new push with an old key
	}
	c.entries[key] = c.lru.PushBack(&entry{Entry: Entry{Key: key}, busy: true})
	c.evict()
	return 0, false
}

// End releases key, adding what this request got accepted. A key nothing was accepted for is
// forgotten; others are kept for window from now.
func (c *Cache) End(key string, accepted Signal, now time.Time, window time.Duration) *Entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return nil
	}
	e := el.Value.(*entry)
	e.busy = false
	e.Done |= accepted
	if e.Done == 0 {
		c.remove(el)
		return nil
	}
	if accepted != 0 {
		e.Expires = now.Add(window)
	}
	out := e.Entry
	return &out
}

// Restore puts back entries remembered before a restart.
func (c *Cache) Restore(entries []Entry, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range entries {
		if !now.Before(e.Expires) || e.Done == 0 {
			continue
		}
		if el, ok := c.entries[e.Key]; ok {
			el.Value.(*entry).Done |= e.Done
			continue
		}
		c.entries[e.Key] = c.lru.PushBack(&entry{Entry: e})
	}
	c.evict()
}

// Export returns the keys remembered, for persistence; keys being processed are left out (their
// request saves them when it ends).
func (c *Cache) Export(now time.Time) []Entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Entry, 0, len(c.entries))
	for el := c.lru.Front(); el != nil; el = el.Next() {
		if e := el.Value.(*entry); !e.busy && now.Before(e.Expires) {
			out = append(out, e.Entry)
		}
	}
	return out
}

// Len returns the number of keys held.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// evict drops the least recently used keys beyond the bound, never one being processed.
func (c *Cache) evict() {
	for el := c.lru.Front(); el != nil && c.max > 0 && len(c.entries) > c.max; {
		next := el.Next()
		if !el.Value.(*entry).busy {
			c.remove(el)
		}
		el = next
	}
}

func (c *Cache) remove(el *list.Element) {
	delete(c.entries, el.Value.(*entry).Key)
	c.lru.Remove(el)
}
