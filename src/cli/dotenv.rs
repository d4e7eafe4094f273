//! Env files (`csvault run --env-file`): dotenv syntax parsed into variables whose values are
//! plain text or `csvault://` references. No interpolation: `$VAR` stays as written.
//!
//! A line is blank, a `#` comment, or `[export ]NAME=VALUE` with NAME `[A-Za-z_][A-Za-z0-9_]*`.
//! VALUE is unquoted (up to a ` #` comment, trimmed), `'single quoted'` (taken as written), or
//! `"double quoted"` (`\n \r \t \" \\ \$` escapes); quoted values may span lines.

use zeroize::Zeroizing;

use super::reference::Reference;

/// A variable's value as the file gives it.
#[derive(Debug)]
pub enum EnvValue {
    /// Passed through as written (wiped when dropped: an env file may hold anything).
    Plain(Zeroizing<String>),
    /// A `csvault://` reference, resolved before the command starts.
    Reference(Reference),
}

/// One `NAME=VALUE` of a file, with the line it starts on (from 1).
#[derive(Debug)]
pub struct EnvEntry {
    pub name: String,
    pub value: EnvValue,
    pub line: usize,
}

/// A syntax problem: the line (from 1) and what is wrong, never the value.
#[derive(Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: usize,
    pub message: String,
}

/// Whether `name` can be an environment variable's name: `[A-Za-z_][A-Za-z0-9_]*`.
pub fn is_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Parses a whole env file (UTF-8 text). Errors: the first syntax problem.
pub fn parse(text: &str) -> Result<Vec<EnvEntry>, SyntaxError> {
    let mut parser = Parser::new(text);
    let mut out = Vec::new();
    while let Some(entry) = parser.next_entry()? {
        out.push(entry);
    }
    Ok(out)
}

/// The file's variables one by one, for a reader that goes on past a broken line (`csvault
/// import --from dotenv`): a syntax problem is given for its line, and reading resumes on the
/// next line (a quote never closed ends the file).
pub fn entries(text: &str) -> Entries {
    Entries {
        parser: Parser::new(text),
        done: false,
    }
}

/// The iterator of [`entries`].
pub struct Entries {
    parser: Parser,
    done: bool,
}

impl Iterator for Entries {
    type Item = Result<EnvEntry, SyntaxError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.parser.next_entry() {
            Ok(Some(entry)) => Some(Ok(entry)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                // Still on the broken line: the rest of it is not read as a line of its own.
                if self.parser.line <= e.line {
                    self.parser.skip_line();
                }
                if self.parser.peek().is_none() {
                    self.done = true;
                }
                Some(Err(e))
            }
        }
    }
}

struct Parser {
    /// The file's text (wiped when dropped, on every path).
    chars: Zeroizing<Vec<char>>,
    at: usize,
    line: usize,
}

impl Parser {
    /// A parser at the start of `text`. Its characters are counted first, so the buffer is
    /// sized once and never grows (growing would leave unwiped copies of the values behind).
    fn new(text: &str) -> Self {
        let mut chars = Zeroizing::new(Vec::with_capacity(text.chars().count()));
        chars.extend(text.chars());
        Self {
            chars,
            at: 0,
            line: 1,
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += 1;
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    /// An empty value with room for every character from here to the first `stop` (an
    /// unescaped one when `backslash_escapes`), so it never grows and leaves no unwiped copy behind.
    fn value_buffer(&self, stop: char, backslash_escapes: bool) -> Zeroizing<String> {
        let mut bytes = 0;
        let mut after_backslash = false;
        for &c in &self.chars[self.at..] {
            if c == stop && !after_backslash {
                break;
            }
            after_backslash = backslash_escapes && c == '\\' && !after_backslash;
            bytes += c.len_utf8();
        }
        Zeroizing::new(String::with_capacity(bytes))
    }

    fn error(&self, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            line: self.line,
            message: message.into(),
        }
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.bump();
        }
    }

    fn skip_line(&mut self) {
        while let Some(c) = self.bump() {
            if c == '\n' {
                break;
            }
        }
    }

