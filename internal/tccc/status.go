package tccc

import "github.com/otelcallcenter/callcenterreceiver/internal/call"

// endStatuses maps EndStatusString, as in Tencent's table of call end status codes
// (通话结束状态码, cloud.tencent.com/document/product/679/123938, checked 2025-09), plus the
// older values of the CDR and IM documents (unconnected, seatForward, error, autoFinished).
var endStatuses = map[string]call.EndStatus{
	// Inbound and outbound.
	"ok":          call.StatusAnswered, // 1 正常通话
	"clientError": call.StatusFailed,   // 211 客户端错误
	"error":       call.StatusFailed,   // 系统错误
	"unconnected": call.StatusNoAnswer, // 未接通
	// AI agent (智能体) calls that failed; the endings of AI calls are in aiAgentEndings.
	"asrError":    call.StatusFailed, // 225 语音识别错误
	"llmasrError": call.StatusFailed, // 226 模型错误
	"ttsError":    call.StatusFailed, // 227 语音合成错误
	// Inbound.
	"seatGiveUp":    call.StatusNoAnswer,         // 17 座席超时转接: the agent let it ring out
	"seatForward":   call.StatusAnswered,         // 座席转接
	"blackList":     call.StatusBlocked,          // 100 呼入黑名单
	"ivrGiveUp":     call.StatusAbandonedIVR,     // 102 IVR 期间用户放弃
	"waitingGiveUp": call.StatusAbandonedQueue,   // 103 排队时用户放弃
	"ringingGiveUp": call.StatusAbandonedRinging, // 104 振铃时用户放弃
	"noSeatOnline":  call.StatusNoAgent,          // 105 无座席在线
	"notWorkTime":   call.StatusOutsideHours,     // 106 非工作时间
	"ivrEnd":        call.StatusIVRCompleted,     // 107 IVR 全自动结束
	"autoFinished":  call.StatusNoAnswer,         // 用户回答超时自动结束
	"callConflict":  call.StatusFailed,           // 501 用户通话冲突
	"clientTimeout": call.StatusFailed,           // 502 用户侧异常超时
	// Outbound.
	"restrictedCallee": call.StatusBlocked,     // 108 外呼黑名单
	"tooManyRequest":   call.StatusBlocked,     // 109 外呼频控限制
	"restrictedArea":   call.StatusBlocked,     // 110 外呼地域限制
	"restrictedTime":   call.StatusBlocked,     // 111 外呼时段限制
	"notAnswer":        call.StatusNoAnswer,    // 202 被叫未接听
	"userReject":       call.StatusRejected,    // 203 被叫拒接挂断
	"powerOff":         call.StatusUnreachable, // 204 被叫关机
	"numberNotExist":   call.StatusUnreachable, // 205 被叫空号
	"busy":             call.StatusBusy,        // 206 被叫忙
	"outOfCredit":      call.StatusUnreachable, // 207 被叫欠费
	"operatorError":    call.StatusFailed,      // 208 运营商线路异常
	"callerCancel":     call.StatusCanceled,    // 209 未振铃主叫取消
	"notInService":     call.StatusUnreachable, // 210 被叫不在服务区
	"carrierBlocked":   call.StatusBlocked,     // 212 运营商拦截
}

// aiAgentEndings are the ways an AI agent's (智能体) call ends, from the same table. They say
// how the AI's part ended, not whether a person took part: a call no person answered was handled
// by the bot alone.
var aiAgentEndings = map[string]bool{
	"functionCallHangup":     true, // 228 模型函数调用挂断
	"maxCallDurationReached": true, // 229 通话时长超限挂断
	"userInactivity":         true, // 230 用户静默超时挂断
	"callTerminatedByAPI":    true, // 231 调用系统挂断接口
	"userHangupDuringAiCall": true, // 232 用户挂断智能体通话
	"aiAgentEndCall":         true, // 233 智能体结束通话
}

// endStatus maps EndStatusString; personAnswered tells whether an agent (a ServeParticipants
// leg) accepted the call, which decides what an AI agent's ending means: the AI handed over to
// a person who answered, or the bot alone served the call.
func endStatus(raw string, personAnswered bool) call.EndStatus {
	if aiAgentEndings[raw] {
		if personAnswered {
			return call.StatusAnswered
		}
		return call.StatusBotHandled
	}
	if s, ok := endStatuses[raw]; ok {
		return s
	}
	return call.StatusUnknown
}

// hangupSides maps HungUpSide.
var hangupSides = map[string]call.HangupSide{
	"user":   call.HangupCustomer,
	"seat":   call.HangupAgent,
	"system": call.HangupSystem,
}
