package wechat_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"huiqi/intake"
	"huiqi/knowledge"
	"huiqi/wechat"
	"huiqi/wechat/wechattest"
)

// knownUnits are the responsible units of the built-in notice.
func knownUnits(t *testing.T) []string {
	t.Helper()
	b, err := knowledge.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var out []string
	for _, m := range b.Measures() {
		for _, u := range m.Units {
			if !seen[u] {
				seen[u] = true
				out = append(out, u)
			}
		}
	}
	if len(out) < 10 {
		t.Fatalf("only %d units", len(out))
	}
	return out
}

func TestWebhookEnvName(t *testing.T) {
	tests := []struct{ unit, want string }{
		{"区工信局", "WECOM_WEBHOOK_QGXJ"},
		{"工信局", "WECOM_WEBHOOK_QGXJ"}, // an alias names its canonical unit
		{"区行政审批局", "WECOM_WEBHOOK_QXZSPJ"},
		{"区中小企业发展中心", "WECOM_WEBHOOK_QZXQYFZZX"},
		{"市交警二大队", "WECOM_WEBHOOK_SJJEDD"},
	}
	for _, tt := range tests {
		if got := wechat.WebhookEnvName(tt.unit); got != tt.want {
			t.Errorf("WebhookEnvName(%q) = %s, want %s", tt.unit, got, tt.want)
		}
	}
	// Every unit of the notice has a variable of its own.
	names := map[string]string{}
	for _, u := range knownUnits(t) {
		n := wechat.WebhookEnvName(u)
		if other, dup := names[n]; dup {
			t.Errorf("%s and %s share %s", other, u, n)
		}
		names[n] = u
	}
}

func TestLoadWebhooks(t *testing.T) {
	units := knownUnits(t)
	const hook = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1111-2222"
	file, _ := json.Marshal(map[string]string{"中小企业中心": "abcd-1234-efgh", "区工信局": hook})
	env := []string{"PATH=/bin", "WECOM_WEBHOOK_QGXJ=http://127.0.0.1:9/cgi-bin/webhook/send?key=env", "WECOM_WEBHOOK_FILE=/etc/x.json"}
	got, err := wechat.LoadWebhooks(env, file, units, "")
	if err != nil {
		t.Fatal(err)
	}
	if u, ok := got.For("工信局"); !ok || !strings.HasSuffix(u, "key=env") {
		t.Errorf("区工信局 = %q, want the environment's webhook (it wins over the file)", u)
	}
	if u, ok := got.For("区中小企业发展中心"); !ok || u != "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcd-1234-efgh" {
		t.Errorf("a bare key became %q", u)
	}
	if _, ok := got.For("区财政局"); ok {
		t.Error("a unit without a webhook has one")
	}
	tests := []struct {
		name    string
		env     []string
		file    string
		units   []string
		wantErr string
	}{
		{"unknown variable", []string{"WECOM_WEBHOOK_GXJ=" + hook}, "", units, "WECOM_WEBHOOK_GXJ names no unit"},
		{"unknown unit in the file", nil, `{"区宣传局": "abcd-1234-efgh"}`, units, "is not a unit huiqi knows"},
		{"not JSON", nil, `[1]`, units, "want a JSON object"},
		{"plain http elsewhere", []string{"WECOM_WEBHOOK_QGXJ=http://example.com/hook"}, "", units, "must be https"},
		{"a bad key", nil, `{"区工信局": "no spaces allowed"}`, units, "a robot key"},
		{"two units, one name", []string{"WECOM_WEBHOOK_QCZJ=" + hook}, "", []string{"区财政局", "区城镇局"}, "区财政局 and 区城镇局"},
	}
	for _, tt := range tests {
		var f []byte
		if tt.file != "" {
			f = []byte(tt.file)
		}
		_, err := wechat.LoadWebhooks(tt.env, f, tt.units, "")
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.wantErr)
		}
	}
}

func TestWeComRobot(t *testing.T) {
	fake := wechattest.New(t, appID, secret, func() time.Time { return start })
	robot := wechat.NewWeComRobot(nil, nil)
	ctx := t.Context()
	n := intake.Notification{TicketID: "CQ-20261201-0002", Kind: intake.NotifyDispatched, Audience: intake.AudienceUnit,
		Unit: "区工信局", Status: intake.StatusDispatched, Note: "企业反映奖励资金迟迟未到账", Due: intake.Date{Year: 2026, Month: 12, Day: 15}}
	alert := wechat.RobotText(n)
	if alert != n.Text() || !has(alert, "CQ-20261201-0002", "区工信局", "问题：企业反映奖励资金迟迟未到账") {
		t.Errorf("alert text:\n%s", alert)
	}
	if err := robot.Send(ctx, fake.RobotURL("unit-key-1"), alert); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("即将超期的工单提醒。\n", 180) // 5,580 bytes: 3 messages of whole lines
	if err := robot.Send(ctx, fake.RobotURL("unit-key-1"), long); err != nil {
		t.Fatal(err)
	}
	if err := robot.SendMarkdown(ctx, fake.RobotURL("unit-key-1"), "**超期提醒**\n> CQ-20261201-0002"); err != nil {
		t.Fatal(err)
	}
	calls := fake.Calls("/cgi-bin/webhook/send")
	if len(calls) != 1+3+1 {
		t.Fatalf("%d robot calls, want 5", len(calls))
	}
	for _, c := range calls {
		m := c.JSON()
		typ := m["msgtype"].(string)
		content := m[typ].(map[string]any)["content"].(string)
		if c.ErrCode != 0 || c.Token != "unit-key-1" || len(content) > 2048 {
			t.Errorf("robot call %s %d bytes: errcode %d", typ, len(content), c.ErrCode)
		}
	}
	var ae *wechat.APIError
	if err := robot.Send(ctx, fake.RobotURL(""), "x"); !errors.As(err, &ae) || ae.Code != 93000 {
		t.Errorf("a webhook without a key: %v", err)
	}
	if err := robot.Send(ctx, "http://example.com/cgi-bin/webhook/send?key=k", "x"); err == nil {
		t.Error("an http webhook off this machine was used")
	}
	if n := len(fake.Calls("/cgi-bin/webhook/send")); n != 6 {
		t.Errorf("%d robot calls, want 6 (the refused URL is never called)", n)
	}
}
