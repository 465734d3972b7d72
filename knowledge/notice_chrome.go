package knowledge

// Page chrome: what a government web page prints around a notice —
// breadcrumbs (>> 走进嵊州 >> 投资嵊州 >> 投资政策), counters (浏览次数),
// sharing and printing links (分享到, 打印本页), menus, site addresses and
// footers (版权所有, 网站标识码) — and the pinyin a page annotates rare
// characters with (嵊(shèng)州). stripChrome blanks such lines instead of
// deleting them, so that line numbers still point into the file.

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// chromeWords are the page's own words; a line made only of them (and
// punctuation) is chrome.
var chromeWords = []string{
	"您当前的位置", "您现在的位置", "当前位置", "您的位置", "所在位置", "现在位置",
	"分享到", "分享", "打印本页", "打印此页", "打印", "关闭窗口", "关闭本页", "关闭", "收藏本页", "收藏", "返回顶部", "返回首页", "返回",
	"扫一扫在手机打开当前页", "扫一扫", "在手机上查看", "手机版", "字号", "字体", "默认", "大", "中", "小",
	"无障碍浏览", "无障碍", "长者模式", "关怀版", "繁体", "简体", "繁體", "English", "登录", "注册", "设为首页", "加入收藏",
	"微信", "微博", "QQ空间", "上一篇", "下一篇", "相关文章", "相关阅读", "网站地图", "联系我们", "【", "】", "[", "]",
	"浏览次数", "阅读次数", "访问次数", "点击次数", "点击数", "浏览量", "阅读量", "访问量", "次",
	"全文", "正文", "首页", "政务公开", "政府信息公开", "信息公开", "政策文件", "政策解读", "投资政策", "通知公告",
}

// footerMarks open a page's footer: the rest of the page is not the notice
// once no sentence follows them.
var footerMarks = []string{"版权所有", "copyright", "©", "icp备", "公网安备", "网站标识码", "主办单位", "技术支持", "网站地图", "联系我们", "主办:", "地址:"}

var (
	reCounter  = lazyRE(`(?:浏览|阅读|访问|点击)(?:次数|量|数)\s*:?\s*\d*\s*次?`)
	reURLLine  = lazyRE(`^(?:https?://|www\.)[\w./?=&%#:-]*$`)
	rePinyinAn = lazyRE(`(\p{Han})\s*\(\s*([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ]{1,7}[1-5]?)\s*\)`)
	reToneMark = lazyRE(`[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ]|^[a-z]{1,6}[1-5]$`)
	reCrumbSep = lazyRE(`>>|»|›|>|→`)
	// reLabelPrefix is a page's label before a title: 【规范性文件】, [公告].
	reLabelPrefix = lazyRE(`^(?:【[^】:]{2,8}】|\[[^\]:]{2,8}\])\s*`)
	// rePageNumber is a printed page's number: - 2 -, —3—, 第2页, 第2页 共5页.
	rePageNumber = lazyRE(`^(?:[-—]+\s*\d{1,3}\s*[-—]+|第\s*\d{1,3}\s*页(?:\s*[,/]?\s*共\s*\d{1,3}\s*页)?|\d{1,3}\s*/\s*\d{1,3})$`)
)

// stripChrome blanks the chrome lines of t (already simplified and
// half-width) and removes pinyin annotations; lines keep their numbers.
func stripChrome(t string) string {
	lines := strings.Split(t, "\n")
	for i, l := range lines {
		lines[i] = chromeLine(l)
	}
	// The footer: from a footer mark near the end, when no sentence follows.
	for i := len(lines) - 1; i >= len(lines)/2; i-- {
		low := strings.ToLower(lines[i])
		if !containsAny(low, footerMarks) {
			continue
		}
		sentence := false
		for _, l := range lines[i+1:] {
			if strings.Contains(l, "。") && utf8.RuneCountInString(l) > 20 {
				sentence = true
				break
			}
		}
		if !sentence {
			for j := i; j < len(lines); j++ {
				lines[j] = ""
			}
		}
	}
	return strings.Join(lines, "\n")
}

