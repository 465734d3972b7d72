package bot

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"huiqi/knowledge"
	"io"
	"strconv"
	"strings"
)

// banner heads the terminal chat: 惠企助手 · 阳泉市城区惠企政策（城政办发〔2023〕5号）.
func banner(s knowledge.Scope) string {
	b := "惠企助手 · " + s.Place + "惠企政策"
	if d := s.Docs(); d != "" {
		b += "（" + d + "）"
	}
	return b
}

// RunTerminal chats with one user over a reader and a writer: a prompt,
// replies as paragraphs, choices numbered (typing the number picks one),
// forms asked field by field. It returns nil at end of input or when the
// user types 退出.
func RunTerminal(ctx context.Context, e *Engine, in io.Reader, out io.Writer, key Key) error {
	sc := newLineReader(in)
	w := bufio.NewWriter(out)
	defer w.Flush()

	fmt.Fprintln(w, banner(e.d.Knowledge.Scope()))
	fmt.Fprintln(w, "输入问题后回车；输入选项前的数字可直接选择；输入“退出”结束。")
	e.showNotifications(ctx, w, key) // notify.go

	var choices []Choice // what a typed number picks
	var send func(input Input) error
	send = func(input Input) error {
		replies, err := e.Handle(ctx, key, input)
		if len(replies) == 0 && err != nil {
			replies = []Reply{{Text: msgInternal}}
		}
		choices = nil
		for _, r := range replies {
			renderReply(w, r)
			if len(r.Choices) > 0 && !r.NumberAnswer {
				choices = r.Choices
			}
		}
		for _, r := range replies {
			if r.Form != nil {
				vals, status, err := askForm(ctx, sc, w, r.Form)
				switch {
				case err != nil:
					return err
				case status == formEOF:
					return errEndOfInput
				case status == formCancel:
					return send(Input{Text: "取消"})
				}
				return send(Input{Action: r.Form.ID, Form: vals})
			}
		}
		return nil
	}
	if err := send(Input{Action: ActionStart}); err != nil {
		return quiet(err)
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil
		}
		fmt.Fprint(w, "\n> ")
		w.Flush()
		line, ok, err := sc.next(ctx)
		if !ok {
			fmt.Fprintln(w, "\n再见！")
			return err
		}
		line = strings.TrimSpace(line)
		switch strings.ToLower(line) {
		case "退出", "quit", "exit", "/quit", "/exit":
			fmt.Fprintln(w, "再见！")
			return nil
		}
		input := Input{Text: line}
		if n, err := strconv.Atoi(line); err == nil && n >= 1 && n <= len(choices) {
			input = Input{Action: choices[n-1].ID}
		}
		if err := send(input); err != nil {
			return quiet(err)
		}
	}
}

// errEndOfInput ends the chat when input ends in the middle of a form.
var errEndOfInput = errors.New("end of input")

func quiet(err error) error {
	if errors.Is(err, errEndOfInput) {
		return nil
	}
	return err
}

type formStatus int

const (
	formDone formStatus = iota
	formCancel
	formEOF
)

// askForm asks a form's fields one by one.
func askForm(ctx context.Context, sc *lineReader, w *bufio.Writer, f *Form) (map[string]string, formStatus, error) {
	vals := make(map[string]string, len(f.Fields))
	if f.Title != "" {
		fmt.Fprintf(w, "【%s】（逐项填写，输入“取消”放弃）\n", f.Title)
	}
	for _, fd := range f.Fields {
		for {
			if ctx.Err() != nil {
				return nil, formEOF, nil
			}
			label := fd.Label
			if !fd.Required {
				label += "（可不填）"
			}
			switch {
			case fd.Value != "":
				label += "〔直接回车沿用：" + clip(strings.ReplaceAll(fd.Value, "\n", " "), 40) + "〕"
			case fd.Placeholder != "":
				label += "〔" + fd.Placeholder + "〕"
			}
			fmt.Fprintf(w, "%s：", label)
			w.Flush()
			line, ok, err := sc.next(ctx)
			if !ok {
				fmt.Fprintln(w, "\n再见！")
				return nil, formEOF, err
			}
			v := strings.TrimSpace(line)
			if v == "取消" || v == "退出" {
				return nil, formCancel, nil
			}
			if v == "" {
				v = fd.Value
			}
			if v == "" && fd.Required {
				fmt.Fprintln(w, "这一项必须填写。")
				continue
			}
			vals[fd.Name] = v
			break
		}
	}
	return vals, formDone, nil
}

// lineReader reads a line only when asked, in a goroutine, so that a
// cancelled context (Ctrl-C) ends the chat even while input blocks, and
// nothing is read ahead of the prompt.
type lineReader struct {
	br   *bufio.Reader
	req  chan struct{}
	res  chan lineResult
	done bool
}

type lineResult struct {
	line string
	ok   bool
	err  error
}

func newLineReader(in io.Reader) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(in, 64*1024)}
}

// maxLine is how much of one input line the terminal keeps. A longer line
// (a pasted file) is cut here and the rest skipped rather than ending the
// chat; the engine then answers that the message is too long.
const maxLine = 64 * 1024

// readLine reads one line without its end of line. ok is false at end of
// input with nothing read.
func readLine(br *bufio.Reader) (line string, ok bool, err error) {
	var b []byte
	read := false
	for {
		chunk, err := br.ReadSlice('\n')
		read = read || len(chunk) > 0
		if room := maxLine - len(b); room > 0 {
			b = append(b, chunk[:min(len(chunk), room)]...)
		}
		switch {
		case err == nil:
			return strings.TrimRight(string(b), "\r\n"), true, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			return strings.TrimRight(string(b), "\r\n"), read, nil
		default:
			return "", false, err
		}
	}
}

// next returns the next line; ok is false at end of input, on a read
// error (err) or when ctx ends.
func (r *lineReader) next(ctx context.Context) (line string, ok bool, err error) {
	if r.done {
		return "", false, nil
	}
	if r.req == nil {
		r.req, r.res = make(chan struct{}), make(chan lineResult, 1)
		go func() {
			for range r.req {
				line, ok, err := readLine(r.br)
				res := lineResult{line: line, ok: ok}
				if err != nil {
					res.err = fmt.Errorf("terminal: read input: %w", err)
				}
				r.res <- res
				if !ok {
					return
				}
			}
		}()
	}
	select {
	case r.req <- struct{}{}:
	case <-ctx.Done():
		r.done = true
		return "", false, nil
	}
	select {
	case res := <-r.res:
		if !res.ok {
			r.done = true
		}
		return res.line, res.ok, res.err
	case <-ctx.Done():
		r.done = true
		return "", false, nil
	}
}

// renderReply writes one reply as plain text.
func renderReply(w io.Writer, r Reply) {
	fmt.Fprintln(w)
	if r.Text != "" {
		fmt.Fprintln(w, r.Text)
	}
	if c := r.Card; c != nil {
		if c.Title != "" {
			fmt.Fprintf(w, "【%s】\n", c.Title)
		}
		if c.Body != "" {
			fmt.Fprintln(w, c.Body)
		}
		for _, f := range c.Fields {
			fmt.Fprintf(w, "  %s：%s\n", f.Name, f.Value)
		}
		if c.Footer != "" {
			fmt.Fprintln(w, c.Footer)
		}
	}
	for i, c := range r.Choices {
		if r.NumberAnswer {
			// A typed number is the answer here: choices are typed by name.
			fmt.Fprintf(w, "  · %s\n", c.Label)
			continue
		}
		fmt.Fprintf(w, "  %d. %s\n", i+1, c.Label)
	}
}
