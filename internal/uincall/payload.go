package uincall

import "github.com/otelcallcenter/callcenterreceiver/internal/flex"

// event is the body of every push (通话事件推送): the fields of the two tables of the document,
// 坐席外呼叫事件 (1.3.1) and 坐席来电呼叫事件 (1.3.2), which list the same fields. Agent state
// pushes (agentstatus, setAgentType) carry a subset of them. Every field is optional on the
// wire; events before a call exists have no session_id.
type event struct {
	CallID    string `json:"call_id"`    // 通话id
	QueueID   string `json:"queue_id"`   // the queue of an inbound call
	Remark    string `json:"remark"`     // 备注: the samples send the configured push URL
	SessionID string `json:"session_id"` // 会话id, 唯一标识
	Type      string `json:"type"`       // 状态转换类型: event or response
	Dir       string `json:"dir"`        // UP 上行数据, DN 下行数据
	Command   string `json:"command"`    // the event: agentDialout, callout_process, call_hangup...
	AgentNum  string `json:"agent_num"`  // 坐席工号
	// CallDirection is "call out" (外呼) or "call in" (来电).
	CallDirection string `json:"calldirection"`
	// AgentType is 座席接听方式, int in the outbound table and String in the inbound one.
	AgentType flex.String `json:"agent_type"`
	TenantID  string      `json:"tenant_id"` // 租户编号
	DNIS      string      `json:"dnis"`      // 被叫
	// CallResult is twc返回的外呼通话结果: 0 成功, 1 and 2 线路不通; every sample sends -1.
	CallResult flex.Int `json:"call_result"`
	ANI        string   `json:"ani"` // 主叫: the displayed or business number outbound
}
