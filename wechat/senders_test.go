package wechat_test

import (
	"errors"
	"strings"
	"testing"

	"huiqi/intake"
	"huiqi/notify"
	"huiqi/wechat"
)

// TestUnitAlertsThroughOutbox: the robot sender's targets go into the
// outbox; a ticket filed tells the desk's group, dispatching it tells the
// lead unit's, each through its own robot and only once.
func TestUnitAlertsThroughOutbox(t *testing.T) {
	r := newReal(t, false)
	ctx := t.Context()
	hooks, err := wechat.LoadWebhooks([]string{
		"WECOM_WEBHOOK_QGXJ=" + r.fake.RobotURL("key-gxj"),
		"WECOM_WEBHOOK_QZXQYFZZX=" + r.fake.RobotURL("key-desk"),
	}, nil, knownUnits(t), "")
	if err != nil {
		t.Fatal(err)
	}
	robots := wechat.NewRobotSender(wechat.NewWeComRobot(nil, nil), hooks)
	if err := r.store.SetUnitTargets(ctx, wechat.WeComChannel, robots.Targets()); err != nil {
		t.Fatal(err)
	}
	d, err := notify.New(r.store, notify.Config{Now: r.clock.Now}, robots, wechat.NewNoticeSender(r.s.Client()))
	if err != nil {
		t.Fatal(err)
	}
	tk, err := r.store.File(ctx, intake.NewTicket{Text: "申请小升规奖励的材料交了两个月没有回音。", Enterprise: "阳泉某某机械有限公司",
		Contact: "13800000000", ReporterKey: "wechat:oUserAlert"})
	if err != nil {
		t.Fatal(err)
	}
	if tk.LeadUnit != "区工信局" {
		t.Fatalf("routed to %s, the test wants 区工信局", tk.LeadUnit)
	}
	if res, err := d.Drain(ctx); err != nil || res.Sent != 1 {
		t.Fatalf("after filing: %+v, %v; want the desk told", res, err)
	}
	if _, err := r.store.Move(ctx, tk.ID, intake.StatusDispatched, "平台", ""); err != nil {
		t.Fatal(err)
	}
	res, err := d.Drain(ctx)
	if err != nil || res.Sent < 2 {
		t.Fatalf("after dispatching: %+v, %v; want the lead unit's group and the reporter told", res, err)
	}
	byKey := map[string][]string{}
	for _, c := range r.fake.Calls("/cgi-bin/webhook/send") {
		if c.ErrCode != 0 {
			t.Errorf("robot call refused: %d", c.ErrCode)
		}
		m := c.JSON()
		byKey[c.Token] = append(byKey[c.Token], m["text"].(map[string]any)["content"].(string))
	}
	// The desk is a co-handling unit too: told of the dispatch as well.
	if got := byKey["key-desk"]; len(got) != 2 || !has(got[0], tk.ID, "已受理，等待派单", "问题：申请小升规奖励") ||
		!has(got[1], tk.ID, "已派至区中小企业发展中心") {
		t.Errorf("the desk's group got %q", got)
	}
	if got := byKey["key-gxj"]; len(got) != 1 || !has(got[0], tk.ID, "已派至区工信局，请及时签收") {
		t.Errorf("区工信局's group got %q", got)
	}
	if got := r.fake.Custom(); len(got) != 1 || got[0].To != "oUserAlert" || !has(got[0].Content, "已派给区工信局办理") {
		t.Errorf("the reporter got %+v", got)
	}
	if res, err := d.Drain(ctx); err != nil || res.Sent != 0 {
		t.Errorf("a third drain sent %+v, %v", res, err)
	}
}

func TestSendersPermanentErrors(t *testing.T) {
	r := newRig(t, &fakeEngine{}, false)
	ctx := t.Context()
	notices := wechat.NewNoticeSender(r.s.Client())
	reporter := intake.Notification{TicketID: "CQ-20261201-0001", Kind: intake.NotifySigned, Audience: intake.AudienceReporter,
		Unit: "区工信局", Status: intake.StatusSigned, Channel: wechat.Channel, Address: "oUserP"}
	if notices.Channel() != "wechat" {
		t.Errorf("notice channel %q", notices.Channel())
	}
	// 43004: the user unfollowed. 45015: silent for 48 hours. 45009 on a
	// robot: over its rate, worth retrying.
	for _, tt := range []struct {
		code      int
		permanent bool
	}{{43004, true}, {45015, true}, {48001, true}, {45047, false}, {-1, false}} {
		r.fake.FailNext(tt.code)
		_, err := notices.Send(ctx, reporter)
		if err == nil || errors.Is(err, notify.ErrPermanent) != tt.permanent {
			t.Errorf("errcode %d: %v, want permanent=%v", tt.code, err, tt.permanent)
		}
	}
	unit := reporter
	unit.Audience = intake.AudienceUnit
	if _, err := notices.Send(ctx, unit); !errors.Is(err, notify.ErrPermanent) {
		t.Errorf("a unit notification in channel wechat: %v, want permanent", err)
	}

	hooks, err := wechat.LoadWebhooks(nil, []byte(`{"区工信局": "`+r.fake.RobotURL("")+`"}`), knownUnits(t), "")
	if err != nil {
		t.Fatal(err)
	}
	robots := wechat.NewRobotSender(wechat.NewWeComRobot(nil, nil), hooks)
	unit.Channel, unit.Address = wechat.WeComChannel, "区工信局"
	if _, err := robots.Send(ctx, unit); !errors.Is(err, notify.ErrPermanent) || !strings.Contains(err.Error(), "93000") {
		t.Errorf("a webhook WeChat Work does not know: %v, want permanent 93000", err)
	}
	unit.Address = "区财政局"
	if _, err := robots.Send(ctx, unit); !errors.Is(err, notify.ErrPermanent) || !strings.Contains(err.Error(), "WECOM_WEBHOOK_QCZJ") {
		t.Errorf("a unit without a robot: %v, want permanent naming its variable", err)
	}
}
