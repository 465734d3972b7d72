package knowledge

import "huiqi/internal/lazyre"

// lazyRegexp is a regular expression compiled where it is first used
// (internal/lazyre): the package's eighty-odd expressions cost
// milliseconds to compile at the start of every command.
type lazyRegexp = lazyre.Regexp

// lazyRE is regexp.MustCompile at first use.
func lazyRE(src string) *lazyRegexp { return lazyre.New(src) }
