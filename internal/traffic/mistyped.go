package traffic

import (
	"bytes"
	"encoding/json"
	"hash/fnv"
)

// mistypedShare is the share of calls whose pushes carry fields in another JSON type than the
// vendor document gives them, as a vendor's serializer may send them (issue 8, item 11).
const mistypedShare = 0.05

// mistypes rewrite one push body of a call, in place. Each gives a field the other type where
// its meaning stays unambiguous, so the call is what its truth says, and one field a value that
// cannot be read at all (an object where the document has text): the receiver keeps it in the
// body and warns. None of those unreadable fields is part of the truth.
var mistypes = map[string]func(body map[string]any){
	"tccc":    mistypeTCCC,
	"udesk":   mistypeUdesk,
	"uincall": mistypeUinCall,
	"dezhu":   mistypeDezhu,
}

// mistype rewrites every push of a call, repeats alike (a retry repeats the body as sent), for
// mistypedShare of the calls. The choice hashes the call's session rather than drawing from the
// generator's source, so the rest of the traffic of a seed stays what it was.
func (g *gen) mistype(p *plan, pushes []Push) []Push {
	h := fnv.New64a()
	h.Write([]byte(p.Vendor + "/" + p.Session))
	if float64(h.Sum64()%1000) >= mistypedShare*1000 {
		return pushes
	}
	for i := range pushes {
		pushes[i].Body = rewrite(pushes[i].Body, mistypes[g.vendor])
	}
	return pushes
}

func rewrite(body []byte, change func(map[string]any)) []byte {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // numbers stay as rendered
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		panic(err) // rendered by mustJSON
	}
	change(m)
	return mustJSON(m)
}

// asText turns a number field into its digits as a JSON string.
func asText(m map[string]any, key string) {
	if n, ok := m[key].(json.Number); ok {
		m[key] = n.String()
	}
}

// mistypeTCCC: Direction 数值 (0 呼入, 1 呼出) and the timestamps 数值 (UNIX 秒级时间戳) sent as
// digits in strings; CallerLocation 字符串 as an object.
func mistypeTCCC(b map[string]any) {
	for _, key := range []string{"Direction", "StartTimestamp", "EndedTimestamp", "Timestamp"} {
		asText(b, key)
	}
	if _, ok := b["CallerLocation"]; ok {
		b["CallerLocation"] = map[string]any{"Province": "北京", "City": "北京"}
	}
}

// mistypeUdesk: conversation_id, an Int (当前通话的id), as a string of its digits; a number as
// the value of a note custom field (详解六 shows a string); mobile_area (归属地) as an object.
func mistypeUdesk(b map[string]any) {
	asText(b, "conversation_id")
	b["mobile_area"] = map[string]any{"province": "北京"}
	if b["occasion"] == "end" {
		b["note_custom_fields"] = []any{map[string]any{"id": "NumberField_1", "name": "件数", "value": 3}}
	}
}

// mistypeUinCall: agent_num, a String (坐席工号), as a number; call_result, an int, as text;
// remark (备注) as an object.
func mistypeUinCall(b map[string]any) {
	if s, ok := b["agent_num"].(string); ok {
		b["agent_num"] = json.Number(s) // staff numbers are digits: 8014
	}
	asText(b, "call_result")
	b["remark"] = map[string]any{"url": b["remark"]}
}

// mistypeDezhu, the cases of the issue: transferId, a String (转接id,非0时才是转接id), as the
// number 0; callType, an Integer (1呼入,2:呼出), as text; custNumberAttribution (客户号码归属地)
// as an object.
func mistypeDezhu(b map[string]any) {
	data, _ := b["data"].(map[string]any)
	if data == nil {
		return
	}
	if data["transferId"] == "0" {
		data["transferId"] = json.Number("0")
	}
	asText(data, "callType")
	data["custNumberAttribution"] = map[string]any{"province": "重庆"}
}
