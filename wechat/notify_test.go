package wechat_test

import (
	"strings"
	"testing"

	"huiqi/intake"
	"huiqi/wechat"
)

func TestParseTemplate(t *testing.T) {
	tests := []struct {
		spec    string
		wantID  string
		wantSub bool
		wantErr string
	}{
		{"TPL_abc-1 ticket=character_string1 status=phrase2", "TPL_abc-1", false, ""},
		{"subscribe:T2 reply=thing5", "T2", true, ""},
		{"template:T3 due=time4", "T3", false, ""},
		{"T4", "", false, "at least one part=keyword"},
		{"T5 colour=thing1", "", false, "the parts are"},
		{"T6 ticket=character_string1 ticket=thing2", "", false, "given twice"},
		{"T7 ticket", "", false, "want part=keyword"},
		{"T8 ticket=thing-1", "", false, "a keyword is"},
		{"bad/id ticket=thing1", "", false, "template id"},
	}
	for _, tt := range tests {
		got, err := wechat.ParseTemplate(tt.spec)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseTemplate(%q) = %+v, %v, want error %q", tt.spec, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got.ID != tt.wantID || got.Subscribe != tt.wantSub {
			t.Errorf("ParseTemplate(%q) = %+v, %v, want id %s subscribe %v", tt.spec, got, err, tt.wantID, tt.wantSub)
		}
	}
}

var notice = wechat.NoticeOf(intake.Notification{
	TicketID: "CQ-20261201-0001", Kind: intake.NotifyClosed, Audience: intake.AudienceReporter,
	Status: intake.StatusClosed, Unit: "区中小企业发展中心",
	Note: "经核实，贵企业符合二十条第2条的条件，奖励将于审核后拨付，请留意后续通知并备好相关材料。",
	Due:  intake.Date{Year: 2026, Month: 12, Day: 15},
})

func TestSendTicketNotice(t *testing.T) {
	spec := "TPL1 ticket=character_string1 status=phrase2 unit=thing3 reply=thing4 due=time5"
	for _, subscribe := range []bool{false, true} {
		tmpl, err := wechat.ParseTemplate(map[bool]string{false: "", true: "subscribe:"}[subscribe] + spec)
		if err != nil {
			t.Fatal(err)
		}
		r := newRig(t, &fakeEngine{}, false, func(c *wechat.Config) { c.TicketTemplate = tmpl })
		receipt, err := r.s.Client().SendTicketNotice(t.Context(), "oUserR", notice)
		if err != nil {
			t.Fatalf("subscribe=%v: %v", subscribe, err)
		}
		if want := map[bool]string{false: "template:1", true: "subscribe"}[subscribe]; receipt != want {
			t.Errorf("subscribe=%v: receipt %q, want %q", subscribe, receipt, want)
		}
		path := "/cgi-bin/message/template/send"
		if subscribe {
			path = "/cgi-bin/message/subscribe/bizsend"
		}
		calls := r.fake.Calls(path)
		if len(calls) != 1 || calls[0].ErrCode != 0 {
			t.Fatalf("subscribe=%v: calls %v", subscribe, r.fake.Calls(""))
		}
		m := calls[0].JSON()
		data := m["data"].(map[string]any)
		value := func(k string) string { return data[k].(map[string]any)["value"].(string) }
		if m["touser"] != "oUserR" || m["template_id"] != "TPL1" || value("character_string1") != "CQ-20261201-0001" ||
			value("phrase2") != "已办结" || value("thing3") != "区中小企业发展中心" || value("time5") != "2026年12月15日" {
			t.Errorf("subscribe=%v: body %s", subscribe, calls[0].Body)
		}
		if r := []rune(value("thing4")); len(r) != 20 || r[19] != '…' {
			t.Errorf("the reply in a thing keyword: %q, want 20 characters ending in …", value("thing4"))
		}
		if _, ok := m["url"]; ok {
			t.Errorf("the notice carries a link: %s", calls[0].Body)
		}
	}
	// Without a template: customer-service text.
	r := newRig(t, &fakeEngine{}, false)
	if receipt, err := r.s.Client().SendTicketNotice(t.Context(), "oUserR", notice); err != nil || receipt != "custom" {
		t.Fatal(receipt, err)
	}
	got := r.fake.Custom()
	if len(got) != 1 || !strings.HasPrefix(got[0].Content, notice.Text) || !has(got[0].Content, "工单 CQ-20261201-0001", "已办结", "答复：经核实", "回复“查进度 CQ-20261201-0001”") {
		t.Errorf("the text notice: %+v", got)
	}
	if _, err := r.s.Client().SendTicketNotice(t.Context(), "", notice); err == nil {
		t.Error("a notice without an OpenID was sent")
	}
	if _, err := r.s.Client().SendTicketNotice(t.Context(), "oUserR", wechat.TicketNotice{TicketID: "CQ-20261201-0001"}); err == nil {
		t.Error("a notice without its text was sent")
	}
}

func TestOpenID(t *testing.T) {
	tests := []struct {
		key  string
		want string
		ok   bool
	}{
		{"wechat:oUserR", "oUserR", true},
		{"discord:123", "", false},
		{"wechat:", "", false},
	}
	for _, tt := range tests {
		if got, ok := wechat.OpenID(tt.key); got != tt.want || ok != tt.ok {
			t.Errorf("OpenID(%q) = %q, %v, want %q, %v", tt.key, got, ok, tt.want, tt.ok)
		}
	}
	if k := wechat.Key("oUserR"); k.String() != "wechat:oUserR" {
		t.Errorf("Key = %v", k)
	}
}

func TestNoticeOf(t *testing.T) {
	n := intake.Notification{TicketID: "CQ-20261201-0003", Kind: intake.NotifyClosed, Audience: intake.AudienceReporter,
		Status: intake.StatusClosed, Unit: "区工信局", Note: "已答复", Due: intake.Date{Year: 2026, Month: 12, Day: 9}}
	want := wechat.TicketNotice{TicketID: n.TicketID, Status: "已办结", Unit: "区工信局", Reply: "已答复", Due: n.Due, Text: n.Text()}
	if got := wechat.NoticeOf(n); got != want {
		t.Errorf("NoticeOf = %+v, want %+v", got, want)
	}
}
