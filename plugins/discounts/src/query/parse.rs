//! The parser: tokens → [`Expr`], every field, operator and value checked for the query's
//! [`Kind`]. Iterative over a clause list, recursive only into parentheses ([`MAX_DEPTH`]).

use super::lex::{Tok, tokens};
use super::{
    Clause, Error, Expr, Field, Join, Kind, MAX_CLAUSES, MAX_DEPTH, MAX_LEN, MAX_LIST, Op, Term,
    Type, Value, field_names,
};

/// Parses `query` as a query of `kind`.
pub fn parse(query: &str, kind: Kind) -> Result<Expr, Error> {
    let len = query.chars().count();
    if len > MAX_LEN {
        return Err(Error::at(
            MAX_LEN,
            format!("the query is longer than {MAX_LEN} characters"),
        ));
    }
    let toks = tokens(query)?;
    if toks.is_empty() {
        return Err(Error::at(0, "the query is empty"));
    }
    let mut p = Parser {
        toks,
        at: 0,
        end: len,
        kind,
        clauses: 0,
    };
    let expr = p.expr(0)?;
    match p.toks.get(p.at) {
        None => Ok(expr),
        Some((pos, Tok::Close)) => Err(Error::at(*pos, "`)` closes no `(`")),
        Some((pos, _)) => Err(Error::at(*pos, "expected `and`, `or` or the end")),
    }
}

struct Parser {
    toks: Vec<(usize, Tok)>,
    at: usize,
    /// The query's length: where "the end" is.
    end: usize,
    kind: Kind,
    clauses: usize,
}

impl Parser {
    fn peek(&self) -> Option<&(usize, Tok)> {
        self.toks.get(self.at)
    }

    fn pos(&self) -> usize {
        self.peek().map_or(self.end, |t| t.0)
    }

    /// The next token if it is the keyword `word`.
    fn keyword(&mut self, word: &str) -> bool {
        let hit = matches!(self.peek(), Some((_, Tok::Word(w))) if w.eq_ignore_ascii_case(word));
        if hit {
            self.at += 1;
        }
        hit
    }

    fn expr(&mut self, depth: usize) -> Result<Expr, Error> {
        let first = Box::new(self.term(depth)?);
        let mut rest = Vec::new();
        loop {
            let join = if self.keyword("and") {
                Join::And
            } else if self.keyword("or") {
                Join::Or
            } else {
                break;
            };
            rest.push((join, self.term(depth)?));
        }
        Ok(Expr { first, rest })
    }

    fn term(&mut self, depth: usize) -> Result<Term, Error> {
        let Some((pos, tok)) = self.peek().cloned() else {
            return Err(Error::at(self.end, "expected a clause or `(`"));
        };
        match tok {
            Tok::Open => {
                if depth >= MAX_DEPTH {
                    return Err(Error::at(
                        pos,
                        format!("parentheses nest deeper than {MAX_DEPTH}"),
                    ));
                }
                self.at += 1;
                let inner = self.expr(depth + 1)?;
                match self.peek() {
                    Some((_, Tok::Close)) => {
                        self.at += 1;
                        Ok(Term::Group(inner))
                    }
                    None => Err(Error::at(
                        self.end,
                        format!("the `(` at {pos} is never closed"),
                    )),
                    Some((p, _)) => Err(Error::at(*p, "expected `and`, `or` or `)`")),
                }
            }
            Tok::Word(name) => {
                self.at += 1;
                self.clauses += 1;
                if self.clauses > MAX_CLAUSES {
                    return Err(Error::at(
                        pos,
                        format!("a query holds at most {MAX_CLAUSES} clauses"),
                    ));
                }
                self.clause(pos, &name).map(Term::Clause)
            }
            _ => Err(Error::at(pos, "expected a field name or `(`")),
        }
    }

    fn field(&self, pos: usize, name: &str) -> Result<Field, Error> {
        let unknown = || {
            Error::at(
                pos,
                format!(
                    "unknown field `{name}` (a {} query may use: {})",
                    kind_name(self.kind),
                    field_names(self.kind).join(", ")
                ),
            )
        };
        let field = Field::named(name).ok_or_else(unknown)?;
        if !field.allowed(self.kind) {
            return Err(unknown());
        }
        Ok(field)
    }

