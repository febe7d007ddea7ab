//! RFC 4180 CSV, read record by record (a large import never holds its rows as a list) and
//! written field by field. Quoted fields may contain commas, quotes (`""`) and line breaks.

/// One record and the line it starts on (1-based, counting the header line).
#[derive(Debug, PartialEq)]
pub struct Row {
    pub line: usize,
    pub fields: Vec<String>,
}

/// Why a record could not be read.
#[derive(Debug, PartialEq)]
pub struct ParseError {
    pub line: usize,
    pub reason: String,
}

/// Reads records from `text` one at a time; a trailing line break ends the last record, blank
/// lines are skipped.
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
}

impl Iterator for Reader<'_> {
    type Item = Result<Row, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        // Skip blank lines.
        loop {
            if self.rest.is_empty() {
                return None;
            }
            let blank = if self.rest.starts_with("\r\n") {
                2
            } else if self.rest.starts_with('\n') {
                1
            } else {
                break;
            };
            self.rest = &self.rest[blank..];
            self.line += 1;
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
                        match chars.peek() {
                            None | Some((_, ',' | '\n' | '\r')) => {}
                            Some(_) => {
                                self.rest = "";
                                return Some(Err(ParseError {
                                    line: start_line,
                                    reason: "a quoted field must end at a comma or line end".into(),
                                }));
                            }
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
            self.rest = "";
            return Some(Err(ParseError {
                line: start_line,
                reason: "a quoted field is not closed".into(),
            }));
        }
        fields.push(field);
        self.rest = &self.rest[end..];
        Some(Ok(Row {
            line: start_line,
            fields,
        }))
    }
}

/// Appends one record to `out`, quoting fields that need it; lines end with `\r\n` (RFC 4180).
pub fn write_row<S: AsRef<str>>(out: &mut String, fields: &[S]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let field = field.as_ref();
        if field.contains([',', '"', '\n', '\r']) || field.starts_with(' ') || field.ends_with(' ')
        {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(field);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<Result<Row, ParseError>> {
        Reader::new(text).collect()
    }

    #[test]
    fn reads_quotes_commas_and_line_breaks() {
        let got = rows("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n\n\"two\nlines\",\n");
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
    fn reports_broken_quotes_with_their_line() {
        let got = rows("a\n\"open\n");
        assert_eq!(
            got[1],
            Err(ParseError {
                line: 2,
                reason: "a quoted field is not closed".into()
            })
        );
        let got = rows("\"a\"b,c\n");
        assert_eq!(got[0].as_ref().unwrap_err().line, 1);
    }

    #[test]
    fn writes_what_it_reads() {
        let mut out = String::new();
        write_row(
            &mut out,
            &["plain", "with, comma", "with \"quote\"", "two\nlines", ""],
        );
        let back: Vec<Row> = Reader::new(&out).map(Result::unwrap).collect();
        assert_eq!(
            back[0].fields,
            ["plain", "with, comma", "with \"quote\"", "two\nlines", ""]
        );
    }
}