func containsAny(s string, subs []string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

// chromeLine is a line without its chrome: "" for a line that is only
// chrome, the line without counters and pinyin otherwise.
func chromeLine(l string) string {
	s := strings.TrimSpace(l)
	if s == "" {
		return l
	}
	// A sentence of the notice is never chrome; only pinyin may be in it.
	if strings.Contains(s, "。") && utf8.RuneCountInString(s) > 40 {
		if strings.Contains(s, "(") && rePinyinAn.MatchString(s) {
			return stripPinyin(s)
		}
		return l
	}
	if strings.Contains(s, "(") && rePinyinAn.MatchString(s) {
		s = stripPinyin(s)
		l = s
	}
	if reURLLine.MatchString(strings.ToLower(s)) {
		return ""
	}
	// A page's label before a title: 【规范性文件】关于….
	if loc := reLabelPrefix.FindStringIndex(s); loc != nil && loc[1] < len(s) {
		s = strings.TrimSpace(s[loc[1]:])
		l = s
	}
	if isBreadcrumb(s) || rePageNumber.MatchString(s) {
		return ""
	}
	if (strings.Contains(s, "次") || strings.Contains(s, "量") || strings.Contains(s, "数")) && reCounter.MatchString(s) {
		s = strings.TrimSpace(reCounter.ReplaceAllString(s, ""))
		if s == "" {
			return ""
		}
		l = s
	}
	if onlyChrome(s) {
		return ""
	}
	if isMenuLine(s) {
		return ""
	}
	return l
}

// stripPinyin removes the pinyin annotations of a line.
func stripPinyin(s string) string {
	return rePinyinAn.ReplaceAllStringFunc(s, func(m string) string {
		sm := rePinyinAn.FindStringSubmatch(m)
		if reToneMark.MatchString(sm[2]) {
			return sm[1]
		}
		return m
	})
}

// isBreadcrumb: 首页 > 政务公开 > 政策文件, >> 走进嵊州 >> 投资嵊州 >> 投资政策,
// 您当前的位置:首页>….
func isBreadcrumb(s string) bool {
	for _, p := range []string{"您当前的位置", "您现在的位置", "当前位置", "您的位置", "所在位置"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	if strings.ContainsAny(s, "。;") || utf8.RuneCountInString(s) > 80 {
		return false
	}
	seps := reCrumbSep.FindAllStringIndex(s, -1)
	if len(seps) == 0 {
		return false
	}
	// Every part is short: a path of page names, not a sentence with a ">".
	parts := reCrumbSep.Split(s, -1)
	short := 0
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p != "" && utf8.RuneCountInString(p) > 20 {
			return false
		}
		if p != "" {
			short++
		}
	}
	return short >= 1 && (len(seps) >= 2 || strings.HasPrefix(s, ">") || strings.HasPrefix(strings.TrimSpace(parts[0]), "首页"))
}

// onlyChrome reports whether s is made only of chrome words, bullets and
// punctuation.
func onlyChrome(s string) bool {
	if utf8.RuneCountInString(s) > 60 || strings.ContainsAny(s, "。,;") {
		return false // a sentence
	}
	rest := s
	for _, w := range chromeWords {
		if len(w) > 1 || !strings.ContainsAny(w, "大中小次") {
			rest = strings.ReplaceAll(rest, w, " ")
		}
	}
	if strings.TrimSpace(rest) == s {
		return false // no chrome word at all
	}
	// The one-character words (大 中 小, 次) count only among other chrome.
	for _, w := range []string{"大", "中", "小", "次"} {
		rest = strings.ReplaceAll(rest, w, " ")
	}
	for _, r := range rest {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// isMenuLine: 首页 政务公开 政务服务 互动交流 — three or more short words
// separated by spaces or bars, with no punctuation or digits.
func isMenuLine(s string) bool {
	if strings.ContainsAny(s, "。,;:、()《》“”0123456789") {
		return false
	}
	words := strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '|' || r == '·' || r == '•' || r == '/' })
	if len(words) < 3 {
		return false
	}
	for _, w := range words {
		if n := utf8.RuneCountInString(w); n > 8 || reOfficeEnd.MatchString(w) || strings.HasSuffix(w, "中心") {
			return false // a long phrase, or offices side by side (a joint signature)
		}
	}
	return true
}
