// Package state keeps what the receiver remembers (the pushes already accepted, the calls in
// progress, the metric observations and the cumulative totals) in a collector storage
// extension, so that a restart forgets nothing: every change is
// appended to a journal before the vendor gets its reply, and the journal is folded into a
// snapshot from time to time and at shutdown.
//
// A storage client only gets, sets and deletes keys, so the journal is numbered: "journal/<n>"
// from "first" to "next", and "snapshot" holds everything before "first", its remembered pushes
// and calls in parts: "snapshot/0", "snapshot/1"...
package state

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"go.opentelemetry.io/collector/extension/xextension/storage"

	"github.com/otelcallcenter/callcenterreceiver/internal/dedup"
	"github.com/otelcallcenter/callcenterreceiver/internal/metrics"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
	"github.com/otelcallcenter/callcenterreceiver/internal/session"
)

const (
	keySnapshot = "snapshot"
	keyFirst    = "journal.first"
	keyNext     = "journal.next"
	keyPrefix   = "journal/"
	partPrefix  = "snapshot/"
)

// A snapshot's parts hold this many calls, or remembered pushes: a busy receiver's whole state
// is hundreds of megabytes of JSON (355 MB for 100000 TCCC calls and 263000 pushes), which as one
// value was held twice over while its buffer grew, and whose copies stopped every goroutine for
// a tenth of a second at a time (the runtime cannot stop one in the middle of a copy).
var partSessions, partKeys = 1000, 20000

// Record is a change, or with everything in it, a snapshot.
type Record struct {
	Dedup    []dedup.Entry      `json:"dedup,omitempty"`
	Sessions []session.Snapshot `json:"sessions,omitempty"`
	// Metrics are the observations a push added to the metrics, saved with the dedup entry and
	// the session that say it was counted: one change, so that a crash loses neither the count
	// nor the mark, and never keeps one without the other.
	Metrics []metrics.Batch `json:"metrics,omitempty"`
	// Flushed marks that every flush up to this number was accepted: the observations of those
	// flushes are no longer replayed. Delta series only.
	Flushed uint64 `json:"flushed,omitempty"`
	// Cumulative are the cumulative series' start time and values, in a snapshot: a restart
	// continues them with every observation journaled after the snapshot.
	Cumulative *metrics.Totals `json:"cumulative,omitempty"`
	// Parts is how many keys hold the rest of a snapshot ("snapshot/<n>"), each a record of
	// remembered pushes or calls: their lists follow the snapshot's own, in order.
	Parts int `json:"parts,omitempty"`
}

// Empty reports whether the record holds nothing.
func (r *Record) Empty() bool {
	return len(r.Dedup) == 0 && len(r.Sessions) == 0 && len(r.Metrics) == 0 && r.Flushed == 0 && r.Cumulative == nil
}

// Resumable returns the cumulative totals saved last and every observation journaled after
// them, flushed or not: together they are the exact values of the series the previous runs
// exported. It returns nil totals for state saved without them (delta series, or a version
// before totals), which Unflushed replays instead.
func Resumable(saved []Record) (*metrics.Totals, []metrics.Batch) {
	var totals *metrics.Totals
	var after []metrics.Batch
	for _, rec := range saved {
		if rec.Cumulative != nil {
			totals, after = rec.Cumulative, nil
			continue
		}
		after = append(after, rec.Metrics...)
	}
	if totals == nil {
		return nil, nil
	}
	return totals, after
}

// Unflushed folds what was saved into the observations that no accepted flush sent, and the
// highest flush number used, after which a restart numbers its flushes.
func Unflushed(saved []Record) (batches []metrics.Batch, last uint64) {
	var flushed uint64
	for _, rec := range saved {
		flushed = max(flushed, rec.Flushed)
		for _, b := range rec.Metrics {
			last = max(last, b.Flush)
		}
	}
	for _, rec := range saved {
		for _, b := range rec.Metrics {
			if b.Flush > flushed {
				batches = append(batches, b)
			}
		}
	}
	return batches, max(last, flushed)
}

// Store is the journal and snapshot in one storage client.
type Store struct {
	mu     sync.Mutex
	client storage.Client
	first  uint64 // the oldest journal record not folded into the snapshot
	next   uint64 // the number of the next record
	parts  int    // the snapshot's
	// waiting are the changes enqueued while a write was under way, to be written together by
	// the next one; writing is whether one is under way (Enqueue).
	waiting []*change
	writing bool
	// The sizes that say when a compaction is due (Due): the snapshot's, every change's
	// enqueued, and of those, the ones the snapshot holds.
	snapshotBytes, enqueued, folded int
	// unrepaired, when not 0, is the mark a snapshot must stand at to hold what a failed write
	// left out of the journal.
	unrepaired uint64
}

