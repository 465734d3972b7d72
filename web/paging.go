package web

import (
	"net/url"
	"strconv"

	"huiqi/intake"
)

// Every staff list comes in pages: the queue and the unanswered questions,
// in the console and in the staff API. A page is asked for with
// ?after=CURSOR (the next of the page before; none for the first) and
// ?limit=N; the pages are intake's keyset pages, so a ticket filed or
// moved between two pages neither repeats nor hides the others.

// maxPageSize is the longest page a client may ask for.
const maxPageSize = 200

// pageOf reads ?after and ?limit.
func pageOf(q url.Values) (intake.Page, error) {
	p := intake.Page{After: q.Get("after"), Limit: intake.DefaultPageSize}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxPageSize {
			return intake.Page{}, errorf(CodeInvalid, "limit 应在 1 到 %d 之间", maxPageSize)
		}
		p.Limit = n
	}
	if len(p.After) > 512 {
		return intake.Page{}, errorf(CodeInvalid, "翻页参数无效，请从第一页重新查看")
	}
	return p, nil
}
