//! Characters that must not reach a terminal as they are, whichever edge prints the text: the
//! terminal app shows them escaped, the command line writes them in JSON as `\uXXXX`.

/// Whether `c` must not reach the terminal as it is: C0 and C1 controls and DEL (Unicode Cc),
/// every invisible format character (Unicode Cf: bidi embeddings, overrides and isolates,
/// zero-width spaces and joiners, the byte-order mark, tags, …), and the line and paragraph
/// separators.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{ad}'
            | '\u{600}'..='\u{605}'
            | '\u{61c}'
            | '\u{6dd}'
            | '\u{70f}'
            | '\u{890}'..='\u{891}'
            | '\u{8e2}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{110bd}'
            | '\u{110cd}'
            | '\u{13430}'..='\u{1343f}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0001}'
            | '\u{e0020}'..='\u{e007f}'
        )
}