    fn op(&mut self) -> Result<Op, Error> {
        let pos = self.pos();
        let expected = || {
            Error::at(
                pos,
                "expected an operator (=, !=, <, <=, >, >=, contains, does not contain, is in, is not in)",
            )
        };
        let (_, tok) = self.peek().cloned().ok_or_else(expected)?;
        self.at += 1;
        let op = match tok {
            Tok::Symbol(s) => match s {
                "=" => Op::Eq,
                "!=" => Op::Ne,
                "<" => Op::Lt,
                "<=" => Op::Le,
                ">" => Op::Gt,
                _ => Op::Ge,
            },
            Tok::Word(w) if w.eq_ignore_ascii_case("contains") => Op::Contains,
            Tok::Word(w) if w.eq_ignore_ascii_case("does") => {
                if !(self.keyword("not") && self.keyword("contain")) {
                    return Err(Error::at(self.pos(), "expected `does not contain`"));
                }
                Op::NotContains
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("is") => {
                let not = self.keyword("not");
                if !self.keyword("in") {
                    return Err(Error::at(self.pos(), "expected `is in` or `is not in`"));
                }
                if not { Op::NotIn } else { Op::In }
            }
            _ => return Err(expected()),
        };
        Ok(op)
    }

    fn clause(&mut self, pos: usize, name: &str) -> Result<Clause, Error> {
        let field = self.field(pos, name)?;
        let op_pos = self.pos();
        let op = self.op()?;
        let ty = field.ty();
        if ty == Type::Text && op.ordering() {
            return Err(Error::at(
                op_pos,
                format!("`{name}` is text: it cannot be compared with <, <=, > or >="),
            ));
        }
        if ty != Type::Text && matches!(op, Op::Contains | Op::NotContains) {
            return Err(Error::at(
                op_pos,
                format!("`{name}` is a number: use =, !=, <, <=, >, >=, is in or is not in"),
            ));
        }
        let value_pos = self.pos();
        let text = match self.peek() {
            Some((_, Tok::Quoted(text))) => text.clone(),
            _ => {
                return Err(Error::at(
                    value_pos,
                    "expected a quoted value, e.g. 'ABC' or '12.50'",
                ));
            }
        };
        self.at += 1;
        let at = |message: String| Error::at(value_pos, message);
        let value = if text.trim() == "*" && matches!(op, Op::Eq | Op::Ne) {
            Value::Any
        } else if matches!(op, Op::In | Op::NotIn) {
            let items: Vec<&str> = text.split(';').map(str::trim).collect();
            if items.len() > MAX_LIST {
                return Err(at(format!("a list holds at most {MAX_LIST} values")));
            }
            if items.iter().any(|i| i.is_empty()) {
                return Err(at(
                    "a list value is empty (values are separated by `;`)".into()
                ));
            }
            if ty == Type::Text {
                Value::Texts(items.iter().map(|i| i.to_lowercase()).collect())
            } else {
                let numbers: Result<Vec<i64>, String> =
                    items.iter().map(|i| number(ty, i)).collect();
                Value::Numbers(numbers.map_err(at)?)
            }
        } else if ty == Type::Text {
            Value::Text(text.to_lowercase())
        } else {
            Value::Number(number(ty, text.trim()).map_err(at)?)
        };
        Ok(Clause { field, op, value })
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Decision => "decision rule",
        Kind::Collector => "collector",
    }
}

/// `text` as a number of type `ty`: minor units from `12.50`, minutes from `HH:MM`, digits.
fn number(ty: Type, text: &str) -> Result<i64, String> {
    let digits = |s: &str| !s.is_empty() && s.len() <= 12 && s.bytes().all(|b| b.is_ascii_digit());
    match ty {
        Type::Money => {
            let (whole, cents) = text.split_once('.').unwrap_or((text, ""));
            if !digits(whole) || cents.len() > 2 || !(cents.is_empty() || digits(cents)) {
                return Err(format!(
                    "`{text}` is not an amount (major units, at most 2 decimals: 12.50)"
                ));
            }
            let cents = format!("{cents:0<2}");
            Ok(whole.parse::<i64>().unwrap_or(0) * 100 + cents.parse::<i64>().unwrap_or(0))
        }
        Type::Time => {
            let parsed = text.split_once(':').and_then(|(h, m)| {
                let ok = digits(h) && digits(m) && h.len() <= 2 && m.len() == 2;
                let (h, m) = (h.parse::<i64>().ok()?, m.parse::<i64>().ok()?);
                (ok && h < 24 && m < 60).then_some(h * 60 + m)
            });
            parsed.ok_or_else(|| format!("`{text}` is not a time of day (HH:MM)"))
        }
        _ if digits(text) => Ok(text.parse().unwrap_or(0)),
        _ => Err(format!("`{text}` is not a whole number")),
    }
}