// CompactAfter is how many journal records a compaction waits for, at least.
const CompactAfter = 1000

// Mark is where the journal is when the whole state is taken (Store.Mark).
type Mark struct {
	next     uint64 // the first record after it
	enqueued int    // the bytes enqueued before it
}

// change is a journal record waiting to be written.
type change struct {
	n    uint64
	body []byte
	done chan error    // the write's outcome
	lead chan struct{} // this change's waiter writes the next group
}

// Open reads what was saved: the snapshot, then the journal in order.
func Open(ctx context.Context, client storage.Client) (*Store, []Record, error) {
	s := &Store{client: client}
	var err error
	if s.first, err = s.counter(ctx, keyFirst); err != nil {
		return nil, nil, err
	}
	if s.next, err = s.counter(ctx, keyNext); err != nil {
		return nil, nil, err
	}
	var out []Record
	if rec, ok, err := s.readSnapshot(ctx); err != nil {
		return nil, nil, err
	} else if ok {
		out = append(out, rec)
		s.parts = rec.Parts
	}
	for n := s.first; n < s.next; n++ {
		rec, size, err := s.read(ctx, journalKey(n))
		if err != nil {
			return nil, nil, err
		}
		if size > 0 {
			out = append(out, rec)
			s.enqueued += size
		}
	}
	return s, out, nil
}

// Pending is the number of journal records not yet folded into the snapshot.
func (s *Store) Pending() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.next - s.first
}

// SnapshotBytes is the size of the snapshot, its parts included.
func (s *Store) SnapshotBytes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snapshotBytes
}

// Due reports whether the journal should be folded into a snapshot: it holds CompactAfter
// records and as many bytes as the snapshot, or a write failed since the last one. A compaction
// encodes and writes the whole state (161 MB for 99432 kept TCCC calls, BenchmarkCompaction):
// waiting for a journal as large makes that a fixed share of each change's cost, whatever the
// size of the state, and a restart reads at most about twice the snapshot.
func (s *Store) Due() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.unrepaired != 0 || (s.next-s.first >= CompactAfter && s.enqueued-s.folded >= s.snapshotBytes)
}

// Append saves a change: Enqueue, and wait.
func (s *Store) Append(ctx context.Context, rec Record) error {
	return s.Enqueue(ctx, rec)()
}

// Enqueue puts a change next in the journal and returns what waits for it to be written. The
// changes enqueued while a write is under way are written together by the next one, in one
// storage batch: with file_storage each batch is a bbolt transaction, about 60 µs of CPU a TCCC
// push, which each push paid alone and waited in line for. The first change waiting writes the
// group when its wait is called: wait must be called, once.
func (s *Store) Enqueue(ctx context.Context, rec Record) (wait func() error) {
	if rec.Empty() {
		return func() error { return nil }
	}
	body, err := json.Marshal(rec)
	if err != nil {
		return func() error { return err }
	}
	c := &change{body: body, done: make(chan error, 1), lead: make(chan struct{}, 1)}
	s.mu.Lock()
	c.n = s.next
	s.next++
	s.enqueued += len(body)
	s.waiting = append(s.waiting, c)
	if !s.writing {
		s.writing = true
		c.lead <- struct{}{}
	}
	s.mu.Unlock()
	ctx = context.WithoutCancel(ctx) // the group's write is not its first waiter's alone
	return func() error {
		select {
		case err := <-c.done:
			return err
		case <-c.lead:
			s.write(ctx)
			return <-c.done
		}
	}
}

// write writes every change waiting in one batch, in order, then hands the writing on to the
// first change enqueued meanwhile. A failed batch leaves its numbers unused: the journal is read
// from first to next, skipping what is missing.
func (s *Store) write(ctx context.Context) {
	s.mu.Lock()
	group := s.waiting
	s.waiting = nil
	s.mu.Unlock()
	ops := make([]*storage.Operation, 0, len(group)+1)
	for _, c := range group {
		ops = append(ops, storage.SetOperation(journalKey(c.n), c.body))
	}
	ops = append(ops, storage.SetOperation(keyNext, []byte(strconv.FormatUint(group[len(group)-1].n+1, 10))))
	err := s.client.Batch(ctx, ops...)
	if err != nil {
		err = fmt.Errorf("saving state: %w", err)
	}
	for _, c := range group {
		c.done <- err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.unrepaired = max(s.unrepaired, group[len(group)-1].n+1)
	}
	if len(s.waiting) > 0 {
		s.waiting[0].lead <- struct{}{}
	} else {
		s.writing = false
	}
}

