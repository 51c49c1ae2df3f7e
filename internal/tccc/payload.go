package tccc

import "github.com/otelcallcenter/callcenterreceiver/internal/flex"

// cdr is the body of ?action=cdr (电话 CDR 数据推送): one record per call.
type cdr struct {
	SdkAppID int64 `json:"SdkAppId"`
	// SdkAppIDTypo is the spelling of the document's field table ("SdkAppld", a lowercase L).
	SdkAppIDTypo         int64              `json:"SdkAppld"`
	SessionID            string             `json:"SessionId"`
	Caller               string             `json:"Caller"`
	Callee               string             `json:"Callee"`
	Direction            *int               `json:"Direction"`
	Duration             *int64             `json:"Duration"`
	SeatUser             *seatUser          `json:"SeatUser"`
	CallerLocation       string             `json:"CallerLocation"`
	IVRDuration          *int64             `json:"IVRDuration"`
	RingTimestamp        int64              `json:"RingTimestamp"`
	AcceptTimestamp      int64              `json:"AcceptTimestamp"`
	EndedTimestamp       int64              `json:"EndedTimestamp"`
	StartTimestamp       int64              `json:"StartTimestamp"`
	IVRKeyPressed        []string           `json:"IVRKeyPressed"`
	IVRKeyPressedEx      []keyPress         `json:"IVRKeyPressedEx"`
	HungUpSide           string             `json:"HungUpSide"`
	ServeParticipants    []serveParticipant `json:"ServeParticipants"`
	EndStatusString      string             `json:"EndStatusString"`
	QueuedTimestamp      int64              `json:"QueuedTimestamp"`
	PostIVRKeyPressed    []keyPress         `json:"PostIVRKeyPressed"`
	QueuedSkillGroupName string             `json:"QueuedSkillGroupName"`
	QueuedSkillGroupID   int64              `json:"QueuedSkillGroupId"`
	RecordID             string             `json:"RecordId"`
	UserRemark           string             `json:"UserRemark"`
	UUI                  string             `json:"Uui"`
	TelLocation          *telLocation       `json:"TelLocation"`
}

type seatUser struct {
	Mail               string   `json:"Mail"`
	Name               string   `json:"Name"`
	Nick               string   `json:"Nick"`
	Phone              string   `json:"Phone"`
	UserID             string   `json:"UserId"`
	StaffNumber        string   `json:"StaffNumber"`
	SkillGroupNameList []string `json:"SkillGroupNameList"`
}

type serveParticipant struct {
	Mail               string `json:"Mail"`
	Phone              string `json:"Phone"`
	RingTimestamp      int64  `json:"RingTimestamp"`
	AcceptTimestamp    int64  `json:"AcceptTimestamp"`
	EndedTimestamp     int64  `json:"EndedTimestamp"`
	RecordID           string `json:"RecordId"`
	Type               string `json:"Type"`
	TransferFrom       string `json:"TransferFrom"`
	TransferFromType   string `json:"TransferFromType"`
	TransferTo         string `json:"TransferTo"`
	TransferToType     string `json:"TransferToType"`
	SkillGroupID       int64  `json:"SkillGroupId"`
	EndStatusString    string `json:"EndStatusString"`
	Sequence           int    `json:"Sequence"`
	StartTimestamp     int64  `json:"StartTimestamp"`
	SkillGroupName     string `json:"SkillGroupName"`
	SkillGroupPriority int    `json:"SkillGroupPriority"`
}

type keyPress struct {
	Key   string `json:"Key"`
	Label string `json:"Label"`
}

type telLocation struct {
	TelNumber string `json:"TelNumber"`
	Country   string `json:"Country"`
	Province  string `json:"Province"`
	City      string `json:"City"`
	Operator  string `json:"Operator"`
}

// recording is the body of ?action=record (电话录音数据推送) and ?action=voicemail
// (语音信箱录音推送, which has no RecordId or CustomRecordURL).
type recording struct {
	SdkAppID     int64  `json:"SdkAppId"`
	SdkAppIDTypo int64  `json:"SdkAppld"`
	RecordID     string `json:"RecordId"`
	SessionID    string `json:"SessionId"`
	Timestamp    int64  `json:"Timestamp"`
	// EndpointUser is a phone number or an agent's email; the voicemail sample sends a number.
	EndpointUser    flex.String `json:"EndpointUser"`
	RecordURL       string      `json:"RecordURL"`
	CustomRecordURL string      `json:"CustomRecordURL"`
}
