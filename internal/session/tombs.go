package session

import "time"

// tombs are the closed sessions kept, in the order they closed, with the two times the sweep
// reads of each: a list linked by index in one slice. The sweep looks at every one of them
// (up to sessions.max_open) under the tracker's lock; in a container/list each was two pointers
// away, the element and then a frozen session's times, and a sweep of 100000 with nothing due
// held every push up for 20 ms of cache misses (BenchmarkSweepNothingDue).
type tombs struct {
	// slots[0] is the list's head: its next is the oldest, its prev the newest. Free slots are
	// chained through next from free; 0 ends the chain.
	slots []tomb
	free  int32
	n     int // linked
}

// tomb is a closed session, *Session or *frozen, and its Seen and Closed (unixNano), which a
// push that changes them writes here too (Tracker.Apply).
type tomb struct {
	session      any
	seen, closed int64
	prev, next   int32
	linked       bool
}

// pushBack adds a closed session as the newest and returns its slot.
func (l *tombs) pushBack(session any) int32 {
	if len(l.slots) == 0 {
		l.slots = append(l.slots, tomb{}) // the head
	}
	i := l.free
	if i != 0 {
		l.free = l.slots[i].next
	} else {
		i = int32(len(l.slots))
		l.slots = append(l.slots, tomb{})
	}
	l.slots[i] = tomb{session: session}
	l.touch(i)
	last := l.slots[0].prev
	l.slots[i].prev, l.slots[i].next, l.slots[i].linked = last, 0, true
	l.slots[last].next = i
	l.slots[0].prev = i
	l.n++
	return i
}

// touch reads slot i's times again from its session.
func (l *tombs) touch(i int32) {
	seen, closed := timesOf(l.slots[i].session)
	l.slots[i].seen, l.slots[i].closed = unixNano(seen), unixNano(closed)
}

// unlink takes slot i out of the order, and keeps it (a session cut short waits there to be
// settled); it does nothing to a slot not linked.
func (l *tombs) unlink(i int32) {
	s := &l.slots[i]
	if !s.linked {
		return
	}
	l.slots[s.prev].next = s.next
	l.slots[s.next].prev = s.prev
	s.prev, s.next, s.linked = 0, 0, false
	l.n--
}

// remove unlinks slot i and frees it.
func (l *tombs) remove(i int32) {
	l.unlink(i)
	l.slots[i] = tomb{next: l.free}
	l.free = i
}

// front is the oldest slot linked, 0 when there is none; next the one after i.
func (l *tombs) front() int32 {
	if len(l.slots) == 0 {
		return 0
	}
	return l.slots[0].next
}

func (l *tombs) next(i int32) int32 { return l.slots[i].next }

// times are slot i's Seen and Closed.
func (l *tombs) times(i int32) (seen, closed time.Time) {
	return fromUnixNano(l.slots[i].seen), fromUnixNano(l.slots[i].closed)
}
