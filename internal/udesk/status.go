package udesk

import (
	"strconv"
	"strings"

	"github.com/otelcallcenter/callcenterreceiver/internal/call"
)

// callResults maps call_result (通话结果, 详解一). The push document refers to 详解一 without
// listing it; the values are those of Udesk's trigger-push (触发器推送) document.
var callResults = map[string]call.EndStatus{
	"客户未接":  call.StatusNoAnswer,         // the customer did not pick up (outbound)
	"客户接听":  call.StatusAnswered,         // the customer picked up (outbound)
	"话机占线":  call.StatusBusy,             // the agent's phone was busy
	"话机离线":  call.StatusFailed,           // the agent's phone was offline
	"客服未接":  call.StatusNoAnswer,         // the agent did not pick up
	"客服拒接":  call.StatusRejected,         // the agent declined
	"客服接听":  call.StatusAnswered,         // the agent picked up (inbound)
	"客户速挂":  call.StatusAbandonedRinging, // the customer hung up quickly, while an agent rang
	"客户挂机":  call.StatusAbandoned,        // the customer hung up before an answer
	"排队超时":  call.StatusNoAgent,          // queue timeout
	"放弃排队":  call.StatusAbandonedQueue,   // the customer gave up in the queue
	"未选择队列": call.StatusAbandonedIVR,     // the customer left the IVR without choosing a queue
}

// defeatCause is one row of the defeat_cause table (外呼失败原因, 详解三). Udesk sends the name
// column; the alias and the id are accepted too.
type defeatCause struct {
	id          int
	name, alias string
	status      call.EndStatus
}

// defeatCauses is the document's table, in its order.
var defeatCauses = []defeatCause{
	{1, "关机", "power off", call.StatusUnreachable},
	{2, "空号", "does not exist", call.StatusUnreachable},
	{3, "停机", "out of service", call.StatusUnreachable},
	{4, "正在通话中", "hold on", call.StatusBusy},
	{5, "用户拒接", "not convenient", call.StatusRejected},
	{6, "无法接通", "is not reachable", call.StatusUnreachable},
	{7, "暂停服务", "not in service", call.StatusUnreachable},
	{8, "用户正忙", "busy now", call.StatusBusy},
	{9, "拨号方式不正确", "not a local number", call.StatusFailed},
	{10, "呼入限制", "barring of incoming", call.StatusBlocked},
	{11, "呼叫转移失败", "forwarded", call.StatusFailed},
	{12, "网络忙", "line is busy", call.StatusFailed},
	{13, "无人接听", "not answer", call.StatusNoAnswer},
	{14, "欠费", "defaulting", call.StatusUnreachable},
	{15, "无法接听", "cannot be connected", call.StatusUnreachable},
	{16, "改号", "number change", call.StatusUnreachable},
	{17, "线路故障", "line fault", call.StatusFailed},   // 线路不能呼出,比如SIM卡欠费
	{18, "稍后再拨", "redial later", call.StatusFailed}, // 各种稍后再拨提示
}

// defeatCauseIndex finds a row by name, lower-case alias or decimal id.
var defeatCauseIndex = func() map[string]call.EndStatus {
	m := make(map[string]call.EndStatus, 3*len(defeatCauses))
	for _, d := range defeatCauses {
		m[d.name] = d.status
		m[d.alias] = d.status
		m[strconv.Itoa(d.id)] = d.status
	}
	return m
}()

// endStatus maps defeat_cause when it is set, call_result otherwise, and returns the raw value
// it used. Both empty give "" and no status.
func endStatus(defeatCause, callResult string) (call.EndStatus, string) {
	if raw := strings.TrimSpace(defeatCause); raw != "" {
		if s, ok := defeatCauseIndex[strings.ToLower(raw)]; ok {
			return s, defeatCause
		}
		return call.StatusUnknown, defeatCause
	}
	if raw := strings.TrimSpace(callResult); raw != "" {
		if s, ok := callResults[raw]; ok {
			return s, callResult
		}
		return call.StatusUnknown, callResult
	}
	return "", ""
}

// hangupSides maps drop_side (通话挂断方).
var hangupSides = map[string]call.HangupSide{
	"客服": call.HangupAgent,
	"客户": call.HangupCustomer,
	"系统": call.HangupSystem,
}

// directions maps workflow (通话类型).
var directions = map[string]call.Direction{
	"in":           call.DirectionInbound,  // 呼入
	"out_callback": call.DirectionOutbound, // 双向回拨
	"out_direct":   call.DirectionOutbound, // 外呼直拨
	"out_auto":     call.DirectionOutbound, // 自动外呼
}

// eventTypes maps occasion (推送时机, 详解八) except end, which closes the call record.
var eventTypes = map[string]call.EventType{
	"begin":              call.EventCallStarted,      // 开始自动外呼
	"agent_answer":       call.EventAgentAnswered,    // 呼出回拨坐席接听
	"customer_answer":    call.EventCustomerAnswered, // 呼出回拨客户接听
	"enqueue_succ":       call.EventQueued,           // 呼入入队成功
	"agent_lock":         call.EventAgentRinging,     // 锁定坐席
	"agent_incall":       call.EventTalking,          // 坐席开始通话
	"agent_breakout":     call.EventAgentMissed,      // 分配坐席未应答
	"transfer_succ":      call.EventTransfer,         // 转接成功
	"transfer_failed":    call.EventTransferFailed,   // 转接失败
	"consult_succ":       call.EventConsult,          // 咨询成功
	"consult_failed":     call.EventConsultFailed,    // 咨询失败
	"listening_succ":     call.EventSupervisor,       // 监听成功
	"listening_failed":   call.EventSupervisorFailed, // 监听失败
	"third_party_succ":   call.EventThreeParty,       // 三方成功
	"third_party_failed": call.EventThreePartyFailed, // 三方失败
	"three_party_succ":   call.EventThreeParty,       // the spelling of category three_party
	"three_party_failed": call.EventThreePartyFailed,
	"interpose_succ":     call.EventSupervisor,       // 强插成功
	"interpose_failed":   call.EventSupervisorFailed, // 强插失败
	"substitute_succ":    call.EventSupervisor,       // 拦截成功
	"substitute_failed":  call.EventSupervisorFailed, // 拦截失败
	"whisper_succ":       call.EventSupervisor,       // 密语成功
	"whisper_failed":     call.EventSupervisorFailed, // 密语失败
	"hangup":             call.EventHangup,           // 通话有一方挂断
	"end_info":           call.EventOther,            // 高级通话信息
}

func eventType(occasion string) call.EventType {
	if t, ok := eventTypes[occasion]; ok {
		return t
	}
	return call.EventOther
}
