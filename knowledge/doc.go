// Package knowledge is the measures of the district's notices as a knowledge
// base: what the notices say, and the search that answers questions on them.
//
// It owns:
//   - the notices, parsed from their official text (header, packages,
//     numbered items, responsible units, dates and terms), with the reviewed
//     repairs of their misprints (source/notices.json), and the notices and
//     staff questions stored in SQLite;
//   - whether a measure is in force on a day (Base.Validity), decided from the
//     notice's own dates for every channel, and what the loaded notices cover
//     (Base.Scope, Base.Coverage);
//   - the lexicon: how enterprises name each measure's concepts, the amounts
//     answers quote, typos, synonyms, out-of-scope topics, and small talk
//     with its one set of replies (Base.SmallTalk);
//   - the canonical names of the responsible units and their variants;
//   - the search, its confidence, and the answers it composes (Base.Ask).
//
// It must not know who asks or through which channel (the bot, the web, the
// command line), tickets and where an issue is routed (intake), or the award
// rules and an enterprise's profile (eligibility: the amounts the lexicon
// quotes are text here, held to eligibility's rules by a test there). It
// reads no clock: callers pass the day. How Chinese numbers, script, money
// and dates are written is internal/zhtext's.
package knowledge
