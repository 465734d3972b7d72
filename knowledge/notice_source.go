package knowledge

// The text of a notice as the file it came in gives it: plain text, a saved
// web page (HTML) or a Word file (.docx, a zip holding word/document.xml).
// Each becomes lines of text, one paragraph a line, for the parser; the
// encoding is read from the file (UTF-8, else GB18030, which old pages use).

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Format is the kind of file a notice came in.
type Format string

const (
	FormatText Format = "txt"
	FormatHTML Format = "html"
	FormatDocx Format = "docx"
)

// MaxNoticeBytes bounds a notice file (and what a .docx may unpack to): the
// longest notice of the genre is well under a megabyte of text.
const MaxNoticeBytes = 8 << 20

// DetectFormat tells the format of a file from its content, and from its
// name when the content does not say (a .doc or .pdf is refused later).
func DetectFormat(name string, src []byte) Format {
	switch {
	case bytes.HasPrefix(src, []byte("PK\x03\x04")):
		return FormatDocx
	case looksLikeHTML(src):
		return FormatHTML
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".html", ".htm", ".shtml", ".xhtml":
		return FormatHTML
	case ".docx":
		return FormatDocx
	}
	return FormatText
}

func looksLikeHTML(src []byte) bool {
	head := bytes.ToLower(bytes.TrimLeft(src[:min(len(src), 1024)], " \t\r\n\ufeff"))
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	for _, p := range []string{"<!doctype html", "<html", "<head", "<body", "<meta", "<div", "<p>", "<p ", "<table"} {
		if bytes.HasPrefix(head, []byte(p)) {
			return true
		}
	}
	return false
}

// NoticeText is the text of a notice file: its paragraphs, one per line.
// A file that is not one of the formats, or is damaged, is a *ParseError.
func NoticeText(name string, src []byte) (string, Format, error) {
	if len(src) > MaxNoticeBytes {
		return "", "", &ParseError{Line: 1, Msg: fmt.Sprintf("文件太大(超过%dMB)", MaxNoticeBytes>>20)}
	}
	switch ext := strings.ToLower(filepath.Ext(name)); {
	case ext == ".doc" && !bytes.HasPrefix(src, []byte("PK\x03\x04")):
		return "", "", &ParseError{Line: 1, Msg: "不支持旧版 Word(.doc)文件,请另存为 .docx 或网页后再导入"}
	case ext == ".pdf" || bytes.HasPrefix(src, []byte("%PDF")):
		return "", "", &ParseError{Line: 1, Msg: "不支持 PDF 文件,请复制其文字存为 .txt,或导入网页、.docx"}
	}
	f := DetectFormat(name, src)
	var (
		text string
		err  error
	)
	switch f {
	case FormatDocx:
		text, err = docxText(src)
	case FormatHTML:
		text, err = htmlText(src)
	default:
		text = decodeText(src)
	}
	if err != nil {
		return "", f, err
	}
	return text, f, nil
}

// decodeText reads plain text: UTF-8 (with or without a BOM), else GB18030.
func decodeText(src []byte) string {
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	if utf8.Valid(src) {
		return string(src)
	}
	if out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(src); err == nil && utf8.Valid(out) {
		return string(out)
	}
	return strings.ToValidUTF8(string(src), "\uFFFD")
}

// htmlSkip are elements whose content is never the notice: scripts, styles,
// forms and the page's navigation, and the pinyin of ruby annotations.
var htmlSkip = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Nav: true, atom.Footer: true, atom.Aside: true,
	atom.Form: true, atom.Select: true, atom.Button: true, atom.Iframe: true,
	atom.Rt: true, atom.Rp: true, atom.Head: true, atom.Svg: true, atom.Object: true,
}

// htmlBlock are elements that end a line.
var htmlBlock = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Br: true, atom.Li: true, atom.Tr: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Table: true, atom.Ul: true, atom.Ol: true, atom.Dd: true, atom.Dt: true,
	atom.Section: true, atom.Article: true, atom.Blockquote: true, atom.Pre: true,
	atom.Hr: true, atom.Center: true, atom.Main: true, atom.Title: true,
}

