package session

import "fmt"

// SameTime is sameTime for the package's external tests.
var SameTime = sameTime

// CheckClosed returns how the closed sessions a tracker keeps differ from what it keeps of them:
// every key of closed names a slot holding that key's session, with that session's Seen and
// Closed (the sweep reads those, not the session), linked in the order of closing unless the
// session is cut short; and no other slot is linked.
func (t *Tracker) CheckClosed() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	l := &t.closedOrder
	linked := 0
	for i, prev := l.front(), int32(0); i != 0; prev, i = i, l.next(i) {
		if !l.slots[i].linked || l.slots[i].prev != prev {
			return fmt.Errorf("slot %d: linked %v, prev %d, want %d", i, l.slots[i].linked, l.slots[i].prev, prev)
		}
		linked++
	}
	if linked != l.n || linked+len(t.cut) != len(t.closed) {
		return fmt.Errorf("%d linked, counted %d; %d cut short; %d closed", linked, l.n, len(t.cut), len(t.closed))
	}
	for key, i := range t.closed {
		slot := l.slots[i]
		var own Key
		switch s := slot.session.(type) {
		case *Session:
			own = s.Key
		case *frozen:
			own, _, _ = s.ids()
		default:
			return fmt.Errorf("%v: slot %d holds %T", key, i, slot.session)
		}
		seen, closed := timesOf(slot.session)
		_, cut := t.cut[key]
		switch {
		case own != key:
			return fmt.Errorf("%v: slot %d holds %v", key, i, own)
		case slot.seen != unixNano(seen) || slot.closed != unixNano(closed):
			return fmt.Errorf("%v: slot times %d, %d; the session's %v, %v", key, slot.seen, slot.closed, seen, closed)
		case slot.linked == cut:
			return fmt.Errorf("%v: linked %v, cut short %v", key, slot.linked, cut)
		}
	}
	return nil
}
