//! Tokens of a query, each with its character position.

use super::Error;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Open,
    Close,
    /// A bare word: a field name, `and`, `or`, a word of an operator.
    Word(String),
    /// `=`, `!=`, `<`, `<=`, `>`, `>=`.
    Symbol(&'static str),
    /// A quoted value, unescaped.
    Quoted(String),
}

/// The tokens of `query`, or where a character cannot start one (an unterminated quote).
pub fn tokens(query: &str) -> Result<Vec<(usize, Tok)>, Error> {
    let chars: Vec<char> = query.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => {
                out.push((start, Tok::Open));
                i += 1;
            }
            ')' => {
                out.push((start, Tok::Close));
                i += 1;
            }
            '=' => {
                out.push((start, Tok::Symbol("=")));
                i += 1;
            }
            '!' | '<' | '>' => {
                let eq = chars.get(i + 1) == Some(&'=');
                let symbol = match (c, eq) {
                    ('!', true) => "!=",
                    ('<', true) => "<=",
                    ('>', true) => ">=",
                    ('<', false) => "<",
                    ('>', false) => ">",
                    _ => return Err(Error::at(start, "`!` must be followed by `=`")),
                };
                out.push((start, Tok::Symbol(symbol)));
                i += if eq { 2 } else { 1 };
            }
            '\'' | '"' => {
                let mut text = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(Error::at(start, "the quoted value is never closed"));
                        }
                        Some('\\') if matches!(chars.get(i + 1), Some('\\' | '\'' | '"')) => {
                            text.push(chars[i + 1]);
                            i += 2;
                        }
                        Some(&q) if q == c => {
                            i += 1;
                            break;
                        }
                        Some(&other) => {
                            text.push(other);
                            i += 1;
                        }
                    }
                }
                out.push((start, Tok::Quoted(text)));
            }
            c if word_char(c) => {
                while i < chars.len() && word_char(chars[i]) {
                    i += 1;
                }
                out.push((start, Tok::Word(chars[start..i].iter().collect())));
            }
            other => {
                return Err(Error::at(start, format!("unexpected character `{other}`")));
            }
        }
    }
    Ok(out)
}

fn word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.')
}
