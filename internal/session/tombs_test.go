package session

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// The closed sessions are walked in the order they closed, whatever was taken out between, and
// a slot freed is used again.
func TestTombsKeepTheOrderOfClosing(t *testing.T) {
	var l tombs
	at := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	order := func() (ids []string) {
		for i := l.front(); i != 0; i = l.next(i) {
			ids = append(ids, l.slots[i].session.(*Session).Key.ID)
		}
		return ids
	}
	closed := func(id string, sec int) *Session {
		return &Session{Key: Key{ID: id}, Seen: at.Add(time.Duration(sec) * time.Second), Closed: at.Add(time.Duration(sec+1) * time.Second)}
	}
	assert.Zero(t, l.front(), "empty")
	slots := map[string]int32{}
	for i, id := range []string{"a", "b", "c", "d"} {
		slots[id] = l.pushBack(closed(id, i))
	}
	assert.Equal(t, []string{"a", "b", "c", "d"}, order())

	l.remove(slots["b"])
	l.unlink(slots["d"]) // cut short: out of the order, still held
	l.unlink(slots["d"]) // twice changes nothing
	assert.Equal(t, []string{"a", "c"}, order())
	assert.Equal(t, 2, l.n)
	assert.Equal(t, "d", l.slots[slots["d"]].session.(*Session).Key.ID)

	e := l.pushBack(closed("e", 10))
	assert.Equal(t, slots["b"], e, "b's slot is free again")
	assert.Equal(t, []string{"a", "c", "e"}, order())
	seen, closedAt := l.times(e)
	assert.True(t, at.Add(10*time.Second).Equal(seen), "seen %v", seen)
	assert.True(t, at.Add(11*time.Second).Equal(closedAt), "closed %v", closedAt)

	s := l.slots[slots["a"]].session.(*Session)
	s.Seen = at.Add(time.Hour) // a late push
	l.touch(slots["a"])
	seen, _ = l.times(slots["a"])
	assert.True(t, at.Add(time.Hour).Equal(seen), "seen %v", seen)

	l.remove(slots["a"])
	l.remove(slots["d"])
	l.remove(e)
	l.remove(slots["c"])
	assert.Empty(t, order())
	assert.Zero(t, l.n)
}
