package call

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

var t0 = time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)

func at(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

func TestDeriveFromMoments(t *testing.T) {
	c := Call{Start: at(0), Queued: at(20), Ring: at(50), Answer: at(60), End: at(160)}
	c.Derive()
	assert.Equal(t, map[Phase]time.Duration{
		PhaseTotal: 160 * time.Second, PhaseIVR: 20 * time.Second, PhaseQueue: 30 * time.Second,
		PhaseRing: 10 * time.Second, PhaseTalk: 100 * time.Second,
	}, c.Durations)
}

func TestDeriveKeepsWhatTheVendorSaid(t *testing.T) {
	c := Call{Start: at(0), End: at(100)}
	c.SetDuration(PhaseTotal, 90*time.Second)
	c.Derive()
	assert.Equal(t, 90*time.Second, c.Durations[PhaseTotal])
}

func TestDeriveAbandons(t *testing.T) {
	queue := Call{Start: at(0), Queued: at(20), End: at(45)}
	queue.Derive()
	assert.Equal(t, 25*time.Second, queue.Durations[PhaseQueue], "the wait ends where the caller hung up")
	_, rang := queue.Durations[PhaseRing]
	assert.False(t, rang)

	ringing := Call{Start: at(0), Queued: at(20), Ring: at(30), End: at(38)}
	ringing.Derive()
	assert.Equal(t, 8*time.Second, ringing.Durations[PhaseRing])
}

func TestZeroTalkOfAnUnansweredCallIsNoPhase(t *testing.T) {
	c := Call{EndStatus: StatusNoAnswer}
	c.SetDuration(PhaseTalk, 0)
	c.Derive()
	_, talked := c.Durations[PhaseTalk]
	assert.False(t, talked)

	answered := Call{EndStatus: StatusAnswered}
	answered.SetDuration(PhaseTalk, 0)
	answered.Derive()
	_, talked = answered.Durations[PhaseTalk]
	assert.True(t, talked, "an answered call can talk for under a second")
}

func TestNegativeDurationsAreDropped(t *testing.T) {
	c := Call{Start: at(10), End: at(5)} // a vendor glitch
	c.Derive()
	assert.Empty(t, c.Durations)
}

func TestCustomerNumberAndSatisfaction(t *testing.T) {
	assert.Equal(t, "138", (&Call{Direction: DirectionInbound, Caller: "138", Callee: "400"}).CustomerNumber())
	assert.Equal(t, "138", (&Call{Direction: DirectionOutbound, Caller: "400", Callee: "138"}).CustomerNumber())
	assert.Empty(t, (&Call{Caller: "1", Callee: "2"}).CustomerNumber())
	assert.Equal(t, SatisfactionVeryDissatisfied, SatisfactionFromLabel(" 非常不满意 "))
	assert.Equal(t, SatisfactionNone, SatisfactionFromLabel("超赞"))
	assert.Equal(t, "queue", StatusAbandonedQueue.AbandonStage())
	assert.Empty(t, StatusAnswered.AbandonStage())
}