    /// After a value: blanks, an optional comment, then the end of the line.
    fn end_of_line(&mut self) -> Result<(), SyntaxError> {
        self.skip_blanks();
        match self.peek() {
            None => Ok(()),
            Some('\n') => {
                self.bump();
                Ok(())
            }
            Some('\r') if self.chars.get(self.at + 1) == Some(&'\n') => {
                self.bump();
                self.bump();
                Ok(())
            }
            Some('#') => {
                self.skip_line();
                Ok(())
            }
            Some(_) => Err(self.error("unexpected text after the closing quote")),
        }
    }

    fn word(&mut self) -> String {
        let mut word = String::new();
        while let Some(c) = self
            .peek()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        {
            word.push(c);
            self.bump();
        }
        word
    }

    fn next_entry(&mut self) -> Result<Option<EnvEntry>, SyntaxError> {
        loop {
            // Blank lines, comments, a BOM at the start.
            while matches!(self.peek(), Some(' ' | '\t' | '\r' | '\u{feff}')) {
                self.bump();
            }
            match self.peek() {
                None => return Ok(None),
                Some('\n') => {
                    self.bump();
                }
                Some('#') => self.skip_line(),
                Some(_) => break,
            }
        }
        let line = self.line;
        let mut name = self.word();
        if name == "export" && matches!(self.peek(), Some(' ' | '\t')) {
            self.skip_blanks();
            name = self.word();
        }
        if !is_var_name(&name) {
            return Err(
                self.error("expected NAME=VALUE, NAME of A–Z a–z 0–9 _ not starting with a digit")
            );
        }
        self.skip_blanks();
        if self.bump() != Some('=') {
            return Err(self.error(format!("expected = after {name}")));
        }
        self.skip_blanks();
        let value = match self.peek() {
            Some('\'') => self.single_quoted()?,
            Some('"') => self.double_quoted()?,
            _ => self.unquoted(),
        };
        let value = match Reference::parse_value(&value) {
            None => EnvValue::Plain(value),
            Some(Ok(reference)) => EnvValue::Reference(reference),
            Some(Err(e)) => {
                return Err(SyntaxError {
                    line,
                    message: e.error_msg,
                });
            }
        };
        Ok(Some(EnvEntry { name, value, line }))
    }

    fn single_quoted(&mut self) -> Result<Zeroizing<String>, SyntaxError> {
        let start = self.line;
        self.bump();
        let mut value = self.value_buffer('\'', false);
        loop {
            match self.bump() {
                None => return Err(unclosed(start, '\'')),
                Some('\'') => break,
                Some(c) => value.push(c),
            }
        }
        self.end_of_line()?;
        Ok(value)
    }

    fn double_quoted(&mut self) -> Result<Zeroizing<String>, SyntaxError> {
        let start = self.line;
        self.bump();
        let mut value = self.value_buffer('"', true);
        loop {
            match self.bump() {
                None => return Err(unclosed(start, '"')),
                Some('"') => break,
                Some('\\') => match self.bump() {
                    None => return Err(unclosed(start, '"')),
                    Some('n') => value.push('\n'),
                    Some('r') => value.push('\r'),
                    Some('t') => value.push('\t'),
                    Some(c @ ('"' | '\\' | '$')) => value.push(c),
                    // Any other escape stays as written.
                    Some(c) => {
                        value.push('\\');
                        value.push(c);
                    }
                },
                Some(c) => value.push(c),
            }
        }
        self.end_of_line()?;
        Ok(value)
    }

    /// Up to the end of the line or a `#` after a blank, without the blanks around it.
    fn unquoted(&mut self) -> Zeroizing<String> {
        let mut value = self.value_buffer('\n', false);
        while let Some(c) = self.peek() {
            if c == '\n' {
                break;
            }
            if c == '#' && value.ends_with([' ', '\t']) {
                self.skip_line();
                let kept = value.trim_end().len();
                value.truncate(kept);
                return value;
            }
            value.push(c);
            self.bump();
        }
        self.bump();
        let kept = value.trim_end().len();
        value.truncate(kept);
        value
    }
}