// Mark returns where the journal is: the whole state taken now is what the records before the
// mark make, and Compact(all, mark) replaces them with it.
func (s *Store) Mark() Mark {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Mark{next: s.next, enqueued: s.enqueued}
}

// Compact replaces the snapshot and every journal record before mark with the whole state as it
// was when Mark returned mark: all, with its remembered pushes and the calls of sessions written
// in parts.
// Records appended since stay in the journal, after the new snapshot: the state is taken at the
// mark, and encoded and written while changes go on. A mark before the snapshot's is a state
// older than it, and changes nothing.
func (s *Store) Compact(ctx context.Context, all Record, sessions session.Exported, mark Mark) error {
	var ops []*storage.Operation
	size := 0
	part := func(rec Record) error {
		body, err := json.Marshal(rec)
		if err == nil {
			ops = append(ops, storage.SetOperation(partKey(len(ops)), body))
			size += len(body)
		}
		return err
	}
	for keys := range slices.Chunk(all.Dedup, partKeys) {
		if err := part(Record{Dedup: keys}); err != nil {
			return err
		}
	}
	for calls := range sessions.Parts(partSessions) {
		if err := part(Record{Sessions: calls}); err != nil {
			return err
		}
	}
	all.Dedup, all.Parts = nil, len(ops)
	body, err := json.Marshal(all)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if mark.next < s.first || mark.next > s.next {
		return nil
	}
	ops = append(ops,
		storage.SetOperation(keySnapshot, body),
		storage.SetOperation(keyFirst, []byte(strconv.FormatUint(mark.next, 10))),
	)
	for n := all.Parts; n < s.parts; n++ {
		ops = append(ops, storage.DeleteOperation(partKey(n))) // the older snapshot had more
	}
	for n := s.first; n < mark.next; n++ {
		ops = append(ops, storage.DeleteOperation(journalKey(n)))
	}
	if err := s.client.Batch(ctx, ops...); err != nil {
		return fmt.Errorf("compacting state: %w", err)
	}
	s.first, s.parts = mark.next, all.Parts
	s.snapshotBytes, s.folded = size+len(body), mark.enqueued
	if s.unrepaired != 0 && mark.next >= s.unrepaired {
		s.unrepaired = 0 // the state taken holds what the failed writes left out
	}
	return nil
}

// Close closes the storage client.
func (s *Store) Close(ctx context.Context) error { return s.client.Close(ctx) }

func journalKey(n uint64) string { return keyPrefix + strconv.FormatUint(n, 10) }

func partKey(n int) string { return partPrefix + strconv.Itoa(n) }

// readSnapshot reads the snapshot, its parts joined to it, and counts its size.
func (s *Store) readSnapshot(ctx context.Context) (Record, bool, error) {
	rec, size, err := s.read(ctx, keySnapshot)
	if err != nil || size == 0 {
		return rec, false, err
	}
	s.snapshotBytes = size
	for n := range rec.Parts {
		part, size, err := s.read(ctx, partKey(n))
		if err != nil {
			return Record{}, false, err
		}
		if size == 0 {
			return Record{}, false, fmt.Errorf("state key %s is missing: the snapshot has %d parts", partKey(n), rec.Parts)
		}
		s.snapshotBytes += size
		rec.Dedup = append(rec.Dedup, part.Dedup...)
		rec.Sessions = append(rec.Sessions, part.Sessions...)
	}
	return rec, true, nil
}

func (s *Store) counter(ctx context.Context, key string) (uint64, error) {
	v, err := s.client.Get(ctx, key)
	if err != nil || v == nil {
		return 0, err
	}
	n, err := strconv.ParseUint(string(v), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("state key %s: %w", key, err)
	}
	return n, nil
}

// read reads the record a key holds, and its size: 0 when the key holds nothing.
func (s *Store) read(ctx context.Context, key string) (Record, int, error) {
	v, err := s.client.Get(ctx, key)
	if err != nil || v == nil {
		return Record{}, 0, err
	}
	var rec Record
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber() // numbers inside the calls' free-form fields keep their integer type
	if err := dec.Decode(&rec); err != nil {
		return Record{}, 0, errors.Join(fmt.Errorf("state key %s is unreadable", key), err)
	}
	for i := range rec.Sessions {
		plain(&rec.Sessions[i].Session)
	}
	return rec, len(v), nil
}

// plain turns the json.Numbers of a session's free-form maps back into int64 and float64.
func plain(s *session.Session) {
	platform.Normalize(s.Call.Custom) // in place
	if s.Record != nil {
		platform.Normalize(s.Record.Custom)
	}
	for i := range s.Events {
		platform.Normalize(s.Events[i].Details)
	}
}
