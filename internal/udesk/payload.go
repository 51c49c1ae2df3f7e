package udesk

import (
	"bytes"
	"strings"

	"github.com/otelcallcenter/callcenterreceiver/internal/flex"
	"github.com/otelcallcenter/callcenterreceiver/internal/platform"
)

// push is the body of one call event push (通话事件推送), every field of the document's parameter
// table in its order. Every push of a call carries the same fields, filled as the call goes on;
// occasion says which step it reports. Pointers tell null from zero where zero means something.
type push struct {
	CallID string `json:"call_id"` // 同一客户一系列通话唯一id
	// ConversationID is 当前通话的id, an Int in the table: a number or its digits as text.
	ConversationID flex.String `json:"conversation_id"`
	Timestamp      stamp       `json:"timestamp"` // 2019-07-24 15:23:17 +0800
	NickName       string      `json:"nick_name"` // 客户姓名
	CustomerPhone  string      `json:"customer_phone"`
	MobileArea     string      `json:"mobile_area"`    // 归属地
	DisplayNumber  string      `json:"display_number"` // 中继号
	Workflow       string      `json:"workflow"`       // in, out_callback, out_direct, out_auto
	FromAgentID    *int64      `json:"from_agent_id"`  // 高级通话时上一个客服的id
	CallResult     string      `json:"call_result"`    // 详解一
	IsLeaveMessage *bool       `json:"is_leave_message"`
	TotalTime      *int64      `json:"total_time"` // 通话时长(秒)
	RecordURL      string      `json:"record_url"`
	Survey         string      `json:"survey"` // 满意度评价
	OutlinePhone   string      `json:"outline_phone_number"`
	AgentID        *int64      `json:"agent_id"`
	CustomerRingAt flex.Time   `json:"customer_ring_at"` // 2019-07-24T15:21:41.000+08:00
	AgentRingAt    flex.Time   `json:"agent_ring_at"`
	CustomerAnsAt  flex.Time   `json:"customer_answer_at"`
	AgentAnswerAt  flex.Time   `json:"agent_answer_at"`
	CustomerHangAt flex.Time   `json:"customer_hangup_at"`
	AgentHangupAt  flex.Time   `json:"agent_hangup_at"`
	AgentEmail     string      `json:"agent_email"`
	AgentNickName  string      `json:"agent_nick_name"`
	Category       string      `json:"category"` // 详解二: normal, transfer, consult...
	TaskName       string      `json:"task_name"`
	// QueueStatue is the parameter table's spelling; QueueStatus the trigger-push document's.
	QueueStatue    string      `json:"queue_statue"`
	QueueStatus    string      `json:"queue_status"`
	QueueTime      *int64      `json:"queue_time"` // 排队耗时
	DTMF           string      `json:"dtmf"`
	DeviceInfo     string      `json:"device_info"`  // 设备类型
	DropSide       string      `json:"drop_side"`    // 通话挂断方: 客服, 客户, 系统
	DefeatCause    flex.String `json:"defeat_cause"` // 详解三: the name, alias or id of a row
	MultiRingCount *int64      `json:"multi_ring_count"`
	RelevantAgent  []string    `json:"relevant_agent"`
	RelevantTypo   []string    `json:"relevent_agent"` //nolint:misspell // the trigger-push document's spelling
	TaskID         *int64      `json:"task_id"`        // 自动外呼任务id
	QueueOverflow  string      `json:"queue_overflow"`
	IVRTime        *int64      `json:"ivr_time"`
	IVRVariables   string      `json:"ivr_variables"` // 详解四: "aa:11,bb:22"
	IVRRecordURLs  []ivrRecord `json:"ivr_record_urls"`
	TicketNumbers  []string    `json:"ticket_numbers"` // 详解五: ["#12","#13"]
	Lang           string      `json:"lang"`
	IsBlocked      *bool       `json:"is_blocked"`
	Level          string      `json:"level"`
	Description    string      `json:"description"`
	Organization   string      `json:"organization_name"`
	OwnerName      string      `json:"owner_name"`
	OwnerGroupName string      `json:"owner_group_name"`
	NoteID         *int64      `json:"note_id"`
	NoteContent    string      `json:"note_content"`
	NoteFields     []noteField `json:"note_custom_fields"` // 详解六
	NoteTemplateID *int64      `json:"note_template_id"`
	NoteTemplate   string      `json:"note_template_name"`
	// QuestionnaireID is an Int in the table and "13" in the sample.
	QuestionnaireID flex.Int          `json:"questionnaire_id"`
	Questionnaire   map[string]string `json:"questionnaire_contents"` // Hash: question → answer
	CalloutTasks    []calloutTask     `json:"callout_tasks"`          // 详解七
	Occasion        string            `json:"occasion"`               // 详解八
	BizID           string            `json:"biz_id"`
	CustomerID      *int64            `json:"customer_id"` // Long
	CustomerToken   string            `json:"customer_token"`
	CustomerWeb     string            `json:"customer_web_token"`
	CustomerSDK     string            `json:"customer_sdk_token"`
	WeixinOpenIDs   []string          `json:"weixin_openids"`
	UserGroupID     *int64            `json:"user_group_id"` // 坐席组ID
	UserGroupName   string            `json:"user_group_name"`
	CallStartAt     stamp             `json:"call_start_at"` // 2022-03-03 14:27:10, no zone
	RingTime        *int64            `json:"ring_time"`     // 振铃时长(秒)
	AgentTags       []string          `json:"agent_tags"`
	CreatedAt       stamp             `json:"created_at"` // 2022-03-03 17:12:42, no zone
}

// ivrRecord is one element of ivr_record_urls.
type ivrRecord struct {
	ID  *int64 `json:"id"`
	URL string `json:"ivr_record_url"`
}

// noteField is one element of note_custom_fields: {"id":"TextField_73","name":"测试日期",
// "value":"2019-08-09"}; select fields carry a list of the chosen options.
type noteField struct {
	ID    string    `json:"id"`
	Name  string    `json:"name"`
	Value noteValue `json:"value"`
}

// calloutTask is one element of callout_tasks: {"id": 85, "name": "外呼任务1"}.
type calloutTask struct {
	ID   *int64 `json:"id"`
	Name string `json:"name"`
}

// noteValue is the value of a note custom field: a string for text fields, an array of strings
// for select fields (["选项1", "选项3"]), or null. It is the tenant's data: whatever its JSON type,
// it is kept as sent, as plain Go values.
type noteValue struct {
	value any
}

func (v *noteValue) UnmarshalJSON(data []byte) error {
	value, err := platform.Value(data)
	if err != nil {
		return err
	}
	v.value = value
	return nil
}

// stamp is a flex.Time that keeps the text it was sent as: timestamp goes into the dedup key and
// call_start_at is kept as sent.
type stamp struct {
	flex.Time
	raw string
}

func (s *stamp) UnmarshalJSON(data []byte) error {
	s.raw = ""
	if err := s.Time.UnmarshalJSON(data); err != nil {
		return err
	}
	if s.IsZero() {
		return nil
	}
	text, err := flex.Text(data)
	if err != nil {
		text = string(bytes.TrimSpace(data)) // epoch milliseconds as a number
	}
	s.raw = strings.TrimSpace(text)
	return nil
}
