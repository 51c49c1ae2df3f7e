package dezhu

import "github.com/otelcallcenter/callcenterreceiver/internal/call"

// endStatuses maps speechCallResult, 呼叫中心自定义通话结果, as in the document's table.
var endStatuses = map[int]call.EndStatus{
	0:  call.StatusUnknown,          // 默认值(无意义)
	1:  call.StatusUnreachable,      // 无法接通
	2:  call.StatusAnswered,         // 已接通
	3:  call.StatusNoAnswer,         // 无人应答
	4:  call.StatusAbandonedQueue,   // 队列放弃
	5:  call.StatusOutsideHours,     // 非服务时间
	6:  call.StatusNoAnswer,         // 坐席振铃未接: the agent let it ring out
	7:  call.StatusAbandonedRinging, // 客户速挂: the customer hung up at once while it rang
	8:  call.StatusAbandonedIVR,     // IVR中放弃
	9:  call.StatusCanceled,         // 客户振铃坐席挂机: the agent gave up while the customer's phone rang
	10: call.StatusBlocked,          // 禁止呼叫
}

func endStatus(raw int) call.EndStatus {
	if s, ok := endStatuses[raw]; ok {
		return s
	}
	return call.StatusUnknown
}

// hangupSides maps handupDirection, 挂机方向.
var hangupSides = map[int]call.HangupSide{
	0: call.HangupCustomer, // 客户挂断
	1: call.HangupAgent,    // 坐席挂断
	2: call.HangupUnknown,  // 未知
	3: call.HangupTransfer, // 转接挂断
}

// hangupTypes maps hangUpDirectionType, the same as words.
var hangupTypes = map[string]call.HangupSide{
	"CONTACT_DROPPED_CALL":  call.HangupCustomer, // 客户挂机
	"AGENT_DROPPED_CALL":    call.HangupAgent,    // 坐席挂机
	"TRANSFER_DROPPED_CALL": call.HangupTransfer, // 转接挂断
}

// satisfactions maps evaluationScore, 满意度评价结果. The sample's -1 is not in the table and
// gives call.SatisfactionNone.
var satisfactions = map[int]call.Satisfaction{
	0: call.SatisfactionNotRated,         // 未评价
	1: call.SatisfactionVerySatisfied,    // 非常满意
	2: call.SatisfactionSatisfied,        // 满意
	3: call.SatisfactionNeutral,          // 一般
	4: call.SatisfactionDissatisfied,     // 不满意
	5: call.SatisfactionVeryDissatisfied, // 非常不满意
}
