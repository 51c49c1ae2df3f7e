package uincall

import (
	"strconv"
	"strings"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
	"github.com/otelcallcenter/callcenterreceiver/internal/flex"
)

// callResultPending is the call_result of every event before the call has a result: all the
// document's samples, the hangups included, send it.
const callResultPending = -1

// callResultLineUp is call_result 0, "成功": the line went through (twc, the trunk, reports the
// call was placed), not that anyone talked. It gives no end status: the events say whether the
// call was answered (call_talking, 客户接听并开始通话).
const callResultLineUp = 0

// callResults maps the call_results that are an outcome on their own, twc返回的外呼通话结果 in
// both field tables: "1、2线路不通", the line failed.
var callResults = map[int64]call.EndStatus{
	1: call.StatusFailed, // 线路不通
	2: call.StatusFailed, // 线路不通
}

// endStatus maps call_result and returns the raw decimal value beside it. An absent result, -1
// (no result yet) and 0 (the line went through) leave the status empty, for the events to
// decide; undocumented values are unknown.
func endStatus(r flex.Int) (call.EndStatus, string) {
	if !r.Valid {
		return "", ""
	}
	raw := strconv.FormatInt(r.Value, 10)
	if r.Value == callResultPending || r.Value == callResultLineUp {
		return "", raw
	}
	if s, ok := callResults[r.Value]; ok {
		return s, raw
	}
	return call.StatusUnknown, raw
}

// eventTypes maps command, with the document's words for each. Commands not listed are other
// events: 不在上述范围内的暂不关注.
var eventTypes = map[string]call.EventType{
	"agentDialout":    call.EventCallStarted,     // 坐席外呼: the agent dials out (UP request, DN response)
	"callout_process": call.EventAgentRinging,    // 呼叫坐席中
	"call_process":    call.EventCustomerRinging, // 呼叫客户中
	"call_talking":    call.EventTalking,         // 客户接听并开始通话
	"call_hangup":     call.EventCallEnded,       // 坐席通话结束: nothing follows, the call is over
	"incoming":        call.EventAgentRinging,    // 坐席来电事件
	"agentstatus":     call.EventAgentStatus,     // 坐席状态变更
	"setAgentType":    call.EventAgentStatus,     // 坐席切换
}

// agentCommands are the commands about an agent rather than a call.
var agentCommands = map[string]bool{
	"agentstatus":  true, // 坐席状态变更, also sent at 坐席登录
	"setAgentType": true, // 坐席切换
}

func eventType(command string) call.EventType {
	if t, ok := eventTypes[command]; ok {
		return t
	}
	return call.EventOther
}

// directions maps calldirection, compared without case or surrounding spaces.
var directions = map[string]call.Direction{
	"call out": call.DirectionOutbound, // 外呼业务
	"call in":  call.DirectionInbound,  // 来电
}

func direction(raw string) call.Direction {
	if d, ok := directions[strings.ToLower(strings.TrimSpace(raw))]; ok {
		return d
	}
	return call.DirectionUnknown
}
