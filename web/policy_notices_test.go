package web

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"huiqi/knowledge"
)

// withNotices wires the console's notice pages to knowledge's desk over the
// test database, answering from a live base.
func withNotices(te **knowledge.Live) func(*Config) {
	return func(c *Config) {
		b, err := knowledge.Builtin()
		if err != nil {
			panic(err)
		}
		live := knowledge.NewLive(b)
		*te = live
		c.Notices = knowledge.NewDesk(c.DB, live, c.Now)
	}
}

// upload posts a file to the notice form as a browser does.
func (b *browser) upload(csrf, name string, src []byte, fields map[string]string) (*http.Response, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", csrf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if name != "" {
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(src)
	}
	mw.Close()
	resp, err := b.c.Post(b.base+"/console/notices", mw.FormDataContentType(), &body)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, string(out)
}

var noticeLocation = regexp.MustCompile(`^/console/notices/(\d+)\?ingested=1$`)

// An admin pastes or uploads a notice: it is a draft with its preview;
// publishing makes it answered at once, withdrawing stops that; both are
// recorded with the admin's name. Other roles have no notice pages.
func TestConsoleNotices(t *testing.T) {
	var live *knowledge.Live
	te := newTestEnv(t, withNotices(&live))
	b := newBrowser(t, te)
	csrf := b.signIn("ad")
	resp, body := b.get("/console/notices")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "城政办发〔2023〕5号") || !strings.Contains(body, "部分到期") || !strings.Contains(body, `href="/console/notices"`) {
		t.Fatalf("notices page = %d %s", resp.StatusCode, body)
	}
	// Nothing to ingest, then a file in which no item parses: refused, nothing stored.
	if resp, body := b.upload(csrf, "", nil, nil); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "请粘贴文件全文") {
		t.Errorf("empty upload = %d %s", resp.StatusCode, body)
	}
	if resp, body := b.upload(csrf, "bad.txt", []byte("关于印发某某办法的通知\n各单位:\n这是一段没有编号的文字。\n"), nil); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "第2行") {
		t.Errorf("unparsable upload = %d %s", resp.StatusCode, body)
	}
	src, err := os.ReadFile("../knowledge/testdata/notices/yangpu-2022.html")
	if err != nil {
		t.Fatal(err)
	}
	resp, _ = b.upload(csrf, "yangpu.html", src, map[string]string{"place": ""})
	m := noticeLocation.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("upload = %d to %q, want the draft's preview", resp.StatusCode, resp.Header.Get("Location"))
	}
	id := m[1]
	resp, body = b.get("/console/notices/" + id + "?ingested=1")
	if resp.StatusCode != http.StatusOK {
		t.Errorf("preview = %d", resp.StatusCode)
	}
	for _, want := range []string{"已存为草稿", "草稿", "杨府发〔2022〕5号", "上海市杨浦区", "减免中小微企业房屋租金", "发布"} {
		if !strings.Contains(body, want) {
			t.Errorf("preview lacks %q: %s", want, body)
		}
	}
	if a := live.Ask("小微企业租国企的房子能免租金吗", 3, fixedNow); strings.Contains(a.Text, "减免中小微企业房屋租金") {
		t.Errorf("a draft is answered from: %s", a.Text)
	}
	// Without the CSRF token the publish is refused.
	if resp, _ := b.post("/console/notices/"+id+"/publish", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("publish without csrf = %d, want 403", resp.StatusCode)
	}
	resp, _ = b.post("/console/notices/"+id+"/publish", url.Values{"csrf": {csrf}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("publish = %d", resp.StatusCode)
	}
	if a := live.Ask("小微企业租国企的房子能免租金吗", 3, fixedNow); len(a.Results) == 0 || a.Results[0].Title != "减免中小微企业房屋租金" {
		t.Errorf("the published notice is not answered from at once: %+v", a.Results)
	}
	_, body = b.get("/console/notices/" + id + "?published=1")
	if !strings.Contains(body, "已发布：惠企助手现在按这份文件回答") || !strings.Contains(body, "发布 · ad") || !strings.Contains(body, "撤回") {
		t.Errorf("published preview = %s", body)
	}
	resp, _ = b.post("/console/notices/"+id+"/withdraw", url.Values{"csrf": {csrf}, "note": {"核对有误"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("withdraw = %d", resp.StatusCode)
	}
	if a := live.Ask("小微企业租国企的房子能免租金吗", 3, fixedNow); len(a.Results) > 0 && a.Results[0].Title == "减免中小微企业房屋租金" {
		t.Errorf("a withdrawn notice is still answered from")
	}
	_, body = b.get("/console/notices/" + id)
	if !strings.Contains(body, "撤回 · ad · 核对有误") || !strings.Contains(body, "已撤回") {
		t.Errorf("withdrawn preview = %s", body)
	}
	// Withdrawing twice is refused; a notice that does not exist is 404.
	if resp, _ := b.post("/console/notices/"+id+"/withdraw", url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("withdrawing twice = %d, want 400", resp.StatusCode)
	}
	if resp, _ := b.get("/console/notices/999"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("notice 999 = %d, want 404", resp.StatusCode)
	}
	// Pasted text works too.
	paste, _ := os.ReadFile("../knowledge/testdata/notices/eval/nanchang-25tiao-2020.txt")
	resp, _ = b.post("/console/notices", url.Values{"csrf": {csrf}, "text": {string(paste)}})
	if resp.StatusCode != http.StatusSeeOther || !noticeLocation.MatchString(resp.Header.Get("Location")) {
		t.Errorf("paste = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	// A hotline account has no notice pages, and no link to them.
	h := newBrowser(t, te)
	hcsrf := h.signIn("hl")
	if resp, _ := h.get("/console/notices"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("hotline notices page = %d, want 404", resp.StatusCode)
	}
	if resp, _ := h.post("/console/notices/"+id+"/publish", url.Values{"csrf": {hcsrf}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("hotline publish = %d, want 404", resp.StatusCode)
	}
	if _, body := h.get("/console/lookup"); strings.Contains(body, `href="/console/notices"`) {
		t.Errorf("the hotline's navigation links the notice pages")
	}
}

// Without a notice desk the pages do not exist, even for admins.
func TestConsoleNoticesUnwired(t *testing.T) {
	te := newTestEnv(t, nil)
	b := newBrowser(t, te)
	b.signIn("ad")
	if resp, body := b.get("/console/notices"); resp.StatusCode != http.StatusNotFound || strings.Contains(body, `href="/console/notices"`) {
		t.Errorf("unwired notices page = %d", resp.StatusCode)
	}
}
