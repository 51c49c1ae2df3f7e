package uincall

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
	"github.com/otelcallcenter/callcenterreceiver/internal/session"
)

// completedCall decodes bodies arriving a second apart and returns the call their session makes.
func completedCall(t *testing.T, bodies ...string) call.Call {
	t.Helper()
	tr := session.NewTracker(session.Config{MaxSessions: 10, IdleTimeout: time.Hour})
	var ch *session.Change
	for i, body := range bodies {
		pushes, err := Platform{}.Decode(platform.Request{Body: []byte(body), Arrival: arrival.Add(time.Duration(i) * time.Second)})
		require.NoError(t, err)
		require.Len(t, pushes, 1)
		ch = tr.Apply(&pushes[0])
		require.NotNil(t, ch)
	}
	c, ended := ch.Session.Completed()
	require.True(t, ended, "call_hangup ends the call")
	return c
}

func outboundEvent(command string, callResult int) string {
	return `{"tenant_id":"t1","session_id":"s1","command":"` + command + `","calldirection":"call out",` +
		`"agent_num":"8014","call_result":` + strconv.Itoa(callResult) + `}`
}

// The field tables say "call_result int twc返回的外呼通话结果:0,成功 1、2线路不通": 0 is the line
// going through, not a conversation. Whether the customer talked is call_talking's to say:
// "call_talking 客户接听并开始通话".
func TestCallResultZeroIsTheLineNotATalk(t *testing.T) {
	// No call_talking: the customer never picked up, whatever the line did.
	c := completedCall(t,
		outboundEvent("callout_process", 0), outboundEvent("call_process", 0), outboundEvent("call_hangup", 0))
	assert.Equal(t, call.StatusNoAnswer, c.EndStatus, "成功 is the line, and nobody talked")
	assert.Equal(t, "0", c.RawEndStatus)
	assert.False(t, c.EndStatus.Connected())

	// call_talking: answered, and call_result 0 agrees.
	c = completedCall(t,
		outboundEvent("callout_process", 0), outboundEvent("call_process", 0),
		outboundEvent("call_talking", 0), outboundEvent("call_hangup", 0))
	assert.Equal(t, call.StatusAnswered, c.EndStatus, "客户接听并开始通话")
	assert.True(t, c.EndStatus.Connected())

	// 1、2线路不通 with no talk: the line failed.
	c = completedCall(t, outboundEvent("callout_process", 0), outboundEvent("call_hangup", 1))
	assert.Equal(t, call.StatusFailed, c.EndStatus, "线路不通")
	assert.Equal(t, "1", c.RawEndStatus)
}