fn unclosed(line: usize, quote: char) -> SyntaxError {
    SyntaxError {
        line,
        message: format!("the value opened with {quote} on this line is never closed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::reference::Selector;

    #[test]
    fn the_text_is_copied_into_a_buffer_sized_once() {
        // Multi-byte characters: a size guessed from the byte length would be wrong.
        let text = "A=été\nB='ñandú 日本'\n".repeat(50);
        let parser = Parser::new(&text);
        assert_eq!(parser.chars.len(), text.chars().count());
        assert_eq!(parser.chars.capacity(), parser.chars.len());
    }

    fn entries(text: &str) -> Vec<(String, String)> {
        parse(text)
            .unwrap_or_else(|e| panic!("{e:?}"))
            .into_iter()
            .map(|e| {
                let value = match e.value {
                    EnvValue::Plain(v) => format!("plain:{}", v.as_str()),
                    EnvValue::Reference(r) => format!("ref:{r}"),
                };
                (e.name, value)
            })
            .collect()
    }

    fn pair(name: &str, value: &str) -> (String, String) {
        (name.to_owned(), value.to_owned())
    }

    #[test]
    fn the_usual_dotenv_forms() {
        let text = "\u{feff}# a comment\n\n  export API_KEY = csvault://api@prod  # which\n\
                    PLAIN=hello world # trailing\nHASH=a#b\nEMPTY=\nSQ='it $HOME \\n'\n\
                    DQ=\"line\\none \\\"q\\\" \\$x \\\\ \\q\" # c\nMULTI=\"a\nb\"\r\n\
                    export=1\nREF=\"csvault://db#v2\"\n_X1=csvault://plain\n";
        assert_eq!(
            entries(text),
            [
                pair("API_KEY", "ref:api@prod"),
                pair("PLAIN", "plain:hello world"),
                pair("HASH", "plain:a#b"),
                pair("EMPTY", "plain:"),
                pair("SQ", "plain:it $HOME \\n"),
                pair("DQ", "plain:line\none \"q\" $x \\ \\q"),
                pair("MULTI", "plain:a\nb"),
                pair("export", "plain:1"),
                pair("REF", "ref:db#v2"),
                pair("_X1", "ref:plain"),
            ]
        );
    }

    #[test]
    fn values_and_references() {
        assert_eq!(
            entries("A=csvault://api\nB='csvault://x@SYSPREVIOUS'\nC=plain://x\n"),
            [
                pair("A", "ref:api"),
                pair("B", "ref:x@SYSPREVIOUS"),
                pair("C", "plain:plain://x")
            ]
        );
        let parsed = parse("A=csvault://db#v3").unwrap_or_default();
        assert!(matches!(
            &parsed[0].value,
            EnvValue::Reference(r) if r.selector == Selector::Version("v3".into())
        ));
        assert_eq!(
            entries("export A=1\nB = \"x\"  \n  C='y' # z\nD=a b  c  \n"),
            [
                pair("A", "plain:1"),
                pair("B", "plain:x"),
                pair("C", "plain:y"),
                pair("D", "plain:a b  c")
            ]
        );
    }

    #[test]
    fn a_value_is_read_into_one_buffer_that_never_grows() {
        let parsed = parse("A=hello # c\nB=\"\\tq\\\"\"\n").unwrap_or_default();
        let capacities: Vec<(usize, usize)> = parsed
            .iter()
            .map(|e| match &e.value {
                EnvValue::Plain(v) => (v.len(), v.capacity()),
                EnvValue::Reference(_) => (0, 0),
            })
            .collect();
        // Sized for everything up to the line's end or the closing quote, never reallocated.
        assert_eq!(capacities, [(5, 9), (3, 5)]);
    }

    #[test]
    fn syntax_errors_name_the_line_never_the_value() {
        let cases = [
            ("A=1\n1BAD=x\n", 2),
            ("A=1\n\nB x\n", 3),
            ("A=\"s3cret open\nB=2\n", 1),
            ("A='s3cret' trailing\n", 1),
            ("A=csvault://bad name\n", 1),
            ("NAME-X=1\n", 1),
            ("=v\n", 1),
        ];
        for (text, line) in cases {
            let e = parse(text)
                .err()
                .unwrap_or_else(|| panic!("{text:?} parsed"));
            assert_eq!(e.line, line, "{text:?}: {e:?}");
            assert!(!e.message.contains("s3cret"), "{}", e.message);
        }
    }

    #[test]
    fn variable_names() {
        for good in ["A", "_", "a_1", "PATH"] {
            assert!(is_var_name(good), "{good}");
        }
        for bad in ["", "1A", "A-B", "A B", "É"] {
            assert!(!is_var_name(bad), "{bad}");
        }
    }
}
