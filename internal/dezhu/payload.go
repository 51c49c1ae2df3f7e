package dezhu

import "github.com/otelcallcenter/callcenterreceiver/internal/flex"

// body is the whole push of 通话记录回调: the record under data.
type body struct {
	Data *record `json:"data"`
}

// record is one call record (回调信息), every field of the document's table in its order, then
// the fields only the sample carries. Pointers tell null from zero where zero means something.
type record struct {
	ID                 string    `json:"id"`                    // 通话记录ID
	ICCCallID          string    `json:"iccCallId"`             // 拨打通话记录id
	TenantID           string    `json:"tenantId"`              // 租户ID
	CommunicateVoiceID string    `json:"communicateVoiceId"`    // 通话录音ID
	ICCRecordDate      flex.Time `json:"iccRecordDate"`         // icc开始接通电话时间戳: "1605318636358"
	CallType           *int      `json:"callType"`              // 通话类型(1呼入,2:呼出)
	CallingNumber      string    `json:"callingNumber"`         // 主叫号码
	CalledNumber       string    `json:"calledNumber"`          // 被叫号码
	CustNumberAttr     string    `json:"custNumberAttribution"` // 客户号码归属地: 重庆-
	CustIspName        string    `json:"custIspName"`           // 客户号码运营商名称
	// CallWaitDuration is 呼叫等待时长及振铃时间(单位秒): waiting and ringing together.
	CallWaitDuration    *int64 `json:"callWaitDuration"`
	QueueWaitDuration   *int64 `json:"queueWaitDuration"`   // 排队等待时长
	ParkingWaitDuration *int64 `json:"parkingWaitDuration"` // 振铃时间(单位秒)
	DigitURL            string `json:"digitUrl"`            // IVR轨迹: 开始>播放语音>转AI语音>转人工
	// StaffID is a Long in the table: a number or a string of digits.
	StaffID             flex.String `json:"staffId"`             // 客服ID
	StaffName           string      `json:"staffName"`           // 客服名称
	SkillSetID          string      `json:"skillSetId"`          // 技能组ID
	CommunicateDuration *int64      `json:"communicateDuration"` // 通话时长
	CommunicateSource   *int64      `json:"communicateSource"`   // 1:常规业务,2.批量外呼,3.IVR流程
	// The table types the times Datetime; the sample sends epoch milliseconds.
	CommunicateBeginTime flex.Time `json:"communicateBeginTime"` // 通话开始时间
	CommunicateEndTime   flex.Time `json:"communicateEndTime"`   // 通话结束时间
	CreateTime           flex.Time `json:"createTime"`           // 创建时间
	CustomerName         string    `json:"customerName"`         // 客户名称
	SpeechCallResult     *int      `json:"speechCallResult"`     // 呼叫中心自定义通话结果
	EvaluationScore      *int      `json:"evaluationScore"`      // 满意度评价结果; the sample sends -1
	// ExpansionFields is 扩展字段: a JSON array of the tenant's custom fields, as a string.
	ExpansionFields string `json:"expansionFields"`
	ACW             *int64 `json:"acw"`        // 话后时间(单位:秒)
	TransferID      string `json:"transferId"` // 转接id,非0时才是转接id
	// HandupDirection is 挂机方向 as a number, HangUpDirectionType the same as a word.
	HandupDirection     *int        `json:"handupDirection"`
	HangUpDirectionType string      `json:"hangUpDirectionType"`
	AgentAnswerTime     flex.Time   `json:"agentAnswerTime"`    // 坐席应答时间
	ExternalCustomerID  string      `json:"externalCustomerId"` // 外部-客户id,只有外呼任务能有数据
	ExternalData        string      `json:"externalData"`       // 外部-透传数据
	TaskID              flex.String `json:"taskId"`             // 外呼任务id: a Long

	// Undocumented: only the sample shows them, so they accept a number or a string.
	AgentLoginType flex.String `json:"agentLoginType"` // ""
	CallResult     flex.Int    `json:"callResult"`     // 3
	CustomerID     flex.String `json:"customerId"`     // "81656c22af5644ec9a97127933b4cb6b"
	NoteStatus     flex.Int    `json:"noteStatus"`     // 1
}