// htmlText is the visible text of a web page, a line per block; the page's
// chrome that is not in nav/header/footer elements is left to stripChrome.
func htmlText(src []byte) (string, error) {
	enc, _, _ := charset.DetermineEncoding(src, "text/html")
	r, err := enc.NewDecoder().Bytes(src)
	if err != nil || !utf8.Valid(r) {
		r = []byte(decodeText(src))
	}
	doc, err := html.Parse(bytes.NewReader(r))
	if err != nil {
		return "", &ParseError{Line: 1, Msg: "网页无法解析: " + err.Error()}
	}
	var sb strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if htmlSkip[n.DataAtom] || hiddenElement(n) {
				return
			}
			if htmlBlock[n.DataAtom] {
				sb.WriteByte('\n')
			}
			if n.DataAtom == atom.Td || n.DataAtom == atom.Th {
				sb.WriteByte(' ')
			}
		}
		if n.Type == html.TextNode {
			// Source line breaks inside a paragraph are not the text's.
			sb.WriteString(strings.Map(func(r rune) rune {
				if r == '\n' || r == '\r' || r == '\t' {
					return ' '
				}
				return r
			}, n.Data))
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == html.ElementNode && htmlBlock[n.DataAtom] && n.DataAtom != atom.Br {
			sb.WriteByte('\n')
		}
	}
	walk(doc)
	return tidyLines(sb.String()), nil
}

// hiddenElement is an element the page does not show (style display:none,
// the hidden attribute).
func hiddenElement(n *html.Node) bool {
	for _, a := range n.Attr {
		switch strings.ToLower(a.Key) {
		case "hidden":
			return true
		case "style":
			s := strings.ReplaceAll(strings.ToLower(a.Val), " ", "")
			if strings.Contains(s, "display:none") || strings.Contains(s, "visibility:hidden") {
				return true
			}
		}
	}
	return false
}

// tidyLines trims each line and folds runs of blank lines into one.
func tidyLines(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := true
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			if !blank {
				out = append(out, "")
			}
			blank = true
			continue
		}
		out = append(out, l)
		blank = false
	}
	return strings.TrimSpace(strings.Join(out, "\n")) + "\n"
}

// docxText is the text of a Word file: each paragraph (w:p) a line, table
// cells separated by spaces, ruby pinyin (w:rt) and field codes left out.
func docxText(src []byte) (string, error) {
	bad := func(why string) error { return &ParseError{Line: 1, Msg: "Word 文件无法读取: " + why} }
	zr, err := zip.NewReader(bytes.NewReader(src), int64(len(src)))
	if err != nil {
		return "", bad(err.Error())
	}
	var doc *zip.File
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			doc = f
		}
	}
	if doc == nil {
		return "", bad("没有 word/document.xml(不是 .docx 文件?)")
	}
	rc, err := doc.Open()
	if err != nil {
		return "", bad(err.Error())
	}
	defer rc.Close()
	// A zip bomb unpacks to far more than any notice.
	lr := &io.LimitedReader{R: rc, N: MaxNoticeBytes*4 + 1}
	dec := xml.NewDecoder(lr)
	var sb strings.Builder
	skip := 0 // depth inside w:rt, w:instrText, w:delText
	inText := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if lr.N <= 0 {
				return "", bad("内容太大")
			}
			return "", bad(err.Error())
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "rt", "instrText", "delText":
				skip++
			case "t":
				inText = true
			case "tab":
				if skip == 0 {
					sb.WriteByte(' ')
				}
			case "br", "cr":
				if skip == 0 {
					sb.WriteByte('\n')
				}
			case "tc":
				sb.WriteByte(' ')
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "rt", "instrText", "delText":
				skip--
			case "t":
				inText = false
			case "p":
				sb.WriteByte('\n')
			}
		case xml.CharData:
			if inText && skip == 0 {
				sb.Write(t)
			}
		}
	}
	if lr.N <= 0 {
		return "", bad("内容太大")
	}
	return tidyLines(sb.String()), nil
}
